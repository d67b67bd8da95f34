"""Carry out what a flow asked for (store a registration, list, cancel, subscribe, forget).

The flows decide; this module does the I/O against ``Storage`` and turns the result into the
``Outcome`` event the flow is waiting for. Handoffs are transport-specific and left to the shell.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.storage import Storage
from flows.core import Context, Effect, Outcome
from knowledge.models import HONG_KONG


def execute(effect: Effect, storage: Storage, user_id: str, ctx: Context) -> Outcome | None:
    """Perform ``effect`` for ``user_id``; the Outcome to feed back to the flow, if any."""
    data: dict[str, Any] = effect.data
    if effect.kind == "register":
        event = next((e for e in ctx.kb.events if e.id == data.get("event_id")), None)
        if event is None:
            return Outcome("closed")
        return Outcome(storage.register(user_id, data, event, now=dt.datetime.now(HONG_KONG)))
    if effect.kind == "list_registrations":
        return Outcome("ok", {"registrations": storage.registrations(user_id)})
    if effect.kind == "cancel_registration":
        done = storage.cancel_registration(user_id, str(data.get("id", "")))
        return Outcome("ok" if done else "not_found")
    if effect.kind == "subscribe":
        storage.subscribe(user_id, str(data.get("lang", "en")))
        return None
    if effect.kind == "forget":
        storage.forget(user_id)
        return None
    return None
