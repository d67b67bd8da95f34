"""The Recognition Scheme check: every branch of sections 2 and 4 of the guide, and the dialogue."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows import eligibility, recognition
from flows.buttons import PERSON
from flows.conversation import Session, handle
from flows.core import (
    AnswerError,
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
from knowledge.answer import Assistant
from knowledge.check import run_check
from knowledge.dates import format_date
from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from tests.conftest import TODAY

# A day inside the 2025 round's application period, when its criteria are the ones in force.
ROUND_OPEN = dt.date(2025, 6, 15)

MFR = {"role": "manufacturer", "hk_company": True}
BUYER = {"role": "supply_chain", "business_registered": True}
ETSP = {"role": "service_provider", "registered_etsp": True}
# A manufacturer with no route but the ones a case sets.
NO_ROUTE = {
    **MFR,
    "dp_count": 0,
    "onsite_assessment": False,
    "gd_audit": False,
    "gd_title": False,
    "partner_logo_repeated": False,
}
CLEAN = {"penalty_record": False}


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    """Inside the 2025 round's application period, when its criteria are the ones in force."""
    return Context(kb, ROUND_OPEN)


@pytest.fixture(scope="module")
def closed(kb: KnowledgeBase) -> Context:
    """Today: the 2025 round closed on 21 July 2025 and the documents describe no later one."""
    return Context(kb, TODAY)


def verdicts(ctx: Context, answers: dict[str, Any]) -> dict[str, bool | None]:
    checked = recognition.validate_answers(answers)
    return {v.scheme: v.eligible for v in recognition.evaluate(checked, ctx)}


# Partners (Manufacturing), Excel Partners (Manufacturing), Supply Chain, Technology Service
TABLE = [
    ({}, (None, None, None, None)),
    # who is applying: categories for others are "not eligible"
    ({"role": "manufacturer"}, (None, None, False, False)),
    ({"role": "supply_chain"}, (False, False, None, False)),
    ({"role": "service_provider"}, (False, False, False, None)),
    # manufacturer: a Hong Kong company (footnote 4)
    ({"role": "manufacturer", "hk_company": False}, (False, False, False, False)),
    ({"role": "manufacturer", "dp_count": 3, **CLEAN}, (None, None, False, False)),
    # demonstration projects: 1 vs 2 for the Partners, 2 vs 3 for Excel Partners
    ({**NO_ROUTE, "dp_count": 1, **CLEAN}, (False, False, False, False)),
    ({**NO_ROUTE, "dp_count": 2, **CLEAN}, (True, False, False, False)),
    ({**NO_ROUTE, "dp_count": 3, **CLEAN}, (True, True, False, False)),
    ({**NO_ROUTE, "dp_count": 7, **CLEAN}, (True, True, False, False)),
    # the other manufacturing routes
    ({**NO_ROUTE, "onsite_assessment": True, **CLEAN}, (True, False, False, False)),
    ({**NO_ROUTE, "gd_audit": True, **CLEAN}, (True, False, False, False)),
    # the other Excel Partners routes
    ({**NO_ROUTE, "gd_title": True, **CLEAN}, (False, True, False, False)),
    (
        {**NO_ROUTE, "onsite_assessment": True, "partner_logo_repeated": True, **CLEAN},
        (True, True, False, False),
    ),
    (
        {**NO_ROUTE, "gd_audit": True, "partner_logo_repeated": True, **CLEAN},
        (True, True, False, False),
    ),
    (
        {**NO_ROUTE, "dp_count": 2, "partner_logo_repeated": True, **CLEAN},
        (True, True, False, False),
    ),
    # logo twice but this year's requirement only possibly met (renewal criteria): review
    ({**NO_ROUTE, "partner_logo_repeated": True, **CLEAN}, (False, None, False, False)),
    ({**NO_ROUTE, "partner_logo_repeated": True, "penalty_record": True}, (False,) * 4),
    # legal compliance since 14 May 2024
    ({**NO_ROUTE, "dp_count": 3, "penalty_record": True}, (False, False, False, False)),
    ({**NO_ROUTE, "dp_count": 3}, (None, None, False, False)),
    ({**NO_ROUTE, "dp_count": 2}, (None, False, False, False)),
    # unanswered routes
    ({**MFR, "dp_count": 1, **CLEAN}, (None, None, False, False)),
    ({**MFR, "dp_count": 1, "onsite_assessment": True, **CLEAN}, (True, None, False, False)),
    # supply chain
    ({**BUYER, "recommended_factories": True}, (False, False, True, False)),
    (
        {**BUYER, "recommended_factories": False, "buys_from_recognised": True},
        (False, False, True, False),
    ),
    (
        {**BUYER, "recommended_factories": False, "buys_from_recognised": False},
        (False, False, False, False),
    ),
    ({**BUYER, "business_registered": False}, (False, False, False, False)),
    ({**BUYER, "recommended_factories": False}, (False, False, None, False)),
    ({"role": "supply_chain", "recommended_factories": True}, (False, False, None, False)),
    # technology service: 4 vs 5 projects, complaints
    ({**ETSP, "project_count": 4}, (False, False, False, False)),
    ({**ETSP, "project_count": 5, "complaint_record": False}, (False, False, False, True)),
    ({**ETSP, "project_count": 12, "complaint_record": False}, (False, False, False, True)),
    ({**ETSP, "project_count": 5, "complaint_record": True}, (False, False, False, False)),
    ({**ETSP, "project_count": 5}, (False, False, False, None)),
    ({**ETSP, "registered_etsp": False, "project_count": 9}, (False, False, False, False)),
    (
        {"role": "service_provider", "project_count": 5, "complaint_record": False},
        (False, False, False, None),
    ),
]


