"""Every word the bot reads is in words.yaml, read by one reader each; negation is read right.

The tables are data: tests/golden/words.yaml (yes/no/unsure, navigation, languages) and
tests/golden/numerals.yaml. The flows are then checked to use the readers: the eligibility and
Recognition checks' yes/no questions, seminar consent and confirmation, counts and attendees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows import eligibility, recognition, seminar
from flows.core import (
    Back,
    Cancel,
    Context,
    Event,
    FlowState,
    Handoff,
    Restart,
    Result,
    Start,
    Text,
    navigation_event,
)
from flows.engine import Invalid
from flows.questionnaire import YES_NO, YES_NO_UNSURE, Question
from flows.typed import parse_percentage
from knowledge.amounts import AmountError, parse_amount
from knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.models import LANGS, Lang, Seminar, Source, Trilingual
from knowledge.numerals import NumeralError, numbers_in, read_numeral, read_whole_number
from knowledge.words import asks_for_person, read_language, read_navigation, read_yes_no
from tests.conftest import TODAY

GOLDEN = Path(__file__).parent / "golden"
WORDS = yaml.safe_load((GOLDEN / "words.yaml").read_text(encoding="utf-8"))
NUMERALS = yaml.safe_load((GOLDEN / "numerals.yaml").read_text(encoding="utf-8"))


def _ids(rows: list[list[Any]]) -> list[str]:
    return [f"{row[1]}:{row[0]}" for row in rows]


@pytest.fixture(scope="module")
def ctx(kb: KnowledgeBase) -> Context:
    return Context(kb, TODAY)


# ------------------------------------------------------------------------------------ the tables


def test_the_tables_cover_three_languages_and_every_reading() -> None:
    rows = WORDS["yes_no"]
    assert {"en", "yue", "zh"} == {lang for _, lang, _ in rows}
    for lang in ("en", "yue", "zh"):
        assert {"yes", "no", "unsure"} <= {want for _, said, want in rows if said == lang}, lang
    assert None in {want for _, _, want in rows}


@pytest.mark.parametrize(("text", "lang", "expected"), WORDS["yes_no"], ids=_ids(WORDS["yes_no"]))
def test_yes_no(kb: KnowledgeBase, text: str, lang: str, expected: str | None) -> None:
    assert expected == read_yes_no(text, kb.words)


@pytest.mark.parametrize(
    ("text", "lang", "expected"), WORDS["person_requests"], ids=_ids(WORDS["person_requests"])
)
def test_a_person_asked_for_anywhere_in_a_message(
    kb: KnowledgeBase, text: str, lang: str, expected: bool
) -> None:
    assert expected == asks_for_person(text, kb.words)


@pytest.mark.parametrize(
    ("text", "lang", "expected"), WORDS["navigation"], ids=_ids(WORDS["navigation"])
)
def test_navigation(kb: KnowledgeBase, text: str, lang: str, expected: str | None) -> None:
    assert expected == read_navigation(text, kb.words)


@pytest.mark.parametrize(
    ("text", "lang", "expected"), WORDS["languages"], ids=_ids(WORDS["languages"])
)
def test_languages(kb: KnowledgeBase, text: str, lang: str, expected: str | None) -> None:
    assert expected == read_language(text, kb.words)


@pytest.mark.parametrize(("text", "expected"), NUMERALS, ids=[str(row[0]) for row in NUMERALS])
def test_numerals(text: str, expected: float | None) -> None:
    assert (None if expected is None else Decimal(str(expected))) == read_numeral(text)


AMOUNT_ROWS = [row for row in NUMERALS if row[1] != 0 and not re.fullmatch("[a-z]+", row[0])]


@pytest.mark.parametrize(("text", "expected"), AMOUNT_ROWS, ids=[str(r[0]) for r in AMOUNT_ROWS])
def test_amounts_read_numerals_the_same_way(text: str, expected: float | None) -> None:
    """The numeral reader is the amounts reader's: same figures, same refusals ("ambiguous")."""
    if expected is None:
        with pytest.raises(AmountError) as caught:
            parse_amount(text)
        assert caught.value.reason in {"ambiguous", "empty"}
    else:
        assert Decimal(str(expected)) == parse_amount(text).value


