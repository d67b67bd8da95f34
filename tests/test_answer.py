"""What the user sees for a free-text question: sourced answers, dated status, honest misses."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.answer import Assistant
from knowledge.dates import format_date
from knowledge.loader import KnowledgeBase
from knowledge.models import FaqEntry, Lang
from knowledge.words import question_parts
from tests.conftest import TODAY


def _with_period(kb: KnowledgeBase) -> FaqEntry:
    return next(e for e in kb.faq if e.period is not None and e.period.closes is not None)


def _with_old_phase(kb: KnowledgeBase) -> FaqEntry:
    return next(e for e in kb.faq if e.phase == "phase_2020_2025")


def test_matched_answer_cites_its_document_in_the_users_language(assistant: Assistant) -> None:
    answer = assistant.ask("有冇熱線可以打？", today=TODAY)
    assert answer.matched and answer.lang == "yue"
    assert "2788 5588" in answer.answer
    assert "《港資工廠申請資助指引》" in (answer.source or "")


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_closed_window_is_said_to_be_closed(assistant: Assistant, lang: Lang) -> None:
    entry = _with_period(assistant.kb)
    assert entry.period is not None and entry.period.closes is not None
    after = entry.period.closes + dt.timedelta(days=1)
    text = assistant.render(entry, lang, after)
    expected = assistant.kb.say(
        "period_closed",
        lang,
        label=entry.period.label.get(lang),
        date=format_date(entry.period.closes, lang),
    )
    assert expected in text


def test_open_window_is_said_to_be_open(assistant: Assistant) -> None:
    entry = _with_period(assistant.kb)
    assert entry.period is not None and entry.period.closes is not None
    text = assistant.render(entry, "en", entry.period.closes)
    assert f"is open until {format_date(entry.period.closes, 'en')}" in text
    assert "closed" not in text.split("\n\n")[-1]


def test_figures_of_an_ended_phase_are_labelled_with_the_phase_in_force(
    assistant: Assistant,
) -> None:
    entry = _with_old_phase(assistant.kb)
    today_text = assistant.render(entry, "en", TODAY)
    assert "ended on 31 March 2025" in today_text
    assert "May 2025 to 30 June 2027" in today_text
    before_end = assistant.render(entry, "en", dt.date(2024, 6, 1))
    assert "ended on" not in before_end


def test_out_of_scope_question_is_not_claimed_and_offers_a_person(assistant: Assistant) -> None:
    answer = assistant.ask("What's the weather tomorrow?", today=TODAY)
    assert not answer.matched and answer.faq_id is None
    assert "/staff" in answer.answer and "2788 5588" in answer.answer


def test_vague_question_gets_suggestions_in_the_users_language(assistant: Assistant) -> None:
    answer = assistant.ask("資助", today=TODAY)
    if answer.matched:  # a one-word question may be confident; then it must be about funding
        assert "資助" in answer.answer
        return
    assert answer.suggestions, answer
    for suggestion in answer.suggestions:
        assert suggestion.question in assistant.kb.entry(suggestion.faq_id).questions.yue


@pytest.mark.parametrize(
    "text", ["", "   ", "🙂🙂🙂", "\u200b\u200d", "a" * 4000, "資" * 4000, "\x00\x01\x02"]
)
def test_odd_input_gets_a_polite_answer_not_an_error(assistant: Assistant, text: str) -> None:
    answer = assistant.ask(text, today=TODAY)
    assert answer.answer.strip()
    assert not answer.matched or answer.faq_id is not None


def test_json_shape_is_stable(assistant: Assistant) -> None:
    data = assistant.ask("How can I contact the programme?", today=TODAY).to_dict()
    assert ["lang", "matched", "faq_id", "score", "answer", "source", "suggestions"] == list(data)


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_a_phase_that_has_not_begun_is_not_called_ended(assistant: Assistant, lang: Lang) -> None:
    entry = next(e for e in assistant.kb.faq if e.phase == "phase_2025_2027")
    text = assistant.render(entry, lang, dt.date(2025, 4, 20))
    assert (
        assistant.kb.say(
            "phase_not_started",
            lang,
            phase=assistant.kb.programme.phase("phase_2025_2027").name.get(lang),
            date=format_date(dt.date(2025, 5, 14), lang),
        )
        in text
    )
    assert not any(
        word in text for word in ("ended on 30 June 2027", "2027年6月30日結束", "2027年6月30日结束")
    )


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_between_phases_old_figures_are_still_labelled(assistant: Assistant, lang: Lang) -> None:
    entry = _with_old_phase(assistant.kb)
    text = assistant.render(entry, lang, dt.date(2025, 4, 20))
    assert format_date(dt.date(2025, 3, 31), lang) in text.split("\n\n")[-1]


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_an_undated_source_is_said_to_be_undated(assistant: Assistant, lang: Lang) -> None:
    osi = assistant.kb.entry("osi_eligibility")  # an answer from the undated SME page
    entry = osi.model_copy(update={"phase": "undated"})
    note = assistant.kb.say("phase_undated", lang)
    assert note in assistant.render(entry, lang, TODAY)
    assert note not in assistant.render(entry.model_copy(update={"phase": None}), lang, TODAY)


@pytest.mark.parametrize(
    ("question", "numbers"),
    [
        ("標志計劃有冇熱線？", ["2788 5099"]),
        ("What's the phone number of the Recognition Scheme secretariat?", ["2788 5099"]),
        ("标志计划的查询电话是多少？", ["2788 5099"]),
        ("伙伴計劃熱線同標志計劃熱線係咩？", ["2788 5099", "2788 5588"]),
        (
            "What is the hotline for the funding programme, and for the logo scheme?",
            ["2788 5588", "2788 5099"],
        ),
    ],
)
def test_recognition_questions_get_the_recognition_scheme_secretariat(
    assistant: Assistant, question: str, numbers: list[str]
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert answer.matched
    for number in numbers:
        assert number in answer.answer


@pytest.mark.parametrize("lang", ["en", "yue", "zh"])
def test_applications_go_by_email_to_the_secretariat_not_to_the_enquiry_address(
    assistant: Assistant, lang: Lang
) -> None:
    entry = assistant.kb.entry("app_forms_submission")
    text = entry.answer.get(lang)
    assert "enquiry@cleanerproduction.hk" not in text or any(
        word in text for word in ("enquiry address", "查詢電郵", "查询电邮", "查詢地址", "查询地址")
    )


@pytest.mark.parametrize(
    ("question", "lang", "parts"),
    [
        (
            "How long from applying to approval? And how long after the project until we get paid?",
            "en",
            2,
        ),
        ("由申請到批要幾耐？做完個項目又要幾耐先收到錢", "yue", 2),
        ("实地评估资助多少？另外申请要交什么文件", "zh", 2),
    ],
)
def test_two_questions_in_one_message_get_both_answers_and_sources(
    assistant: Assistant, question: str, lang: Lang, parts: int
) -> None:
    answer = assistant.ask(question, lang=lang)
    assert answer.matched
    separately = [
        assistant.ask(part, lang=lang) for part in question_parts(question, assistant.kb.words)
    ]
    assert parts == len({a.faq_id for a in separately if a.matched})
    for part in separately:
        assert part.answer in answer.answer
        assert part.source is not None and all(
            s in (answer.source or "") for s in part.source.split("; ")
        )


def test_one_question_is_not_split(assistant: Assistant) -> None:
    for text in (
        "DP同埋OSI嘅上限係幾多",
        "What is CPPP?",
        "The DP(I) ceiling is 450k? thx",
    ):
        assert [text] == question_parts(text, assistant.kb.words)


def test_a_greeting_sentence_before_the_question_is_no_second_question(
    assistant: Assistant,
) -> None:
    text = "hi, sorry to bother. our factory is in Dongguan, can we apply?"
    assert 2 == len(question_parts(text, assistant.kb.words))  # sentences, as with 。
    answer = assistant.ask(text, today=TODAY)
    assert answer.matched and "\n\n" not in answer.answer.split("[")[0].strip()
    alone = assistant.ask("our factory is in Dongguan, can we apply?", today=TODAY)
    assert alone.faq_id == answer.faq_id and alone.answer == answer.answer  # the greeting aside