@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_rule_table(ctx: Context, answers: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert dict(zip(recognition.CATEGORIES, expected, strict=True)) == verdicts(ctx, answers)


@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_after_the_round_closed_a_met_criterion_needs_confirmation(
    closed: Context, answers: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    today = tuple(None if met is True else met for met in expected)
    assert dict(zip(recognition.CATEGORIES, today, strict=True)) == verdicts(closed, answers)


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_a_verdict_after_the_round_names_the_round_and_its_secretariat(
    closed: Context, lang: str
) -> None:
    found = recognition.evaluate({**ETSP, "project_count": 5, "complaint_record": False}, closed)
    service = found[3]
    assert ("needs_confirmation", "ended") == (service.status, service.phase_status)
    text = recognition.reason_text(service, closed, lang)  # type: ignore[arg-type]
    assert "2025" in text and "2788 5099" in text and "jrs@hkpc.org" in text
    assert ("21 July 2025" if lang == "en" else "2025年7月21日") in text


def reasons(ctx: Context, answers: dict[str, Any], lang: str = "en") -> dict[str, str]:
    return {
        v.scheme: recognition.reason_text(v, ctx, lang)  # type: ignore[arg-type]
        for v in recognition.evaluate(answers, ctx)
    }


def test_reasons_give_the_counts_and_dates_from_programme_yaml(ctx: Context) -> None:
    one = reasons(ctx, {**NO_ROUTE, "dp_count": 1})
    assert "2 demonstration projects (you gave 1)" in one["recognition_manufacturing"]
    assert "3 demonstration projects since 14 May 2020 (you gave 1)" in one["recognition_excel"]
    four = reasons(ctx, {**ETSP, "project_count": 4})["recognition_technology_service"]
    assert "At least 5" in four and "you gave 4" in four and "14 May 2020" in four
    penalty = reasons(ctx, {**NO_ROUTE, "dp_count": 3, "penalty_record": True}, "zh")
    assert "2024年5月14日" in penalty["recognition_manufacturing"]


def test_categories_for_someone_else_say_whom_they_are_for(ctx: Context) -> None:
    said = reasons(ctx, {"role": "service_provider"})
    assert "Hong Kong companies" in said["recognition_manufacturing"]
    assert "buyers and trading companies" in said["recognition_supply_chain"]
    said = reasons(ctx, {"role": "manufacturer"})
    assert "environmental technology service providers" in said["recognition_technology_service"]


@pytest.mark.parametrize(
    ("answers", "category", "section"),
    [
        ({"role": "supply_chain"}, "recognition_manufacturing", "2.1"),
        ({"role": "manufacturer", "hk_company": False}, "recognition_excel", "2.2; 香港公司"),
        ({**NO_ROUTE, "dp_count": 1}, "recognition_manufacturing", "4.1; 一"),
        ({**NO_ROUTE, "dp_count": 2, **CLEAN}, "recognition_manufacturing", "4.1; 一; 2."),
        ({**NO_ROUTE, "dp_count": 3, "penalty_record": True}, "recognition_excel", "4.2; 二"),
        (
            {**NO_ROUTE, "partner_logo_repeated": True, **CLEAN},
            "recognition_excel",
            "4.2; 一; 1.; 5.2",
        ),
        ({**BUYER, "business_registered": False}, "recognition_supply_chain", "2.3"),
        ({**BUYER, "recommended_factories": True}, "recognition_supply_chain", "4.3; 1."),
        ({**ETSP, "project_count": 4}, "recognition_technology_service", "4.4; 1."),
    ],
)
def test_each_verdict_cites_the_guide_section_it_rests_on(
    ctx: Context, answers: dict[str, Any], category: str, section: str
) -> None:
    verdict = next(v for v in recognition.evaluate(answers, ctx) if v.scheme == category)
    assert "recognition-scheme-2025-guide-zh-hans.txt" == verdict.clause.doc
    assert section == verdict.clause.section


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_every_verdict_renders_in_every_language(
    ctx: Context, lang: str, answers: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    text = recognition.render_verdicts(recognition.evaluate(answers, ctx), ctx, lang)  # type: ignore[arg-type]
    assert "{" not in text and "}" not in text
    assert 4 == text.count("• ")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"role": "farmer"}, "role must be one of"),
        ({"hk_company": "yes"}, "hk_company must be true or false"),
        ({"dp_count": -1}, "whole number"),
        ({"project_count": 2.5}, "whole number"),
        ({"dp_count": True}, "whole number"),
    ],
)
def test_bad_answers_are_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        recognition.validate_answers(raw)


