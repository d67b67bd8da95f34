"""`cppbot kb check`: the data ships only when every figure is grounded in its source."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.check import (
    SourceDocument,
    SourceFacts,
    accepted_phases,
    disagreements,
    expected_phase,
    run_check,
    section_exists,
    section_problems,
    unsupported,
)
from knowledge.loader import SOURCES_DIR, KnowledgeBase
from knowledge.models import Trilingual


def _edit_contact(data: Path, **answer: str) -> None:
    path = data / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["answer"].update(answer)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def test_shipped_knowledge_passes() -> None:
    assert [] == run_check()


def test_invented_phone_number_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call the Secretariat on (852) 2788 5599.")
    problems = run_check(data_copy)
    assert any("'5599'" in p and "contact_secretariat" in p for p in problems), problems


def test_invented_email_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, zh="请发电邮至 help@cleanerproduction.hk。")
    problems = run_check(data_copy)
    assert any("help@cleanerproduction.hk" in p for p in problems), problems


def test_ten_thousands_are_understood() -> None:
    facts = SourceFacts.of("每個項目的資助上限為45,000元；示範項目(I)上限為45萬元")
    assert [] == unsupported("上限4.5萬港元，即45,000港元；DP(I) 450,000港元", facts)
    assert ["46,000"] == unsupported("上限46,000港元", facts)


def test_simplified_characters_in_cantonese_answer_are_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, yue="请致电秘书处 (852) 2788 5588。")
    problems = run_check(data_copy)
    assert any("yue text has Simplified" in p for p in problems), problems


def test_chinese_in_english_answer_is_reported(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call 秘書處 on (852) 2788 5588.")
    problems = run_check(data_copy)
    assert any("en text contains Chinese" in p for p in problems), problems


def test_missing_language_is_reported(data_copy: Path) -> None:
    path = data_copy / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    del entries[0]["answer"]["zh"]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    problems = run_check(data_copy)
    assert len(problems) == 1
    assert "contact_secretariat" in problems[0] and "answer.zh" in problems[0]


def test_duplicate_id_is_reported(data_copy: Path) -> None:
    source = (data_copy / "faq" / "contact.yaml").read_text(encoding="utf-8")
    (data_copy / "faq" / "zz_copy.yaml").write_text(source, encoding="utf-8")
    problems = run_check(data_copy)
    assert any("duplicate id 'contact_secretariat'" in p for p in problems), problems


def test_unknown_source_document_is_reported(data_copy: Path) -> None:
    path = data_copy / "faq" / "contact.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["sources"][0]["doc"] = "brochure-2030.txt"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    problems = run_check(data_copy)
    assert any("brochure-2030.txt" in p for p in problems), problems


def test_command_exits_non_zero_with_a_clear_message(data_copy: Path) -> None:
    _edit_contact(data_copy, en="Call the Secretariat on (852) 2788 5599.")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "check", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 1 == result.returncode
    assert "5599" in result.stderr and "not found in its sources" in result.stderr


def test_command_reports_counts_when_all_is_well() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "kb", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode, result.stderr
    assert "knowledge base OK" in result.stdout


# --------------------------------------------------------------------- helpers for broken data

GUIDE_DOC = "funding-guide-2022-zh-hant.txt"
LEAFLET_DOC = "leaflet-2025-2027-bilingual.txt"
SME_DOC = "sme-support-page-en.txt"
RECOGNITION_DOC = "recognition-scheme-2025-guide-zh-hans.txt"
SEMINAR_DOC = "seminar-2025-06-25-en.txt"
TODAY = dt.date(2026, 11, 21)


def _add_entry(data: Path, **changes: Any) -> None:
    """Add one FAQ entry of our own (faq/zz_probe.yaml), so the test does not depend on the
    shipped entries' wording."""
    entry: dict[str, Any] = {
        "id": "zz_probe",
        "topic": "probe",
        "phase": "phase_2020_2025",
        "sources": [{"doc": GUIDE_DOC, "section": "1.1.2"}],
        "questions": {"en": ["Probe?"], "yue": ["測試？"], "zh": ["测试？"]},
        "answer": {
            "en": "An on-site assessment is funded up to HK$45,000.",
            "yue": "實地評估資助上限係4.5萬港元。",
            "zh": "实地评估资助上限为45,000港元。",
        },
    }
    entry.update(changes)
    path = data / "faq" / "zz_probe.yaml"
    path.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")


