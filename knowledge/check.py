"""``cppbot kb check``: the knowledge base must be provably grounded in the programme's documents.

A wrong figure from a government enquiry bot is the worst bug we can ship, so every number,
e-mail address and web address in an answer must occur in one of the documents the entry cites.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from knowledge.loader import SOURCES_DIR, KnowledgeBase, KnowledgeError, load_knowledge
from knowledge.models import LANGS, FaqEntry, Source, Text
from knowledge.text import CJK, is_simplified_only, is_traditional_only, to_halfwidth

_MULTIPLIERS = {
    "萬": 10_000,
    "万": 10_000,
    "億": 100_000_000,
    "亿": 100_000_000,
    "k": 1_000,
    "m": 1_000_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}
_NUMBER = re.compile(
    r"(?<![0-9.])(\d+(?:[,，]\d{3})*(?:\.\d+)?)\s*(萬|万|億|亿|million\b|billion\b|k\b|m\b)?",
    re.IGNORECASE,
)
# "3億1千1百萬" (311 million) as the 2022 guide writes it.
_COMPOUND = re.compile(r"(\d+)億((?:\d+[千百十])+)萬")
_UNITS = {"千": 1000, "百": 100, "十": 10}
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://)?(?:www\.)[\w.-]+(?:/[\w./-]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge data, said so a staff member can fix it."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _value(digits: str, unit: str | None) -> Decimal | None:
    try:
        value = Decimal(digits.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if unit:
        value *= _MULTIPLIERS[unit.lower()]
    return value.normalize()


def figures(text: str) -> Iterator[tuple[str, Decimal | None]]:
    """Yield each number written in ``text`` as (as written, value with any 萬/million applied)."""
    text = to_halfwidth(text)
    for match in _COMPOUND.finditer(text):
        tens_of_thousands = sum(
            int(digits) * _UNITS[unit] for digits, unit in re.findall(r"(\d+)([千百十])", match[2])
        )
        value = Decimal(match[1]) * 100_000_000 + Decimal(tens_of_thousands) * 10_000
        yield match.group(0), value.normalize()
    for match in _NUMBER.finditer(text):
        yield match.group(0).strip(), _value(match.group(1), match.group(2))


@dataclass(frozen=True)
class SourceFacts:
    """What a document states: its numbers (as written and as values), e-mails and web addresses."""

    raw: frozenset[str]
    values: frozenset[Decimal]
    emails: frozenset[str]
    urls: frozenset[str]

    @classmethod
    def of(cls, text: str) -> SourceFacts:
        text = to_halfwidth(text).replace("\\$", "$")
        found = list(figures(text))
        # "25 Jun 2025" in an English source supports "6月25日" in a Chinese answer.
        months = {
            str(number)
            for number, name in enumerate(_MONTHS, 1)
            if re.search(rf"\b{name[:3]}", text, re.IGNORECASE)
        }
        return cls(
            raw=frozenset(re.sub(r"[,，\s]", "", written) for written, _ in found) | months,
            values=frozenset(v for _, v in found if v is not None),
            emails=frozenset(e.lower() for e in _EMAIL.findall(text)),
            urls=frozenset(_bare_url(u) for u in _URL.findall(text)),
        )

    def __or__(self, other: SourceFacts) -> SourceFacts:
        return SourceFacts(
            self.raw | other.raw,
            self.values | other.values,
            self.emails | other.emails,
            self.urls | other.urls,
        )


def _bare_url(url: str) -> str:
    return re.sub(r"^https?://", "", url.lower()).rstrip("/.")


def unsupported(text: str, facts: SourceFacts) -> list[str]:
    """The figures, e-mails and web addresses in ``text`` that the sources do not state."""
    text = to_halfwidth(text)
    missing: list[str] = []
    for email in _EMAIL.findall(text):
        if email.lower() not in facts.emails:
            missing.append(email)
    without_emails = _EMAIL.sub(" ", text)
    for url in _URL.findall(without_emails):
        if not any(_bare_url(url).startswith(known) for known in facts.urls):
            missing.append(url)
    for written, value in figures(_URL.sub(" ", without_emails)):
        raw = re.sub(r"[,，\s]", "", written)
        if raw in facts.raw or (value is not None and value in facts.values):
            continue
        missing.append(written)
    return missing


def date_stated(text: str, day: dt.date) -> bool:
    """Whether ``text`` writes ``day``, as 2020 年 5 月 14 日 or 14 May 2020."""
    text = to_halfwidth(text)
    if f"{day.year}年{day.month}月{day.day}日" in re.sub(r"\s+", "", text):
        return True
    month = _MONTHS[day.month - 1][:3]
    return bool(re.search(rf"(?<!\d)0?{day.day}\s+{month}[a-z]*\.?,?\s+{day.year}", text, re.I))


def default_sources_dir() -> Path:
    """``../shared/seeds`` beside the checkout when present (the ground truth), else the copy."""
    shared = SOURCES_DIR.parents[2] / "shared" / "seeds"
    return shared if shared.is_dir() else SOURCES_DIR


class SourceLibrary:
    """The programme documents, read once, with the facts each states."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._facts: dict[str, SourceFacts] = {}
        self._texts: dict[str, str] = {}

    def names(self) -> list[str]:
        return sorted(path.name for path in self.directory.glob("*.txt"))

    def text(self, doc: str) -> str:
        if doc not in self._texts:
            self._texts[doc] = (self.directory / doc).read_text(encoding="utf-8")
        return self._texts[doc]

    def facts(self, sources: Iterable[Source]) -> SourceFacts:
        merged = SourceFacts(frozenset(), frozenset(), frozenset(), frozenset())
        for source in sources:
            if source.doc not in self._facts:
                self._facts[source.doc] = SourceFacts.of(self.text(source.doc))
            merged = merged | self._facts[source.doc]
        return merged