# ------------------------------------------------------------------------- the date-aware part


def closing(ctx: Context, lang: str = "en") -> str:
    return recognition.render_verdicts(recognition.evaluate({}, ctx), ctx, lang)  # type: ignore[arg-type]


def test_today_the_2025_round_has_closed(kb: KnowledgeBase) -> None:
    text = closing(Context(kb, dt.date(2026, 11, 21)))
    assert "whose application period ran from 14 May 2025 to 21 July 2025 and has closed" in text
    assert "Renewing a logo you already hold follows different criteria" in text
    assert "(Hong Kong side: 852-2788 5099, jrs@hkpc.org) can advise on the next round" in text
    assert "open until" not in text
    assert "已经截止" in closing(Context(kb, dt.date(2026, 11, 21)), "zh")


@pytest.mark.parametrize(
    "today", [dt.date(2025, 6, 15), dt.date(2025, 5, 14), dt.date(2025, 7, 21)]
)
def test_during_the_round_it_says_open_until(kb: KnowledgeBase, today: dt.date) -> None:
    text = closing(Context(kb, today))
    assert "whose application period is open until 21 July 2025" in text
    assert "has closed" not in text and "can advise on your application" in text
    assert "申請期開放至2025年7月21日" in closing(Context(kb, today), "yue")


def test_before_the_round_it_says_when_it_opens(kb: KnowledgeBase) -> None:
    assert "opens on 14 May 2025" in closing(Context(kb, dt.date(2025, 5, 13)))


