"""The programme's arithmetic: the most a scheme pays for a project cost, from ``programme.yaml``.

The estimate dialogue (``flows.estimate``) and the answer to a question that states a cost
("our DP costs 600k, how much would we get?", ``knowledge.answer``) both use it, so a figure is
computed one way wherever it is shown. No figure lives here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from knowledge.dates import format_date
from knowledge.loader import KnowledgeBase
from knowledge.models import Lang, PhaseStatus, Procurement, Programme


class EstimateError(ValueError):
    """A scheme or cost that cannot be estimated; the message says why."""


Quotations = Literal["per_purchase", "silent", "none"]


@dataclass(frozen=True)
class Estimate:
    """The result, in the shape ``cppbot estimate --json`` prints.

    ``subsidy_hkd`` is a maximum: the documents say "not more than 50%" / "up to 90%", capped at
    the ceiling. ``quotations`` says whether the per-purchase quotation tiers apply to the scheme
    ("per_purchase"), whether its documents are silent on procurement ("silent"), or whether no
    documented rule concerns it ("none": a consultancy fee, OSI).
    """

    scheme: str
    phase: str | None
    phase_status: PhaseStatus
    cost_hkd: Decimal
    subsidy_hkd: Decimal
    applicant_pays_hkd: Decimal
    ceiling_hkd: int | None
    share: float
    quotations: Quotations

    def to_json(self, procurement: Procurement) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "phase": self.phase,
            "phase_status": self.phase_status,
            "cost_hkd": _number(self.cost_hkd),
            "subsidy_hkd": _number(self.subsidy_hkd),
            "subsidy_is_maximum": True,
            "applicant_pays_hkd": _number(self.applicant_pays_hkd),
            "ceiling_hkd": self.ceiling_hkd,
            "share": self.share,
            "quotations": _quotations_json(procurement)
            if self.quotations == "per_purchase"
            else None,
            "quotations_documented": self.quotations != "silent",
        }


def _quotations_json(procurement: Procurement) -> dict[str, Any]:
    return {
        "per": "purchase",
        "phase": procurement.phase,
        "section": procurement.source.section,
        "tiers": [tier.model_dump() for tier in procurement.tiers],
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _quotations(scheme_id: str, procurement: Procurement) -> Quotations:
    if scheme_id in procurement.applies_to:
        return "per_purchase"
    return "silent" if scheme_id in procurement.silent_for else "none"


def estimate(programme: Programme, scheme_id: str, cost_hkd: Decimal, today: dt.date) -> Estimate:
    """The maximum subsidy = share × cost, capped at the ceiling of the phase in force on
    ``today``; the applicant pays the rest."""
    ids = [s.id for s in programme.schemes]
    if scheme_id not in ids:
        raise EstimateError(f"unknown scheme {scheme_id!r}; choose one of: {', '.join(ids)}")
    if cost_hkd <= 0:
        raise EstimateError("the project cost must be more than zero")
    rule = programme.funding_rule(scheme_id, today)
    subsidy = (cost_hkd * Decimal(str(rule.share))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if rule.ceiling_hkd is not None:
        subsidy = min(subsidy, Decimal(rule.ceiling_hkd))
    subsidy = subsidy.normalize() if subsidy == subsidy.to_integral_value() else subsidy
    return Estimate(
        scheme=scheme_id,
        phase=rule.phase,
        phase_status=programme.phase_status(rule.phase, today),
        cost_hkd=cost_hkd,
        subsidy_hkd=subsidy,
        applicant_pays_hkd=cost_hkd - subsidy,
        ceiling_hkd=rule.ceiling_hkd,
        share=rule.share,
        quotations=_quotations(scheme_id, programme.procurement),
    )


def money(value: Decimal | int) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def summary(result: Estimate, kb: KnowledgeBase, lang: Lang) -> str:
    """The estimate in a few lines: the scheme and cost, the most it pays (a share up to a
    ceiling), the least the applicant pays, and whose rule it is (the phase, and whether that
    phase is in force today)."""
    scheme = kb.programme.scheme(result.scheme)
    capped = ""
    if result.ceiling_hkd is not None:
        key = "est_capped" if result.subsidy_hkd >= result.ceiling_hkd else "est_ceiling"
        capped = kb.say(key, lang, ceiling=money(result.ceiling_hkd))
    return kb.say(
        "est_result",
        lang,
        scheme=scheme.name.get(lang),
        cost=money(result.cost_hkd),
        subsidy=money(result.subsidy_hkd),
        share=f"{result.share * 100:g}",
        capped=capped,
        pays=money(result.applicant_pays_hkd),
        phase=_phase_text(result, kb, lang),
    )


def _phase_text(result: Estimate, kb: KnowledgeBase, lang: Lang) -> str:
    """Which phase's rule was applied, and whether that phase is in force today."""
    if result.phase is None:
        return kb.say("est_no_phase", lang)
    phase = kb.programme.phase(result.phase)
    day = phase.status_date(result.phase_status)
    return kb.say(
        f"est_phase_{result.phase_status}",
        lang,
        phase=phase.name.get(lang),
        date=format_date(day, lang) if day else "",
    )