def test_one_two_is_never_read_as_two(kb: KnowledgeBase) -> None:
    """「一二」 is refused everywhere a number is read, so the flow asks again."""
    assert read_numeral("一二") is None and read_whole_number("一二") is None
    with pytest.raises(NumeralError):
        numbers_in("一二個")
    assert None is recognition.parse_count("一二個", kb.words)
    assert None is parse_percentage("百分之一二")
    assert None is parse_percentage("一二成")
    with pytest.raises(Invalid):
        seminar.parse_attendees("一二", kb.words)
    with pytest.raises(AmountError, match="ambiguous"):
        parse_amount("一二萬")


def test_whole_numbers_and_numbers_in_a_sentence() -> None:
    assert 12 == read_whole_number("十二")
    assert None is read_whole_number("2.5")
    assert [Decimal(2)] == numbers_in("做咗2個")
    assert [Decimal(3)] == numbers_in("三個或以上")
    assert [] == numbers_in("參加咗")  # 參 is a numeral only in financial writing
    with pytest.raises(NumeralError):
        numbers_in("兩三個")


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        ("冇問題", None),  # "no problem" is not zero projects
        ("唔知", None),
        ("可能兩個", None),
        ("未做過", 0),
        ("一個都冇", 0),
        ("廿五個", 25),
        ("１２", 12),
        ("二十五個", 25),
        ("twelve", 12),
    ],
)
def test_counts_read_answers_and_numerals(kb: KnowledgeBase, typed: str, count: int | None) -> None:
    assert count == recognition.parse_count(typed, kb.words)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("廿", 20), ("一百零五人", 105), ("兩 位", 2), ("3 pax", 3), ("２個人", 2)],
)
def test_attendees_read_numerals(kb: KnowledgeBase, typed: str, expected: int) -> None:
    assert expected == seminar.parse_attendees(typed, kb.words)


@pytest.mark.parametrize("typed", ["0", "零", "一二", "10000", "two or three", "幾個"])
def test_attendees_refused(kb: KnowledgeBase, typed: str) -> None:
    with pytest.raises(Invalid):
        seminar.parse_attendees(typed, kb.words)


# -------------------------------------------------------------------------- the checks' yes/no


def play_eligibility(ctx: Context, lang: Lang, *typed: str) -> Result:
    result = eligibility.step(None, Start(), ctx, lang)
    for text in typed:
        result = eligibility.step(result.state, Text(text), ctx)
    return result


@pytest.mark.parametrize(
    ("lang", "yes"),
    [("yue", "冇問題"), ("yue", "無問題"), ("zh", "没问题"), ("en", "no problem"), ("yue", "冇錯")],
)
def test_no_problem_at_the_cap_310_question_gives_the_verdicts_of_yes(
    ctx: Context, lang: Lang, yes: str
) -> None:
    """The bug: 冇問題 at the Cap. 310 question marked every scheme ❌ (read as "no")."""
    plain = {"yue": "係", "zh": "是", "en": "yes"}[lang]
    asked = play_eligibility(ctx, lang, "公司")
    assert "hk_registered" == asked.state.step
    said, meant = (
        play_eligibility(ctx, lang, "公司", answer, "喺東莞", "三來一補") for answer in (yes, plain)
    )
    assert said.state.done and meant.state.done
    assert True is said.state.answers["hk_registered"]
    assert meant.state.answers == said.state.answers
    assert meant.replies[-1].text == said.replies[-1].text
    verdicts = [eligibility.evaluate(r.state.answers, ctx) for r in (said, meant)]
    assert verdicts[0] == verdicts[1]
    assert any(v.eligible for v in verdicts[0]) and "❌" not in said.replies[-1].text.split("•")[1]


@pytest.mark.parametrize(
    ("lang", "typed", "registered"),
    [
        ("yue", "可以", True),
        ("yue", "同意", True),
        ("yue", "得", True),
        ("en", "ok agreed", True),
        ("en", "OK", True),
        ("zh", "可以", True),
        ("zh", "同意", True),
        ("yue", "唔係唔得", True),
        ("zh", "不是不行", True),
        ("yue", "唔係", False),
        ("zh", "没有", False),
        ("en", "not really", False),
    ],
)
def test_the_checks_read_the_consent_words_too(
    ctx: Context, lang: Lang, typed: str, registered: bool
) -> None:
    result = play_eligibility(ctx, lang, "company", typed)
    assert registered is result.state.answers["hk_registered"]