def _script_problems(where: str, text: Text) -> Iterator[Problem]:
    if CJK.search(text.en):
        yield Problem(where, "en text contains Chinese characters (write it all in English)")
    if any(is_simplified_only(ch) for ch in text.yue):
        bad = "".join(sorted({ch for ch in text.yue if is_simplified_only(ch)}))
        yield Problem(where, f"yue text has Simplified characters {bad!r}")
    if any(is_traditional_only(ch) for ch in text.zh):
        bad = "".join(sorted({ch for ch in text.zh if is_traditional_only(ch)}))
        yield Problem(where, f"zh text has Traditional characters {bad!r}")


def _entry_problems(entry: FaqEntry, where: str, library: SourceLibrary) -> Iterator[Problem]:
    known = set(library.names())
    for source in entry.sources:
        if source.doc not in known:
            yield Problem(where, f"source {source.doc!r} is not one of the programme documents")
            return
        if not source.section.strip():
            yield Problem(where, f"source {source.doc!r} names no section")
    facts = library.facts(entry.sources)
    for lang in LANGS:
        for figure in unsupported(entry.answer.get(lang), facts):
            yield Problem(where, f"{lang} answer states {figure!r}, not found in its sources")
    yield from _script_problems(where + " answer", entry.answer)
    for lang, texts in (("yue", entry.questions.yue), ("zh", entry.questions.zh)):
        for question in texts:
            checker = is_simplified_only if lang == "yue" else is_traditional_only
            if any(checker(ch) for ch in question):
                yield Problem(where, f"{lang} question {question!r} is in the wrong script")


def check_knowledge(kb: KnowledgeBase, sources_dir: Path | None = None) -> list[Problem]:
    """Every problem in the loaded knowledge base; empty when it is fit to ship."""
    library = SourceLibrary(sources_dir or default_sources_dir())
    problems: list[Problem] = []
    for entry in kb.faq:
        where = f"faq/{kb.faq_files[entry.id]} {entry.id}"
        problems.extend(_entry_problems(entry, where, library))
    programme = kb.programme
    for scheme in programme.schemes:
        for rule in scheme.funding:
            facts = library.facts([rule.source])
            for figure in (rule.ceiling_hkd, round(rule.share * 100), rule.duration_months):
                if figure is not None and unsupported(str(figure), facts):
                    problems.append(
                        Problem(f"programme.yaml {scheme.id}", f"{figure} not in {rule.source.doc}")
                    )
    recognition = programme.recognition
    rules: list[tuple[Source, float | None]] = [
        (programme.shareholding.source, programme.shareholding.mainland_more_than_pct),
        (programme.shareholding.source, programme.shareholding.applicant_at_least_pct),
        *((programme.procurement.source, t.up_to_hkd) for t in programme.procurement.tiers),
        *((programme.procurement.source, t.count) for t in programme.procurement.tiers),
        *(
            (recognition.source, count)
            for count in (
                recognition.year,
                recognition.cost_options,
                recognition.cost_options_with_voc_nox,
                recognition.manufacturing_demonstration_projects,
                recognition.excel_demonstration_projects,
                recognition.excel_logos,
                recognition.supply_chain_factories,
                recognition.technology_service_projects,
            )
        ),
    ]
    for source, limit in rules:
        if limit is not None and unsupported(f"{limit:g}", library.facts([source])):
            problems.append(Problem("programme.yaml", f"{limit:g} not in {source.doc}"))
    for name in ("opens", "closes", "since", "compliance_since"):
        day: dt.date = getattr(recognition, name)
        if not date_stated(library.text(recognition.source.doc), day):
            problems.append(
                Problem(
                    f"programme.yaml recognition.{name}", f"{day} not in {recognition.source.doc}"
                )
            )
    for contact in programme.contacts:
        facts = library.facts([contact.source])
        for value in (contact.phone, contact.fax, contact.email, contact.website):
            if value and unsupported(value, facts):
                problems.append(Problem(f"programme.yaml {contact.id}", f"{value} not in source"))
    for key, text in kb.messages.items():
        problems.extend(_script_problems(f"messages.yaml {key}", text))
    return problems


def run_check(data_dir: Path | None = None, sources_dir: Path | None = None) -> list[str]:
    """Load and check; returns the problems as lines (empty list means all good)."""
    try:
        kb = load_knowledge(data_dir)
    except KnowledgeError as exc:
        return [str(exc)]
    return [str(problem) for problem in check_knowledge(kb, sources_dir)]


if __name__ == "__main__":  # pragma: no cover - convenience for content editors
    import sys

    lines = run_check()
    print("\n".join(lines) or "knowledge base OK")
    sys.exit(1 if lines else 0)