def test_dates_and_contact_come_from_programme_yaml(data_copy: Path) -> None:
    path = data_copy / "programme.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["recognition"]["closes"] = dt.date(2026, 12, 31)
    contact = next(c for c in data["contacts"] if c["id"] == "recognition_hk")
    contact["phone"], contact["email"] = "852-0000 0000", "someone@example.org"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    text = closing(Context(load_knowledge(data_copy), TODAY))
    assert "open until 31 December 2026" in text
    assert "852-0000 0000, someone@example.org" in text


def test_a_recognition_date_not_in_the_guide_is_reported(data_copy: Path) -> None:
    path = data_copy / "programme.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["recognition"]["since"] = dt.date(2020, 5, 15)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = run_check(data_copy)
    assert any("recognition.since" in p and "2020-05-15" in p for p in problems), problems


def test_recognition_dates_out_of_order_do_not_load(data_copy: Path) -> None:
    path = data_copy / "programme.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["recognition"]["closes"] = dt.date(2025, 5, 1)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="recognition"):
        load_knowledge(data_copy)


def test_messages_write_no_figure_and_use_the_right_script(kb: KnowledgeBase) -> None:
    keys = [k for k in kb.messages if k.startswith(("rec_", "scheme_recognition_"))]
    assert len(keys) > 50
    for key in keys:
        for lang in ("en", "yue", "zh"):
            text = re.sub(r"\{[a-z_]+\}", "", kb.messages[key].get(lang))
            assert not re.search(r"[0-9０-９]", text), (key, lang, text)
    assert [] == [p for p in run_check() if "rec_" in p]


# ------------------------------------------------------------------------------- typed counts


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("2", 2),
        ("3+", 3),
        ("3 or more", 3),
        ("five", 5),
        ("兩個", 2),
        ("两个", 2),
        ("三個或以上", 3),
        ("十二個", 12),
        ("做咗四個", 4),
        ("自2020年起做咗兩個", 2),
        ("more than 4", 5),
        ("多過四個", 5),
        ("冇", 0),
        ("沒有", 0),
        ("none", 0),
        ("一個都冇", 0),
        ("零", 0),
        ("fewer than 5", None),
        ("唔夠五個", None),
        ("不到三个", None),
        ("2 or 3", None),
        ("兩三個", None),
        ("幾個", None),
        ("not sure", None),
        ("a lot", None),
        ("二零二零年", None),
    ],
)
def test_counts_are_read_as_people_type_them(
    kb: KnowledgeBase, typed: str, count: int | None
) -> None:
    assert count == recognition.parse_count(typed, kb.words)


# ------------------------------------------------------------------------------------ dialogue


def play(ctx: Context, lang: str, *events: Event) -> Result:
    result = recognition.step(None, Start(), ctx, lang)  # type: ignore[arg-type]
    for event in events:
        result = recognition.step(result.state, event, ctx)
        assert result.state == FlowState.from_json(json.loads(json.dumps(result.state.to_json())))
    return result


def asked(ctx: Context, *events: Event) -> list[str]:
    """The questions the dialogue asks, in order, for these answers."""
    result = recognition.step(None, Start(), ctx, "en")
    steps = [result.state.step]
    for event in events:
        result = recognition.step(result.state, event, ctx)
        steps.append(result.state.step)
    return steps


def c(value: str) -> Choice:
    return press(f"recognition:{value}")


def test_first_question_is_who_is_applying_with_buttons(ctx: Context) -> None:
    result = play(ctx, "en")
    assert "role" == result.state.step
    values = [b.data.pack() for b in result.replies[-1].all_buttons()]
    assert [
        "recognition:manufacturer",
        "recognition:supply_chain",
        "recognition:service_provider",
        "nav:restart",
        "nav:cancel",
        "nav:person",
    ] == values


def test_count_buttons_are_numbered_so_a_typed_digit_means_itself(ctx: Context) -> None:
    dps = play(ctx, "en", c("manufacturer"), c("yes")).replies[-1]
    assert ["1", "2", "3 or more", "None"] == [b.label for b in dps.all_buttons()[:4]]
    assert "since 14 May 2020" in dps.text
    projects = play(ctx, "zh", c("service_provider"), c("yes")).replies[-1]
    labels = [b.label for b in projects.all_buttons()[:6]]
    assert ["1", "2", "3", "4", "5个或以上", "没有"] == labels