@pytest.mark.parametrize("typed", ["唔知", "不确定", "not sure", "係唔係？", "hello"])
def test_unsure_or_no_answer_at_a_yes_no_question_asks_again(ctx: Context, typed: str) -> None:
    asked = play_eligibility(ctx, "yue", "公司")
    again = eligibility.step(asked.state, Text(typed), ctx)
    assert asked.state == again.state
    assert ctx.say("flow_not_understood", "yue") in again.replies[0].text


@pytest.mark.parametrize(
    ("options", "typed", "expected"),
    [
        (YES_NO_UNSURE, "唔知", None),  # offered: recorded as unknown
        (YES_NO_UNSURE, "不确定", None),
        (YES_NO_UNSURE, "冇問題", True),
        (YES_NO_UNSURE, "唔係", False),
        (YES_NO, "冇問題", True),
        (YES_NO, "唔係唔得", True),
    ],
)
def test_a_question_offering_not_sure_takes_an_unsure_answer(
    ctx: Context, options: tuple[str, ...], typed: str, expected: bool | None
) -> None:
    question = Question("hk_registered", "elig_q_hk_registered", options)
    assert expected is eligibility.Eligibility().value(question, Text(typed), ctx)


def test_a_question_without_not_sure_asks_again(ctx: Context) -> None:
    question = Question("hk_registered", "elig_q_hk_registered", YES_NO)
    with pytest.raises(Invalid):
        eligibility.Eligibility().value(question, Text("唔知"), ctx)


@pytest.mark.parametrize(("typed", "expected"), [("可以", True), ("冇", False), ("冇問題", True)])
def test_recognition_yes_no_questions(ctx: Context, typed: str, expected: bool) -> None:
    result = recognition.step(None, Start(), ctx, "yue")
    result = recognition.step(result.state, Text("工廠"), ctx)
    assert "hk_company" == result.state.step
    result = recognition.step(result.state, Text(typed), ctx)
    assert expected is result.state.answers["hk_company"]


# ------------------------------------------------------------------------------- the seminar


WORKSHOP = Seminar(
    id="test_words_workshop",
    title=Trilingual(en="Test workshop", yue="測試工作坊", zh="测试工作坊"),
    starts=dt.datetime(2026, 12, 10, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ends=dt.datetime(2026, 12, 10, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    venue=Trilingual(en="Room 101", yue="101室", zh="101室"),
    online=False,
    language=Trilingual(en="Cantonese", yue="廣東話", zh="广东话"),
    source=Source(doc="seminar-2025-06-25-en.txt", section="test data only"),
)


@pytest.fixture(scope="module")
def seminar_ctx(kb: KnowledgeBase) -> Context:
    return Context(dataclasses.replace(kb, events=(*kb.events, WORKSHOP)), TODAY)


def at_consent(ctx: Context, lang: Lang) -> FlowState:
    result = seminar.step(seminar.new_state(lang), Start(), ctx)
    result = seminar.step(result.state, Text("1"), ctx)
    assert seminar.CONSENT == result.state.step
    return result.state


@pytest.mark.parametrize(
    ("lang", "typed", "step"),
    [
        ("yue", "可以", seminar.NAME),
        ("yue", "同意", seminar.NAME),
        ("yue", "得", seminar.NAME),
        ("en", "ok agreed", seminar.NAME),
        ("yue", "冇問題", seminar.NAME),
        ("zh", "没问题", seminar.NAME),
        ("en", "sure", seminar.NAME),
        ("yue", "唔係唔同意", seminar.NAME),
        ("yue", "唔同意", "done"),
        ("zh", "不同意", "done"),
        ("en", "no", "done"),
        ("yue", "唔知", seminar.CONSENT),
        ("en", "what is this for?", seminar.CONSENT),
    ],
)
def test_consent_uses_the_same_reader(
    seminar_ctx: Context, lang: Lang, typed: str, step: str
) -> None:
    result = seminar.step(at_consent(seminar_ctx, lang), Text(typed), seminar_ctx)
    assert step == result.state.step


def at_confirm(ctx: Context) -> FlowState:
    state = at_consent(ctx, "yue")
    for typed in ("同意", "陳大文", "大文製衣有限公司", "chan@example.com", "9123 4567", "兩位"):
        state = seminar.step(state, Text(typed), ctx).state
    assert seminar.CONFIRM == state.step and 2 == state.answers[seminar.ATTENDEES]
    return state


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("冇問題", seminar.SAVING),
        ("確認", seminar.SAVING),
        ("啱", seminar.SAVING),
        ("ok", seminar.SAVING),
        ("唔啱", seminar.ATTENDEES),  # like the edit button: back to change an answer
        ("唔知", seminar.CONFIRM),
    ],
)
def test_confirm_uses_the_same_reader(seminar_ctx: Context, typed: str, step: str) -> None:
    result = seminar.step(at_confirm(seminar_ctx), Text(typed), seminar_ctx)
    assert step == result.state.step


