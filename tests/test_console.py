"""The console chat a new user gets from `make run` without a Telegram token."""

from __future__ import annotations

import io

import pytest

from bot.console import ConsoleChat, run
from bot.storage import Storage
from knowledge.answer import Assistant
from knowledge.evaluate import script_ok


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


@pytest.mark.parametrize("text", ["🙂" * 50, "x" * 4000, "\x00\x07", "ﷺ𝔘𝔫𝔦𝔠𝔬𝔡𝔢"])
def test_bad_input_gets_a_polite_reply(chat: ConsoleChat, text: str) -> None:
    replies = chat.reply(text)
    assert replies and all(r.strip() for r in replies)
