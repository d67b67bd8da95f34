"""One turn, carried to its end, for every shell (the console and Telegram alike).

A turn is: load the user's session, step the conversation (``flows.conversation.handle``), carry
out the effects it asks for, feed each outcome back to the conversation and carry out whatever
that asks for in turn, until no effect remains; then save the session and log the enquiry in one
transaction, and hand the replies to the shell. The shells only translate I/O: the console
prints, Telegram sends. What only a shell can do (open a ticket in the staff chat, erase what
the bot posted there) it supplies as a ``Performer``; everything else is done here, once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Literal, Protocol

from bot.mydata import Document, export
from bot.storage import Storage
from flows.conversation import Message, Session, handle, resume
from flows.core import Context, Reply, Retention
from flows.effects import (
    CancelRegistration,
    Effect,
    ExportData,
    Forget,
    ListRegistrations,
    NoStaff,
    OpenTicket,
    Outcome,
    Register,
    Registered,
    RegistrationCancelled,
    RegistrationRef,
    RegistrationsListed,
    Subscribe,
)
from knowledge.answer import Answer, Assistant
from knowledge.models import HONG_KONG, Lang

log = logging.getLogger(__name__)

MAX_FOLLOW_UPS = 8
"""Effects a single message may set off: a flow that keeps asking is a bug, not a reason to
loop forever."""


class Performer(Protocol):
    """What a shell does for a flow; None when the flow waits for no outcome."""

    async def perform(self, effect: Effect, user_id: str) -> Outcome | None: ...


@dataclass(frozen=True)
class Finished:
    """What a turn leaves for the shell to show."""

    session: Session
    replies: tuple[Reply, ...]
    forgot: bool = False
    language_changed: bool = False
    documents: tuple[Document, ...] = ()  # files for the user (/mydata), after the replies


Commit = Callable[[tuple[Reply, ...]], None]
"""What a shell stores with a turn, in its transaction: given the turn's replies."""


def hong_kong_now() -> dt.datetime:
    return dt.datetime.now(HONG_KONG)


class StoragePerformer:
    """The effects every shell carries out the same way, against the database."""

    def __init__(
        self, storage: Storage, context: Callable[[], Context], clock: Callable[[], dt.datetime]
    ) -> None:
        self.storage = storage
        self.context = context
        self.clock = clock

    async def perform(self, effect: Effect, user_id: str) -> Outcome | None:
        if isinstance(effect, Register):
            return self._register(effect, user_id)
        if isinstance(effect, ListRegistrations):
            return RegistrationsListed(
                tuple(
                    RegistrationRef(str(r["id"]), str(r["event_id"]), r["attendees"])
                    for r in self.storage.registrations(user_id)
                )
            )
        if isinstance(effect, CancelRegistration):
            found = self.storage.cancel_registration(user_id, effect.registration_id)
            return RegistrationCancelled(found)
        if isinstance(effect, Subscribe):
            self.storage.subscribe(user_id, effect.lang)
            return None
        if isinstance(effect, Forget):
            self.storage.forget(user_id)
            return None
        if isinstance(effect, OpenTicket):  # only a shell with a staff chat opens tickets
            return NoStaff("unavailable")
        return None

    def _register(self, effect: Register, user_id: str) -> Registered:
        ctx = self.context()
        seminar = next((e for e in ctx.kb.events if e.id == effect.event_id), None)
        if seminar is None or seminar.id in ctx.withdrawn:
            return Registered("closed")
        result = self.storage.register(user_id, asdict(effect), seminar, now=self.clock())
        if result in ("full", "over_company_limit"):
            return Registered(result, seats_left=self.storage.seats_left(seminar))
        return Registered(result)


class Runtime:
    """The conversation of every user over one knowledge base and one database."""

    def __init__(
        self,
        assistant: Assistant,
        storage: Storage,
        no_staff: Literal["console", "unavailable"] | None,
        clock: Callable[[], dt.datetime] = hong_kong_now,
        retention: Retention | None = None,
    ) -> None:
        self.assistant = assistant
        self.retention = retention or Retention()
        self.storage = storage
        self.no_staff = no_staff
        self.clock = clock  # the flows compare dates with today in Hong Kong
        self.performer = StoragePerformer(storage, self.context, clock)

    def context(self) -> Context:
        today = self.clock().astimezone(HONG_KONG).date()
        kb = self.assistant.kb
        return Context(
            kb,
            today,
            no_staff=self.no_staff,
            retention=self.retention,
            withdrawn=self.storage.withdrawn(kb.events),
        )

    def session(self, user_id: str, lang: Lang = "en") -> Session:
        """The user's session as stored (a new one in ``lang`` if none can be continued)."""
        return resume(self.storage.load_session(user_id), lang, self.context())[0]

    async def turn(
        self,
        user_id: str,
        message: Message,
        lang: Lang = "en",
        performer: Performer | None = None,
        commit: Commit | None = None,
    ) -> Finished:
        """Carry one message to the end: every effect done, every follow-up stepped, the
        session saved with the enquiry log in one transaction, and ``commit(replies)`` in it
        too (Telegram stages the replies in its outbox and marks the update handled there)."""
        ctx = self.context()
        before, notices = resume(self.storage.load_session(user_id), lang, ctx)
        turn = handle(before, message, ctx, self.assistant)
        session, replies = turn.session, [*notices, *turn.replies]
        pending: deque[Effect] = deque(turn.effects)
        forgot, rounds = False, 0
        documents: list[Document] = []
        while pending:
            effect = pending.popleft()
            forgot = forgot or isinstance(effect, Forget)
            if isinstance(effect, ExportData):
                documents.append(export(self.storage, ctx.kb, user_id, effect.lang, ctx.today))
                continue
            outcome = await (performer or self.performer).perform(effect, user_id)
            if outcome is None:
                continue
            rounds += 1
            if rounds > MAX_FOLLOW_UPS:
                log.error("a turn set off more than %d effects; stopped", MAX_FOLLOW_UPS)
                break
            follow = handle(session, outcome, ctx, self.assistant)
            session = follow.session
            replies.extend(follow.replies)
            pending.extend(follow.effects)
        if session.flow is not None and session.flow.done:
            session = replace(session, flow=None)
        self._save(user_id, session, turn.answer, forgot, commit, tuple(replies))
        return Finished(
            session,
            tuple(replies),
            forgot=forgot,
            language_changed=session.lang != before.lang,
            documents=tuple(documents),
        )

    def _save(
        self,
        user_id: str,
        session: Session,
        answer: Answer | None,
        forgot: bool,
        commit: Commit | None,
        replies: tuple[Reply, ...],
    ) -> None:
        """The session, the enquiry log (with a miss for staff, ``bot.misses``) and the shell's
        ``commit``, together or not at all."""
        with self.storage.transaction():
            if commit is not None:
                commit(replies)
            if answer is not None and not forgot:
                self.storage.log_enquiry(answer.lang, answer.matched, answer.faq_id, answer.score)
                question = session.last_question
                if not answer.matched and answer.intent is None and question:
                    candidates = [s.faq_id for s in answer.suggestions]
                    self.storage.record_miss(
                        user_id, question, answer.lang, answer.score, candidates
                    )
            if not forgot:
                self.storage.save_session(user_id, session.to_json())


__all__ = ["Commit", "Finished", "Performer", "Runtime", "StoragePerformer"]
