"""Seminar registration: the dialogue replayed event by event, in the three languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows import seminar
from flows.buttons import BACK, CANCEL, PERSON
from flows.core import (
    Back,
    Cancel,
    Choice,
    Context,
    Event,
    FlowState,
    Handoff,
    PersonWanted,
    Restart,
    Result,
    Start,
    Text,
    press,
)
from flows.effects import (
    CancelRegistration,
    Effect,
    ListRegistrations,
    Register,
    Registered,
    RegistrationCancelled,
    RegistrationRef,
    RegistrationsListed,
    Subscribe,
)
from knowledge.loader import KnowledgeBase, KnowledgeError, load_events, load_knowledge
from knowledge.models import Lang, Seminar, Source, Trilingual
from knowledge.text import CJK, is_simplified_only, is_traditional_only

TODAY = dt.date(2026, 11, 21)
HKT = dt.timezone(dt.timedelta(hours=8))
GOLDEN = Path(__file__).parent / "golden"
TEST_SOURCE = Source(doc="seminar-2025-06-25-en.txt", section="test data only")

# Fictional future events for the tests only: events.yaml holds just the documented one.
WORKSHOP = Seminar(
    id="test_workshop_2026_12",
    title=Trilingual(en="Test workshop", yue="測試工作坊", zh="测试工作坊"),
    starts=dt.datetime(2026, 12, 10, 14, 30, tzinfo=HKT),
    ends=dt.datetime(2026, 12, 10, 16, 30, tzinfo=HKT),
    venue=Trilingual(en="Room 101, Test Building", yue="測試大廈101室", zh="测试大厦101室"),
    online=False,
    language=Trilingual(en="Cantonese", yue="廣東話", zh="广东话"),
    capacity=30,
    limit_per_company=3,
    source=TEST_SOURCE,
)
WEBINAR = Seminar(
    id="test_webinar_2026_12",
    title=Trilingual(en="Test webinar", yue="測試網上講座", zh="测试网上讲座"),
    starts=dt.datetime(2026, 12, 3, 10, 0, tzinfo=HKT),
    ends=dt.datetime(2026, 12, 3, 11, 0, tzinfo=HKT),
    venue="online",
    online=True,
    language=Trilingual(en="Putonghua", yue="普通話", zh="普通话"),
    bad_weather=Trilingual(
        en="Cancelled if signal no. 8 is up.", yue="八號風球取消。", zh="八号风球取消。"
    ),
    source=TEST_SOURCE,
)
REAL_ID = "seminar_2025_06_25"
PERSONAL = {"name", "company", "email", "phone"}


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def ctx(real_kb: KnowledgeBase) -> Context:
    """The shipped knowledge base with two future test events added."""
    kb = dataclasses.replace(real_kb, events=(*real_kb.events, WORKSHOP, WEBINAR))
    return Context(kb, TODAY)


@pytest.fixture(scope="module")
def past_only(real_kb: KnowledgeBase) -> Context:
    """Only the real, documented event of 25 June 2025: nothing is open today."""
    real = next(e for e in real_kb.events if e.id == REAL_ID)
    return Context(dataclasses.replace(real_kb, events=(real,)), TODAY)


# ---------------------------------------------------------------------------------- helpers


def round_trip(state: FlowState) -> FlowState:
    return FlowState.from_json(json.loads(json.dumps(state.to_json(), ensure_ascii=False)))


def run(state: FlowState | None, event: Event, ctx: Context) -> Result:
    """One step, checking the new state survives the shell's JSON storage unchanged."""
    result = seminar.step(state, event, ctx)
    assert result.state == round_trip(result.state)
    assert "seminar" == result.state.flow
    return result


def play(ctx: Context, lang: Lang, *events: Event) -> Result:
    result = run(seminar.new_state(lang), Start(), ctx)
    for event in events:
        result = run(result.state, event, ctx)
    return result


def shown(result: Result) -> str:
    """Everything the user sees: texts and button labels."""
    return "\n".join(
        [reply.text for reply in result.replies]
        + [button.label for reply in result.replies for button in reply.all_buttons()]
    )


