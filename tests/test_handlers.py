"""The Telegram handlers, one update at a time through ``Application.process_update``.

The bot talks to the fake Bot API server on 127.0.0.1 (never to Telegram); the clock is fixed,
so office hours are predictable. These are the fine-grained cases: forged button data, staff
commands from the wrong people, blocked users, forum topics that can't be created or were
deleted, office-hours notices, non-text messages, failures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.storage import Storage
from knowledge.answer import Assistant
from tests.app_harness import Harness, harness
from tests.fakebot import FakeTelegram, FakeUser

STAFF_CHAT = -1009876543210
STAFF_MEMBER = 4242
SATURDAY_NIGHT = dt.datetime(2026, 11, 21, 22, 0, tzinfo=dt.UTC)  # Sun 06:00 in Hong Kong
MONDAY_MORNING = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Mon 10:00 in Hong Kong


async def _harness(fake: FakeTelegram, assistant: Assistant, **overrides: Any) -> Harness:
    values: dict[str, Any] = {
        "staff_chat_id": STAFF_CHAT,
        "staff_user_ids": frozenset({STAFF_MEMBER}),
        **overrides,
    }
    return await harness(fake, assistant, MONDAY_MORNING, **values)


async def _running(fake: FakeTelegram, assistant: Assistant, forum: bool) -> AsyncIterator[Harness]:
    fake.supergroup(STAFF_CHAT, "Secretariat", is_forum=forum)
    running = await _harness(fake, assistant)
    yield running
    await running.close()


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    """The bot, with a staff supergroup that has topics."""
    async for running in _running(fake, assistant, forum=True):
        yield running


@pytest.fixture
async def plain(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    """The bot, with a staff group without topics."""
    async for running in _running(fake, assistant, forum=False):
        yield running


async def _open_ticket(h: Harness, user: FakeUser, company: str = "ABC Ltd") -> dict[str, Any]:
    """Ask for a person and give the company; the "ticket opened" message."""
    await h.say(user, "/staff Can our project start later?")
    await h.say(user, company)
    return await user.expect("your enquiry is ticket #")


# ------------------------------------------------------------------------------ the enquirer


@pytest.mark.parametrize(
    "data",
    ["", "nonsense", "faq:no_such_entry", "fb:up:no_such_entry", "fb:sideways:gen_overview",
     "rate:1:5", "rate:x:y", "ticket:end:99", "teach:1:0", "eligibility:org_type:alien",
     "lang:fr", "seminar:event:gone", "x" * 64],
)  # fmt: skip
async def test_forged_or_stale_buttons_get_a_polite_expiry(
    h: Harness, fake: FakeTelegram, data: str
) -> None:
    user = fake.user(11, "Forger", language_code="en")
    await h.say(user, "/help")
    message = await user.expect("What I can do")
    await h.press(user, message, data)
    notices = [m["text"] for m in fake.sent(user.id)] + [
        a.get("text", "") for a in fake.answered_callbacks.values()
    ]
    assert any("button has expired" in text for text in notices)
    assert [] == [e for e in fake.errors if e[0] != "editMessageText"]


async def test_non_text_messages_get_a_reply_in_the_users_language(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(12, "Yan", language_code="zh-hk")
    for kind in ("voice", "photo", "sticker", "document", "location"):
        await fake.send_media(user, user.id, kind)
        await h.process()
        assert "我淨係識睇文字" in (await user.expect())["text"]


async def test_a_4000_character_message_is_answered_politely(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(13, "Long", language_code="en")
    await h.say(user, "funding " * 500)
    reply = await user.expect()
    assert reply["text"]
    assert [] == fake.errors


async def test_feedback_is_stored_once_per_user_and_entry(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(14, "Fb", language_code="en")
    await h.say(user, "What is the hotline number?")
    answer = await user.expect("Source")
    (down,) = [d for label, d in user.buttons(answer) if label == "👎"]
    answered = await h.press(user, answer, down)
    assert "Sorry that didn't help" in answered["text"]
    faq_id = down.split(":")[-1]
    assert {"up": 0, "down": 1} == h.desk.storage.feedback_totals(faq_id)


async def test_a_failure_is_logged_and_the_user_told_without_internals(
    h: Harness, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake.user(15, "Unlucky", language_code="yue")
    h.desk.storage.close()  # every database call now fails
    await h.say(user, "點樣申請？")
    reply = await user.expect()
    assert "出咗少少問題" in reply["text"] and "sqlite" not in reply["text"].lower()
    assert any("failed" in r.message for r in caplog.records)
    h.desk.storage = Storage.open(":memory:")


# ------------------------------------------------------------------------------- the staff


async def test_staff_commands_from_anyone_else_are_unknown_commands(
    h: Harness, fake: FakeTelegram
) -> None:
    stranger = fake.user(21, "Stranger", language_code="en")
    for command in ("/tickets", "/stats", "/close 1"):
        await h.say(stranger, command)
        await stranger.expect("don't know that command")
    assert not any(
        "Open tickets" in m["text"] or "Enquiries" in m["text"] for m in fake.sent(stranger.id)
    )


async def test_staff_member_may_use_staff_commands_in_private(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(22, "Client", language_code="en")
    await _open_ticket(h, user)
    staff = fake.user(STAFF_MEMBER, "Ho")
    await h.say(staff, "/tickets")
    listing = await staff.expect("Open tickets (1)")
    assert "#1 · ABC Ltd · English" in listing["text"]
    await h.say(staff, "/stats")
    stats = await staff.expect("Enquiries")
    assert "Tickets: 1 opened, 0 closed, 1 open now" in stats["text"]


async def test_a_missed_question_can_be_taught_from_the_staff_chat(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(23, "Asker", language_code="en")
    await h.say(user, "funding for the zorkmid flux capacitor")
    post = await fake.expect(STAFF_CHAT, "couldn't answer")
    buttons = user.buttons(post)
    assert buttons and all(data.startswith("teach:") for _, data in buttons)
    staff = fake.user(STAFF_MEMBER, "Ho")
    assert "Stored for review" in (await h.press(staff, post, buttons[0][1]))["text"]
    assert "already waiting" in (await h.press(staff, post, buttons[0][1]))["text"]
    (suggestion,) = h.desk.storage.pending_suggestions()
    assert "funding for the zorkmid flux capacitor" == suggestion.question


async def test_blocked_user_staff_are_told_once(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(25, "Blocker", language_code="en")
    await _open_ticket(h, user)
    (thread,) = fake.topics[STAFF_CHAT]
    fake.blocked.add(user.id)
    staff = fake.user(STAFF_MEMBER, "Ho")
    await h.say(staff, "Hello?", chat_id=STAFF_CHAT, thread_id=thread)
    await h.say(staff, "Still there?", chat_id=STAFF_CHAT, thread_id=thread)
    warnings = [m for m in fake.sent(STAFF_CHAT, thread) if "blocked the bot" in m["text"]]
    assert 1 == len(warnings)


async def test_deleted_topic_is_recreated_with_the_summary(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(26, "Persistent", language_code="en")
    await _open_ticket(h, user, company="Lee Plastics")
    (old,) = fake.topics[STAFF_CHAT]
    fake.delete_topic(STAFF_CHAT, old)
    await h.say(user, "Any news?")
    (new,) = fake.topics[STAFF_CHAT]
    assert new != old and "#1 · Lee Plastics" == fake.topics[STAFF_CHAT][new]["name"]
    texts = [m["text"] for m in fake.sent(STAFF_CHAT, new)]
    assert "opened it again" in texts[0] and "Any news?" == texts[-1]


async def test_without_topics_the_ticket_is_threaded_by_replies(
    plain: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(27, "Classic", language_code="en")
    await _open_ticket(plain, user)
    summary = await fake.expect(STAFF_CHAT, "Ticket #1")
    assert "reply to this message" in summary["text"]
    await plain.say(user, "More detail")
    relayed = await fake.expect(STAFF_CHAT, "More detail")
    assert summary["message_id"] == relayed["reply_to_message"]["message_id"]
    staff = fake.user(STAFF_MEMBER, "Ho")
    await plain.say(staff, "Here is the answer", chat_id=STAFF_CHAT, reply_to=relayed)
    assert "Here is the answer" == (await user.expect("Here is the answer"))["text"]
    await plain.say(staff, "/close", chat_id=STAFF_CHAT, reply_to=summary)
    await user.expect("1 = ")


async def test_staff_chatter_outside_tickets_is_not_relayed(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(28, "Quiet", language_code="en")
    await _open_ticket(h, user)
    staff = fake.user(STAFF_MEMBER, "Ho")
    await h.say(staff, "Lunch at one?", chat_id=STAFF_CHAT)
    await fake.quiet(0.2)
    assert not any("Lunch" in m["text"] for m in fake.sent(user.id))


async def test_after_hours_the_user_is_told_when_staff_reply_once_a_day(
    h: Harness, fake: FakeTelegram
) -> None:
    h.desk.clock = lambda: SATURDAY_NIGHT
    user = fake.user(29, "Weekend", language_code="en")
    opened = (await _open_ticket(h, user))["text"]
    assert "Mon 23 Nov 2026 09:00" in opened and "Mon–Fri 09:00–18:00" in opened
    await h.say(user, "one more thing")
    await h.say(user, "and another")
    notices = [m for m in fake.sent(user.id) if "out of the office" in m["text"]]
    assert 1 == len(notices)


async def test_in_office_hours_there_is_no_notice(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(30, "Weekday", language_code="en")
    await _open_ticket(h, user)
    assert not any("out of the office" in m["text"] for m in fake.sent(user.id))


async def test_rating_only_by_the_tickets_user_after_closing(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(31, "Rater", language_code="en")
    opened = await _open_ticket(h, user)
    other = fake.user(32, "Other", language_code="en")
    await h.say(other, "/help")
    (end_data,) = [d for _, d in user.buttons(opened) if d.startswith("ticket:end:")]
    assert "expired" in (await h.press(other, await other.expect(), end_data))["text"]
    await h.press(user, opened, end_data)
    rating = await user.expect("1 = ")
    await h.press(user, rating, "rate:1:4")
    assert 4 == (h.desk.storage.ticket(1) or pytest.fail("no ticket")).rating
    assert "expired" in (await h.press(user, rating, "rate:1:2"))["text"]
    assert 4 == (h.desk.storage.ticket(1) or pytest.fail("no ticket")).rating


async def _miss(h: Harness, user: FakeUser) -> dict[str, Any]:
    """A question the bot cannot answer; its post in the staff chat."""
    await h.say(user, "funding for the zorkmid flux capacitor")
    return await h.fake.expect(STAFF_CHAT, "zorkmid")


async def test_forget_closes_the_ticket_and_removes_the_users_traces_from_the_staff_chat(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(33, "Private", language_code="en")
    await _open_ticket(h, user, company="Secret Ltd")
    (thread,) = fake.topics[STAFF_CHAT]
    await h.say(user, "my mobile is 9123 4567")
    await _miss(h, fake.user(35, "Bystander", language_code="en"))
    await h.desk.tickets.close(
        h.app.bot, h.desk.storage.ticket(1) or pytest.fail("no ticket"), "staff"
    )
    await _open_ticket(h, user, company="Secret Ltd")
    await _miss(h, user)
    await h.say(user, "/forget")
    await user.expect("deleted")
    assert thread not in fake.topics[STAFF_CHAT] and 1 == len(fake.topics[STAFF_CHAT])
    left = " ".join(m["text"] for m in fake.sent(STAFF_CHAT))
    assert "Secret Ltd" not in left and "9123 4567" not in left
    assert 1 == left.count("zorkmid")  # the bystander's miss stays
    note = await fake.expect(STAFF_CHAT, "deleted their data", thread_id=None)
    assert "(#1, #2)" in note["text"] and "removed" in note["text"]
    assert h.desk.storage.open_ticket_for(user.id) is None
    assert h.desk.storage.load_session(user.id) is None


async def test_without_topics_missed_questions_are_posted_in_the_group(
    plain: Harness, fake: FakeTelegram
) -> None:
    await _miss(plain, fake.user(40, "A", language_code="en"))
    await _miss(plain, fake.user(41, "B", language_code="en"))
    assert 2 == len([m for m in fake.sent(STAFF_CHAT, None) if "zorkmid" in m["text"]])
    assert 1 == len([e for e in fake.errors if e[0] == "createForumTopic"])  # asked once


async def test_forget_without_topics_deletes_the_summary_and_the_copies(
    plain: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(36, "Classic", language_code="en")
    await _open_ticket(plain, user, company="Wong Metal")
    await plain.say(user, "my phone is 6123 4567")
    relayed = await fake.expect(STAFF_CHAT, "6123 4567")
    staff = fake.user(STAFF_MEMBER, "Ho")
    await plain.say(staff, "Mr Wong, we will call 6123 4567", chat_id=STAFF_CHAT, reply_to=relayed)
    await user.expect("Mr Wong")
    await plain.say(user, "/forget")
    left = " ".join(m.get("text", "") for m in fake.messages(STAFF_CHAT))
    assert "Wong" not in left and "6123 4567" not in left
    assert "deleted their data" in left


async def test_forget_tells_staff_what_telegram_would_not_let_the_bot_delete(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(37, "Private", language_code="en")
    await _open_ticket(h, user, company="Kept Ltd")
    fake.no_delete_right.add(STAFF_CHAT)
    await h.say(user, "/forget")
    await user.expect("deleted")
    note = await fake.expect(STAFF_CHAT, "deleted their data", thread_id=None)
    assert "please delete what is left of #1 by hand" in note["text"]
    assert h.desk.storage.open_ticket_for(user.id) is None


async def test_missed_questions_gather_in_one_topic_of_their_own(
    h: Harness, fake: FakeTelegram
) -> None:
    first, second = fake.user(38, "A", language_code="en"), fake.user(39, "B", language_code="en")
    await _miss(h, first)
    await _miss(h, second)
    (thread,) = fake.topics[STAFF_CHAT]
    assert "Unanswered questions" in fake.topics[STAFF_CHAT][thread]["name"]
    assert 2 == len([m for m in fake.sent(STAFF_CHAT, thread) if "couldn't answer" in m["text"]])
    fake.delete_topic(STAFF_CHAT, thread)
    await _miss(h, first)
    (again,) = fake.topics[STAFF_CHAT]
    assert again != thread
    assert 1 == len([m for m in fake.sent(STAFF_CHAT, again) if "zorkmid" in m["text"]])


async def test_without_a_staff_chat_a_person_means_the_secretariats_contacts(
    fake: FakeTelegram, assistant: Assistant
) -> None:
    h = await _harness(fake, assistant, staff_chat_id=None)
    try:
        user = fake.user(34, "Alone", language_code="zh-cn")
        await h.say(user, "/staff")
        reply = await user.expect("无法帮您联系工作人员")
        assert "2788 5588" in reply["text"]
        assert [] == h.desk.storage.open_tickets()
    finally:
        h.desk.storage.close()
        await h.app.shutdown()


@pytest.mark.parametrize(
    ("language_code", "asked", "company"),
    [
        ("en", "can I speak to someone about our DP(II) budget?", "ABC Ltd"),
        ("zh-hk", "唔該我想搵真人問下DP(II)預算", "甲乙丙有限公司"),
        ("zh", "麻烦转人工，我想问DP(II)的预算", "甲乙丙有限公司"),
    ],
)
async def test_asking_for_a_person_in_words_opens_a_ticket_with_that_question(
    h: Harness, fake: FakeTelegram, language_code: str, asked: str, company: str
) -> None:
    user = fake.user(41, "Words", language_code=language_code)
    await h.say(user, "/eligibility")
    await h.say(user, asked)  # in the middle of a check: the check's answers go along
    await h.say(user, company)
    await user.expect("#1")
    summary = await fake.expect(STAFF_CHAT, asked)
    assert company in summary["text"] and "/eligibility" in summary["text"]


# ------------------------------------------------------------------------- /mydata (PDPO access)


async def test_mydata_sends_a_file_with_what_the_bot_holds_about_the_user(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(401, "Chan")
    other = fake.user(402, "Wong")
    await _open_ticket(h, user, company="ABC Metal Ltd")
    await _open_ticket(h, other, company="Other Company Ltd")
    await h.say(user, "/mydata")  # a command still reaches the bot while a ticket is open
    documents = [m for m in fake.sent(user.id) if "document" in m]
    assert 1 == len(documents)
    document = documents[-1]["document"]
    assert document["file_name"].startswith("cppbot-mydata-")
    text = fake.uploads[document["file_id"]].decode("utf-8")
    assert "ABC Metal Ltd" in text and "Can our project start later?" in text
    assert "Other Company Ltd" not in text  # only this user's data
    assert h.desk.kb.say("mydata_tickets", "en") in text
    assert [] == [m for m in fake.sent(other.id) if "document" in m]