def _add_message(data: Path, **text: str) -> None:
    path = data / "messages" / "zz_probe.yaml"
    path.write_text(yaml.safe_dump({"zz_probe": text}, allow_unicode=True), encoding="utf-8")


def _edit_yaml(path: Path, edit: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_our_probe_entry_and_message_pass(data_copy: Path) -> None:
    _add_entry(data_copy)
    _add_message(data_copy, en="Call {phone}.", yue="請致電 {phone}。", zh="请致电 {phone}。")
    assert [] == [p for p in run_check(data_copy) if "zz_probe" in p]


# ------------------------------------------------------------------- 1. cited sections exist

# A small document in the shape of the programme's: a table of contents, numbered headings,
# lists of (i)/(a), 一/1. items, a footnote and a bilingual heading.
DOC = """目錄
1. 一般資料.....1
2. 評審準則.....2

1. 一般資料
1.1 目的
- 1.1.1 政府將資助一半的評估費用。
1.3 誰可申請？
1.3.1 香港公司¹：
(i) 與廣東省工廠有以下關係：
- (a) 合資企業；或
- (b) 獨資企業。
或
(ii) 擁有位於香港的工廠。
¹ 見詞彙表。
2. 評審準則
2.1 標志
一. 執行方案的要求：
1. 完成實地評估；或
2. 完成兩個示範項目；或
二.法律法規的要求：
1. 沒有違規記錄。
申請資格* Eligibility*
- i) 在香港設立工廠;或
- ii) 在廣東省設立工廠
"""


@pytest.mark.parametrize(
    ("expected", "section"),
    [
        (True, "1.1.1"),
        (True, "1.1 目的"),
        (True, "1. 一般資料"),
        (True, "1.3.1 (i)"),
        (True, "1.3.1 (i) (b)"),
        (True, "1.3.1 (i)(b)"),
        (True, "1.3.1 (ii)"),
        (False, "1.3.1 (iii)"),
        (False, "1.3.1 (ii) (a)"),  # (a) is in (i), not in (ii)
        (False, "1.2"),
        (False, "1.1 誰可申請"),  # words of 1.3, not of 1.1
        (True, "1.3 誰可申請"),
        (True, "2.1; 一; 2."),  # heading 2.1, its item 一, and item 2. inside that
        (True, "2.1 一 2."),
        (True, "2.1; 二; 1."),
        (False, "2.1; 二; 2."),
        (False, "2.1; 三"),
        (True, "1.1.1; 1.3.1 (ii); 2.1 標志"),  # three references
        (False, "1.1.1; 1.3.1 (iv); 2.1"),
        (True, "1.3.1 註1"),
        (False, "1.3.1 註2"),
        (True, "1. 一般資料 (1.1, 1.3.1)"),
        (False, "1. 一般資料 (2.1)"),  # 2.1 is not part of 1.
        (True, "1.1–1.3"),
        (True, "申請資格 Eligibility"),
        (True, "申請資格 Eligibility; ii)"),
        (False, "申請資格 Eligibility; iii)"),
        (True, "ＥＬＩＧＩＢＩＬＩＴＹ"),  # full-width and case folded
        (True, "香港 工廠"),
        (False, "Eligibility and Requirement"),
        (False, "applications from 14 May per seminar-2025-06-25-en.txt"),
    ],
)
def test_section_exists(expected: bool, section: str) -> None:
    assert expected == section_exists(DOC, section)


def test_a_table_of_contents_line_is_not_the_heading() -> None:
    document = SourceDocument(DOC)
    start, end = document.headings[(1,)]
    assert document.text[start:end].startswith("1. 一般資料\n1.1 目的")
    assert document.text[start:end].endswith("見詞彙表。\n")


def test_a_numbered_list_under_a_heading_is_not_a_heading() -> None:
    assert [(1,), (1, 1), (1, 1, 1), (1, 3), (1, 3, 1), (2,), (2, 1)] == list(
        SourceDocument(DOC).headings
    )


@pytest.mark.parametrize(
    ("expected", "section"),
    [
        (["the document has no numbered heading 1.2"], "1.2 表一"),
        (["no item '(a)' in section 1.3.1 (ii)"], "1.3.1 (ii) (a)"),
        (["no item '2.' in section 2.1 二"], "2.1; 二; 2."),
        (["'誰可申請' does not occur in section 1.1"], "1.1 誰可申請"),
        (["'Title' does not occur in the document"], "Title; 1.1"),
        (["no item 'iii)' in the text after 'Eligibility'"], "申請資格 Eligibility; iii)"),
        (["the document has no footnote 2"], "1.3.1 註2"),
        (["2.1 is not part of 1."], "1. 一般資料 (2.1)"),
        (["no section is named"], " "),
    ],
)
def test_section_problems_say_what_is_missing(expected: list[str], section: str) -> None:
    assert expected == section_problems(DOC, section)


def test_a_marker_part_after_a_missing_reference_is_not_reported_twice() -> None:
    assert ["no item '三' in section 2.1"] == section_problems(DOC, "2.1; 三; 1.")


@pytest.mark.parametrize(
    ("expected", "doc", "section"),
    [
        (True, RECOGNITION_DOC, "4.1; 一; 2."),
        (True, RECOGNITION_DOC, "4.2; 一; 1.; 5.2"),
        (False, RECOGNITION_DOC, "4.1; 一; 4."),
        (False, RECOGNITION_DOC, "4.3; 3."),
        (True, RECOGNITION_DOC, "2. 参加资格 (注4)"),
        (True, RECOGNITION_DOC, "5.2–5.5 续期准则 (注)"),
        (True, GUIDE_DOC, "1.3.1 (i)(d)"),
        (True, GUIDE_DOC, "2.3.2 (iii)"),
        (False, GUIDE_DOC, "2.3.2 (iv)"),
        (True, GUIDE_DOC, "3.3 示範項目所需的設備採購及擁有權 (3.3.3)"),
        (False, GUIDE_DOC, "1.2 計劃簡介"),
        (True, GUIDE_DOC, "詞彙表 三來一補; 1.3.1 (i)(c)"),
        (True, LEAFLET_DOC, "申請資格 Eligibility; iii)"),
        (True, LEAFLET_DOC, "申請資格 Eligibility; Business Registration Ordinance (Cap. 310)"),
        (False, LEAFLET_DOC, "title (May 2025 - Jun 2027)"),
        (True, SME_DOC, "Eligibility and Requirement (4)"),
        (False, SME_DOC, "Eligibility and Requirement (5)"),
        (False, SME_DOC, "Eligibility and Requirement - Organisation Support Initiative"),
        (False, SEMINAR_DOC, "Introduction (applications from May 14)"),
    ],
)
def test_sections_of_the_programme_documents(expected: bool, doc: str, section: str) -> None:
    assert expected == section_exists((SOURCES_DIR / doc).read_text(encoding="utf-8"), section)


def test_every_shipped_citation_names_a_real_section(kb: KnowledgeBase) -> None:
    cited = [(f"clauses.yaml {key}", c.source) for key, c in kb.clauses.items()]
    cited += [(f"faq {e.id}", source) for e in kb.faq for source in e.sources]
    programme = kb.programme
    cited += [(f"phase {p.id}", p.source) for p in programme.phases]
    cited += [(f"scheme {s.id}", r.source) for s in programme.schemes for r in s.funding]
    cited += [(f"contact {c.id}", c.source) for c in programme.contacts]
    cited += [
        ("shareholding", programme.shareholding.source),
        ("procurement", programme.procurement.source),
        ("recognition", programme.recognition.source),
    ]
    documents = {
        doc: SourceDocument((SOURCES_DIR / doc).read_text(encoding="utf-8")) for doc in kb.documents
    }
    missing = [
        (where, source.section, section_problems(documents[source.doc], source.section))
        for where, source in cited
    ]
    assert [] == [m for m in missing if m[2]]


def test_faq_section_not_in_the_document_is_reported(data_copy: Path) -> None:
    _add_entry(data_copy, sources=[{"doc": GUIDE_DOC, "section": "1.1.2 (iv)"}])
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert 1 == len(problems), problems
    assert "faq/zz_probe.yaml zz_probe: section '1.1.2 (iv)' of funding-guide" in problems[0]
    assert "no item '(iv)' in section 1.1.2" in problems[0]


def test_free_text_section_in_programme_is_reported(data_copy: Path) -> None:
    def edit(data: Any) -> None:
        data["phases"][1]["source"]["section"] = "目的 Objectives; applications from 14 May"

    _edit_yaml(data_copy / "programme.yaml", edit)
    problems = [p for p in run_check(data_copy) if "programme.yaml phases" in p]
    assert 1 == len(problems), problems
    assert "'applications from 14 May' does not occur in the document" in problems[0]


def test_clause_naming_an_item_the_section_lacks_is_reported(data_copy: Path) -> None:
    def edit(data: Any) -> None:
        data["zz_probe"] = {"doc": RECOGNITION_DOC, "section": "4.1; 一; 4."}

    _edit_yaml(data_copy / "clauses.yaml", edit)
    problems = [p for p in run_check(data_copy) if "clauses.yaml zz_probe" in p]
    assert 1 == len(problems), problems
    assert "no item '4.' in section 4.1 一" in problems[0]


# ------------------------------------------------------------- 2. the three languages agree


def _text(en: str, yue: str, zh: str) -> Trilingual:
    return Trilingual(en=en, yue=yue, zh=zh)


@pytest.mark.parametrize(
    "text",
    [
        _text(  # 45,000 = 4.5萬; 450,000 = 45萬; HK$100 million = 1億; percentages
            "50% of the fee, up to HK$45,000; DP(I) HK$450,000; in all HK$100 million.",
            "費用50%，上限4.5萬港元；示範項目(I) 45萬港元；總額1億港元。",
            "费用的50%，上限45,000港元；示范项目(I) 450,000港元；总额1亿港元。",
        ),
        _text(  # 311 million = 3億1千1百萬; a year inside a date is part of the date
            "HK$311 million to extend it to 31 March 2025, since 14 May 2020.",
            "港幣3億1千1百萬元，延展至2025年3月31日，自2020年5月14日起。",
            "港币3亿1千1百万元，延展至2025年3月31日，自2020年5月14日起。",
        ),
        _text(  # May 2025 = 2025年5月; a day without its year; 2025/26
            "From May 2025; applications close on 21 July; the 2025/26 fiscal year.",
            "由2025年5月起；2025年7月21日截止；2025/26財政年度。",
            "自2025年5月起；7月21日截止；2025/26财政年度。",
        ),
        _text(  # phones, e-mails and web addresses however they are written
            "Call (852) 2788 5588, e-mail enquiry@cleanerproduction.hk or see "
            "www.cleanerproduction.hk.",
            "致電 2788-5588，電郵 enquiry@cleanerproduction.hk，或瀏覽 "
            "http://www.cleanerproduction.hk。",
            "致电 (+852) 2788 5588，电邮 enquiry@cleanerproduction.hk，或浏览 "
            "www.cleanerproduction.hk/。",
        ),
        _text(  # a small count in words in one language, digits in another
            "At least two written quotations, within 3 months, Article 7.",
            "最少2份書面報價，三個月內，第七條。",
            "至少两份书面报价，3个月内，第7条。",
        ),
        _text(  # lists: bullets in one, inline (a) (b) (c) in another; DP(II) is no item
            "• one\n• two\n• three\nDP(I) and DP(II) differ.",
            "(a) 一；(b) 二；及(c) 三。示範項目(I)同示範項目(II)唔同。",
            "1. 一\n2. 二\n3. 三\n示范项目(I)与示范项目(II)不同。",
        ),
        _text("{scheme}: HK${cost}", "{scheme}：{cost}港元", "{scheme}：{cost}港元"),
        _text("10:30 to 11:30 am", "上午10時30分至11時半", "上午10:30至11:30"),
        _text("Jan Feb Mar Apr", "1 2 3 4", "1 2 3 4"),  # a word table the code splits
    ],
)
def test_languages_that_agree_pass(text: Trilingual) -> None:
    assert [] == disagreements(text)


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        (
            [
                "the languages disagree on figures: 45,000 in en/yue but not zh; 46,000 in zh but not en/yue"
            ],
            _text("Up to HK$45,000.", "上限4.5萬港元。", "上限46,000港元。"),
        ),
        (
            ["the languages disagree on figures: 2 in yue/zh but not en"],
            _text("At least three quotations.", "最少2份報價。", "至少2份报价。"),
        ),
        (
            [
                "the languages disagree on dates: 21 July 2025 (2025-07-21) in en/yue but not"
                " zh; 2025年7月22日 (2025-07-22) in zh but not en/yue"
            ],
            _text("Closes on 21 July 2025.", "2025年7月21日截止。", "2025年7月22日截止。"),
        ),
        (
            ["the languages disagree on dates: May 2025 (2025-05) in en/zh but not yue"],
            _text("From May 2025.", "由2025年起。", "自2025年5月起。"),
        ),
        (
            [
                "the languages disagree on e-mail addresses: enquiry@cleanerproduction.hk in"
                " en/yue but not zh; ap@cleanerproduction.hk in zh but not en/yue"
            ],
            _text(
                "E-mail enquiry@cleanerproduction.hk.",
                "電郵 enquiry@cleanerproduction.hk。",
                "电邮 ap@cleanerproduction.hk。",
            ),
        ),
        (
            ["the languages disagree on web addresses: www.gdcpi.com.cn in zh but not en/yue"],
            _text(
                "See www.cleanerproduction.hk.",
                "睇 www.cleanerproduction.hk。",
                "见 www.cleanerproduction.hk 及 www.gdcpi.com.cn。",
            ),
        ),
        (
            ["the languages disagree on phone numbers: 2788 5599 in yue but not en/zh"],
            _text("Call 2788 5588.", "致電 2788 5588 或 2788 5599。", "致电 2788 5588。"),
        ),
        (
            ["the languages disagree on placeholders: {cost} in en/zh but not yue"],
            _text("{scheme}: HK${cost}", "{scheme}：港元", "{scheme}：{cost}港元"),
        ),
        (
            ["the languages have lists of different lengths: en 3 items, yue 2 items, zh 3 items"],
            _text("• a\n• b\n• c", "• 甲\n• 乙", "(a) 甲；(b) 乙；(c) 丙"),
        ),
        (
            ["the word lists have different lengths: en 4 words, yue 3 words, zh 4 words"],
            _text("Jan Feb Mar Apr", "1 2 3", "1 2 3 4"),
        ),
    ],
)
def test_languages_that_disagree_are_reported(expected: list[str], text: Trilingual) -> None:
    assert expected == disagreements(text)