def test_three_demonstration_projects_skip_the_other_routes(ctx: Context) -> None:
    steps = asked(ctx, c("manufacturer"), c("yes"), c("3"), c("no"))
    assert ["role", "hk_company", "dp_count", "penalty_record", "done"] == steps


def test_two_demonstration_projects_still_ask_the_excel_routes(ctx: Context) -> None:
    steps = asked(ctx, c("manufacturer"), c("yes"), c("2"), c("no"), c("no"), c("no"))
    assert [
        "role",
        "hk_company",
        "dp_count",
        "gd_title",
        "partner_logo_repeated",
        "penalty_record",
        "done",
    ] == steps


def test_no_route_at_all_does_not_ask_about_compliance(ctx: Context) -> None:
    result = play(
        ctx, "en", c("manufacturer"), c("yes"), c("1"), c("no"), c("no"), c("no"), c("no")
    )
    assert result.state.done and "penalty_record" not in result.state.answers
    text = result.replies[-1].text
    assert "Partners (Manufacturing) logo: ❌ not eligible" in text
    assert "(you gave 1)" in text


def test_not_a_hong_kong_company_ends_at_once(ctx: Context) -> None:
    result = play(ctx, "en", c("manufacturer"), Text("no"))
    assert result.state.done
    assert 4 == result.replies[-1].text.count("❌ not eligible")


def test_typed_cantonese_answers_reach_a_verdict(ctx: Context) -> None:
    result = play(
        ctx,
        "yue",
        Text("我哋係港資工廠"),
        Text("係呀"),
        Text("兩個"),
        Text("冇"),
        Text("有"),
        Text("冇"),
    )
    assert result.state.done
    assert {
        "role": "manufacturer",
        "hk_company": True,
        "dp_count": 2,
        "gd_title": False,
        "partner_logo_repeated": True,
        "penalty_record": False,
    } == result.state.answers
    text = result.replies[-1].text
    assert "「粵港清潔生產伙伴（製造業）」標志: ✅ 符合資格" in text
    assert "「粵港清潔生產優越伙伴（製造業）」標志: ✅ 符合資格" in text
    assert "申請期開放至" in text and "852-2788 5099" in text


def test_typed_putonghua_supply_chain(ctx: Context) -> None:
    result = play(ctx, "zh", Text("我们是贸易公司"), Text("是的"), Text("没有"), Text("有"))
    assert result.state.done
    assert "「粤港清洁生产伙伴（供应链）」标志: ✅ 符合资格" in result.replies[-1].text
    assert "「粤港清洁生产伙伴（技术服务）」标志: ❌ 不符合资格" in result.replies[-1].text


@pytest.mark.parametrize(
    ("typed", "eligible"), [("四个", "❌ 不符合资格"), ("五个", "✅ 符合资格")]
)
def test_typed_putonghua_project_counts_at_the_edge(
    ctx: Context, typed: str, eligible: str
) -> None:
    events: list[Event] = [Text("环境技术服务供应商"), Text("是"), Text(typed)]
    if typed == "五个":
        events.append(Text("没有"))
    result = play(ctx, "zh", *events)
    assert result.state.done
    assert f"「粤港清洁生产伙伴（技术服务）」标志: {eligible}" in result.replies[-1].text


def test_invalid_answers_reprompt_without_changing_the_state(ctx: Context) -> None:
    before = play(ctx, "en")
    after = recognition.step(before.state, Text("on the moon"), ctx)
    assert before.state == after.state
    assert (
        "didn't catch that" in after.replies[0].text
        and "Who is applying?" in after.replies[-1].text
    )
    count = play(ctx, "en", c("service_provider"), c("yes"))
    for typed in ("a lot", "fewer than 5"):
        again = recognition.step(count.state, Text(typed), ctx)
        assert count.state == again.state
        assert "as a number" in again.replies[0].text
    stale = recognition.step(count.state, c("manufacturer"), ctx)
    assert count.state == stale.state


