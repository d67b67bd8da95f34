"""What the user sees for a free-text question: sourced answers, dated status, honest misses."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.answer import Assistant, format_date
from knowledge.loader import KnowledgeBase
from knowledge.models import FaqEntry, Lang
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