def test_faq_answer_whose_languages_disagree_is_reported(data_copy: Path) -> None:
    _add_entry(
        data_copy,
        answer={
            "en": "An on-site assessment is funded up to HK$45,000.",
            "yue": "實地評估資助上限係45萬港元。",
            "zh": "实地评估资助上限为45,000港元。",
        },
    )
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert [
        "faq/zz_probe.yaml zz_probe answer: the languages disagree on figures: 45,000 in en/zh"
        " but not yue; 45萬 in yue but not en/zh"
    ] == problems


def test_message_whose_languages_disagree_is_reported(data_copy: Path) -> None:
    _add_message(
        data_copy,
        en="Call {phone} or e-mail {email}.",
        yue="請致電 {phone}。",
        zh="请致电 {phone} 或发电邮至 {email}。",
    )
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert [
        "messages/zz_probe.yaml zz_probe: the languages disagree on placeholders: {email} in"
        " en/zh but not yue"
    ] == problems


# ------------------------------------------------------------------------------ 3. phases


@pytest.mark.parametrize(
    ("expected", "docs"),
    [
        ("phase_2020_2025", [GUIDE_DOC]),
        ("phase_2025_2027", [LEAFLET_DOC]),
        ("undated", [SME_DOC]),
        ("phase_2020_2025", [SME_DOC, GUIDE_DOC]),  # an ended phase and undated documents
        (None, [SME_DOC, LEAFLET_DOC]),  # the phase in force and undated documents
        (None, [GUIDE_DOC, LEAFLET_DOC]),  # two phases
        (None, [RECOGNITION_DOC]),  # a document of no phase
        (None, [LEAFLET_DOC, SEMINAR_DOC]),
    ],
)
def test_expected_phase(expected: str | None, docs: list[str], kb: KnowledgeBase) -> None:
    assert expected == expected_phase(docs, kb.programme, TODAY)


