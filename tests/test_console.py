"""The console chat a new user gets from `make run` without a Telegram token."""

from __future__ import annotations

import io

from bot.console import ConsoleChat, run
from knowledge.answer import Assistant
from knowledge.evaluate import script_ok


def test_replies_in_the_language_the_user_writes_in(assistant: Assistant) -> None:
    chat = ConsoleChat(assistant)
    (reply,) = chat.reply("有冇熱線可以打？")
    assert "2788 5588" in reply and "資料來源" in reply
    (reply,) = chat.reply("怎么联系秘书处？")
    assert script_ok(reply.split("\n")[0], "zh")
    (reply,) = chat.reply("How do I contact you?")
    assert script_ok(reply.split("\n")[0], "en")


def test_language_command_switches_and_explains(assistant: Assistant) -> None:
    chat = ConsoleChat(assistant)
    (prompt,) = chat.reply("/language")
    assert "/language yue" in prompt
    (done,) = chat.reply("/language 廣東話")
    assert "yue" == chat.lang and "廣東話" in done
    (nothing,) = chat.reply("   ")
    assert script_ok(nothing, "yue")


def test_numbers_pick_a_suggested_question(assistant: Assistant) -> None:
    chat = ConsoleChat(assistant, lang="en")
    chat.reply("What's the weather tomorrow? funding")
    if not chat.choices:
        chat.reply("funding")
    assert chat.choices, "a vague question offers choices"
    chosen = chat.choices[0]
    (reply,) = chat.reply("1")
    assert assistant.kb.entry(chosen).answer.en.split(".")[0] in reply
    (out_of_range,) = chat.reply("9")
    assert "1 to" in out_of_range or chat.choices


def test_run_loop_greets_answers_and_says_goodbye(assistant: Assistant) -> None:
    out = io.StringIO()
    run(ConsoleChat(assistant), io.StringIO("How do I contact you?\n/quit\n"), out)
    text = out.getvalue()
    assert text.count("🤖") == 4  # welcome, help, answer, goodbye
    assert "2788 5588" in text


def test_end_of_input_ends_the_chat_politely(assistant: Assistant) -> None:
    out = io.StringIO()
    run(ConsoleChat(assistant), io.StringIO(""), out)
    assert "Goodbye" in out.getvalue()
