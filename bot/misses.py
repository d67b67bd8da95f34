"""Questions the bot could not answer, shown to staff so they can teach the FAQ.

Each miss is posted in the staff chat's "unanswered questions" topic (created on first use, so
misses do not bury the staff's own conversation) with one button per candidate FAQ entry;
pressing one stores the question as an alternate phrasing of that entry, for review with
``cppbot kb pending``.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.runtime import Unanswered
from bot.sender import send
from bot.staff_chat import Place, StaffChat, in_place
from flows.buttons import Teach
from flows.core import Button, Reply

log = logging.getLogger(__name__)

MISSES_PLACE = "misses"  # the staff chat's topic for questions the bot could not answer


class Misses:
    """Posting misses for staff and storing what staff teach."""

    def __init__(self, staff: StaffChat) -> None:
        self.staff = staff
        self.storage = staff.storage
        self._topicless = False  # the staff chat refused a topic: post misses in the group

    async def post(self, bot: Bot, miss: Unanswered) -> None:
        """Post a missed question for staff (never fails the caller)."""
        staff_chat = self.staff.chat_id
        if staff_chat is None:
            return
        answer, say = miss.answer, self.staff.say
        text = say(
            "staff_miss",
            language=say(f"language_name_{answer.lang}"),
            score=f"{answer.score:.2f}",
            question=miss.question,
        )
        buttons: tuple[tuple[Button, ...], ...] = ()
        if answer.suggestions:
            text += "\n\n" + say("staff_miss_teach")
            buttons = tuple(
                (
                    Button(
                        say("button_teach", question=self._title(s.faq_id)), Teach(miss.miss_id, i)
                    ),
                )
                for i, s in enumerate(answer.suggestions)
            )
        try:
            posted = await self._post(bot, staff_chat, Reply(text, buttons))
        except TelegramError as exc:
            log.warning("could not post a missed question to the staff chat: %s", exc)
            return
        self.storage.set_miss_message(miss.miss_id, posted.message_id)

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
