"""The one runtime: a turn carried to its end (follow-up effects included), the session and the
enquiry log saved together, and stored sessions the bot can no longer continue dropped politely."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from bot.runtime import Runtime
from bot.storage import Storage
from flows.buttons import PERSON
from flows.conversation import SESSION_VERSION, Session, Turn
from flows.core import Choice, Reply, Text
from flows.effects import (
    Effect,
    ListRegistrations,
    Outcome,
    RegistrationsListed,
    Subscribe,
)
from knowledge.answer import Assistant
from knowledge.models import HONG_KONG, Lang, Seminar, Source, Trilingual

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=HONG_KONG)
SMALL = Seminar(
    id="test_small_2026_12",
    title=Trilingual(en="Small test seminar", yue="小型測試研討會", zh="小型测试研讨会"),
    starts=dt.datetime(2026, 12, 10, 14, 30, tzinfo=HONG_KONG),
    ends=dt.datetime(2026, 12, 10, 16, 30, tzinfo=HONG_KONG),
    venue=Trilingual(en="Room 1", yue="一號室", zh="一号室"),
    online=False,
    language=Trilingual(en="Cantonese", yue="廣東話", zh="广东话"),
    capacity=3,
    source=Source(doc="seminar-2025-06-25-en.txt", section="test data only"),
)


@pytest.fixture
def runtime(assistant: Assistant, fresh_db: Storage) -> Runtime:
    kb = dataclasses.replace(assistant.kb, events=(SMALL,))
    return Runtime(Assistant(kb), fresh_db, no_staff="console", clock=lambda: NOW)


def said(runtime: Runtime, user: str, text: str, lang: Lang = "en") -> str:
    done = asyncio.run(runtime.turn(user, Text(text), lang))
    return "\n".join(reply.text for reply in done.replies)


def register(runtime: Runtime, user: str, email: str, attendees: str) -> str:
    for text in ("/seminars", "1", "yes", "Chan Tai Man", "ABC Ltd", email, "91234567"):
        said(runtime, user, text)
    said(runtime, user, attendees)
    return said(runtime, user, "confirm")


def test_a_full_event_tells_the_user_how_many_seats_are_left(runtime: Runtime) -> None:
    assert "registered" in register(runtime, "1", "a@example.com", "2").lower()
    refused = register(runtime, "2", "b@example.com", "2")
    assert "doesn't have enough seats" in refused
    assert "Seats left: 1." in refused  # the shell's count reaches the flow


def test_effects_of_a_follow_up_turn_are_carried_out(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outcome fed back to the conversation may ask for another effect: it is done too."""
    done: list[Effect] = []

    class Recorder:
        async def perform(self, effect: Effect, user_id: str) -> Outcome | None:
            done.append(effect)
            return RegistrationsListed(()) if isinstance(effect, ListRegistrations) else None

    def handle(session: Session, message: object, *args: object) -> Turn:
        if isinstance(message, RegistrationsListed):
            return Turn(session, (Reply("listed"),), (Subscribe("en"),))
        return Turn(session, (Reply("asked"),), (ListRegistrations(),))

    monkeypatch.setattr("bot.runtime.handle", handle)
    finished = asyncio.run(runtime.turn("1", Text("hi"), performer=Recorder()))
    assert [ListRegistrations(), Subscribe("en")] == done
    assert ["asked", "listed"] == [reply.text for reply in finished.replies]


