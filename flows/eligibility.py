"""The eligibility check: the documents' rules as a function, and the dialogue that asks for them.

``evaluate`` is the rule book: answers in, one verdict per scheme out (eligible, not eligible, or
needs review), each with a one-sentence reason and the section it rests on. ``step`` is the
dialogue: it asks only the questions whose answers change a verdict, in a sensible order.
``cppbot eligibility --answers JSON`` calls ``evaluate`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows import core
from flows.buttons import PERSON, START_VALUE, Faq, FlowButton
from flows.core import Button, Context, FlowState, Reply, Result, Text
from flows.engine import UserInput
from flows.questionnaire import YES_NO, Needed, Question, Questionnaire, first_needed
from flows.typed import parse_percentage, typed_option
from flows.verdicts import Verdict, met_today, phase_line, render, sentences, to_json
from knowledge.dates import format_date
from knowledge.models import UNDATED, Lang, ShareholdingRule

FLOW = "eligibility"
SCHEMES = (
    "onsite_assessment",
    "demonstration_project",
    "new_technology_project",
    "organisation_support",
)
SITES = ("hk_factory", "gd_factory", "hk_workshop", "elsewhere", "none")
ANSWER_KEYS = {
    "hk_registered": bool,
    "org_type": ("company", "trade_association"),
    "site": SITES,
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
# The programme.yaml scheme whose funding rules date each verdict (DP(I) and DP(II) share one).
FUNDING_SCHEME = {
    "onsite_assessment": "onsite_assessment",
    "demonstration_project": "demonstration_project_i",
    "new_technology_project": "new_technology_project",
    "organisation_support": "organisation_support",
}
_GUIDE_SCHEMES = SCHEMES[:2]
_RELATION_CLAUSE = {
    "joint_venture": "guide_gd_joint_venture",
    "wholly_owned": "guide_gd_wholly_owned",
    "processing_trade": "guide_gd_processing_trade",
}


def validate_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``--answers`` JSON against this flow's keys (see ``core.validate_answers``)."""
    return core.validate_answers(raw, ANSWER_KEYS)


# A rule's outcome: met (True), not met (False) or not known (None), its reason (a message key)
# and the clause (an id in clauses.yaml) it rests on.
Rule = tuple[bool | None, str, str]
Outcomes = dict[str, Rule]


def _guide_and_leaflet(guide: Rule, leaflet: Rule) -> Outcomes:
    """On-site assessment and DP follow the 2022 guide; the New Technology Project the leaflet."""
    return {
        "onsite_assessment": guide,
        "demonstration_project": guide,
        "new_technology_project": leaflet,
    }


def _same(eligible: bool | None, reason: str, guide: str, leaflet: str) -> Outcomes:
    return _guide_and_leaflet((eligible, reason, guide), (eligible, reason, leaflet))


def _factory_outcomes(a: Mapping[str, Any], rule: ShareholdingRule) -> Outcomes:
    """On-site assessment, DP and New Technology Project for a company, clause by clause.

    A rule that fails on what is known decides even when another answer is missing (a company
    with no factory does not qualify, registered or not); otherwise a missing answer is unknown.
    """
    site = _site_outcomes(a, rule)
    registered = a.get("hk_registered")
    if registered is False:
        return _same(
            False, "elig_reason_not_registered", "guide_who_may_apply", "leaflet_registration"
        )
    unregistered = _same(
        None, "elig_reason_registration_unknown", "guide_who_may_apply", "leaflet_registration"
    )
    return {
        scheme: outcome if registered is True or outcome[0] is False else unregistered[scheme]
        for scheme, outcome in site.items()
    }


def _site_outcomes(a: Mapping[str, Any], rule: ShareholdingRule) -> Outcomes:
    site = a.get("site")
    if site is None:
        return _same(None, "elig_reason_site_unknown", "guide_who_may_apply", "leaflet_eligibility")
    if site == "hk_factory":
        return _guide_and_leaflet(
            (True, "elig_reason_hk_factory", "guide_hk_factory"),
            (True, "elig_reason_leaflet_hk_factory", "leaflet_hk_factory"),
        )
    if site == "gd_factory":
        return _guangdong(a, rule)
    if site == "hk_workshop":
        return _workshop(a.get("polluting_process"))
    if site == "elsewhere":
        return _same(
            False, "elig_reason_elsewhere", "guide_hk_and_guangdong", "leaflet_eligibility"
        )
    return _same(False, "elig_reason_no_site", "guide_who_may_apply", "leaflet_eligibility")


