"""The console chat a new user gets from `make run` without a Telegram token."""

from __future__ import annotations

import dataclasses
import io

import pytest

from bot.console import ConsoleChat, run
from bot.storage import Storage
from knowledge.answer import Assistant
from knowledge.evaluate import script_ok
from tests.test_runtime import NOW, SMALL


@pytest.fixture
def chat(assistant: Assistant, fresh_db: Storage) -> ConsoleChat:
    return ConsoleChat(assistant, fresh_db)


def test_replies_in_the_language_the_user_writes_in(chat: ConsoleChat) -> None:
    (reply,) = chat.reply("有冇熱線可以打？")
    assert "2788 5588" in reply and "資料來源" in reply
    (reply,) = chat.reply("怎么联系秘书处？")
    assert script_ok(reply.split("\n")[0], "zh")
    (reply,) = chat.reply("How do I contact you?")
    assert script_ok(reply.split("\n")[0], "en")


def test_language_command_switches(chat: ConsoleChat) -> None:
    (prompt,) = chat.reply("/language")
    assert "廣東話" in prompt and "1." in prompt
    (done,) = chat.reply("2")  # the second option: 廣東話
    assert "yue" == chat.lang and "廣東話" in done
    (nothing,) = chat.reply("   ")
    assert script_ok(nothing, "yue")


def test_numbers_press_the_buttons_shown(chat: ConsoleChat) -> None:
    chat.reply("/eligibility")
    (reply,) = chat.reply("2")  # trade / industry association
    assert "association" in reply.lower()
    (reply,) = chat.reply("1")  # yes, registered
    assert "Organisation Support Initiative: ❓ needs confirmation" in reply and "undated" in reply
    (out_of_range,) = chat.reply("42")
    assert "1 to" in out_of_range


def test_run_loop_greets_answers_and_says_goodbye(chat: ConsoleChat) -> None:
    out = io.StringIO()
    run(chat, io.StringIO("How do I contact you?\n/quit\n"), out)
    text = out.getvalue()
    assert text.count("🤖") == 4  # welcome, help, answer, goodbye
    assert "2788 5588" in text


def test_end_of_input_ends_the_chat_politely(chat: ConsoleChat) -> None:
    out = io.StringIO()
    run(chat, io.StringIO(""), out)
    assert "Goodbye" in out.getvalue()


@pytest.mark.parametrize(
    "text",
    ["🙂" * 50, "x" * 4000, "\x00\x07", "ﷺ𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "²", "³", "①", "٣", "1²", "#", "#²", "#99999"],
)
def test_bad_input_gets_a_polite_reply(chat: ConsoleChat, text: str) -> None:
    replies = chat.reply(text)
    assert replies and all(r.strip() for r in replies)


def test_unicode_digits_never_crash_at_a_question_with_options(chat: ConsoleChat) -> None:
    chat.reply("/eligibility")
    for text in ("²", "①", "٣", "#²"):
        replies = chat.reply(text)
        assert replies and all(r.strip() for r in replies)
    (reply,) = chat.reply("1")  # the buttons still work afterwards
    assert "Hong Kong" in reply


def test_a_typed_count_is_an_answer_not_an_option(chat: ConsoleChat) -> None:
    """At "how many projects?" 7 means seven projects, never the seventh button (Back)."""
    chat.reply("/recognition")
    chat.reply("we are an environmental technology service provider")
    (question,) = chat.reply("yes")
    assert "#1." in question  # options are picked with #N where numbers are answers
    (after,) = chat.reply("7")  # seven projects: enough, so the next criterion is asked
    assert "complaint" in after
    verdict = "\n".join(chat.reply("no"))
    assert "Partners (Technology Service) logo: ❌" not in verdict


def test_a_typed_attendee_number_is_never_an_option(
    assistant: Assistant, fresh_db: Storage
) -> None:
    """At "how many people?" 3 means three people: it used to press Cancel and throw away
    the name, company, e-mail and phone just typed."""
    kb = dataclasses.replace(assistant.kb, events=(SMALL,))
    chat = ConsoleChat(Assistant(kb), fresh_db, clock=lambda: NOW)
    for text in ("/seminars", "1", "yes", "Chan Tai Man", "ABC Ltd", "a@example.com", "91234567"):
        chat.reply(text)
    summary = "\n".join(chat.reply("3"))
    assert "Chan Tai Man" in summary and "3" in summary and "cancelled" not in summary.lower()
    (saved,) = chat.reply("#1")  # the Confirm button, picked by its number
    assert "registered" in saved.lower()
    assert 3 == fresh_db.registrations("console")[0]["attendees"]
