"""Questions the bot could not answer, shown to staff so they can teach the FAQ.

Misses are posted in the staff chat's "unanswered questions" topic (created on first use, so
misses do not bury the staff's own conversation) with one button per candidate FAQ entry;
pressing one stores the question as an alternate phrasing of that entry, for review with
``cppbot kb pending``.

They are posted off the users' path by ``bot.staff_queue``: one message per question while the
staff chat keeps up, one digest of up to ``DIGEST_MAX`` questions when several are waiting (the
staff group takes about 20 messages a minute). ``/forget`` edits one user's question out of a
digest instead of deleting the others' (``Eraser``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.render import outgoing
from bot.sender import send
from bot.staff_chat import Place, StaffChat, in_place
from bot.storage import Miss
from flows.buttons import Teach
from flows.core import Button, Reply

log = logging.getLogger(__name__)

MISSES_PLACE = "misses"  # the staff chat's topic for questions the bot could not answer
DIGEST_MAX = 8  # questions in one digest message (each with up to 3 buttons)
DIGEST_QUESTION = 300  # characters of a question shown in a digest
FRESH_FOR = dt.timedelta(days=2)  # a miss not posted by then (a long outage) is not news


class Misses:
    """Posting misses for staff and storing what staff teach."""

    def __init__(self, staff: StaffChat, clock: Callable[[], dt.datetime]) -> None:
        self.staff = staff
        self.storage = staff.storage
        self.clock = clock
        self._topicless = False  # the staff chat refused a topic: post misses in the group

    async def post_waiting(self, bot: Bot) -> None:
        """Post the misses not yet in the staff chat: alone, or in digests when several wait.
        A failure leaves them for the next round; none is posted twice."""
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            return
        waiting = self.storage.unposted_misses(self.clock() - FRESH_FOR)
        for start in range(0, len(waiting), DIGEST_MAX):
            batch = waiting[start : start + DIGEST_MAX]
            try:
                posted = await self._post(bot, staff_chat, self.render(batch))
            except TelegramError as exc:
                log.warning("could not post %d missed question(s) yet: %s", len(batch), exc)
                return
            for miss in batch:
                self.storage.set_miss_message(miss.id, posted.message_id)

    def render(self, misses: Sequence[Miss]) -> Reply:
        """One miss as its own message, or several as a numbered digest."""
        say = self.staff.say
        if len(misses) == 1:
            [miss] = misses
            text = say(
                "staff_miss",
                language=say(f"language_name_{miss.lang}"),
                score=f"{miss.score:.2f}",
                question=miss.question,
            )
            buttons = tuple(
                (Button(say("button_teach", question=self._title(faq)), Teach(miss.id, i)),)
                for i, faq in self._candidates(miss)
            )
            teach = "\n\n" + say("staff_miss_teach") if buttons else ""
            return Reply(text + teach, buttons)
        lines = [say("staff_miss_digest", count=len(misses))]
        rows: list[tuple[Button, ...]] = []
        for number, miss in enumerate(misses, start=1):
            question = miss.question
            if len(question) > DIGEST_QUESTION:
                question = question[: DIGEST_QUESTION - 1] + "…"
            lines.append(
                say(
                    "staff_miss_digest_line",
                    number=number,
                    language=say(f"language_name_{miss.lang}"),
                    score=f"{miss.score:.2f}",
                    question=question,
                )
            )
            rows.extend(
                (
                    Button(
                        say("button_teach_numbered", number=number, question=self._title(faq)),
                        Teach(miss.id, i),
                    ),
                )
                for i, faq in self._candidates(miss)
            )
        if rows:
            lines.append(say("staff_miss_digest_teach"))
        return Reply("\n\n".join(lines), tuple(rows))

    async def edit_out(self, bot: Bot, message_id: int, others: Sequence[Miss]) -> None:
        """Show a digest again without a forgotten user's question (``others`` stay)."""
        staff_chat = self.staff.chat_id
        assert staff_chat is not None
        part = outgoing(self.render(others))[0]
        await bot.edit_message_text(
            part.html, staff_chat, message_id, parse_mode="HTML", reply_markup=part.keyboard
        )

    async def _thread(self, bot: Bot, staff_chat: int) -> int | None:
        thread = self.storage.staff_place(MISSES_PLACE, staff_chat)
        if thread is not None or self._topicless:
            return thread
        thread = await self.staff.new_topic(bot, self.staff.say("staff_misses_topic"), "misses")
        if thread is None:
            self._topicless = True
            return None
        self.storage.set_staff_place(MISSES_PLACE, staff_chat, thread)
        return thread

    async def _post(self, bot: Bot, staff_chat: int, reply: Reply) -> Message:
        """Post in the misses topic; recreate the topic if staff deleted it."""

        async def post(thread: int | None, reply_to: int | None) -> Message:
            return (await send(bot, staff_chat, [reply], thread_id=thread))[0]

        async def recreate() -> Place:
            log.warning("the topic for missed questions is gone; recreating it")
            self.storage.set_staff_place(MISSES_PLACE, staff_chat, None)
            return await self._thread(bot, staff_chat), None

        message: Message = await in_place(
            (await self._thread(bot, staff_chat), None), post, recreate
        )
        return message

    def _candidates(self, miss: Miss) -> list[tuple[int, str]]:
        """The miss's candidate entries still in the FAQ, with their index in the miss."""
        known = {entry.id for entry in self.staff.kb.faq}
        return [(i, faq) for i, faq in enumerate(miss.candidates) if faq in known]

    def _title(self, faq_id: str) -> str:
        return self.staff.kb.entry(faq_id).questions.get(self.staff.lang)[0]

    def teach(self, data: Teach, presser_id: int) -> str:
        """Store the missed question as an alternate phrasing of its n-th candidate, for review;
        the toast for the staff member who pressed."""
        say = self.staff.say
        miss = self.storage.miss(data.miss)
        if miss is None or data.index >= len(miss.candidates):
            return say("button_expired")
        faq_id = miss.candidates[data.index]
        outcome = self.storage.suggest_alternate(miss.id, faq_id, presser_id)
        if outcome == "duplicate":
            return say("staff_teach_duplicate")
        if outcome != "ok":
            return say("button_expired")
        return say("staff_teach_ok", question=miss.question, faq=self._title(faq_id))