def test_a_phase_that_has_ended_labels_what_it_shares_with_undated_documents(
    kb: KnowledgeBase,
) -> None:
    assert None is expected_phase([SME_DOC, GUIDE_DOC], kb.programme, dt.date(2025, 3, 1))
    assert "phase_2025_2027" == expected_phase(
        [SME_DOC, LEAFLET_DOC], kb.programme, dt.date(2027, 7, 1)
    )


def test_entry_without_the_phase_of_its_sources_is_reported(data_copy: Path) -> None:
    _add_entry(data_copy, phase=None)
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert [
        f"faq/zz_probe.yaml zz_probe: its sources ({GUIDE_DOC}) are all documents of"
        " phase_2020_2025: add `phase: phase_2020_2025` so the bot labels its figures with the"
        " phase they belong to"
    ] == problems


def test_entry_citing_only_undated_documents_must_say_so(data_copy: Path) -> None:
    _add_entry(
        data_copy,
        phase=None,
        sources=[{"doc": SME_DOC, "section": "On-site Improvement Assessments"}],
    )
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert 1 == len(problems), problems
    assert "add `phase: undated`" in problems[0]


def test_entry_with_the_wrong_phase_is_reported(data_copy: Path) -> None:
    _add_entry(data_copy, phase="phase_2025_2027")
    problems = [p for p in run_check(data_copy) if "zz_probe" in p]
    assert [
        f"faq/zz_probe.yaml zz_probe: `phase: phase_2025_2027`, but its sources ({GUIDE_DOC})"
        " give phase_2020_2025"
    ] == problems