def values(result: Result) -> list[str]:
    """The packed data of every button shown."""
    return [button.data.pack() for reply in result.replies for button in reply.all_buttons()]


def say(ctx: Context, key: str, lang: Lang = "en", **kw: Any) -> str:
    return ctx.say(key, lang, **kw)


WEBINAR_CHOICE = Choice(seminar.event_button(WEBINAR.id))
WORKSHOP_CHOICE = Choice(seminar.event_button(WORKSHOP.id))


def up_to(step: str, ctx: Context, event: Choice = WORKSHOP_CHOICE, lang: Lang = "en") -> Result:
    """Answer correctly until the flow asks ``step``."""
    answers: list[tuple[str, Event]] = [
        (seminar.CONSENT, event),
        (seminar.NAME, Choice(seminar.AGREE)),
        (seminar.COMPANY, Text("Chan Tai Man")),
        (seminar.EMAIL, Text("ABC Ltd")),
        (seminar.PHONE, Text("Tai.Man@Example.COM")),
        (seminar.ATTENDEES, Text("2788 5588")),
        (seminar.CONFIRM, Text("2")),
        (seminar.SAVING, Choice(seminar.CONFIRM_VALUE)),
    ]
    result = play(ctx, lang)
    for reached, event_ in answers:
        result = run(result.state, event_, ctx)
        if reached == step:
            break
    assert step == result.state.step
    return result


# ------------------------------------------------------------------------------ starting


def test_start_lists_open_events_with_a_button_each(ctx: Context) -> None:
    result = play(ctx, "en")
    assert seminar.CHOOSE_EVENT == result.state.step
    text = shown(result)
    assert "Test webinar" in text and "Test workshop" in text
    assert "Online Sharing Seminar" not in text  # the real one is over
    assert "Thu 3 Dec 2026" in text and "10:00–11:00 (Hong Kong time)" in text
    assert "Room 101, Test Building · Cantonese" in text and "Online · Putonghua" in text
    assert [
        "seminar:event:" + WEBINAR.id,
        "seminar:event:" + WORKSHOP.id,
        "nav:restart",
        "nav:cancel",
        "nav:person",
    ] == values(result)


def test_start_in_cantonese_and_putonghua(ctx: Context) -> None:
    yue = shown(play(ctx, "yue"))
    assert "2026年12月3日（星期四）" in yue and "網上舉行" in yue and "測試網上講座" in yue
    zh = shown(play(ctx, "zh"))
    assert "2026年12月10日（星期四）" in zh and "测试大厦101室" in zh and "网上举行" in zh


def test_state_none_starts_in_english(ctx: Context) -> None:
    assert say(ctx, "seminar_choose_event") in shown(run(None, Start(), ctx))


def test_no_event_open_offers_to_notify(past_only: Context) -> None:
    result = play(past_only, "en")
    assert seminar.NO_EVENTS == result.state.step
    assert say(past_only, "seminar_none_open") in shown(result)
    assert "2025" not in shown(result)  # the last one was long ago: not worth mentioning
    assert ["seminar:notify", "seminar:no_thanks", "nav:restart", "nav:cancel", "nav:person"] == (
        values(result)
    )
    notified = run(result.state, Choice(seminar.NOTIFY), past_only)
    assert (Subscribe("en"),) == notified.effects
    assert notified.state.done
    assert say(past_only, "seminar_subscribed") in shown(notified)


def test_no_event_open_recently_mentions_the_last_one(past_only: Context) -> None:
    soon_after = dataclasses.replace(past_only, today=dt.date(2025, 7, 10))
    result = play(soon_after, "yue")
    assert "上一個係2025年6月25日（星期三）嘅「網上分享研討會" in shown(result)


def test_no_thanks_typed_ends_without_effects(past_only: Context) -> None:
    result = play(past_only, "zh", Text("不要"))
    assert result.state.done
    assert () == result.effects
    assert say(past_only, "seminar_no_thanks", "zh") in shown(result)


def test_registration_open_until_its_closing_day(past_only: Context) -> None:
    on_the_day = dataclasses.replace(past_only, today=dt.date(2025, 6, 25))
    assert seminar.CHOOSE_EVENT == play(on_the_day, "en").state.step
    day_after = dataclasses.replace(past_only, today=dt.date(2025, 6, 26))
    assert seminar.NO_EVENTS == play(day_after, "en").state.step


