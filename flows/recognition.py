"""The Recognition Scheme check: which of the four logos a new applicant may apply for.

Like ``flows.eligibility``, ``evaluate`` is the rule book (sections 2 and 4 of the Recognition
Scheme guide: answers in, one verdict per category out, each with a one-sentence reason and the
section it rests on) and ``step`` is the dialogue, which asks only the questions whose answers
change a verdict. Every threshold and date comes from ``recognition:`` in ``programme.yaml``; the
result says, against ``ctx.today``, whether the round those rules belong to is open or closed.
Renewal criteria (section 5) are different and are not evaluated here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from flows import core
from flows.buttons import PERSON, Faq, FlowButton
from flows.core import Button, Context, FlowState, Reply
from flows.questionnaire import YES_NO, Needed, Question, Questionnaire, first_needed
from flows.verdicts import Verdict, met_today, phase_line, render, sentences, to_json
from knowledge.dates import format_date
from knowledge.models import Lang, PhaseStatus, RecognitionRule
from knowledge.numerals import NumeralError, numbers_in
from knowledge.words import Words, fold, mentions, read_yes_no

FLOW = "recognition"
CATEGORIES = (
    "recognition_manufacturing",
    "recognition_excel",
    "recognition_supply_chain",
    "recognition_technology_service",
)
ROLES = ("manufacturer", "supply_chain", "service_provider")
ROLE_OF = {
    "recognition_manufacturing": "manufacturer",
    "recognition_excel": "manufacturer",
    "recognition_supply_chain": "supply_chain",
    "recognition_technology_service": "service_provider",
}
ANSWER_KEYS: dict[str, Any] = {
    "role": ROLES,
    # manufacturer: Partners and Excel Partners (Manufacturing)
    "hk_company": bool,
    "dp_count": int,
    "onsite_assessment": bool,
    "gd_audit": bool,
    "gd_title": bool,
    "partner_logo_repeated": bool,
    "penalty_record": bool,
    # buyer / trading company: Partners (Supply Chain)
    "business_registered": bool,
    "recommended_factories": bool,
    "buys_from_recognised": bool,
    # environmental technology service provider: Partners (Technology Service)
    "registered_etsp": bool,
    "project_count": int,
    "complaint_record": bool,
}

# (who may apply, the same for the "Hong Kong company" footnote, legal compliance): clauses.yaml
_CLAUSES = {
    "recognition_manufacturing": ("rec_2_1", "rec_2_1_footnote_4", "rec_4_1_compliance"),
    "recognition_excel": ("rec_2_2", "rec_2_2_footnote_4", "rec_4_2_compliance"),
    "recognition_supply_chain": ("rec_2_3", "rec_2_3", "rec_4_3"),
    "recognition_technology_service": ("rec_2_4", "rec_2_4", "rec_4_4"),
}
# The clause each route or criterion reason rests on.
_REASON_CLAUSE = {
    "rec_reason_mfg_onsite": "rec_4_1_route_1",
    "rec_reason_mfg_dps": "rec_4_1_route_2",
    "rec_reason_mfg_audit": "rec_4_1_route_3",
    "rec_reason_mfg_route_unknown": "rec_4_1_route",
    "rec_reason_mfg_no_route": "rec_4_1_route",
    "rec_reason_excel_logos": "rec_4_2_route_1",
    "rec_reason_excel_renewal_review": "rec_4_2_route_1_renewal",
    "rec_reason_excel_dps": "rec_4_2_route_2",
    "rec_reason_excel_title": "rec_4_2_route_3",
    "rec_reason_excel_route_unknown": "rec_4_2_route",
    "rec_reason_excel_no_route": "rec_4_2_route",
    "rec_reason_sc_recommended": "rec_4_3_route_1",
    "rec_reason_sc_buys": "rec_4_3_route_2",
    "rec_reason_sc_no_route": "rec_4_3",
    "rec_reason_sc_route_unknown": "rec_4_3",
    "rec_reason_ts_ok": "rec_4_4",
    "rec_reason_ts_too_few": "rec_4_4_projects",
    "rec_reason_ts_projects_unknown": "rec_4_4_projects",
    "rec_reason_ts_complaint": "rec_4_4_complaints",
    "rec_reason_ts_complaint_unknown": "rec_4_4_complaints",
}


def validate_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers given as JSON against this flow's keys (see ``core.validate_answers``)."""
    return core.validate_answers(raw, ANSWER_KEYS)


