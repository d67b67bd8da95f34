"""Flow replies as Telegram messages: escaped HTML, split under the length limit, inline keyboards.

Everything the bot sends goes through here, so two rules hold everywhere: text from the
knowledge base or from a user is escaped before Telegram parses it as HTML (a "<" in a question
must not break a message, or inject markup), and no message exceeds Telegram's 4,096 characters.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.buttons import Feedback
from flows.core import Button, Reply

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096
FEEDBACK_UP, FEEDBACK_DOWN = "👍", "👎"


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message: HTML text and its keyboard (only the last part of a long reply)."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at paragraph, line or word breaks
    when there is one in the second half of the part, else hard."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(sep) for sep in ("\n\n", "\n", " ", "。", "，"))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard of the buttons (their data packed by the one codec, which checked
    Telegram's limit when the button was made)."""
    markup = [
        [InlineKeyboardButton(button.label, callback_data=button.data.pack()) for button in row]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(markup) if markup else None


def feedback_row(faq_id: str) -> tuple[Button, ...]:
    return (
        Button(FEEDBACK_UP, Feedback("up", faq_id)),
        Button(FEEDBACK_DOWN, Feedback("down", faq_id)),
    )


def outgoing(reply: Reply, limit: int = MAX_MESSAGE - 96) -> list[Outgoing]:
    """The messages that show ``reply``: its text in parts (escaped after splitting, so an
    entity is never cut in two), the buttons and 👍/👎 under the last part.

    The limit keeps a margin under 4,096 for the escaping Telegram undoes."""
    rows = reply.buttons + ((feedback_row(reply.feedback),) if reply.feedback else ())
    parts = split_text(reply.text, limit)
    out = [Outgoing(escape(part)) for part in parts]
    out[-1] = Outgoing(out[-1].html, keyboard(rows))
    return out


def escape(text: str) -> str:
    return html.escape(text, quote=False)
