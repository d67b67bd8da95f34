"""/mydata: the file that gives a user a copy of everything the bot holds about them (PDPO's
data access right), headed in their language. Plain UTF-8 text: it opens on any phone."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.storage import Storage
from knowledge.dates import format_date
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang


@dataclass(frozen=True)
class Document:
    """A file for the shell to hand the user: Telegram sends it, the console prints it."""

    filename: str
    content: bytes


def export(
    storage: Storage, kb: KnowledgeBase, user_id: str, lang: Lang, today: dt.date
) -> Document:
    """The user's data as a text file: a title and an intro, then one section per kind of
    record, each row as JSON (exactly what is stored, nothing summarised away)."""
    held = storage.export(user_id)
    lines = [
        kb.say("mydata_title", lang, date=format_date(today, lang)),
        "",
        kb.say("mydata_intro", lang),
    ]
    for table, rows in held.items():
        lines += ["", f"== {kb.say(f'mydata_{table}', lang)} ({len(rows)})"]
        if not rows:
            lines.append(kb.say("mydata_none", lang))
        lines += [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows]
    text = "\n".join(lines) + "\n"
    return Document(f"cppbot-mydata-{today.isoformat()}.txt", text.encode("utf-8"))
