"""What Telegram receives: escaped HTML, messages under the length limit, valid keyboards."""

from __future__ import annotations

import pytest

from bot.desk import language_from_code
from bot.render import MAX_MESSAGE, outgoing, split_text
from flows.buttons import Faq
from flows.core import Button, Reply


def test_user_text_is_escaped_so_it_cannot_break_or_inject_markup() -> None:
    (part,) = outgoing(Reply("Is <b>5 < 6</b> & ok?"))
    assert "Is &lt;b&gt;5 &lt; 6&lt;/b&gt; &amp; ok?" == part.html


def test_long_answer_is_split_under_the_limit_with_buttons_on_the_last_part() -> None:
    paragraph = "資助上限為港幣一百萬元。" * 40
    text = "\n\n".join([paragraph] * 12)
    reply = Reply(text, ((Button("Next", Faq("x")),),), feedback="gen_x")
    parts = outgoing(reply)
    assert len(parts) > 1
    assert all(len(p.html) <= MAX_MESSAGE for p in parts)
    assert all(p.keyboard is None for p in parts[:-1])
    last = parts[-1].keyboard
    assert last is not None
    assert [["faq:x"], ["fb:up:gen_x", "fb:down:gen_x"]] == [
        [b.callback_data for b in row] for row in last.inline_keyboard
    ]
    assert text.replace("\n", "") == "".join(p.html for p in parts).replace("\n", "")


def test_splitting_prefers_paragraphs_and_never_loses_text() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert ["a" * 3000, "b" * 3000] == split_text(text, 4000)
    unbroken = "x" * 9000
    assert unbroken == "".join(split_text(unbroken, 4000))
    assert [4000, 4000, 1000] == [len(p) for p in split_text(unbroken, 4000)]


def test_escaping_cannot_push_a_part_over_telegrams_limit() -> None:
    parts = outgoing(Reply("<" * 9000))
    assert all(len(p.html.replace("&lt;", "<")) <= MAX_MESSAGE for p in parts)


@pytest.mark.parametrize(
    ("code", "lang"),
    [("en", "en"), ("en-GB", "en"), (None, "en"), ("zh-hans", "zh"), ("zh", "zh"),
     ("zh-CN", "zh"), ("zh-hant", "yue"), ("zh-HK", "yue"), ("zh_TW", "yue"), ("yue", "yue"), ("fr", "en")],
)  # fmt: skip
def test_telegram_language_code_picks_the_first_language(code: str | None, lang: str) -> None:
    assert lang == language_from_code(code)
