"""Saved replies: ``/reply KEY`` in a ticket's topic sends a ready answer to the ticket's user in
the user's language; the data is validated at load and held to the documents by ``kb check``.

The Telegram cases run the shipped Application against the fake Bot API (``tests.fakebot``),
with a staff supergroup that has topics (or, once, one without), as ``test_handlers`` does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.answer import Assistant
from knowledge.check import run_check
from knowledge.loader import SOURCES_DIR, KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.models import LANGS
from tests.app_harness import MONDAY_MORNING, Harness, harness
from tests.fakebot import FakeTelegram, FakeUser

STAFF_CHAT = -1009876543210
STAFF_MEMBER = 4242


async def _running(fake: FakeTelegram, assistant: Assistant, forum: bool) -> AsyncIterator[Harness]:
    fake.supergroup(STAFF_CHAT, "Secretariat", is_forum=forum)
    running = await harness(
        fake,
        assistant,
        MONDAY_MORNING,
        staff_chat_id=STAFF_CHAT,
        staff_user_ids=frozenset({STAFF_MEMBER}),
    )
    yield running
    await running.close()


@pytest.fixture
async def h(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    """The bot, with a staff supergroup that has topics (STAFF_LANGUAGE defaults to English)."""
    async for running in _running(fake, assistant, forum=True):
        yield running


@pytest.fixture
async def plain(fake: FakeTelegram, assistant: Assistant) -> AsyncIterator[Harness]:
    """The bot, with a staff group without topics."""
    async for running in _running(fake, assistant, forum=False):
        yield running


async def _open_ticket(h: Harness, user: FakeUser, question: str, company: str) -> int:
    """Ask for a person with ``question``, give the company; the ticket's topic."""
    await h.say(user, f"/staff {question}")
    await h.say(user, company)
    await user.expect("#1")
    (thread,) = h.fake.topics[STAFF_CHAT]
    return thread