# ------------------------------------------------------------------------ navigation, languages


@pytest.mark.parametrize(
    ("typed", "event"),
    [("返回", Back()), ("重新開始", Restart()), ("/cancel", Cancel()), ("真人", Handoff())],
)
def test_typed_navigation_becomes_its_event(ctx: Context, typed: str, event: Event) -> None:
    assert event == navigation_event(Text(typed), ctx)
    assert Text("返回上一頁睇下") == navigation_event(Text("返回上一頁睇下"), ctx)


def test_every_shown_language_name_can_be_typed(kb: KnowledgeBase) -> None:
    for code in LANGS:
        for lang in LANGS:
            shown = kb.message(f"language_name_{code}").get(lang)
            assert code == read_language(shown, kb.words)


# ------------------------------------------------------------------- the data is the one source


def _edit_words(data: Path, edit: Any) -> KnowledgeBase:
    path = data / "words.yaml"
    words = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(words)
    path.write_text(yaml.safe_dump(words, allow_unicode=True), encoding="utf-8")
    return load_knowledge(data)


def test_a_word_added_to_the_data_is_read_everywhere(kb: KnowledgeBase, data_copy: Path) -> None:
    def add(words: dict[str, Any]) -> None:
        words["answers"]["yes"]["yue"].append("冇問題喎老細")
        words["answers"]["yes"]["en"].append("affirmo")
        words["answers"]["no"]["en"].append("negatory")
        words["navigation"]["back"]["en"].append("zurück")
        words["languages"]["yue"]["en"].append("cantonais")
        words["counts"]["numbers"]["dozen"] = 12
        words["counts"]["people"]["en"].append("guests")

    edited = _edit_words(data_copy, add)
    for text, before, after in [("affirmo", None, "yes"), ("negatory", None, "no")]:
        assert before == read_yes_no(text, kb.words)
        assert after == read_yes_no(text, edited.words)
    assert None is read_navigation("zurück", kb.words)
    assert "back" == read_navigation("zurück", edited.words)
    assert "yue" == read_language("cantonais", edited.words)
    assert 12 == recognition.parse_count("a dozen", edited.words)
    assert 3 == seminar.parse_attendees("3 guests", edited.words)

    at = Context(edited, TODAY)
    asked = play_eligibility(at, "en", "company")
    assert True is eligibility.step(asked.state, Text("affirmo"), at).state.answers["hk_registered"]
    assert Back() == navigation_event(Text("zurück"), at)


def test_a_word_removed_from_the_data_is_no_longer_read(data_copy: Path) -> None:
    def remove(words: dict[str, Any]) -> None:
        words["answers"]["yes"]["yue"].remove("冇問題")

    edited = _edit_words(data_copy, remove)
    assert "no" == read_yes_no("冇問題", edited.words)  # 冇 alone, and 問題 means nothing


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda w: w["answers"]["no"]["yue"].append("係"), "one kind only"),
        (lambda w: w["answers"]["no"]["zh"].append("沒問題"), "one kind only"),  # 没问题 folded
        (lambda w: w["navigation"]["cancel"]["en"].append("nope"), "also an answer"),
        (lambda w: w["navigation"]["back"]["en"].append("stop"), "one kind only"),
        (lambda w: w["languages"]["zh"]["en"].append("cantonese"), "one kind only"),
        (lambda w: w["answers"]["intensifiers"]["en"].append("no"), "intensifier"),
        (lambda w: w["languages"]["yue"]["en"].remove("cantonese"), "language_name_yue"),
    ],
)
def test_contradicting_words_are_refused_at_load(data_copy: Path, edit: Any, message: str) -> None:
    with pytest.raises(KnowledgeError, match="words.yaml") as caught:
        _edit_words(data_copy, edit)
    assert message in str(caught.value)


def test_a_bare_yaml_yes_is_refused_with_a_hint(data_copy: Path) -> None:
    path = data_copy / "words.yaml"
    text = path.read_text(encoding="utf-8").replace('en: ["yes", y,', "en: [yes, y,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="quote yes"):
        load_knowledge(data_copy)