def test_shipped_entries_carry_the_phase_of_their_sources(kb: KnowledgeBase) -> None:
    unlabelled = []
    for entry in kb.faq:
        docs = [s.doc for s in entry.sources]
        expected = expected_phase(docs, kb.programme, TODAY)
        if expected is not None and entry.phase not in accepted_phases(
            expected, docs, kb.programme
        ):
            unlabelled.append(entry.id)
    assert [] == unlabelled


def test_an_ended_phase_beside_an_undated_page_may_be_labelled_either_way(
    kb: KnowledgeBase,
) -> None:
    guide, sme = "funding-guide-2022-zh-hant.txt", "sme-support-page-en.txt"
    assert {"phase_2020_2025", "undated"} == accepted_phases(
        "phase_2020_2025", [guide, sme], kb.programme
    )
    assert {"phase_2020_2025"} == accepted_phases("phase_2020_2025", [guide], kb.programme)


@pytest.mark.parametrize(
    ("expected", "phase", "doc", "section"),
    [
        (
            f"`phase: phase_2025_2027`, but none of its sources ({RECOGNITION_DOC}, {SME_DOC}) is of that"
            " phase",
            "phase_2025_2027",
            RECOGNITION_DOC,
            "1.4",
        ),
        (
            f"`phase: undated`, but it cites {LEAFLET_DOC}, which is dated",
            "undated",
            LEAFLET_DOC,
            "目的 Objectives",
        ),
    ],
)
def test_entry_naming_a_phase_its_sources_do_not_support_is_reported(
    data_copy: Path, expected: str, phase: str, doc: str, section: str
) -> None:
    _add_entry(
        data_copy,
        phase=phase,
        sources=[{"doc": doc, "section": section}, {"doc": SME_DOC, "section": "Support for SMEs"}],
        answer={"en": "See the guide.", "yue": "請參閱指引。", "zh": "请参阅指引。"},
    )
    assert [f"faq/zz_probe.yaml zz_probe: {expected}"] == [
        p for p in run_check(data_copy) if "zz_probe" in p
    ]
