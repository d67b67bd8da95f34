"""The eligibility check: the documents' rules as a function, and the dialogue that asks for them.

``evaluate`` is the rule book: answers in, one verdict per scheme out (eligible, not eligible, or
needs review), each with a one-sentence reason and the section it rests on. ``step`` is the
dialogue: it asks only the questions whose answers change a verdict, in a sensible order.
``cppbot eligibility --answers JSON`` calls ``evaluate`` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flows import core
from flows.core import Button, Context, FlowState, Reply, Result
from flows.questionnaire import YES_NO, Needed, Question, Questionnaire, first_needed
from flows.typed import parse_percentage
from knowledge.models import Lang, Source

FLOW = "eligibility"
SCHEMES = (
    "onsite_assessment",
    "demonstration_project",
    "new_technology_project",
    "organisation_support",
)
ANSWER_KEYS = {
    "hk_registered": bool,
    "org_type": ("company", "trade_association"),
    "site": ("hk_factory", "gd_factory", "hk_workshop", "none"),
    "gd_relation": (
        "joint_venture",
        "wholly_owned",
        "processing_trade",
        "hk_resident_owner",
        "none",
    ),
    "mainland_share_pct": float,
    "applicant_share_pct": float,
    "polluting_process": bool,
}

_GUIDE = "funding-guide-2022-zh-hant.txt"
_LEAFLET = "leaflet-2025-2027-bilingual.txt"
_SME = "sme-support-page-en.txt"
SOURCES = {
    "onsite_assessment": Source(doc=_GUIDE, section="1.3 誰可申請？"),
    "demonstration_project": Source(doc=_GUIDE, section="1.3 誰可申請？ (iii)"),
    "new_technology_project": Source(doc=_LEAFLET, section="申請資格 Eligibility"),
    "organisation_support": Source(
        doc=_SME, section="Eligibility and Requirement: Organisation Support Initiative"
    ),
}


def validate_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``--answers`` JSON against this flow's keys (see ``core.validate_answers``)."""
    return core.validate_answers(raw, ANSWER_KEYS)


@dataclass(frozen=True)
class Verdict:
    """One scheme's outcome: ``eligible`` is True, False, or None (needs review / unanswered)."""

    scheme: str
    eligible: bool | None
    reason: str  # a message key
    source: Source
    values: tuple[tuple[str, Any], ...] = ()


def _factory_verdicts(a: Mapping[str, Any], rule: Any) -> dict[str, tuple[bool | None, str]]:
    """On-site assessment, DP and new-technology verdicts for a company."""
    site_rules: dict[str, Callable[[], dict[str, tuple[bool | None, str]]]] = {
        "hk_factory": lambda: _all(True, "elig_reason_hk_factory"),
        "gd_factory": lambda: _all(*_guangdong(a, rule)),
        "hk_workshop": lambda: _workshop(a.get("polluting_process")),
        "none": lambda: _all(False, "elig_reason_no_site"),
    }
    if a.get("hk_registered") is False:
        return _all(False, "elig_reason_not_registered")
    if a.get("hk_registered") is None:
        return _all(None, "elig_reason_registration_unknown")
    site = a.get("site")
    if site is None:
        return _all(None, "elig_reason_site_unknown")
    return site_rules[site]()


def _all(eligible: bool | None, reason: str) -> dict[str, tuple[bool | None, str]]:
    return {scheme: (eligible, reason) for scheme in SCHEMES[:3]}


def _guangdong(a: Mapping[str, Any], rule: Any) -> tuple[bool | None, str]:
    relation = a.get("gd_relation")
    if relation is None:
        return None, "elig_reason_gd_relation_unknown"
    if relation in ("joint_venture", "wholly_owned", "processing_trade"):
        return True, "elig_reason_gd_relation"
    if relation == "none":
        return False, "elig_reason_gd_none"
    mainland, applicant = a.get("mainland_share_pct"), a.get("applicant_share_pct")
    if mainland is None or applicant is None:
        return None, "elig_reason_shares_unknown"
    meets = mainland > rule.mainland_more_than_pct and applicant >= rule.applicant_at_least_pct
    return (True, "elig_reason_shares_ok") if meets else (False, "elig_reason_shares_fail")