async def _staff_command(
    h: Harness, text: str, thread: int | None = None, reply_to: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A staff member writes ``text`` in the staff chat (in topic ``thread``); the message."""
    staff = h.fake.user(STAFF_MEMBER, "Ho")
    sent = await h.fake.send_text(staff, STAFF_CHAT, text, thread_id=thread, reply_to=reply_to)
    await h.process()
    return sent


def _texts(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in fake.sent(chat_id)]


def _text(kb: KnowledgeBase, key: str, lang: str) -> str:
    reply = kb.saved_reply(key) or pytest.fail(f"no saved reply {key!r}")
    return kb.saved_reply_text(reply, lang)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ sending


async def test_a_cantonese_user_gets_the_cantonese_text_and_staff_a_confirmation(
    h: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(51, "陳生", language_code="zh-hk")
    thread = await _open_ticket(h, user, "我哋嘅項目可唔可以遲啲開始？", "甲乙丙有限公司")
    command = await _staff_command(h, "/reply contact", thread)
    assert _text(kb, "contact", "yue") == (await user.expect("嘅聯絡方法"))["text"]
    confirmation = await fake.expect(STAFF_CHAT, "Sent «contact»", thread_id=thread)
    assert "✅ Sent «contact» to the user of ticket #1 in Cantonese." == confirmation["text"]
    assert command["message_id"] == confirmation["reply_to_message"]["message_id"]


async def test_an_english_user_gets_the_english_text(
    h: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(52, "Mary", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    await _staff_command(h, "/reply FUNDING", thread)  # keys are read in any case
    assert _text(kb, "funding", "en") == (await user.expect("HK$650,000"))["text"]
    assert "2788 5588" in _text(kb, "funding", "en")  # the Secretariat's phone, filled in
    await fake.expect(STAFF_CHAT, "in English", thread_id=thread)


async def test_the_reply_counts_as_the_first_staff_reply(h: Harness, fake: FakeTelegram) -> None:
    user = fake.user(53, "Timed", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    storage = h.desk.storage
    assert {"to_staff": 0, "to_user": 0} == storage.relay_count(1)
    command = await _staff_command(h, "/reply checking", thread)
    await user.expect("We are checking it")
    assert {"to_staff": 0, "to_user": 1} == storage.relay_count(1)
    (first_reply,) = storage.db.execute(
        "select min(r.created_at) from relays r join tickets t on t.id = r.ticket_id"
        " where r.ticket_id = 1 and r.direction = 'to_user' and r.created_at >= t.created_at"
    ).fetchone()
    assert first_reply is not None
    # A colleague replying to the command is replying in this ticket.
    ticket = storage.ticket_for_staff_message(command["message_id"])
    assert 1 == (ticket or pytest.fail("the command is not linked to the ticket")).id


async def test_without_topics_reply_to_the_tickets_messages(
    plain: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(54, "Classic", language_code="zh-cn")
    await plain.say(user, "/staff 我们的项目可以推迟开始吗？")
    await plain.say(user, "甲乙丙有限公司")
    await user.expect("#1")
    summary = await fake.expect(STAFF_CHAT, "#1")
    command = await _staff_command(plain, "/reply apply", reply_to=summary)
    assert _text(kb, "apply", "zh") == (await user.expect("如何申请"))["text"]
    confirmation = await fake.expect(STAFF_CHAT, "Sent «apply»")
    assert "in Putonghua" in confirmation["text"]
    assert command["message_id"] == confirmation["reply_to_message"]["message_id"]


# ------------------------------------------------------------------------ what staff see


async def test_reply_alone_lists_every_key_and_sends_the_user_nothing(
    h: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(55, "Lister", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    before = _texts(fake, user.id)
    await _staff_command(h, "/reply", thread)
    listing = (await fake.expect(STAFF_CHAT, "Saved replies", thread_id=thread))["text"]
    assert kb.saved_replies
    for reply in kb.saved_replies:
        assert f"/reply {reply.key} — {reply.title.en}" in listing.splitlines()
    await fake.quiet(0.2)
    assert before == _texts(fake, user.id)


async def test_an_unknown_key_lists_the_keys_and_sends_the_user_nothing(
    h: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(56, "Typo", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    before = _texts(fake, user.id)
    await _staff_command(h, "/reply fundng", thread)
    answer = (await fake.expect(STAFF_CHAT, "no saved reply", thread_id=thread))["text"]
    assert answer.startswith("There is no saved reply «fundng»; nothing was sent.")
    assert all(f"/reply {reply.key} — " in answer for reply in kb.saved_replies)
    await fake.quiet(0.2)
    assert before == _texts(fake, user.id)
    assert {"to_staff": 0, "to_user": 0} == h.desk.storage.relay_count(1)


async def test_outside_a_ticket_staff_are_told_where_to_use_it(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(57, "Elsewhere", language_code="en")
    await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    before = _texts(fake, user.id)
    command = await _staff_command(h, "/reply contact")  # in the group, not in the topic
    answer = await fake.expect(STAFF_CHAT, "in a ticket's topic", thread_id=None)
    assert command["message_id"] == answer["reply_to_message"]["message_id"]
    await fake.quiet(0.2)
    assert before == _texts(fake, user.id)


async def test_a_closed_ticket_is_refused(
    h: Harness, fake: FakeTelegram, kb: KnowledgeBase
) -> None:
    user = fake.user(58, "Done", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    await _staff_command(h, "/close", thread)
    await user.expect("1 = ")
    await _staff_command(h, "/reply contact", thread)
    answer = await fake.expect(STAFF_CHAT, "closed, so", thread_id=thread)
    assert "Ticket #1 is closed, so the saved reply was not sent." == answer["text"]
    await fake.quiet(0.2)
    assert _text(kb, "contact", "en") not in _texts(fake, user.id)
    assert 0 == h.desk.storage.relay_count(1)["to_user"]


async def test_a_user_who_blocked_the_bot_staff_are_told_once(
    h: Harness, fake: FakeTelegram
) -> None:
    user = fake.user(59, "Blocker", language_code="en")
    thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
    fake.blocked.add(user.id)
    await _staff_command(h, "/reply contact", thread)
    await _staff_command(h, "/reply anything_else", thread)
    warnings = [m for m in fake.sent(STAFF_CHAT, thread) if "blocked the bot" in m["text"]]
    assert 1 == len(warnings)
    assert not any("Sent «" in m["text"] for m in fake.sent(STAFF_CHAT))
    assert 0 == h.desk.storage.relay_count(1)["to_user"]


async def test_staff_hear_about_it_in_their_own_language(
    fake: FakeTelegram, assistant: Assistant, kb: KnowledgeBase
) -> None:
    fake.supergroup(STAFF_CHAT, "秘書處")
    h = await harness(
        fake, assistant, MONDAY_MORNING, staff_chat_id=STAFF_CHAT, staff_language="yue"
    )
    try:
        user = fake.user(60, "Mary", language_code="en")
        thread = await _open_ticket(h, user, "Can our project start later?", "ABC Ltd")
        await _staff_command(h, "/reply details", thread)
        assert _text(kb, "details", "en") == (await user.expect("To help us look"))["text"]
        confirmation = await fake.expect(STAFF_CHAT, "「details」", thread_id=thread)
        assert "已經用英文將「details」發咗畀查詢 #1 嘅用戶。" in confirmation["text"]
    finally:
        await h.close()


# ----------------------------------------------------------------------------- the data


def _write(data: Path, entries: list[dict[str, Any]]) -> None:
    (data / "saved_replies.yaml").write_text(
        yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8"
    )


def _shipped(data: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(
        (data / "saved_replies.yaml").read_text(encoding="utf-8")
    )
    return entries


def test_a_duplicate_key_is_rejected(data_copy: Path) -> None:
    entries = _shipped(data_copy)
    _write(data_copy, [*entries, dict(entries[0])])
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(data_copy)
    assert f"saved_replies.yaml: duplicate saved reply keys ['{entries[0]['key']}']" in str(
        error.value
    )


def test_a_missing_language_is_rejected(data_copy: Path) -> None:
    entries = _shipped(data_copy)
    del entries[1]["text"]["zh"]
    _write(data_copy, entries)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(data_copy)
    message = str(error.value)
    assert message.startswith("saved_replies.yaml:")
    assert f"entry '{entries[1]['key']}': text.zh: Field required" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"key": "Contact Us"}, "key: String should match pattern"),
        ({"title": {"en": "Hi", "yue": " ", "zh": "你好"}}, "title.yue"),
        ({"text": {"en": "Call {hotline}", "yue": "打 {phone}", "zh": "致电 {phone}"}},
         "unknown placeholders ['hotline']"),
        ({"source": []}, "source: Tuple should have at least 1 item"),
    ],
)  # fmt: skip
def test_a_malformed_entry_is_rejected_with_its_reason(
    data_copy: Path, change: dict[str, Any], expected: str
) -> None:
    entries = _shipped(data_copy)
    entries[0].update(change)
    _write(data_copy, entries)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(data_copy)
    assert expected in str(error.value)


def test_without_the_file_there_are_no_saved_replies(data_copy: Path) -> None:
    (data_copy / "saved_replies.yaml").unlink()
    kb = load_knowledge(data_copy)
    assert () == kb.saved_replies
    assert kb.saved_reply("contact") is None


def test_kb_check_reports_an_invented_contact_and_an_unlabelled_amount(data_copy: Path) -> None:
    entries = _shipped(data_copy)
    by_key = {entry["key"]: entry for entry in entries}
    by_key["contact"]["text"]["en"] += " Or call (852) 2788 5599."
    by_key["funding"]["text"]["zh"] = "资助不超过项目总费用的50%，上限为650,000港元。"
    _write(data_copy, entries)
    problems = run_check(data_copy)
    assert any(
        p.startswith("saved_replies.yaml contact:") and "phone '(852) 2788 5599'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("saved_replies.yaml funding:") and "zh text states amounts" in p
        for p in problems
    ), problems


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://)?www\.[\w.-]+[\w]")
_PHONE = re.compile(r"(?:\(852\)\s*)?\d{4}[\s-]?\d{4}")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_every_contact_in_a_saved_reply_is_in_its_sources(kb: KnowledgeBase) -> None:
    """The shipped replies, with their placeholders filled: every e-mail, web address and
    phone number appears in the documents the reply cites (spaces and hyphens aside)."""
    assert kb.saved_replies
    for reply in kb.saved_replies:
        sources = " ".join(
            (SOURCES_DIR / source.doc).read_text(encoding="utf-8") for source in reply.source
        )
        source_phones = {_digits(phone) for phone in _PHONE.findall(sources)}
        for lang in LANGS:
            text = kb.saved_reply_text(reply, lang)
            for email in _EMAIL.findall(text):
                assert email in sources, (reply.key, lang, email)
            for url in _URL.findall(text):
                assert url in sources, (reply.key, lang, url)
            for phone in _PHONE.findall(text):
                assert _digits(phone) in source_phones, (reply.key, lang, phone)


def test_every_saved_reply_is_complete_in_three_languages(kb: KnowledgeBase) -> None:
    keys = [reply.key for reply in kb.saved_replies]
    assert sorted(set(keys)) == sorted(keys)
    for reply in kb.saved_replies:
        assert re.fullmatch(r"[a-z][a-z0-9_]{1,30}", reply.key)
        for lang in LANGS:
            assert "{" not in kb.saved_reply_text(reply, lang), (reply.key, lang)
            assert reply.title.get(lang).strip(), (reply.key, lang)