def test_event_chosen_by_typed_number(ctx: Context) -> None:
    result = play(ctx, "en", Text("2"))
    assert seminar.CONSENT == result.state.step
    assert WORKSHOP.id == result.state.answers["event_id"]


def test_closed_or_unknown_event_button_is_refused(ctx: Context) -> None:
    start = play(ctx, "en")
    result = run(start.state, press("seminar:event:" + REAL_ID), ctx)
    assert start.state == result.state
    assert say(ctx, "seminar_event_not_open") in shown(result)


# ---------------------------------------------------------------------------- the dialogue


def test_collection_statement_asks_consent(ctx: Context) -> None:
    result = play(ctx, "en", WORKSHOP_CHOICE)
    text = shown(result)
    assert "Personal information collection statement" in text
    assert "Programme Secretariat" in text and "/forget" in text
    assert "see, correct or delete" in text
    assert ["seminar:consent:yes", "seminar:consent:no", "nav:back", "nav:restart"] == (
        values(result)[:4]
    )


@pytest.mark.parametrize("no", [Choice(seminar.DISAGREE), Text("no"), Text("唔同意")])
def test_consent_refused_stores_nothing(ctx: Context, no: Event) -> None:
    result = play(ctx, "en", WORKSHOP_CHOICE, no)
    assert result.state.done
    assert () == result.effects
    assert say(ctx, "seminar_consent_declined") in shown(result)


EXPECTED_REGISTRATION = Register(
    event_id=WORKSHOP.id,
    name="Chan Tai Man",
    company="ABC Ltd",
    email="tai.man@example.com",
    phone="+852 2788 5588",
    attendees=2,
    lang="en",
)


def test_registration_with_buttons_and_typed_answers(ctx: Context) -> None:
    confirm = up_to(seminar.CONFIRM, ctx)
    summary = shown(confirm)
    for part in ("Test workshop", "Chan Tai Man", "ABC Ltd", "tai.man@example.com"):
        assert part in summary
    assert "+852 2788 5588" in summary and "Attendees: 2" in summary
    assert ["seminar:confirm", "nav:back", "nav:restart", "nav:cancel", "nav:person"] == (
        values(confirm)
    )
    saving = run(confirm.state, Choice(seminar.CONFIRM_VALUE), ctx)
    assert seminar.SAVING == saving.state.step
    consent = ctx.kb.statement_version(seminar.STATEMENT)  # the statement agreed to
    assert (dataclasses.replace(EXPECTED_REGISTRATION, consent=consent),) == saving.effects
    done = run(saving.state, Registered("ok"), ctx)
    assert done.state.done
    text = shown(done)
    assert "You're registered for “Test workshop”" in text
    assert "Thu 10 Dec 2026, 14:30–16:30 (Hong Kong time), Room 101, Test Building" in text
    assert "e-mailed" not in text and "Bad weather" not in text
    assert ["seminar:mine"] == values(done)
    assert set() == PERSONAL & set(done.state.answers)  # nothing personal left in the state


def test_online_event_mentions_link_and_bad_weather(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx, WEBINAR_CHOICE)
    text = shown(run(saving.state, Registered("ok"), ctx))
    assert "The link to join will be e-mailed to tai.man@example.com" in text
    assert "Bad weather: Cancelled if signal no. 8 is up." in text