# ----------------------------------------------------------------------------------- the rules

Finding = tuple[bool | None, str]
"""What one criterion found: met (True), not met (False) or unknown (None), and why."""


def _manufacturing_route(a: Mapping[str, Any], rule: RecognitionRule) -> Finding:
    """4.1 一: an on-site assessment with its options done, two DPs, or a municipal audit/title."""
    dps, onsite, audit = a.get("dp_count"), a.get("onsite_assessment"), a.get("gd_audit")
    if dps is not None and dps >= rule.manufacturing_demonstration_projects:
        return True, "rec_reason_mfg_dps"
    if onsite:
        return True, "rec_reason_mfg_onsite"
    if audit:
        return True, "rec_reason_mfg_audit"
    if dps is None or onsite is None or audit is None:
        return None, "rec_reason_mfg_route_unknown"
    return False, "rec_reason_mfg_no_route"


def _excel_route(a: Mapping[str, Any], rule: RecognitionRule) -> Finding:
    """4.2 一: the Partners logo twice plus this year's requirement, three DPs, or a title."""
    dps, title, logos = a.get("dp_count"), a.get("gd_title"), a.get("partner_logo_repeated")
    manufacturing = _manufacturing_route(a, rule)[0]
    if dps is not None and dps >= rule.excel_demonstration_projects:
        return True, "rec_reason_excel_dps"
    if title:
        return True, "rec_reason_excel_title"
    if logos and manufacturing:
        return True, "rec_reason_excel_logos"
    if dps is None or title is None or logos is None or (logos and manufacturing is None):
        return None, "rec_reason_excel_route_unknown"
    if logos:
        # "this year's requirement" may also be met under the renewal criteria (5.2), not here.
        return None, "rec_reason_excel_renewal_review"
    return False, "rec_reason_excel_no_route"


def _factory(a: Mapping[str, Any], route: Finding) -> Finding:
    """A Hong Kong company, a cleaner production route, and a clean legal record since 2024."""
    hk, penalty = a.get("hk_company"), a.get("penalty_record")
    met, reason = route
    if hk is False:
        return False, "rec_reason_not_hk_company"
    if met is False:
        return False, reason
    if penalty is True:
        return False, "rec_reason_penalty"
    if hk is None:
        return None, "rec_reason_hk_company_unknown"
    if met is None:
        return None, reason
    if penalty is None:
        return None, "rec_reason_penalty_unknown"
    return True, reason


def _supply_chain(a: Mapping[str, Any]) -> Finding:
    registered = a.get("business_registered")
    recommended, buys = a.get("recommended_factories"), a.get("buys_from_recognised")
    if registered is False:
        return False, "rec_reason_sc_not_registered"
    if recommended is False and buys is False:
        return False, "rec_reason_sc_no_route"
    if registered is None:
        return None, "rec_reason_sc_registration_unknown"
    if recommended:
        return True, "rec_reason_sc_recommended"
    if buys:
        return True, "rec_reason_sc_buys"
    return None, "rec_reason_sc_route_unknown"


def _technology_service(a: Mapping[str, Any], rule: RecognitionRule) -> Finding:
    registered, projects = a.get("registered_etsp"), a.get("project_count")
    complaint = a.get("complaint_record")
    if registered is False:
        return False, "rec_reason_ts_not_registered"
    if projects is not None and projects < rule.technology_service_projects:
        return False, "rec_reason_ts_too_few"
    if complaint is True:
        return False, "rec_reason_ts_complaint"
    if registered is None:
        return None, "rec_reason_ts_registration_unknown"
    if projects is None:
        return None, "rec_reason_ts_projects_unknown"
    if complaint is None:
        return None, "rec_reason_ts_complaint_unknown"
    return True, "rec_reason_ts_ok"


def _outcomes(a: Mapping[str, Any], rule: RecognitionRule) -> dict[str, Finding]:
    rules: dict[str, Callable[[], Finding]] = {
        "recognition_manufacturing": lambda: _factory(a, _manufacturing_route(a, rule)),
        "recognition_excel": lambda: _factory(a, _excel_route(a, rule)),
        "recognition_supply_chain": lambda: _supply_chain(a),
        "recognition_technology_service": lambda: _technology_service(a, rule),
    }
    role = a.get("role")
    outcome: dict[str, Finding] = {}
    for category in CATEGORIES:
        if role is None:
            outcome[category] = (None, "rec_reason_role_unknown")
        elif role != ROLE_OF[category]:
            outcome[category] = (False, f"rec_reason_{category}_for")
        else:
            outcome[category] = rules[category]()
    return outcome