def test_back_returns_to_the_previous_question_keeping_earlier_answers(ctx: Context) -> None:
    result = play(ctx, "en", c("supply_chain"), c("yes"), c("no"), Back())
    assert "recommended_factories" == result.state.step
    assert {
        "role": "supply_chain",
        "business_registered": True,
        "recommended_factories": False,
    } == result.state.answers
    result = recognition.step(result.state, c("yes"), ctx)
    assert result.state.done
    assert "Partners (Supply Chain) logo: ✅ eligible" in result.replies[-1].text


def test_restart_cancel_and_handoff(ctx: Context) -> None:
    restarted = play(ctx, "en", c("manufacturer"), c("yes"), Restart())
    assert "role" == restarted.state.step and {} == restarted.state.answers
    cancelled = play(ctx, "en", c("manufacturer"), Cancel())
    assert cancelled.state.done and not cancelled.effects
    assert "Nothing was saved" in cancelled.replies[0].text
    handed = play(ctx, "yue", Text("工廠"), Text("係"), Text("三個"), Choice(PERSON))
    assert handed.state.done and () == handed.effects
    assert (
        PersonWanted("recognition", {"role": "manufacturer", "hk_company": True, "dp_count": 3})
        == handed.person
    )
    typed = play(ctx, "zh", Text("人工"))
    assert PersonWanted("recognition", {}) == typed.person
    event = play(ctx, "en", c("supply_chain"), Handoff())
    assert event.person is not None and {"role": "supply_chain"} == event.person.answers
    assert "pass your case to the Secretariat" in event.replies[0].text


def test_a_conversation_resumes_from_its_stored_json(ctx: Context) -> None:
    half = play(ctx, "en", c("manufacturer"), c("yes"), Text("2"))
    stored = json.dumps(half.state.to_json())
    resumed = FlowState.from_json(json.loads(stored))
    assert half.state == resumed and "gd_title" == resumed.step
    result = recognition.step(resumed, Text("yes"), ctx)
    assert "penalty_record" == result.state.step
    assert {"role": "manufacturer", "hk_company": True, "dp_count": 2, "gd_title": True} == (
        result.state.answers
    )


def test_a_finished_flow_ignores_further_events(ctx: Context) -> None:
    done = play(ctx, "en", c("manufacturer"), c("no"))
    assert done.state == recognition.step(done.state, Text("yes"), ctx).state
    assert () == recognition.step(done.state, Text("yes"), ctx).replies


def test_result_offers_how_to_apply_and_a_person(ctx: Context) -> None:
    result = play(ctx, "en", c("manufacturer"), c("no"))
    assert ["faq:rec_how_to_apply", "nav:person"] == [
        b.data.pack() for b in result.replies[-1].all_buttons()
    ]
    assert "rec_how_to_apply" in {entry.id for entry in ctx.kb.faq}


# Every path through the dialogue: each question asked can change a verdict, and the dialogue
# ends only when every verdict is known (or needs review for a stated reason).
ROLE_KEYS = {
    "manufacturer": (
        "hk_company",
        "dp_count",
        "onsite_assessment",
        "gd_audit",
        "gd_title",
        "partner_logo_repeated",
        "penalty_record",
    ),
    "supply_chain": ("business_registered", "recommended_factories", "buys_from_recognised"),
    "service_provider": ("registered_etsp", "project_count", "complaint_record"),
}


def _domain(key: str) -> tuple[Any, ...]:
    kind = recognition.ANSWER_KEYS[key]
    return (True, False) if kind is bool else tuple(range(7))


def _outcome(ctx: Context, answers: dict[str, Any]) -> tuple[bool | None, ...]:
    return tuple(v.eligible for v in recognition.evaluate(answers, ctx))