@pytest.mark.parametrize(
    ("lang", "answers", "expected"),
    [
        (
            "yue",
            ["同意", "陳大文", "大文製衣有限公司", "Tai.Man@Example.com.hk", "9123 4567", "兩位"],
            ("陳大文", "大文製衣有限公司", "tai.man@example.com.hk", "+852 9123 4567", 2),
        ),
        (
            "zh",
            ["同意", "王小明", "小明电子厂", "xm.wang@example.cn", "+86 138-0013-8000", "三"],
            ("王小明", "小明电子厂", "xm.wang@example.cn", "+86 138 0013 8000", 3),
        ),
        (
            "en",
            ["yes", "Mary O'Brien-Lee", "Green Co.", "MARY@GREEN.HK", "(852) 6123-4567", "1"],
            ("Mary O'Brien-Lee", "Green Co.", "mary@green.hk", "+852 6123 4567", 1),
        ),
    ],
)
def test_registration_typed_in_each_language(
    ctx: Context, lang: Lang, answers: list[str], expected: tuple[Any, ...]
) -> None:
    confirm_words = {"en": "confirm", "yue": "確認", "zh": "确认"}
    events = [Text("1"), *(Text(a) for a in answers), Text(confirm_words[lang])]
    result = play(ctx, lang, *events)
    name, company, email, phone, attendees = expected
    assert (
        Register(
            event_id=WEBINAR.id,
            name=name,
            company=company,
            email=email,
            phone=phone,
            attendees=attendees,
            lang=lang,
            consent=ctx.kb.statement_version(seminar.STATEMENT),
        ),
    ) == result.effects
    done = run(result.state, Registered("ok"), ctx)
    assert WEBINAR.title.get(lang) in shown(done)
    assert WEBINAR.bad_weather is not None and WEBINAR.bad_weather.get(lang) in shown(done)


# -------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("step", "typed", "reason"),
    [
        (seminar.NAME, "", "seminar_bad_name"),
        (seminar.NAME, "12345", "seminar_bad_name"),
        (seminar.NAME, "tai.man@example.com", "seminar_bad_name"),
        (seminar.NAME, "x" * 101, "seminar_bad_name"),
        (seminar.COMPANY, "   ", "seminar_bad_company"),
        (seminar.COMPANY, "!!!", "seminar_bad_company"),
        (seminar.COMPANY, "A" * 201, "seminar_bad_company"),
        (seminar.EMAIL, "tai.man", "seminar_bad_email"),
        (seminar.EMAIL, "tai man@example.com", "seminar_bad_email"),
        (seminar.EMAIL, "tai@example", "seminar_bad_email"),
        (seminar.EMAIL, "tai..man@example.com", "seminar_bad_email"),
        (seminar.EMAIL, "@example.com", "seminar_bad_email"),
        (seminar.PHONE, "1234 5678", "seminar_bad_phone"),
        (seminar.PHONE, "2788 558", "seminar_bad_phone"),
        (seminar.PHONE, "+852 1380 0138 000", "seminar_bad_phone"),
        (seminar.PHONE, "+44 20 7946 0958", "seminar_phone_region"),  # valid, but not ours
        (seminar.PHONE, "7123 4567", "seminar_bad_phone"),  # no Hong Kong number starts with 7
        (seminar.PHONE, "+853 1234 5678", "seminar_bad_phone"),
        (seminar.PHONE, "138001380001", "seminar_bad_phone"),
        (seminar.PHONE, "phone me", "seminar_bad_phone"),
        (seminar.ATTENDEES, "0", "seminar_bad_attendees"),
        (seminar.ATTENDEES, "-1", "seminar_bad_attendees"),
        (seminar.ATTENDEES, "two", "seminar_bad_attendees"),
        (seminar.ATTENDEES, "1.5", "seminar_bad_attendees"),
        (seminar.ATTENDEES, "幾個", "seminar_bad_attendees"),
    ],
)
def test_invalid_answer_reasks_with_state_unchanged(
    ctx: Context, step: str, typed: str, reason: str
) -> None:
    asked = up_to(step, ctx)
    result = run(asked.state, Text(typed), ctx)
    assert asked.state == result.state
    text = shown(result)
    assert say(ctx, reason) in text
    assert asked.replies[0].text in text  # the question comes again
    assert asked.replies[0].buttons == result.replies[0].buttons


def test_invalid_email_reason_in_each_language(ctx: Context) -> None:
    for lang, expected in [
        ("en", "that e-mail address doesn't look right"),
        ("yue", "呢個電郵地址好似唔啱"),
        ("zh", "这个电邮地址好像不对"),
    ]:
        asked = up_to(seminar.EMAIL, ctx, lang=lang)  # type: ignore[arg-type]
        assert expected in shown(run(asked.state, Text("nobody@"), ctx)).lower()


