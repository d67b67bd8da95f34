"""What the bot sends of its own accord about an event: the announcement to subscribers, the
reminder the day before to registrants, and a postponement or cancellation staff report.

Pure, like every flow: an event and a language in, a reply out; ``bot.campaigns`` sends them.
The details (title, date, time, venue, language, the bad-weather rule) all come from
``events.yaml``, as in the registration flow, so the bot states nothing the notice does not.
"""

from __future__ import annotations

from typing import Literal

from flows.buttons import Unsubscribe
from flows.core import Button, Context, Reply
from flows.seminar import event_details, join_button
from knowledge.models import Lang, Seminar

Status = Literal["postponed", "cancelled"]


def announcement(event: Seminar, lang: Lang, ctx: Context) -> Reply:
    """A new event open for registration, with a button to register and one to stop these."""
    text = ctx.say("notice_announce", lang, **event_details(event, lang, ctx))
    buttons = (
        (Button(ctx.say("button_notice_register", lang), join_button(event.id)),),
        (Button(ctx.say("button_notice_stop", lang), Unsubscribe()),),
    )
    return Reply(text, buttons)


def reminder(event: Seminar, lang: Lang, ctx: Context) -> Reply:
    """The day before: when and where, how an online event is joined, the bad-weather rule."""
    details = event_details(event, lang, ctx)
    parts = [ctx.say("notice_reminder", lang, **details)]
    if event.online:
        parts.append(ctx.say("notice_reminder_online", lang))
    if event.bad_weather is not None:
        parts.append(ctx.say("seminar_bad_weather", lang, rule=event.bad_weather.get(lang)))
    return Reply("\n\n".join(parts))


def status_notice(event: Seminar, status: Status, note: str, lang: Lang, ctx: Context) -> Reply:
    """Staff postponed or cancelled the event; their note, if any, as they wrote it."""
    parts = [ctx.say(f"notice_{status}", lang, **event_details(event, lang, ctx))]
    if note.strip():
        parts.append(ctx.say("notice_staff_note", lang, note=note.strip()))
    return Reply("\n\n".join(parts))