_WHO_MAY_APPLY = frozenset(
    {
        "rec_reason_role_unknown",
        "rec_reason_sc_not_registered",
        "rec_reason_sc_registration_unknown",
        "rec_reason_ts_not_registered",
        "rec_reason_ts_registration_unknown",
    }
)


def _clause(category: str, reason: str) -> str:
    """The clause a verdict rests on: who may apply (2.x), the criteria (4.x) or compliance."""
    who, company, compliance = _CLAUSES[category]
    if reason.endswith("_for") or reason in _WHO_MAY_APPLY:
        return who
    if reason in ("rec_reason_not_hk_company", "rec_reason_hk_company_unknown"):
        return company
    if reason.startswith("rec_reason_penalty"):
        return compliance
    return _REASON_CLAUSE[reason]


def round_id(rule: RecognitionRule) -> str:
    return f"recognition_{rule.year}"


def round_status(rule: RecognitionRule, today: dt.date) -> PhaseStatus:
    """Whether the round the criteria belong to has not opened, is open, or has closed."""
    if today < rule.opens:
        return "not_started"
    return "in_force" if today <= rule.closes else "ended"


def evaluate(answers: Mapping[str, Any], ctx: Context) -> tuple[Verdict, ...]:
    """Every category's verdict for ``answers`` (validated keys; missing ones mean unanswered).

    The criteria are those of the round the guide describes: once that round has closed, meeting
    them is not a ✅ for a round the documents do not describe, and needs confirmation.
    """
    rule = ctx.kb.programme.recognition
    outcome = _outcomes(answers, rule)
    status = round_status(rule, ctx.today)
    values = (
        *_counts(rule).items(),
        ("dp_count", str(answers.get("dp_count", 0))),
        ("project_count", str(answers.get("project_count", 0))),
    )
    verdicts = []
    for category in CATEGORIES:
        met, reason = outcome[category]
        # Before the round opens its criteria are the ones to meet; after it closes, unknown.
        eligible, timing = met_today(met, status, "rec_when_", confirm=frozenset({"ended"}))
        clause = ctx.kb.clause(_clause(category, reason))
        verdicts.append(
            Verdict(category, eligible, reason, clause, round_id(rule), status, values, timing)
        )
    return tuple(verdicts)


def _counts(rule: RecognitionRule) -> dict[str, str]:
    return {
        "year": str(rule.year),
        "cost_options": str(rule.cost_options),
        "voc_options": str(rule.cost_options_with_voc_nox),
        "dps": str(rule.manufacturing_demonstration_projects),
        "excel_dps": str(rule.excel_demonstration_projects),
        "logos": str(rule.excel_logos),
        "factories": str(rule.supply_chain_factories),
        "projects": str(rule.technology_service_projects),
    }


def _values(ctx: Context, lang: Lang) -> dict[str, str]:
    """Every placeholder the recognition messages use, from programme.yaml, in ``lang``."""
    rule = ctx.kb.programme.recognition
    contact = ctx.kb.programme.contact("recognition_hk")
    return {
        **_counts(rule),
        "opens": format_date(rule.opens, lang),
        "closes": format_date(rule.closes, lang),
        "since": format_date(rule.since, lang),
        "compliance_since": format_date(rule.compliance_since, lang),
        "rec_phone": contact.phone or "",
        "rec_email": contact.email or "",
    }


def reason_text(verdict: Verdict, ctx: Context, lang: Lang) -> str:
    values = {**_values(ctx, lang), **dict(verdict.values)}
    timing = ctx.say(verdict.timing, lang, **values) if verdict.timing else ""
    return sentences(lang, ctx.say(verdict.reason, lang, **values), timing)


def phase_text(verdict: Verdict, ctx: Context, lang: Lang) -> str:
    """ "Phase: the 2025 round (…)", with whether it is open today."""
    rule = ctx.kb.programme.recognition
    name = ctx.say("rec_round_name", lang, **_values(ctx, lang))
    day = rule.opens if verdict.phase_status == "not_started" else rule.closes
    return phase_line(verdict, name, ctx, lang, day)