def test_over_the_company_limit_is_refused(ctx: Context) -> None:
    asked = up_to(seminar.ATTENDEES, ctx)
    assert "At most 3 per company." in shown(asked)
    result = run(asked.state, Text("4"), ctx)
    assert asked.state == result.state
    assert say(ctx, "seminar_over_company_limit", limit=3) in shown(result)


def test_seats_left_given_by_the_shell_are_respected(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx, WEBINAR_CHOICE)
    state = run(saving.state, Registered("full", seats_left=2), ctx).state
    assert seminar.ATTENDEES == state.step
    result = run(state, Text("3"), ctx)
    assert state == result.state
    assert say(ctx, "seminar_over_seats", seats=2) in shown(result)
    assert "Seats left: 2." in shown(result)
    assert seminar.CONFIRM == run(state, Text("2"), ctx).state.step


def test_no_seat_left_offers_the_next_one(ctx: Context) -> None:
    asked = up_to(seminar.ATTENDEES, ctx, WEBINAR_CHOICE)
    state = dataclasses.replace(asked.state, answers={**asked.state.answers, "seats_left": 0})
    result = run(state, Text("1"), ctx)
    assert seminar.NO_EVENTS == result.state.step
    assert set() == PERSONAL & set(result.state.answers)
    assert "seminar:notify" in values(result)


def test_sold_out_when_saving_offers_the_next_one(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx, WEBINAR_CHOICE)
    result = run(saving.state, Registered("full", seats_left=0), ctx)
    assert seminar.NO_EVENTS == result.state.step
    assert set() == PERSONAL & set(result.state.answers)
    assert say(ctx, "seminar_no_seats") in shown(result)
    assert "seminar:notify" in values(result)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2788 5588", "+852 2788 5588"),
        ("27885588", "+852 2788 5588"),
        ("+852 2788-5588", "+852 2788 5588"),
        ("(852) 2788 5588", "+852 2788 5588"),
        ("852-9123-4567", "+852 9123 4567"),
        ("＋８５２ ５１２３ ４５６７", "+852 5123 4567"),
        ("13800138000", "+86 138 0013 8000"),
        ("+86 138 0013 8000", "+86 138 0013 8000"),
        ("86-138-0013-8000", "+86 138 0013 8000"),
        ("0769-2233 4455", "+86 769 2233 4455"),  # a Dongguan landline with its area code
        ("020-12345678", "+86 20 1234 5678"),  # Guangzhou
        ("+853 6612 3456", "+853 6612 3456"),  # Macau mobile
        ("00853 6612 3456", "+853 6612 3456"),
    ],
)
def test_phone_numbers_are_normalised(typed: str, expected: str) -> None:
    assert expected == seminar.parse_phone(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2", 2),
        ("２", 2),
        ("3人", 3),
        ("兩", 2),
        ("两位", 2),
        ("一", 1),
        ("十", 10),
        ("4 people", 4),
    ],
)
def test_attendees_in_digits_or_chinese_numerals(
    real_kb: KnowledgeBase, typed: str, expected: int
) -> None:
    assert expected == seminar.parse_attendees(typed, real_kb.words)


def test_email_is_lower_cased_and_full_width_at_accepted() -> None:
    assert "chan@abc.com.hk" == seminar.parse_email(" Chan＠ABC.com.hk ")


# -------------------------------------------------------------------------------- navigation


def test_back_returns_to_the_previous_question_keeping_answers(ctx: Context) -> None:
    asked = up_to(seminar.PHONE, ctx)
    back = run(asked.state, Choice(BACK), ctx)
    assert seminar.EMAIL == back.state.step
    assert {
        "name": "Chan Tai Man",
        "company": "ABC Ltd",
        "email": "tai.man@example.com",
    }.items() <= (back.state.answers.items())
    assert "Keep: tai.man@example.com" in shown(back)
    kept = run(back.state, Choice(seminar.KEEP), ctx)
    assert seminar.PHONE == kept.state.step
    assert "tai.man@example.com" == kept.state.answers["email"]