def test_the_session_and_the_enquiry_log_are_saved_together(
    runtime: Runtime, fresh_db: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    today = dt.datetime.now(HONG_KONG).date()  # the database stamps rows with the real time
    monkeypatch.setattr(fresh_db, "save_session", broken)
    with pytest.raises(RuntimeError):
        said(runtime, "7", "How do I contact you?")
    assert 0 == fresh_db.stats(today, HONG_KONG).enquiries  # rolled back with the session
    monkeypatch.undo()
    said(runtime, "7", "How do I contact you?")
    assert 1 == fresh_db.stats(today, HONG_KONG).enquiries
    assert fresh_db.load_session("7") is not None


def _stored_flows() -> Iterator[dict[str, object]]:
    """Sessions saved by older versions of the bot, or naming steps that no longer exist."""
    flow = {"flow": "eligibility", "step": "org_type", "lang": "yue", "answers": {}, "history": []}
    yield {"lang": "yue", "flow": flow}  # before sessions had a version
    yield {"version": SESSION_VERSION, "lang": "yue", "flow": {**flow, "step": "renamed_step"}}
    yield {"version": SESSION_VERSION, "lang": "yue", "flow": {**flow, "flow": "gone_flow"}}
    yield {"version": SESSION_VERSION, "lang": "yue", "flow": {"flow": "seminar"}}
    yield {"version": SESSION_VERSION + 1, "lang": "yue", "flow": flow}
    yield {"version": SESSION_VERSION, "lang": "yue", "flow": flow, "misses": "many"}


@pytest.mark.parametrize("stored", list(_stored_flows()))
@pytest.mark.parametrize("message", [Text("係"), Text("點樣申請？"), Choice(PERSON)])
def test_a_session_the_bot_cannot_continue_is_dropped_politely(
    runtime: Runtime, fresh_db: Storage, stored: dict[str, object], message: Text | Choice
) -> None:
    fresh_db.save_session("9", stored)
    done = asyncio.run(runtime.turn("9", message, "en"))
    assert "重新開始" in done.replies[0].text  # in the user's own language
    assert done.session.lang == "yue"
    after = fresh_db.load_session("9")
    assert after is not None and SESSION_VERSION == after["version"]
    assert "點樣申請" not in done.replies[0].text and len(done.replies) >= 1


def test_an_old_session_with_nothing_in_progress_carries_on_silently(
    runtime: Runtime, fresh_db: Storage
) -> None:
    fresh_db.save_session("5", {"lang": "zh", "flow": None, "misses": 0})
    done = asyncio.run(runtime.turn("5", Text("怎么联系秘书处？"), "en"))
    assert "重新开始" not in done.replies[0].text
    assert "zh" == done.session.lang


def test_a_registration_records_the_statement_version_agreed_to(
    runtime: Runtime, fresh_db: Storage
) -> None:
    register(runtime, "21", "chan@example.com", "1")
    (version,) = fresh_db.db.execute(
        "select consent_version from registrations where user_id = '21'"
    ).fetchone()
    assert runtime.assistant.kb.statement_version("seminar_consent") == version
    edited = dataclasses.replace(
        runtime.assistant.kb,
        messages={
            **runtime.assistant.kb.messages,
            "seminar_consent": Trilingual(en="New wording.", yue="新字眼。", zh="新字眼。"),
        },
    )
    assert edited.statement_version("seminar_consent") != version  # an edit is a new version


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_mydata_gives_everything_held_in_the_users_language(
    runtime: Runtime, fresh_db: Storage, lang: Lang
) -> None:
    register(runtime, "31", "chan.31@example.com", "1")
    said(runtime, "32", "/seminars")  # another user: never in the file
    said(runtime, "31", "is the zebra crossing near you? call 6123 4567")
    said(runtime, "31", f"/language {lang}")
    done = asyncio.run(runtime.turn("31", Text("/mydata"), lang))
    assert runtime.assistant.kb.say("mydata_sent", lang) in done.replies[-1].text
    (document,) = done.documents
    text = document.content.decode("utf-8")
    kb = runtime.assistant.kb
    assert kb.say("mydata_registrations", lang) in text and kb.say("mydata_misses", lang) in text
    assert "chan.31@example.com" in text and "Chan Tai Man" in text
    assert kb.statement_version("seminar_consent") in text
    assert "zebra crossing" in text and "6123" not in text  # masked before it was kept
    assert '"32"' not in text and "user_id" not in text