def _guangdong(a: Mapping[str, Any], rule: ShareholdingRule) -> Outcomes:
    relation = a.get("gd_relation")
    if relation is None:
        return _same(
            None, "elig_reason_gd_relation_unknown", "guide_gd_relations", "leaflet_gd_factory"
        )
    if relation in _RELATION_CLAUSE:
        return _guide_and_leaflet(
            (True, "elig_reason_gd_relation", _RELATION_CLAUSE[relation]),
            (True, "elig_reason_leaflet_gd_factory", "leaflet_gd_factory"),
        )
    if relation == "none":
        return _guide_and_leaflet(
            (False, "elig_reason_gd_none", "guide_gd_relations"),
            (False, "elig_reason_leaflet_gd_none", "leaflet_eligibility"),
        )
    mainland, applicant = a.get("mainland_share_pct"), a.get("applicant_share_pct")
    fails = (mainland is not None and mainland <= rule.mainland_more_than_pct) or (
        applicant is not None and applicant < rule.applicant_at_least_pct
    )
    if not fails and (mainland is None or applicant is None):
        return _same(
            None, "elig_reason_shares_unknown", "guide_gd_shareholder", "leaflet_shareholder"
        )
    meets = not fails
    result = "ok" if meets else "fail"
    return _guide_and_leaflet(
        (meets, f"elig_reason_shares_{result}", "guide_gd_shareholder"),
        (meets, f"elig_reason_leaflet_shares_{result}", "leaflet_shareholder"),
    )


def _workshop(polluting: bool | None) -> Outcomes:
    """1.3.1 (iii): a Hong Kong workshop with polluting processes, for demonstration projects only
    (never an on-site assessment); the 2025–2027 leaflet does not mention workshops."""
    onsite: Rule = (False, "elig_reason_workshop_onsite", "guide_workshop")
    if polluting is None:
        unknown: Rule = (None, "elig_reason_workshop_unknown", "guide_workshop")
        return {
            "onsite_assessment": onsite,
            "demonstration_project": unknown,
            "new_technology_project": (None, "elig_reason_workshop_unknown", "leaflet_eligibility"),
        }
    if not polluting:
        return _same(
            False, "elig_reason_workshop_not_polluting", "guide_workshop", "leaflet_eligibility"
        )
    return {
        "onsite_assessment": onsite,
        "demonstration_project": (True, "elig_reason_workshop_dp", "guide_workshop"),
        "new_technology_project": (None, "elig_reason_workshop_newtech", "leaflet_eligibility"),
    }


def _association(a: Mapping[str, Any]) -> Rule:
    registered = a.get("hk_registered")
    if registered is None:
        return None, "elig_reason_osi_unknown", "sme_osi"
    if registered:
        return True, "elig_reason_osi_yes", "sme_osi"
    return False, "elig_reason_osi_not_registered", "sme_osi"


def outcomes(answers: Mapping[str, Any], rule: ShareholdingRule) -> Outcomes:
    """What each scheme's own document says for ``answers``, before today's date is considered."""
    org = answers.get("org_type")
    if org == "trade_association":
        result = _same(
            False,
            "elig_reason_association_not_factory",
            "guide_who_may_apply",
            "leaflet_eligibility",
        )
        result["organisation_support"] = _association(answers)
    elif org == "company":
        result = _factory_outcomes(answers, rule)
        result["organisation_support"] = (False, "elig_reason_osi_company", "sme_osi")
    else:
        result = _same(
            None, "elig_reason_org_unknown", "guide_who_may_apply", "leaflet_eligibility"
        )
        result["organisation_support"] = (None, "elig_reason_org_unknown", "sme_osi")
    return result


def scheme_phase(scheme: str, ctx: Context) -> str:
    """The phase whose documents state ``scheme``'s rules on ``ctx.today`` (or ``undated``)."""
    rule = ctx.kb.programme.funding_rule(FUNDING_SCHEME[scheme], ctx.today)
    return rule.phase or UNDATED


