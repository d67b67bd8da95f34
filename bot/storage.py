"""The bot's own SQLite database: registrations, conversations, staff handoff, feedback.

Flows never touch it: the shell carries out their effects here and feeds the outcome back.
Limits (capacity, per-company places, one registration per e-mail and event) are checked
inside the same ``BEGIN IMMEDIATE`` transaction as the insert, so two people pressing Confirm
at the same moment cannot both take the last seat.

Tables (all created on first use):

``registrations``, ``subscriptions``
    Seminar registrations (cancelled ones stay, marked) and "tell me about the next one".
``sessions``
    Each user's conversation state as JSON, so a restart carries on where it was.
``daily_notices``
    (user, kind, local day) of notices sent at most once a day ("outside office hours").
``tickets``
    Handoffs to staff: the user's chat, the case summary (JSON), the forum topic and summary
    message in the staff chat, open/closed, the user's 1-5 rating. Ids are what staff see
    ("#12") and are never reused, even after ``forget``. At most one open ticket per user
    (a partial unique index).
``relays``
    Which message was copied where for a ticket: chat and message ids only, never the text.
``feedback``
    👍/👎 under an FAQ answer, one vote per user and entry (pressing again replaces it).
``enquiries``
    One row per question answered, for /stats: language, matched, FAQ id, score. No user id
    and no text.
``misses``
    Questions the bot could not answer confidently, with the FAQ ids it suggested.
``suggestions``
    Staff proposals to add a missed question as an alternate phrasing of an FAQ entry,
    pending until reviewed with ``cppbot kb pending``.

Personal data (names, companies, e-mail addresses, phone numbers, user ids, question texts)
are never logged; ``forget`` deletes everything held about one user.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

import sqlite_utils

from knowledge.models import Seminar

log = logging.getLogger(__name__)

RegisterOutcome = Literal["ok", "full", "duplicate", "over_company_limit", "closed"]
SuggestOutcome = Literal["ok", "duplicate", "unknown"]
Direction = Literal["to_staff", "to_user"]
UserId = str | int

DIRECTIONS: tuple[Direction, ...] = ("to_staff", "to_user")
CLOSED_BY = ("staff", "user", "system")  # system: the case could not reach the staff chat


class RegistrationSummary(TypedDict):
    """What a user sees of one of their registrations (the flow's "my registrations")."""

    id: str
    event_id: str
    attendees: int
    created_at: str


@dataclass(frozen=True)
class Ticket:
    """One handoff to staff, as the Telegram adapter needs it."""

    id: int  # sequential 1, 2, 3 ... (what staff see as "#12"), never reused
    user_id: str
    chat_id: int  # the user's private chat
    lang: str
    company: str  # may be ""
    case: dict[str, Any]
    status: Literal["open", "closed"]
    thread_id: int | None  # forum topic in the staff chat; None when posting without topics
    summary_message_id: int | None  # the staff-chat message holding the case summary
    created_at: str
    closed_at: str | None
    closed_by: str | None  # "staff" | "user"
    rating: int | None
    user_blocked: bool


@dataclass(frozen=True)
class Miss:
    """A question the bot could not answer confidently (shown to staff, with its id)."""

    id: int
    question: str
    lang: str
    score: float
    candidates: tuple[str, ...]  # FAQ ids the bot suggested instead
    created_at: str


@dataclass(frozen=True)
class Suggestion:
    """Staff's proposal to add a missed question to an FAQ entry's questions."""

    id: int
    faq_id: str
    question: str
    lang: str
    created_at: str
    status: Literal["pending", "accepted", "rejected"]


@dataclass(frozen=True)
class StaffTraces:
    """What the staff chat holds about one user, so ``/forget`` can remove it too: each
    ticket's topic, and its messages (case summaries, copies of the user's messages, the staff's
    answers to them, missed questions)."""

    tickets: tuple[int, ...]
    topics: tuple[int, ...]
    messages: tuple[int, ...]


@dataclass(frozen=True)
class Stats:
    """What /stats shows for one local day; ``tickets_open`` is the count now, any day."""

    enquiries: int
    matched: int
    tickets_opened: int
    tickets_open: int
    tickets_closed: int
    registrations: int
    feedback_up: int
    feedback_down: int
    ratings: int
    rating_average: float | None


_REGISTRATION_FIELDS = ("event_id", "name", "company", "email", "phone", "attendees", "lang")

_TICKET_COLUMNS = (
    "id, user_id, chat_id, lang, company, case_json, status, thread_id, summary_message_id,"
    " created_at, closed_at, closed_by, rating, user_blocked"
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _question_key(question: str) -> str:
    """Suggested questions compare case-insensitively and ignoring spacing."""
    return " ".join(question.casefold().split())


def _ticket(row: Sequence[Any]) -> Ticket:
    (ticket_id, user_id, chat_id, lang, company, case_json, status, thread_id, summary_id,
     created_at, closed_at, closed_by, rating, blocked) = row  # fmt: skip
    return Ticket(
        id=ticket_id,
        user_id=user_id,
        chat_id=chat_id,
        lang=lang,
        company=company,
        case=json.loads(case_json),
        status=status,
        thread_id=thread_id,
        summary_message_id=summary_id,
        created_at=created_at,
        closed_at=closed_at,
        closed_by=closed_by,
        rating=rating,
        user_blocked=bool(blocked),
    )


def _company_key(company: str) -> str:
    """Companies compare case-insensitively and ignoring spacing ("ABC Ltd" = "abc  ltd")."""
    return " ".join(company.casefold().split())


class Storage:
    """All the bot's persistent data, over one ``sqlite_utils.Database``.

    Tables are created on first use, so a new deployment needs no migration step.
    ``clock`` exists for tests (timestamps); it returns an aware datetime.
    """

    def __init__(
        self, db: sqlite_utils.Database, clock: Callable[[], dt.datetime] = _utc_now
    ) -> None:
        self.db = db
        self.clock = clock
        self._create_tables()

    @classmethod
    def open(cls, path: str | Path, clock: Callable[[], dt.datetime] = _utc_now) -> Storage:
        """Open (creating if needed) the database at ``path``; ``":memory:"`` for a throwaway one."""
        return cls(sqlite_utils.Database(str(path)), clock)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------------------ schema

    def _create_tables(self) -> None:
        registrations = self.db.table("registrations")
        registrations.create(
            {
                "id": str,
                "user_id": str,
                "event_id": str,
                "name": str,
                "company": str,
                "email": str,
                "phone": str,
                "attendees": int,
                "lang": str,
                "created_at": str,
                "cancelled_at": str,
            },
            pk="id",
            not_null=(
                "user_id",
                "event_id",
                "name",
                "company",
                "email",
                "phone",
                "attendees",
                "created_at",
            ),
            if_not_exists=True,
        )
        registrations.create_index(["event_id"], if_not_exists=True)
        registrations.create_index(["user_id"], if_not_exists=True)
        self.db.table("subscriptions").create(
            {"user_id": str, "lang": str, "created_at": str},
            pk="user_id",
            not_null=("lang", "created_at"),
            if_not_exists=True,
        )
        self.db.table("sessions").create(
            {"user_id": str, "data": str, "updated_at": str},
            pk="user_id",
            not_null=("data", "updated_at"),
            if_not_exists=True,
        )
        self.db.table("daily_notices").create(
            {"user_id": str, "kind": str, "day": str, "created_at": str},
            pk=("user_id", "kind", "day"),
            not_null=("user_id", "kind", "day", "created_at"),
            if_not_exists=True,
        )
        # Raw DDL where sqlite-utils cannot say it: AUTOINCREMENT, so that an id staff have
        # seen ("#12", a suggestion to --accept, a miss behind a button) is never handed to
        # another row after ``forget`` deleted the newest one; and CHECK constraints.
        self.db.execute(
            "create table if not exists tickets ("
            " id integer primary key autoincrement,"
            " user_id text not null,"
            " chat_id integer not null,"
            " lang text not null,"
            " company text not null,"
            " case_json text not null,"
            " status text not null check (status in ('open', 'closed')),"
            " thread_id integer,"
            " summary_message_id integer,"
            " created_at text not null,"
            " closed_at text,"
            " closed_by text,"
            " rating integer check (rating between 1 and 5),"
            " rated_at text,"
            " user_blocked integer not null default 0)"
        )
        tickets = self.db.table("tickets")
        tickets.create_index(["user_id"], if_not_exists=True)
        tickets.create_index(["thread_id"], if_not_exists=True)
        tickets.create_index(["summary_message_id"], if_not_exists=True)
        # The database itself keeps "at most one open ticket per user".
        self.db.execute(
            "create unique index if not exists tickets_one_open_per_user"
            " on tickets (user_id) where status = 'open'"
        )
        relays = self.db.table("relays")
        relays.create(
            {
                "id": int,
                "ticket_id": int,
                "direction": str,
                "from_chat_id": int,
                "from_message_id": int,
                "to_chat_id": int,
                "to_message_id": int,
                "created_at": str,
            },
            pk="id",
            not_null=(
                "ticket_id",
                "direction",
                "from_chat_id",
                "from_message_id",
                "to_chat_id",
                "to_message_id",
                "created_at",
            ),
            if_not_exists=True,
        )
        relays.create_index(["ticket_id"], if_not_exists=True)
        relays.create_index(["to_message_id"], if_not_exists=True)
        relays.create_index(["from_message_id"], if_not_exists=True)
        feedback = self.db.table("feedback")
        feedback.create(
            {"user_id": str, "faq_id": str, "vote": int, "lang": str, "created_at": str},
            pk=("user_id", "faq_id"),
            not_null=("user_id", "faq_id", "vote", "lang", "created_at"),
            if_not_exists=True,
        )
        feedback.create_index(["faq_id"], if_not_exists=True)
        enquiries = self.db.table("enquiries")
        enquiries.create(
            {
                "id": int,
                "lang": str,
                "matched": int,
                "faq_id": str,
                "score": float,
                "created_at": str,
            },
            pk="id",
            not_null=("lang", "matched", "score", "created_at"),
            if_not_exists=True,
        )
        enquiries.create_index(["created_at"], if_not_exists=True)
        self.db.execute(
            "create table if not exists misses ("
            " id integer primary key autoincrement,"
            " user_id text not null,"
            " question text not null,"
            " lang text not null,"
            " score real not null,"
            " candidates text not null,"
            " created_at text not null)"
        )
        misses = self.db.table("misses")
        if "staff_message_id" not in misses.columns_dict:  # databases from before it existed
            misses.add_column("staff_message_id", int)
        misses.create_index(["user_id"], if_not_exists=True)
        # Places the bot keeps in the staff chat, such as the "unanswered questions" topic.
        self.db.table("staff_places").create(
            {"place": str, "chat_id": int, "thread_id": int, "updated_at": str},
            pk=("place", "chat_id"),
            not_null=("place", "chat_id", "thread_id", "updated_at"),
            if_not_exists=True,
        )
        self.db.execute(
            "create table if not exists suggestions ("
            " id integer primary key autoincrement,"
            " miss_id integer,"  # None once ``forget`` removed the miss
            " faq_id text not null,"
            " question text not null,"
            " lang text not null,"
            " staff_user_id integer not null,"
            " status text not null check (status in ('pending', 'accepted', 'rejected')),"
            " created_at text not null,"
            " resolved_at text)"
        )
        suggestions = self.db.table("suggestions")
        suggestions.create_index(["miss_id"], if_not_exists=True)
        suggestions.create_index(["faq_id"], if_not_exists=True)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction that takes the lock before reading (``BEGIN IMMEDIATE``).

        A plain ``BEGIN`` would let two connections read the same seat count and both insert.
        """
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if conn.in_transaction:
            conn.execute("COMMIT")

    def _now(self) -> str:
        """UTC, ISO 8601 with seconds ("2026-11-20T16:30:00+00:00").

        Every stored timestamp has this one format, so ranges compare as text (``stats``).
        """
        return _utc_text(self.clock())

    # ------------------------------------------------------------------------ registrations

    def register(
        self,
        user_id: UserId,
        details: Mapping[str, Any],
        event: Seminar,
        now: dt.datetime | None = None,
    ) -> RegisterOutcome:
        """Store a registration unless it breaks a rule; returns what happened.

        ``details`` is the flow's ``register`` effect data (event_id, name, company, email,
        phone, attendees, lang). Checks, in this order: registration closed (only when
        ``now`` is given), the same e-mail already registered for the event, the event's
        per-company limit, its capacity. Cancelled registrations count for nothing.
        """
        missing = [name for name in _REGISTRATION_FIELDS if name not in details]
        if missing:
            raise ValueError(f"registration details lack {missing}")
        if details["event_id"] != event.id:
            raise ValueError("registration details are for another event")
        attendees = int(details["attendees"])
        if attendees < 1:
            raise ValueError("attendees must be at least 1")
        email = str(details["email"]).strip().lower()
        company = str(details["company"]).strip()
        if now is not None and not event.open_for_registration(now):
            return self._logged(event, "closed")
        with self._write():
            taken = list(
                self.db.execute(
                    "select email, company, attendees from registrations"
                    " where event_id = ? and cancelled_at is null",
                    [event.id],
                ).fetchall()
            )
            if any(row_email.lower() == email for row_email, _, _ in taken):
                return self._logged(event, "duplicate")
            if event.limit_per_company is not None:
                key = _company_key(company)
                same = sum(n for _, row_company, n in taken if _company_key(row_company) == key)
                if same + attendees > event.limit_per_company:
                    return self._logged(event, "over_company_limit")
            booked = sum(n for _, _, n in taken)
            if event.capacity is not None and booked + attendees > event.capacity:
                return self._logged(event, "full")
            self.db.execute(
                "insert into registrations (id, user_id, event_id, name, company, email, phone,"
                " attendees, lang, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    uuid.uuid4().hex,
                    str(user_id),
                    event.id,
                    str(details["name"]).strip(),
                    company,
                    email,
                    str(details["phone"]).strip(),
                    attendees,
                    str(details["lang"]),
                    self._now(),
                ],
            )
        return self._logged(event, "ok")

    @staticmethod
    def _logged(event: Seminar, outcome: RegisterOutcome) -> RegisterOutcome:
        log.info("registration for %s: %s", event.id, outcome)  # no personal data
        return outcome

    def registrations(self, user_id: UserId) -> list[RegistrationSummary]:
        """The user's registrations that are not cancelled, oldest first."""
        rows = self.db.execute(
            "select id, event_id, attendees, created_at from registrations"
            " where user_id = ? and cancelled_at is null order by created_at, rowid",
            [str(user_id)],
        ).fetchall()
        return [
            RegistrationSummary(id=reg_id, event_id=event_id, attendees=n, created_at=created)
            for reg_id, event_id, n, created in rows
        ]

    def cancel_registration(self, user_id: UserId, reg_id: str) -> bool:
        """Cancel one of the user's own registrations; False if it is not theirs or not active.

        The row stays (marked ``cancelled_at``) so staff can see the seat was given back;
        ``forget`` removes it for good.
        """
        with self._write():
            cursor = self.db.execute(
                "update registrations set cancelled_at = ?"
                " where id = ? and user_id = ? and cancelled_at is null",
                [self._now(), reg_id, str(user_id)],
            )
            cancelled = cursor.rowcount == 1
        log.info("registration cancelled: %s", cancelled)
        return cancelled

    def seats_left(self, event: Seminar) -> int | None:
        """Seats still free (never below 0), or None when the event has no capacity."""
        if event.capacity is None:
            return None
        row = self.db.execute(
            "select coalesce(sum(attendees), 0) from registrations"
            " where event_id = ? and cancelled_at is null",
            [event.id],
        ).fetchone()
        return max(event.capacity - int(row[0]), 0)

    # ------------------------------------------------------------------------ subscriptions

    def subscribe(self, user_id: UserId, lang: str) -> None:
        """Remember to tell the user about the next seminar (again: just updates the language)."""
        with self._write():
            self.db.execute(
                "insert into subscriptions (user_id, lang, created_at) values (?, ?, ?)"
                " on conflict(user_id) do update set lang = excluded.lang",
                [str(user_id), lang, self._now()],
            )

    def subscribers(self) -> list[tuple[str, str]]:
        """(user_id, lang) of everyone waiting to hear about the next seminar."""
        rows = self.db.execute("select user_id, lang from subscriptions order by created_at")
        return [(user_id, lang) for user_id, lang in rows.fetchall()]

    # ----------------------------------------------------------------------------- sessions

    def load_session(self, user_id: UserId) -> dict[str, Any] | None:
        """The user's saved conversation state, or None for someone the bot has not met."""
        row = self.db.execute(
            "select data from sessions where user_id = ?", [str(user_id)]
        ).fetchone()
        return None if row is None else cast(dict[str, Any], json.loads(row[0]))

    def save_session(self, user_id: UserId, data: Mapping[str, Any]) -> None:
        """Store the conversation state (replacing the last one) so a restart carries on.

        ``data`` must be JSON-serialisable; anything else raises ``TypeError`` here rather
        than being turned into text that would not load back as it was.
        """
        text = json.dumps(dict(data), ensure_ascii=False)
        with self._write():
            self.db.execute(
                "insert into sessions (user_id, data, updated_at) values (?, ?, ?)"
                " on conflict(user_id) do update"
                " set data = excluded.data, updated_at = excluded.updated_at",
                [str(user_id), text, self._now()],
            )

    def claim_daily_notice(self, user_id: UserId, kind: str, day: dt.date) -> bool:
        """True the first time for (user, kind, day), and records it; False afterwards.

        One ``insert or ignore`` on the primary key, so two messages arriving together
        cannot both get the notice.
        """
        with self._write():
            cursor = self.db.execute(
                "insert or ignore into daily_notices (user_id, kind, day, created_at)"
                " values (?, ?, ?, ?)",
                [str(user_id), kind, day.isoformat(), self._now()],
            )
            return cursor.rowcount == 1

    # ------------------------------------------------------------------------------ tickets

    def open_ticket(
        self, user_id: UserId, chat_id: int, lang: str, company: str, case: Mapping[str, Any]
    ) -> Ticket:
        """Open a ticket for the user; if one is already open, return that one unchanged.

        A user has at most one open ticket (their messages go to it), so a second handoff
        request while one is open is not an error: the caller sees the existing ticket's
        ``created_at``/``id`` and can tell the user it is still open.
        """
        with self._write():
            existing = self._open_ticket_for(str(user_id))
            if existing is not None:
                log.info("ticket #%d already open", existing.id)
                return existing
            cursor = self.db.execute(
                "insert into tickets (user_id, chat_id, lang, company, case_json, status,"
                " created_at) values (?, ?, ?, ?, ?, 'open', ?)",
                [
                    str(user_id),
                    chat_id,
                    lang,
                    company,
                    json.dumps(dict(case), ensure_ascii=False),
                    self._now(),
                ],
            )
            opened = self._first("id = ?", [cursor.lastrowid])
        assert opened is not None  # just inserted, in the same transaction
        log.info("ticket #%d opened", opened.id)
        return opened

    def _tickets(self, where: str, params: Sequence[Any]) -> list[Ticket]:
        rows = self.db.execute(f"select {_TICKET_COLUMNS} from tickets where {where}", params)
        return [_ticket(row) for row in rows.fetchall()]

    def _first(self, where: str, params: Sequence[Any]) -> Ticket | None:
        found = self._tickets(where, params)
        return found[0] if found else None

    def _open_ticket_for(self, user_id: str) -> Ticket | None:
        return self._first("user_id = ? and status = 'open'", [user_id])

    def ticket(self, ticket_id: int) -> Ticket | None:
        return self._first("id = ?", [ticket_id])

    def open_ticket_for(self, user_id: UserId) -> Ticket | None:
        """The user's open ticket, if any (there is at most one)."""
        return self._open_ticket_for(str(user_id))

    def ticket_for_thread(self, thread_id: int) -> Ticket | None:
        """The most recent ticket, open or closed, that uses this forum topic."""
        return self._first("thread_id = ? order by id desc limit 1", [thread_id])

    def ticket_for_staff_message(self, message_id: int) -> Ticket | None:
        """The ticket a staff-chat message belongs to, for staff replying in a group without
        topics: its summary message, a user's message relayed into the staff chat, or a
        staff message that was relayed to the user (a colleague replying to it).

        Message ids are only unique within one chat, so only the staff-chat side of each
        relay is looked at (``to_message_id`` of "to_staff", ``from_message_id`` of
        "to_user"). The most recent match wins.
        """
        row = self.db.execute(
            "select max(ticket_id) from ("
            " select id as ticket_id from tickets where summary_message_id = ?"
            " union all select ticket_id from relays"
            " where direction = 'to_staff' and to_message_id = ?"
            " union all select ticket_id from relays"
            " where direction = 'to_user' and from_message_id = ?)",
            [message_id, message_id, message_id],
        ).fetchone()
        return None if row[0] is None else self.ticket(int(row[0]))

    def set_ticket_thread(
        self, ticket_id: int, thread_id: int | None, summary_message_id: int | None
    ) -> None:
        """Remember where in the staff chat the ticket lives (both values are replaced)."""
        with self._write():
            self.db.execute(
                "update tickets set thread_id = ?, summary_message_id = ? where id = ?",
                [thread_id, summary_message_id, ticket_id],
            )

    def close_ticket(self, ticket_id: int, closed_by: str) -> bool:
        """Close an open ticket; False if it is already closed or unknown (a second /close).

        ``closed_by`` is "staff", "user" or "system" (``ValueError`` otherwise).
        """
        if closed_by not in CLOSED_BY:
            raise ValueError(f"closed_by must be one of {CLOSED_BY}, not {closed_by!r}")
        with self._write():
            cursor = self.db.execute(
                "update tickets set status = 'closed', closed_at = ?, closed_by = ?"
                " where id = ? and status = 'open'",
                [self._now(), closed_by, ticket_id],
            )
            closed = cursor.rowcount == 1
        log.info("ticket #%d closed by %s: %s", ticket_id, closed_by, closed)
        return closed

    def open_tickets(self) -> list[Ticket]:
        """All open tickets, oldest first (staff's queue)."""
        return self._tickets("status = 'open' order by id", [])

    def rate_ticket(self, ticket_id: int, user_id: UserId, rating: int) -> bool:
        """Store the user's 1-5 rating of a closed ticket; False for anything else.

        Rating buttons come back as callback data a client can forge or press late, so only
        the ticket's own user, only once, only after it was closed, only 1..5.
        """
        if not 1 <= rating <= 5:
            return False
        with self._write():
            cursor = self.db.execute(
                "update tickets set rating = ?, rated_at = ?"
                " where id = ? and user_id = ? and status = 'closed' and rating is null",
                [rating, self._now(), ticket_id, str(user_id)],
            )
            rated = cursor.rowcount == 1
        log.info("ticket #%d rated: %s", ticket_id, rated)
        return rated

    def mark_user_blocked(self, ticket_id: int, blocked: bool = True) -> None:
        """Note that the user blocked the bot (relays to them fail), or unblocked it."""
        with self._write():
            self.db.execute(
                "update tickets set user_blocked = ? where id = ?", [int(blocked), ticket_id]
            )

    def last_activity(self, ticket_id: int) -> str | None:
        """When the latest message was relayed for the ticket, else when it was opened;
        None for an unknown ticket. For reminding staff of tickets gone quiet."""
        row = self.db.execute(
            "select coalesce((select max(created_at) from relays where ticket_id = t.id),"
            " t.created_at) from tickets t where t.id = ?",
            [ticket_id],
        ).fetchone()
        return None if row is None else cast(str | None, row[0])

    # ------------------------------------------------------------------------------- relays

    def record_relay(
        self,
        ticket_id: int,
        direction: Direction,
        from_chat_id: int,
        from_message_id: int,
        to_chat_id: int,
        to_message_id: int,
    ) -> None:
        """Remember that a message was copied between the user and staff (ids only, never the
        text), so staff replies to it find the ticket and ``last_activity`` moves on."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        with self._write():
            self.db.execute(
                "insert into relays (ticket_id, direction, from_chat_id, from_message_id,"
                " to_chat_id, to_message_id, created_at) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    ticket_id,
                    direction,
                    from_chat_id,
                    from_message_id,
                    to_chat_id,
                    to_message_id,
                    self._now(),
                ],
            )

    def relay_count(self, ticket_id: int) -> dict[str, int]:
        """How many messages went each way: ``{"to_staff": n, "to_user": m}``."""
        counts: dict[str, int] = dict.fromkeys(DIRECTIONS, 0)
        rows = self.db.execute(
            "select direction, count(*) from relays where ticket_id = ? group by direction",
            [ticket_id],
        )
        for direction, count in rows.fetchall():
            counts[direction] = count
        return counts

    # ----------------------------------------------------------------------------- feedback

    def record_feedback(self, user_id: UserId, faq_id: str, vote: int, lang: str) -> None:
        """👍 (+1) or 👎 (-1) under an answer; pressing again replaces the user's earlier vote
        on that entry, so one person cannot pile up votes."""
        if vote not in (1, -1):
            raise ValueError(f"vote must be +1 or -1, not {vote!r}")
        with self._write():
            self.db.execute(
                "insert into feedback (user_id, faq_id, vote, lang, created_at)"
                " values (?, ?, ?, ?, ?) on conflict(user_id, faq_id) do update"
                " set vote = excluded.vote, lang = excluded.lang,"
                " created_at = excluded.created_at",
                [str(user_id), faq_id, vote, lang, self._now()],
            )

    def feedback_totals(self, faq_id: str | None = None) -> dict[str, int]:
        """``{"up": n, "down": m}`` for one FAQ entry, or over all entries."""
        sql = "select coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) from feedback"
        if faq_id is None:
            row = self.db.execute(sql).fetchone()
        else:
            row = self.db.execute(sql + " where faq_id = ?", [faq_id]).fetchone()
        return {"up": int(row[0]), "down": int(row[1])}

    # ---------------------------------------------------------------------------- enquiries

    def log_enquiry(self, lang: str, matched: bool, faq_id: str | None, score: float) -> None:
        """Count one answered question for /stats: no user id and no text, so nothing here is
        personal data and ``forget`` has nothing to remove."""
        with self._write():
            self.db.execute(
                "insert into enquiries (lang, matched, faq_id, score, created_at)"
                " values (?, ?, ?, ?, ?)",
                [lang, int(matched), faq_id, float(score), self._now()],
            )

    # ----------------------------------------------------------------- misses, suggestions

    def record_miss(
        self,
        user_id: UserId,
        question: str,
        lang: str,
        score: float,
        candidates: Sequence[str],
    ) -> int:
        """Keep a question the bot could not answer confidently, for staff to learn from.

        ``candidates`` are the FAQ ids it suggested. Returns the miss id (for staff's
        "add as alternate question" buttons). The user id is kept only so that ``forget``
        can find the question again.
        """
        with self._write():
            cursor = self.db.execute(
                "insert into misses (user_id, question, lang, score, candidates, created_at)"
                " values (?, ?, ?, ?, ?, ?)",
                [
                    str(user_id),
                    question,
                    lang,
                    float(score),
                    json.dumps(list(candidates), ensure_ascii=False),
                    self._now(),
                ],
            )
            miss_id = int(cursor.lastrowid or 0)
        log.info("miss #%d recorded", miss_id)
        return miss_id

    def set_miss_message(self, miss_id: int, message_id: int) -> None:
        """Remember the staff-chat message that shows the miss (``forget`` removes it)."""
        with self._write():
            self.db.execute(
                "update misses set staff_message_id = ? where id = ?", [message_id, miss_id]
            )

    def staff_place(self, place: str, chat_id: int) -> int | None:
        """The thread of a topic the bot keeps in ``chat_id`` (None: not created yet)."""
        row = self.db.execute(
            "select thread_id from staff_places where place = ? and chat_id = ?", [place, chat_id]
        ).fetchone()
        return None if row is None else int(row[0])

    def set_staff_place(self, place: str, chat_id: int, thread_id: int | None) -> None:
        """Remember (or, with None, forget) the topic the bot keeps for ``place``."""
        with self._write():
            self.db.execute(
                "delete from staff_places where place = ? and chat_id = ?", [place, chat_id]
            )
            if thread_id is not None:
                self.db.execute(
                    "insert into staff_places (place, chat_id, thread_id, updated_at)"
                    " values (?, ?, ?, ?)",
                    [place, chat_id, thread_id, self._now()],
                )

    def miss(self, miss_id: int) -> Miss | None:
        row = self.db.execute(
            "select id, question, lang, score, candidates, created_at from misses where id = ?",
            [miss_id],
        ).fetchone()
        if row is None:
            return None
        found_id, question, lang, score, candidates, created_at = row
        return Miss(
            id=found_id,
            question=question,
            lang=lang,
            score=score,
            candidates=tuple(json.loads(candidates)),
            created_at=created_at,
        )

    def suggest_alternate(self, miss_id: int, faq_id: str, staff_user_id: int) -> SuggestOutcome:
        """Staff propose a missed question as another way of asking ``faq_id``.

        Stored as pending for review (``cppbot kb pending``), with the miss's question and
        language copied. "duplicate" when the same question (ignoring case and spacing) is
        already pending or accepted for that entry — a rejected one may be proposed again;
        "unknown" when the miss does not exist (a stale button after ``forget``). Whether
        ``faq_id`` exists is the caller's check: the database does not know the FAQ.
        """
        with self._write():
            row = self.db.execute(
                "select question, lang from misses where id = ?", [miss_id]
            ).fetchone()
            if row is None:
                outcome: SuggestOutcome = "unknown"
            else:
                question, lang = row
                taken = self.db.execute(
                    "select question from suggestions"
                    " where faq_id = ? and status in ('pending', 'accepted')",
                    [faq_id],
                ).fetchall()
                key = _question_key(question)
                if any(_question_key(other) == key for (other,) in taken):
                    outcome = "duplicate"
                else:
                    self.db.execute(
                        "insert into suggestions (miss_id, faq_id, question, lang,"
                        " staff_user_id, status, created_at)"
                        " values (?, ?, ?, ?, ?, 'pending', ?)",
                        [miss_id, faq_id, question, lang, staff_user_id, self._now()],
                    )
                    outcome = "ok"
        log.info("suggestion for %s: %s", faq_id, outcome)
        return outcome

    def pending_suggestions(self) -> list[Suggestion]:
        """Suggestions waiting for review, oldest first."""
        rows = self.db.execute(
            "select id, faq_id, question, lang, created_at, status from suggestions"
            " where status = 'pending' order by id"
        ).fetchall()
        return [
            Suggestion(
                id=suggestion_id,
                faq_id=faq_id,
                question=question,
                lang=lang,
                created_at=created_at,
                status=status,
            )
            for suggestion_id, faq_id, question, lang, created_at, status in rows
        ]

    def resolve_suggestion(
        self, suggestion_id: int, status: Literal["accepted", "rejected"]
    ) -> bool:
        """Accept or reject a pending suggestion; False if it is unknown or already resolved."""
        if status not in ("accepted", "rejected"):
            raise ValueError(f"status must be 'accepted' or 'rejected', not {status!r}")
        with self._write():
            cursor = self.db.execute(
                "update suggestions set status = ?, resolved_at = ?"
                " where id = ? and status = 'pending'",
                [status, self._now(), suggestion_id],
            )
            resolved = cursor.rowcount == 1
        log.info("suggestion #%d %s: %s", suggestion_id, status, resolved)
        return resolved

    # -------------------------------------------------------------------------------- stats

    def stats(self, day: dt.date, tz: dt.tzinfo) -> Stats:
        """The figures for /stats on ``day``, a local day in ``tz``: [00:00, 24:00).

        The day's bounds become UTC text in the stored format, so each count is a plain
        text range on the timestamps. "That day" means: enquiries logged, tickets opened,
        tickets closed, registrations made (and not cancelled since), votes cast (a
        replaced vote counts on the day of the latest press), ratings given.
        ``tickets_open`` is the number open now, whatever day they were opened.
        """
        start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        following = day + dt.timedelta(days=1)
        end = dt.datetime(following.year, following.month, following.day, tzinfo=tz)
        bounds = [_utc_text(start), _utc_text(end)]

        def one(sql: str) -> Any:
            return self.db.execute(sql, bounds).fetchone()

        enquiries, matched = one(
            "select count(*), coalesce(sum(matched), 0) from enquiries"
            " where created_at >= ? and created_at < ?"
        )
        up, down = one(
            "select coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) from feedback"
            " where created_at >= ? and created_at < ?"
        )
        ratings, average = one(
            "select count(*), avg(rating) from tickets where rated_at >= ? and rated_at < ?"
        )
        open_now = self.db.execute("select count(*) from tickets where status = 'open'")
        return Stats(
            enquiries=int(enquiries),
            matched=int(matched),
            tickets_opened=int(
                one("select count(*) from tickets where created_at >= ? and created_at < ?")[0]
            ),
            tickets_open=int(open_now.fetchone()[0]),
            tickets_closed=int(
                one("select count(*) from tickets where closed_at >= ? and closed_at < ?")[0]
            ),
            registrations=int(
                one(
                    "select count(*) from registrations"
                    " where created_at >= ? and created_at < ? and cancelled_at is null"
                )[0]
            ),
            feedback_up=int(up),
            feedback_down=int(down),
            ratings=int(ratings),
            rating_average=None if average is None else float(average),
        )

    # ------------------------------------------------------------------------ personal data

    def staff_traces(self, user_id: UserId, staff_chat_id: int) -> StaffTraces:
        """Where the user's tickets and missed questions show in the staff chat."""
        user = str(user_id)
        tickets = self.db.execute(
            "select id, thread_id, summary_message_id from tickets where user_id = ? order by id",
            [user],
        ).fetchall()
        copies = self.db.execute(  # the user's messages copied in, the staff's answers
            "select to_message_id from relays where direction = 'to_staff' and to_chat_id = ?"
            " and ticket_id in (select id from tickets where user_id = ?)"
            " union select from_message_id from relays where direction = 'to_user'"
            " and from_chat_id = ? and ticket_id in (select id from tickets where user_id = ?)",
            [staff_chat_id, user, staff_chat_id, user],
        ).fetchall()
        misses = self.db.execute(
            "select staff_message_id from misses"
            " where user_id = ? and staff_message_id is not null",
            [user],
        ).fetchall()
        messages = {row[2] for row in tickets if row[2] is not None}
        messages |= {row[0] for row in copies} | {row[0] for row in misses}
        return StaffTraces(
            tickets=tuple(row[0] for row in tickets),
            topics=tuple(row[1] for row in tickets if row[1] is not None),
            messages=tuple(sorted(messages)),
        )

    def forget(self, user_id: UserId) -> int:
        """Delete everything held about ``user_id`` (the /forget command).

        Registrations, the subscription, the conversation state, daily notices, FAQ votes,
        tickets with their relay rows, missed questions and the *pending* suggestions made
        from them. Suggestions staff already accepted or rejected stay (only the question
        text, which staff reviewed), unlinked from the deleted miss. Enquiry counts hold
        nothing personal. Returns how many rows went, so the shell can say whether anything
        was held.
        """
        user = [str(user_id)]
        with self._write():
            removed = 0
            for sql in (
                "delete from registrations where user_id = ?",
                "delete from subscriptions where user_id = ?",
                "delete from sessions where user_id = ?",
                "delete from daily_notices where user_id = ?",
                "delete from feedback where user_id = ?",
                "delete from relays where ticket_id in (select id from tickets where user_id = ?)",
                "delete from tickets where user_id = ?",
                "delete from suggestions where status = 'pending'"
                " and miss_id in (select id from misses where user_id = ?)",
            ):
                removed += self.db.execute(sql, user).rowcount
            self.db.execute(
                "update suggestions set miss_id = null"
                " where miss_id in (select id from misses where user_id = ?)",
                user,
            )
            removed += self.db.execute("delete from misses where user_id = ?", user).rowcount
        log.info("forget: %d row(s) deleted", removed)
        return removed
