"""A ticket left half-made (the user told "ticket #1", then the process killed before its case
reached the staff chat) is completed at the next start: its topic and case summary are posted
once, and the user's next message reaches the staff there."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from tests.fakebot import FakeTelegram
from tests.fakebot.process import STAFF_CHAT, BotProcess


async def test_a_half_made_ticket_is_posted_at_the_next_start(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    user = fake.user(9400, "Cheung")
    storage = Storage.open(tmp_path / "cppbot.db")
    case = {"lang": "en", "question": "Can we extend our DP?", "company": "Kwan Ltd"}
    ticket = storage.open_ticket(str(user.id), user.id, "en", "Kwan Ltd", case)
    storage.close()
    bot = BotProcess(fake, tmp_path, {})
    await bot.start()
    summary = await fake.expect(STAFF_CHAT, f"Ticket #{ticket.id}")
    assert "Can we extend our DP?" in summary["text"]
    await user.say("Any news on this?")
    relayed = await fake.expect(STAFF_CHAT, "Any news", thread_id=summary["message_thread_id"])
    assert relayed
    await bot.restart()  # posted once: a second start finds nothing left to do
    await fake.quiet()
    posts = [m for m in fake.sent(STAFF_CHAT) if f"Ticket #{ticket.id}" in str(m.get("text", ""))]
    assert 1 == len(posts)
    await bot.stop_cleanly()