def test_typed_back_and_edit_button(ctx: Context) -> None:
    asked = up_to(seminar.CONFIRM, ctx)
    edit = run(asked.state, Choice(BACK), ctx)  # the Edit button
    assert seminar.ATTENDEES == edit.state.step
    again = run(edit.state, Text("1"), ctx)
    assert 1 == again.state.answers["attendees"]
    assert "Attendees: 1" in shown(again)
    assert seminar.PHONE == run(edit.state, Text("返回"), ctx).state.step


def test_back_on_the_first_question_stays(ctx: Context) -> None:
    start = play(ctx, "en")
    assert start.state == run(start.state, Back(), ctx).state


def test_changing_event_forgets_the_other_events_seat_count(ctx: Context) -> None:
    consent = play(ctx, "en", WEBINAR_CHOICE)
    state = dataclasses.replace(consent.state, answers={**consent.state.answers, "seats_left": 1})
    chooser = run(state, Back(), ctx)
    moved = run(chooser.state, WORKSHOP_CHOICE, ctx)
    assert "seats_left" not in moved.state.answers


def test_restart_goes_to_the_first_question_with_nothing_kept(ctx: Context) -> None:
    asked = up_to(seminar.EMAIL, ctx)
    restarted = run(asked.state, Restart(), ctx)
    assert FlowState("seminar", seminar.CHOOSE_EVENT, "en") == restarted.state
    assert FlowState("seminar", seminar.CHOOSE_EVENT, "en") == (
        run(asked.state, Text("重新開始"), ctx).state
    )


@pytest.mark.parametrize("cancel", [Cancel(), Choice(CANCEL), Text("取消"), Text("/cancel")])
def test_cancel_stores_nothing(ctx: Context, cancel: Event) -> None:
    asked = up_to(seminar.ATTENDEES, ctx)
    result = run(asked.state, cancel, ctx)
    assert result.state.done
    assert () == result.effects
    assert set() == PERSONAL & set(result.state.answers)
    assert say(ctx, "flow_cancelled") in shown(result)


def test_handoff_passes_only_non_personal_answers(ctx: Context) -> None:
    asked = up_to(seminar.ATTENDEES, ctx)
    for event in (Handoff(), Choice(PERSON), Text("真人")):
        result = run(asked.state, event, ctx)
        assert result.state.done
        assert PersonWanted("seminar", {"event_id": WORKSHOP.id, "consent": True}) == (
            result.person
        )
        assert () == result.effects
        assert set() == PERSONAL & set(result.state.answers)


def test_every_question_carries_the_navigation_buttons(ctx: Context) -> None:
    for step in (
        seminar.CONSENT,
        seminar.NAME,
        seminar.COMPANY,
        seminar.EMAIL,
        seminar.PHONE,
        seminar.ATTENDEES,
    ):
        assert {"nav:back", "nav:restart", "nav:cancel", "nav:person"} <= set(
            values(up_to(step, ctx))
        )


# ------------------------------------------------------------------------ the shell's answer


def test_full_goes_back_to_the_attendees_question(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx)
    result = run(saving.state, Registered("full", seats_left=1), ctx)
    assert seminar.ATTENDEES == result.state.step
    assert 1 == result.state.answers["seats_left"]
    assert say(ctx, "seminar_full") in shown(result) and "Seats left: 1." in shown(result)
    assert seminar.PHONE == run(result.state, Back(), ctx).state.step
    confirm = run(result.state, Text("1"), ctx)
    assert seminar.CONFIRM == confirm.state.step


def test_over_company_limit_goes_back_to_the_attendees_question(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx)
    result = run(saving.state, Registered("over_company_limit"), ctx)
    assert seminar.ATTENDEES == result.state.step
    assert say(ctx, "seminar_company_limit_reached") in shown(result)


def test_duplicate_says_so_politely_and_ends(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx)
    result = run(saving.state, Registered("duplicate"), ctx)
    assert result.state.done
    assert "tai.man@example.com is already registered for “Test workshop”" in shown(result)


def test_closed_and_unknown_outcomes_end(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx)
    closed = run(saving.state, Registered("closed"), ctx)
    assert closed.state.done and "has closed" in shown(closed)
    broken = run(saving.state, Registered("error"), ctx)
    assert broken.state.done and say(ctx, "seminar_error") in shown(broken)