def evaluate(answers: Mapping[str, Any], ctx: Context) -> tuple[Verdict, ...]:
    """Every scheme's verdict for ``answers`` (validated keys; missing ones mean unanswered),
    as of ``ctx.today``: a met rule of a phase not in force today needs confirmation."""
    programme = ctx.kb.programme
    rule = programme.shareholding
    found = outcomes(answers, rule)
    values = (
        ("more_than", f"{rule.mainland_more_than_pct:g}"),
        ("at_least", f"{rule.applicant_at_least_pct:g}"),
        ("mainland", _pct(answers.get("mainland_share_pct"))),
        ("applicant", _pct(answers.get("applicant_share_pct"))),
        ("osi_share", f"{programme.scheme('organisation_support').funding[0].share * 100:g}"),
    )
    verdicts = []
    for scheme in SCHEMES:
        met, reason, clause = found[scheme]
        phase = scheme_phase(scheme, ctx)
        phase_status = programme.phase_status(phase, ctx.today)
        eligible, timing = met_today(met, phase_status, "elig_when_")
        verdicts.append(
            Verdict(
                scheme, eligible, reason, ctx.kb.clause(clause), phase, phase_status, values, timing
            )
        )
    return tuple(verdicts)


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _timing_values(verdict: Verdict, ctx: Context, lang: Lang) -> dict[str, str]:
    """What a timing note says: the rule's phase and dates, and what today's phase offers."""
    programme = ctx.kb.programme
    values = {"document": ctx.kb.documents[verdict.clause.doc].get(lang)}
    if verdict.phase != UNDATED:
        phase = programme.phase(verdict.phase)
        values["phase"] = phase.name.get(lang)
        values["ends"] = format_date(phase.ends, lang)
        values["starts"] = format_date(phase.starts, lang) if phase.starts else ""
    current = programme.phase_in_force(ctx.today)
    if current is None:
        values["today"] = ctx.say("elig_today_no_phase", lang)
    else:
        offered = ctx.say("scheme_list_separator", lang).join(
            ctx.say(f"scheme_{scheme}", lang)
            for scheme in SCHEMES
            if scheme_phase(scheme, ctx) == current.id
        )
        values["today"] = ctx.say(
            "elig_today_phase", lang, current=current.name.get(lang), offered=offered
        )
    return values


def reason_text(verdict: Verdict, ctx: Context, lang: Lang) -> str:
    """The verdict's reason and, for a met rule not in force today, why it needs confirmation."""
    reason = ctx.say(verdict.reason, lang, **dict(verdict.values))
    if verdict.timing is None:
        return reason
    return sentences(
        lang, reason, ctx.say(verdict.timing, lang, **_timing_values(verdict, ctx, lang))
    )


def phase_text(verdict: Verdict, ctx: Context, lang: Lang) -> str:
    """ "Phase: …": which phase the verdict's rule belongs to, and its status today."""
    if verdict.phase == UNDATED:
        name = ctx.say("verdict_undated_source", lang)
        return phase_line(verdict, name, ctx, lang)
    phase = ctx.kb.programme.phase(verdict.phase)
    day = phase.status_date(verdict.phase_status)
    return phase_line(verdict, phase.name.get(lang), ctx, lang, day)


def verdicts_json(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> dict[str, Any]:
    """The ``cppbot eligibility --json`` shape."""
    return to_json(verdicts, ctx, lang, reason_text)


def render_verdicts(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> str:
    return render(
        verdicts,
        ctx,
        lang,
        header=ctx.say("elig_result_header", lang),
        footer=ctx.say("elig_result_footer", lang),
        explain=reason_text,
        phase_of=phase_text,
    )


# ------------------------------------------------------------------------------------ dialogue


QUESTIONS = {
    "org_type": Question("org_type", "elig_q_org_type", ("company", "trade_association")),
    "hk_registered": Question("hk_registered", "elig_q_hk_registered", YES_NO),
    "site": Question("site", "elig_q_site", SITES),
    # asked instead when "where?" was answered with a vague "the mainland"
    "site_place": Question("site", "elig_which_place", SITES),
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

    name = FLOW
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

    def read_number(self, text: str, ctx: Context) -> float | None:
        return parse_percentage(text)

    def read(self, state: FlowState, answer: UserInput, ctx: Context) -> Result:
        """Only Guangdong in the mainland qualifies, so a vague "the mainland" (內地, 大陸, China)
        is never read as Guangdong: the user is asked which city or province."""
        if state.step in ("site", "site_place") and isinstance(answer, Text):
            typed = ctx.kb.typed_answers
            vague = typed_option(answer.text, ("mainland_unspecified",), typed)
            if vague and typed_option(answer.text, SITES, typed) is None:
                if state.step == "site":
                    return self.flow.go(state, ctx, "site_place")
                return self.flow.ask(state, ctx)
        return super().read(state, answer, ctx)

    def result(self, state: FlowState, ctx: Context) -> Reply:
        lang = state.lang
        verdicts = evaluate(state.answers, ctx)
        buttons = (
            (Button(ctx.say("elig_next_estimate", lang), FlowButton("estimate", START_VALUE)),),
            (Button(ctx.say("elig_next_apply", lang), Faq("app_how_to_apply")),),
            (Button(ctx.say("rec_button_start", lang), FlowButton("recognition", START_VALUE)),),
            (Button(ctx.say("button_person", lang), PERSON),),
        )
        return Reply(render_verdicts(verdicts, ctx, lang), buttons)


DIALOGUE = Eligibility().flow
STEPS = DIALOGUE.step_names
new_state, step = DIALOGUE.new_state, DIALOGUE.step