def _workshop(polluting: bool | None) -> dict[str, tuple[bool | None, str]]:
    if polluting is None:
        return _all(None, "elig_reason_workshop_unknown")
    if not polluting:
        return _all(False, "elig_reason_workshop_not_polluting")
    return {
        "onsite_assessment": (False, "elig_reason_workshop_onsite"),
        "demonstration_project": (True, "elig_reason_workshop_dp"),
        "new_technology_project": (None, "elig_reason_workshop_newtech"),
    }


def _association(a: Mapping[str, Any]) -> tuple[bool | None, str]:
    registered = a.get("hk_registered")
    if registered is None:
        return None, "elig_reason_osi_unknown"
    return (True, "elig_reason_osi_yes") if registered else (None, "elig_reason_osi_not_registered")


def evaluate(answers: Mapping[str, Any], ctx: Context) -> tuple[Verdict, ...]:
    """Every scheme's verdict for ``answers`` (validated keys; missing ones mean unanswered)."""
    rule = ctx.kb.programme.shareholding
    org = answers.get("org_type")
    outcome: dict[str, tuple[bool | None, str]]
    if org == "trade_association":
        outcome = {s: (False, "elig_reason_association_not_factory") for s in SCHEMES[:3]}
        outcome["organisation_support"] = _association(answers)
    else:
        outcome = _factory_verdicts(answers, rule)
        outcome["organisation_support"] = (
            (False, "elig_reason_osi_company")
            if org == "company"
            else (None, "elig_reason_org_unknown")
        )
    values = (
        ("more_than", f"{rule.mainland_more_than_pct:g}"),
        ("at_least", f"{rule.applicant_at_least_pct:g}"),
        ("mainland", f"{answers.get('mainland_share_pct', 0):g}"),
        ("applicant", f"{answers.get('applicant_share_pct', 0):g}"),
        (
            "osi_share",
            f"{ctx.kb.programme.scheme('organisation_support').funding[0].share * 100:g}",
        ),
    )
    return tuple(
        Verdict(scheme, *outcome[scheme], _source(scheme, outcome[scheme][1], rule), values)
        for scheme in SCHEMES
    )


def _source(scheme: str, reason: str, rule: Any) -> Source:
    if reason.startswith("elig_reason_shares"):
        return rule.source  # type: ignore[no-any-return]
    return SOURCES[scheme]


def reason_text(verdict: Verdict, ctx: Context, lang: Lang) -> str:
    text = ctx.say(verdict.reason, lang, **dict(verdict.values))
    if verdict.scheme in ("onsite_assessment", "demonstration_project") and verdict.eligible:
        text += " " + ctx.say("elig_phase_note", lang)
    return text


def source_text(source: Source, ctx: Context, lang: Lang) -> str:
    return f"{ctx.kb.documents[source.doc].get(lang)}, {source.section}"