def test_typing_while_saving_waits(ctx: Context) -> None:
    saving = up_to(seminar.SAVING, ctx)
    for event in (Text("hello"), Back(), Cancel(), Handoff(), Choice(seminar.MINE)):
        result = run(saving.state, event, ctx)
        assert saving.state == result.state
        assert say(ctx, "seminar_wait") in shown(result)


def test_registration_closed_before_confirming(ctx: Context) -> None:
    confirm = up_to(seminar.CONFIRM, ctx)
    later = dataclasses.replace(ctx, today=dt.date(2026, 12, 11))
    result = run(confirm.state, Choice(seminar.CONFIRM_VALUE), later)
    assert result.state.done and () == result.effects
    assert "registration for “Test workshop” has closed" in shown(result)


# ------------------------------------------------------------------------- my registrations


def test_my_registrations_list_and_cancel(ctx: Context) -> None:
    listing = run(None, Choice(seminar.MINE), ctx)
    assert (ListRegistrations(),) == listing.effects
    registrations = (
        RegistrationRef("r1", WORKSHOP.id, 2),
        RegistrationRef("r2", WEBINAR.id, 1),
    )
    mine = run(listing.state, RegistrationsListed(registrations), ctx)
    text = shown(mine)
    assert "1. Test workshop" in text and "attendees: 2" in text and "2. Test webinar" in text
    assert ["seminar:cancel:r1", "seminar:cancel:r2"] == values(mine)[:2]
    cancelling = run(mine.state, press("seminar:cancel:r2"), ctx)
    assert (CancelRegistration("r2"),) == cancelling.effects
    done = run(cancelling.state, RegistrationCancelled(True), ctx)
    assert done.state.done
    assert "Your registration for “Test webinar” has been cancelled." in shown(done)


def test_my_registrations_in_cantonese_typed_number(ctx: Context) -> None:
    listing = run(seminar.new_state("yue"), Choice(seminar.MINE), ctx)
    registrations = (RegistrationRef("r9", WEBINAR.id, 3),)
    mine = run(listing.state, RegistrationsListed(registrations), ctx)
    assert "出席人數：3" in shown(mine)
    cancelling = run(mine.state, Text("1"), ctx)
    assert (CancelRegistration("r9"),) == cancelling.effects
    assert "已經取消" in shown(run(cancelling.state, RegistrationCancelled(True), ctx))


def test_no_registrations(ctx: Context) -> None:
    listing = run(seminar.new_state("zh"), Choice(seminar.MINE), ctx)
    result = run(listing.state, RegistrationsListed(()), ctx)
    assert result.state.done
    assert say(ctx, "seminar_mine_none", "zh") in shown(result)


def test_cancel_button_from_an_old_message_still_works(ctx: Context) -> None:
    cancelling = run(None, press("seminar:cancel:abc"), ctx)
    assert (CancelRegistration("abc"),) == cancelling.effects
    failed = run(cancelling.state, RegistrationCancelled(False), ctx)
    assert failed.state.done and say(ctx, "seminar_cancel_failed") in shown(failed)


# ------------------------------------------------------------------------------ golden files


# What the golden files call the effects the flow asks for.
EFFECT_NAMES: dict[type[Effect], str] = {
    Register: "register",
    ListRegistrations: "list_registrations",
    CancelRegistration: "cancel_registration",
    Subscribe: "subscribe",
}