def _matters(ctx: Context, answers: dict[str, Any], key: str) -> bool:
    """Some full set of the answers still open makes ``key``'s answer change a verdict."""
    others = [k for k in ROLE_KEYS[answers["role"]] if k not in answers and k != key]
    for values in itertools.product(*(_domain(k) for k in others)):
        base = {**answers, **dict(zip(others, values, strict=True))}
        if len({_outcome(ctx, {**base, key: value}) for value in _domain(key)}) > 1:
            return True
    return False


def _ends(ctx: Context, result: Result) -> list[Result]:
    """Where every sequence of button presses from ``result`` finishes."""
    if result.state.done:
        return [result]
    return [
        end
        for button in result.replies[-1].all_buttons()
        if button.data.pack().startswith("recognition:")
        for end in _ends(ctx, recognition.step(result.state, Choice(button.data), ctx))
    ]


@pytest.mark.parametrize("role", recognition.ROLES)
def test_every_question_asked_is_needed_and_none_is_missing(ctx: Context, role: str) -> None:
    ends = _ends(ctx, play(ctx, "en", c(role)))
    assert len(ends) > 2
    for end in ends:
        answers = dict(end.state.answers)
        keys = list(answers)
        for position, key in enumerate(keys[1:], 1):
            before = {k: answers[k] for k in keys[:position]}
            assert _matters(ctx, before, key), (key, answers)
        for v in recognition.evaluate(answers, ctx):
            assert "unknown" not in v.reason, (v, answers)
            assert v.eligible is not None or v.reason == "rec_reason_excel_renewal_review"


# ----------------------------------------------------------------------------- wiring


def test_command_button_and_help_start_the_flow(ctx: Context, assistant: Assistant) -> None:
    turn = handle(Session(lang="en"), Text("/recognition"), ctx, assistant)
    assert turn.session.active is not None and "recognition" == turn.session.active.flow
    assert "Who is applying?" in turn.replies[-1].text
    deep = handle(Session(lang="yue"), Text("/start recognition"), ctx, assistant)
    assert "申請人係邊類機構" in deep.replies[-1].text
    pressed = handle(Session(lang="zh"), press("recognition:start"), ctx, assistant)
    assert "申请人属于哪类机构" in pressed.replies[-1].text
    for lang in ("en", "yue", "zh"):
        assert "/recognition" in ctx.say("help", lang)


def test_eligibility_result_offers_the_recognition_check_before_a_person(ctx: Context) -> None:
    result = eligibility.step(None, Start(), ctx, "en")
    for value in ("eligibility:company", "eligibility:yes", "eligibility:hk_factory"):
        result = eligibility.step(result.state, press(value), ctx)
    buttons = result.replies[-1].all_buttons()
    values = [b.data.pack() for b in buttons]
    assert values.index("recognition:start") == values.index("nav:person") - 1
    assert "🏅 Recognition Scheme categories" == buttons[values.index("recognition:start")].label


def test_the_finished_flows_how_to_apply_button_answers_from_the_faq(
    ctx: Context, assistant: Assistant
) -> None:
    session = Session(lang="en")
    for message in (Text("/recognition"), c("service_provider"), c("no")):
        turn = handle(session, message, ctx, assistant)
        session = turn.session
    turn = handle(session, press("faq:rec_how_to_apply"), ctx, assistant)
    assert turn.answer is not None and "rec_how_to_apply" == turn.answer.faq_id


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
@pytest.mark.parametrize(
    "key", ["rec_q_gd_audit", "rec_q_gd_title", "rec_reason_mfg_audit", "rec_reason_excel_title"]
)
def test_the_title_routes_carry_no_five_year_limit(ctx: Context, key: str, lang: str) -> None:
    """4.1 一 3 and 4.2 一 3 (municipal / provincial titles) state no "past five years"."""
    since = ctx.kb.programme.recognition.since
    text = ctx.say(key, lang, **recognition._values(ctx, lang))  # type: ignore[arg-type]
    assert format_date(since, lang) not in text  # type: ignore[arg-type]
