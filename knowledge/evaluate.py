"""Score the assistant on an enquiry set (format: tests/eval/README.md).

An in-scope enquiry passes when the bot claims a match, answers in the script of the enquiry's
language, and the answer holds one alternative of every ``must`` group (both sides folded to
Simplified, lower-cased, spaces and commas removed). An out-of-scope enquiry passes when the bot
does not claim a match.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from knowledge.answer import Answer, Assistant
from knowledge.models import LANGS, Lang
from knowledge.text import CJK, is_simplified_only, is_traditional_only, to_simplified


class Enquiry(BaseModel):
    """One line of an evaluation set."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    lang: Lang
    q: str
    must: tuple[tuple[str, ...], ...] = ()
    oos: bool = False


def load_enquiries(path: Path) -> list[Enquiry]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(Enquiry.model_validate(json.loads(line)))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: {exc}") from exc
    return items


def fold_for_match(text: str) -> str:
    return re.sub(r"[\s,，]", "", to_simplified(text).lower())


def script_ok(text: str, lang: Lang) -> bool:
    """Is ``text`` written in the script of ``lang``?"""
    if lang == "en":
        return not CJK.search(text)
    if not CJK.search(text):
        return False
    if lang == "yue":
        return not any(is_simplified_only(ch) for ch in text)
    return not any(is_traditional_only(ch) for ch in text)


def missing_groups(enquiry: Enquiry, answer: Answer) -> list[tuple[str, ...]]:
    folded = fold_for_match(answer.answer)
    return [
        group for group in enquiry.must if not any(fold_for_match(alt) in folded for alt in group)
    ]


@dataclass(frozen=True)
class Judgement:
    enquiry: Enquiry
    answer: Answer
    passed: bool
    why: str


def judge(enquiry: Enquiry, answer: Answer) -> Judgement:
    if enquiry.oos:
        ok = not answer.matched
        return Judgement(enquiry, answer, ok, "" if ok else f"claimed {answer.faq_id}")
    if not answer.matched:
        return Judgement(enquiry, answer, False, "not matched")
    if not script_ok(answer.answer, enquiry.lang):
        return Judgement(enquiry, answer, False, f"answered in {answer.lang}, not {enquiry.lang}")
    missing = missing_groups(enquiry, answer)
    if missing:
        return Judgement(enquiry, answer, False, f"{answer.faq_id} lacks {missing}")
    return Judgement(enquiry, answer, True, "")


@dataclass
class Report:
    outcomes: list[Judgement] = field(default_factory=list)

    def in_scope(self, lang: Lang | None = None) -> list[Judgement]:
        return [
            o
            for o in self.outcomes
            if not o.enquiry.oos and (lang is None or o.enquiry.lang == lang)
        ]

    def out_of_scope(self) -> list[Judgement]:
        return [o for o in self.outcomes if o.enquiry.oos]

    @staticmethod
    def rate(outcomes: list[Judgement]) -> float:
        return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 1.0

    def accuracy(self, lang: Lang | None = None) -> float:
        return self.rate(self.in_scope(lang))

    def rejection(self) -> float:
        return self.rate(self.out_of_scope())

    def misses(self) -> list[Judgement]:
        return [o for o in self.outcomes if not o.passed]

    def summary(self) -> str:
        lines = []
        per_lang: dict[str, int] = defaultdict(int)
        for outcome in self.in_scope():
            per_lang[outcome.enquiry.lang] += 1
        for lang in LANGS:
            if per_lang[lang]:
                lines.append(
                    f"top-1 accuracy {lang:>3}: {self.accuracy(lang):6.1%}"
                    f"  ({sum(o.passed for o in self.in_scope(lang))}/{per_lang[lang]})"
                )
        scope = self.in_scope()
        lines.append(
            f"top-1 accuracy all: {self.accuracy():6.1%}  ({sum(o.passed for o in scope)}/{len(scope)})"
        )
        oos = self.out_of_scope()
        lines.append(
            f"out-of-scope rejection: {self.rejection():6.1%}  "
            f"({sum(o.passed for o in oos)}/{len(oos)})"
        )
        return "\n".join(lines)

    def miss_lines(self) -> Iterable[str]:
        for outcome in self.misses():
            e = outcome.enquiry
            yield f"MISS {e.id} [{e.lang}] {e.q!r}: {outcome.why} (score {outcome.answer.score:.2f})"


def evaluate(assistant: Assistant, enquiries: Iterable[Enquiry]) -> Report:
    report = Report()
    for enquiry in enquiries:
        report.outcomes.append(judge(enquiry, assistant.ask(enquiry.q)))
    return report