def _golden_event(turn: dict[str, Any]) -> Event:
    if turn.get("start"):
        return Start()
    if "user" in turn:
        return Text(str(turn["user"]))
    if "button" in turn:
        return press(str(turn["button"]))
    if "outcome" in turn:  # the shell's answer to ``register``
        seats = (turn.get("data") or {}).get("seats_left")
        return Registered(turn["outcome"], seats_left=seats)
    raise AssertionError(f"a golden turn needs start, user, button or outcome: {turn}")


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("seminar_*.yaml")), ids=lambda p: p.stem)
def test_golden_conversation(ctx: Context, path: Path) -> None:
    lang = path.stem.removeprefix("seminar_")
    turns = yaml.safe_load(path.read_text(encoding="utf-8"))
    state: FlowState = seminar.new_state(lang)  # type: ignore[arg-type]
    for number, turn in enumerate(turns, start=1):
        result = run(state, _golden_event(turn), ctx)
        text = shown(result)
        for expected in turn.get("expect", []):
            assert expected in text, f"{path.name} turn {number}: {expected!r} not in:\n{text}"
        if "step" in turn:
            assert turn["step"] == result.state.step, f"{path.name} turn {number}"
        if "effect" in turn:
            assert [turn["effect"]] == [EFFECT_NAMES[type(e)] for e in result.effects], (
                f"{path.name} turn {number}"
            )
        state = result.state
    assert state.done


def test_there_is_a_golden_conversation_per_language() -> None:
    assert ["seminar_en", "seminar_yue", "seminar_zh"] == sorted(
        p.stem for p in GOLDEN.glob("seminar_*.yaml")
    )


# ------------------------------------------------------------------------ events.yaml, model


def test_the_documented_seminar_is_loaded_as_announced(real_kb: KnowledgeBase) -> None:
    real = next(e for e in real_kb.events if e.id == REAL_ID)
    assert dt.datetime(2025, 6, 25, 10, 30, tzinfo=HKT) == real.starts
    assert dt.datetime(2025, 6, 25, 11, 30, tzinfo=HKT) == real.ends
    assert ("online", True) == (real.venue, real.online)
    assert (None, None) == (real.capacity, real.limit_per_company)
    assert real.starts == real.closes
    assert "Putonghua & Cantonese" == real.language.en
    assert real.bad_weather is not None and "black rainstorm" in real.bad_weather.en
    assert real.source.doc in real_kb.documents


def test_event_texts_are_in_the_right_script(real_kb: KnowledgeBase) -> None:
    for event in real_kb.events:
        texts = [event.title, event.language, event.bad_weather]
        if event.venue != "online":
            texts.append(event.venue)
        for text in texts:
            if text is None:
                continue
            assert not CJK.search(text.en), event.id
            assert not any(is_simplified_only(c) for c in text.yue), event.id
            assert not any(is_traditional_only(c) for c in text.zh), event.id


def test_event_times_must_be_hong_kong_time() -> None:
    data = WORKSHOP.model_dump()
    with pytest.raises(ValueError, match="Hong Kong time"):
        Seminar.model_validate({**data, "starts": dt.datetime(2026, 12, 10, 14, 30)})
    with pytest.raises(ValueError, match="Hong Kong time"):
        Seminar.model_validate({**data, "starts": dt.datetime(2026, 12, 10, 6, 30, tzinfo=dt.UTC)})
    with pytest.raises(ValueError, match="ends before"):
        Seminar.model_validate({**data, "ends": WORKSHOP.starts})


def test_open_for_registration_until_it_closes() -> None:
    assert WORKSHOP.starts == WORKSHOP.registration_closes
    assert WORKSHOP.open_for_registration(WORKSHOP.starts - dt.timedelta(minutes=1))
    assert not WORKSHOP.open_for_registration(WORKSHOP.starts)
    earlier = dt.datetime(2026, 12, 1, 18, 0, tzinfo=HKT)
    closing = WORKSHOP.model_copy(update={"registration_closes": earlier})
    assert not closing.open_for_registration(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC))
    assert closing.open_on(dt.date(2026, 12, 1)) and not closing.open_on(dt.date(2026, 12, 2))


def test_events_file_may_be_empty_or_missing(tmp_path: Path) -> None:
    assert () == load_events(tmp_path)
    (tmp_path / "events.yaml").write_text("[]\n", encoding="utf-8")
    assert () == load_events(tmp_path)


def test_duplicate_event_ids_are_rejected(data_copy: Path) -> None:
    path = data_copy / "events.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(entries * 2, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate event ids"):
        load_knowledge(data_copy)


def test_an_event_without_offset_names_the_entry(data_copy: Path) -> None:
    path = data_copy / "events.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("10:30:00+08:00", "10:30:00"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match="seminar_2025_06_25"):
        load_knowledge(data_copy)