def round_note(ctx: Context, lang: Lang) -> str:
    """Which round the rules are from, whether it is open today, renewals, whom to ask."""
    rule = ctx.kb.programme.recognition
    status = round_status(rule, ctx.today)
    first = {"ended": "rec_round_closed", "not_started": "rec_round_upcoming"}.get(
        status, "rec_round_open"
    )
    then = "rec_secretariat_next_round" if status == "ended" else "rec_secretariat_apply"
    values = _values(ctx, lang)
    keys = (first, "rec_renewal_note", then)
    return sentences(lang, *(ctx.say(key, lang, **values) for key in keys))


def verdicts_json(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> dict[str, Any]:
    """The ``cppbot recognition --json`` shape."""
    return to_json(verdicts, ctx, lang, reason_text)


def render_verdicts(verdicts: tuple[Verdict, ...], ctx: Context, lang: Lang) -> str:
    footer = round_note(ctx, lang) + "\n\n" + ctx.say("rec_result_footer", lang)
    return render(
        verdicts,
        ctx,
        lang,
        header=ctx.say("rec_result_header", lang, **_values(ctx, lang)),
        footer=footer,
        explain=reason_text,
        phase_of=phase_text,
    )


# ------------------------------------------------------------------------------ typed numbers


def parse_count(text: str, words: Words) -> int | None:
    """2, "2個", "兩個", "三個或以上", "3+", "five", "冇" → the count; None when unclear.

    A bound ("fewer than 5", "唔夠五個"), a vague amount ("幾個"), "not sure", or a numeral
    that is not one number ("兩三個", "二零二零") is not a count: ask again. "More than 4" is
    read as 5, the least number it allows; a "no" answer (冇, none) as 0. The words around a
    count are ``counts`` in ``words.yaml``; the numerals are read by ``knowledge.numerals``.
    """
    counts = words.counts
    said = read_yes_no(text, words)
    if said == "unsure" or mentions(text, counts.fewer.all() + counts.vague.all()):
        return None
    if mentions(text, counts.none.all()):
        return 0
    folded = fold(text)
    # A year ("since 2020") is not a count.
    without_years = re.sub(r"(?<!\d)(?:19|20)\d\d(?!\d)\s*年?", " ", folded)
    try:
        found = numbers_in(without_years)
    except NumeralError:
        return None
    if any(number != number.to_integral_value() for number in found):
        return None  # "1.5"
    numbers = {int(number) for number in found}
    numbers |= {counts.numbers[w] for w in re.findall(r"[a-z]+", folded) if w in counts.numbers}
    if len(numbers) > 1:
        return None
    if numbers:
        count = numbers.pop()
        return count + 1 if mentions(text, counts.more.all()) else count
    return 0 if said == "no" or mentions(text, counts.zero.all()) else None


# ------------------------------------------------------------------------------------ dialogue


QUESTIONS = {
    "role": Question("role", "rec_q_role", ROLES),
    "hk_company": Question("hk_company", "rec_q_hk_company", YES_NO),
    "dp_count": Question("dp_count", "rec_q_dp_count", None),
    "onsite_assessment": Question("onsite_assessment", "rec_q_onsite_assessment", YES_NO),
    "gd_audit": Question("gd_audit", "rec_q_gd_audit", YES_NO),
    "gd_title": Question("gd_title", "rec_q_gd_title", YES_NO),
    "partner_logo_repeated": Question(
        "partner_logo_repeated", "rec_q_partner_logo_repeated", YES_NO
    ),
    "penalty_record": Question("penalty_record", "rec_q_penalty_record", YES_NO),
    "business_registered": Question("business_registered", "rec_q_business_registered", YES_NO),
    "recommended_factories": Question(
        "recommended_factories", "rec_q_recommended_factories", YES_NO
    ),
    "buys_from_recognised": Question("buys_from_recognised", "rec_q_buys_from_recognised", YES_NO),
    "registered_etsp": Question("registered_etsp", "rec_q_registered_etsp", YES_NO),
    "project_count": Question("project_count", "rec_q_project_count", None),
    "complaint_record": Question("complaint_record", "rec_q_complaint_record", YES_NO),
}
# The count questions' buttons go up to the number a rule needs ("3 or more").
_CAPS: dict[str, Callable[[RecognitionRule], int]] = {
    "dp_count": lambda rule: rule.excel_demonstration_projects,
    "project_count": lambda rule: rule.technology_service_projects,
}


def count_options(key: str, rule: RecognitionRule) -> tuple[int, ...]:
    """1, 2, …, cap ("or more") and 0 last, so a number typed in the console means itself."""
    return (*range(1, _CAPS[key](rule) + 1), 0)


def next_question(answers: Mapping[str, Any], rule: RecognitionRule) -> str | None:
    """The first question whose answer is still needed for a verdict; None when all are known."""

    def company(a: Mapping[str, Any]) -> bool:
        return a.get("role") == "manufacturer" and a.get("hk_company") is True

    def fewer_dps(a: Mapping[str, Any], needed: int) -> bool:
        return company(a) and a.get("dp_count", 0) < needed

    order: list[tuple[str, Needed]] = [
        ("role", lambda a: True),
        ("hk_company", lambda a: a["role"] == "manufacturer"),
        ("dp_count", company),
        (
            "onsite_assessment",
            lambda a: fewer_dps(a, rule.manufacturing_demonstration_projects),
        ),
        (
            "gd_audit",
            lambda a: (
                fewer_dps(a, rule.manufacturing_demonstration_projects)
                and a.get("onsite_assessment") is False
            ),
        ),
        ("gd_title", lambda a: fewer_dps(a, rule.excel_demonstration_projects)),
        (
            "partner_logo_repeated",
            lambda a: (
                fewer_dps(a, rule.excel_demonstration_projects) and a.get("gd_title") is False
            ),
        ),
        (
            "penalty_record",
            lambda a: (
                company(a)
                and (
                    _manufacturing_route(a, rule)[0] is not False
                    or _excel_route(a, rule)[0] is not False
                )
            ),
        ),
        ("business_registered", lambda a: a["role"] == "supply_chain"),
        ("recommended_factories", lambda a: a.get("business_registered") is True),
        ("buys_from_recognised", lambda a: a.get("recommended_factories") is False),
        ("registered_etsp", lambda a: a["role"] == "service_provider"),
        ("project_count", lambda a: a.get("registered_etsp") is True),
        (
            "complaint_record",
            lambda a: a.get("project_count", 0) >= rule.technology_service_projects,
        ),
    ]
    return first_needed(order, answers)


def _count_label(count: int, cap: int, ctx: Context, lang: Lang) -> str:
    if count == 0:
        return ctx.say("rec_opt_count_none", lang)
    if count == cap:
        return ctx.say("rec_opt_count_or_more", lang, n=cap)
    return str(count)


class Recognition(Questionnaire):
    """The Recognition Scheme dialogue: ``evaluate``'s questions, asked only when they matter."""

    name = FLOW
    first = "role"
    questions = QUESTIONS
    bad_number = "rec_bad_count"

    def intro(self, lang: Lang, ctx: Context) -> Reply:
        return Reply(ctx.say("rec_intro", lang, **_values(ctx, lang)))

    def next_question(self, answers: Mapping[str, Any], ctx: Context) -> str | None:
        return next_question(answers, ctx.kb.programme.recognition)

    def prompt(self, question: Question, state: FlowState, ctx: Context) -> str:
        return ctx.say(question.prompt, state.lang, **_values(ctx, state.lang))

    def option_label(self, question: Question, value: str, ctx: Context, lang: Lang) -> str:
        if value in YES_NO:
            return ctx.say(f"button_{value}", lang)
        return ctx.say(f"rec_opt_{value}", lang)

    def number_buttons(
        self, question: Question, ctx: Context, lang: Lang
    ) -> list[tuple[Button, ...]]:
        """1 … cap on one row, "none" below."""
        counts = count_options(question.key, ctx.kb.programme.recognition)
        cap = max(counts)
        buttons = [
            Button(_count_label(n, cap, ctx, lang), FlowButton(FLOW, str(n))) for n in counts
        ]
        return [tuple(buttons[:-1]), (buttons[-1],)]

    def pressed(self, question: Question, value: str, ctx: Context) -> Any:
        if question.options is not None:
            return super().pressed(question, value, ctx)
        valid = {str(n) for n in count_options(question.key, ctx.kb.programme.recognition)}
        return int(value) if value in valid else None

    def read_number(self, text: str, ctx: Context) -> int | None:
        return parse_count(text, ctx.kb.words)

    def result(self, state: FlowState, ctx: Context) -> Reply:
        lang = state.lang
        verdicts = evaluate(state.answers, ctx)
        buttons = (
            (Button(ctx.say("rec_next_apply", lang), Faq("rec_how_to_apply")),),
            (Button(ctx.say("button_person", lang), PERSON),),
        )
        return Reply(render_verdicts(verdicts, ctx, lang), buttons)


DIALOGUE = Recognition().flow
STEPS = DIALOGUE.step_names
new_state, step = DIALOGUE.new_state, DIALOGUE.step