def verdicts_json(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> dict[str, Any]:
    """The ``cppbot eligibility --json`` shape."""
    return {
        "schemes": [
            {
                "id": v.scheme,
                "eligible": v.eligible,
                "reason": reason_text(v, ctx, lang),
                "source": source_text(v.source, ctx, lang),
            }
            for v in verdicts
        ]
    }


def scheme_name(scheme: str, ctx: Context, lang: Lang) -> str:
    return ctx.say(f"scheme_{scheme}", lang)


def render_verdicts(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> str:
    lines = [ctx.say("elig_result_header", lang)]
    for v in verdicts:
        status = ctx.say(f"elig_status_{str(v.eligible).lower()}", lang)
        lines.append(
            f"\n• {scheme_name(v.scheme, ctx, lang)}: {status}\n  {reason_text(v, ctx, lang)}\n"
            f"  ({ctx.say('source_label', lang)}: {source_text(v.source, ctx, lang)})"
        )
    lines.append("\n" + ctx.say("elig_result_footer", lang))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ dialogue


QUESTIONS = {
    "org_type": Question("org_type", "elig_q_org_type", ("company", "trade_association")),
    "hk_registered": Question("hk_registered", "elig_q_hk_registered", YES_NO),
    "site": Question("site", "elig_q_site", ("hk_factory", "gd_factory", "hk_workshop", "none")),
    "gd_relation": Question(
        "gd_relation",
        "elig_q_gd_relation",
        ("joint_venture", "wholly_owned", "processing_trade", "hk_resident_owner", "none"),
    ),
    "mainland_share_pct": Question("mainland_share_pct", "elig_q_mainland_share_pct", None),
    "applicant_share_pct": Question("applicant_share_pct", "elig_q_applicant_share_pct", None),
    "polluting_process": Question("polluting_process", "elig_q_polluting_process", YES_NO),
}


def next_question(answers: Mapping[str, Any]) -> str | None:
    """The first question whose answer is still needed for a verdict; None when all are known."""
    order: list[tuple[str, Needed]] = [
        ("org_type", lambda a: True),
        ("hk_registered", lambda a: True),
        ("site", lambda a: a["org_type"] == "company" and a["hk_registered"] is True),
        ("gd_relation", lambda a: a.get("site") == "gd_factory"),
        ("mainland_share_pct", lambda a: a.get("gd_relation") == "hk_resident_owner"),
        ("applicant_share_pct", lambda a: a.get("gd_relation") == "hk_resident_owner"),
        ("polluting_process", lambda a: a.get("site") == "hk_workshop"),
    ]
    return first_needed(order, answers)


class Eligibility(Questionnaire):
    """The eligibility dialogue: ``evaluate``'s questions, asked only when they matter."""

    flow = FLOW
    first = "org_type"
    questions = QUESTIONS
    bad_number = "elig_bad_percentage"

    def intro(self, lang: Lang, ctx: Context) -> Reply:
        return Reply(ctx.say("elig_intro", lang))

    def next_question(self, answers: Mapping[str, Any], ctx: Context) -> str | None:
        return next_question(answers)

    def prompt(self, question: Question, state: FlowState, ctx: Context) -> str:
        """A trade association is asked whether *it* is registered, not "your company"."""
        key = question.prompt
        if question.key == "hk_registered" and state.answers.get("org_type") == "trade_association":
            key = "elig_q_association_registered"
        return ctx.say(key, state.lang)

    def option_label(self, question: Question, value: str, ctx: Context, lang: Lang) -> str:
        if value in YES_NO:
            return ctx.say(f"button_{value}", lang)
        if value == "none":
            key = "elig_opt_site_none" if question.key == "site" else "elig_opt_relation_none"
            return ctx.say(key, lang)
        return ctx.say(f"elig_opt_{value}", lang)

    def read_number(self, text: str) -> float | None:
        return parse_percentage(text)

    def finish(self, state: FlowState, ctx: Context) -> Result:
        lang = state.lang
        verdicts = evaluate(state.answers, ctx)
        buttons = (
            (Button(ctx.say("elig_next_estimate", lang), "estimate:start"),),
            (Button(ctx.say("elig_next_apply", lang), "faq:app_how_to_apply"),),
            (Button(ctx.say("rec_button_start", lang), "recognition:start"),),
            (Button(ctx.say("button_person", lang), "nav:person"),),
        )
        return Result(state, (Reply(render_verdicts(verdicts, ctx, lang), buttons),))


CHECK = Eligibility()
start, new_state, step = CHECK.start, CHECK.new_state, CHECK.step
