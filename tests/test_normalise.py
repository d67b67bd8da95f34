"""Normalisation folds the many ways of writing one question into one form."""

from __future__ import annotations

from knowledge.answer import Assistant
from knowledge.normalise import default_normaliser
from knowledge.text import to_halfwidth


def test_full_width_forms_become_half_width() -> None:
    assert "DP1 HK$45,000 (I)" == to_halfwidth("ＤＰ１　ＨＫ＄４５，０００ （Ｉ）")


def test_cantonese_and_putonghua_fold_to_the_same_words() -> None:
    n = default_normaliser()
    yue = n.words(n.fold("實地評估資助幾多錢？"))
    zh = n.words(n.fold("实地评估资助多少钱？"))
    assert yue == zh


def test_abbreviations_meet_full_names_across_languages() -> None:
    n = default_normaliser()
    concepts = {
        "DP(II) 上限幾多": "dp_two",
        "示範項目(II)資助上限": "dp_two",
        "demonstration project (ii) ceiling": "dp_two",
        "三來一補工廠": "sanlai",
        "processing trade factory": "sanlai",
        "OSI 資助": "osi",
        "机构支援项目资助": "osi",
    }
    for text, concept in concepts.items():
        assert concept in n.words(n.fold(text)), text


def test_english_words_are_stemmed() -> None:
    n = default_normaliser()
    assert n.words(n.fold("quotations")) == n.words(n.fold("quotation"))
    assert n.words(n.fold("applying")) == n.words(n.fold("apply"))


def test_misspelt_english_words_are_mapped_to_the_faq_vocabulary(assistant: Assistant) -> None:
    index = assistant.index
    assert ["quotation", "tender"] == index.correct(["quotaton", "tendr"])
    assert ["weather"] == index.correct(["weather"])  # no FAQ word is close: left alone


def test_real_english_words_are_never_respelt(assistant: Assistant) -> None:
    """ "sorry" is close to "story" and "bother" to "other", but they are words, not typos."""
    index = assistant.index
    assert ["sorry", "bother", "thanks"] == index.correct(["sorry", "bother", "thanks"])
    assert "hi, sorry to bother" == index.respell("hi, sorry to bother")


def test_a_misspelt_concept_meets_its_concept(assistant: Assistant) -> None:
    """A typo inside a synonym phrase ("on site assesment") is put right before the synonyms
    are matched, so it reads as the on-site assessment concept, as the right spelling does."""
    index = assistant.index
    assert (
        index.query("on site assessment subsidy").words
        == index.query("on site assesment subsidy").words
    )
    assert index.query("demonstration project").words == index.query("demostration project").words
