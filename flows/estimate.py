"""The funding estimate: share of the cost up to the ceiling of the phase in force today.

``estimate`` is the arithmetic, read entirely from ``programme.yaml`` (no figure lives here);
``step`` is the two-question dialogue. Amounts are read as people type them (``flows.amounts``),
and an amount in another currency is refused, never silently taken as Hong Kong dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flows.amounts import AmountError, parse_amount
from flows.core import (
    Button,
    Choice,
    Context,
    Event,
    FlowState,
    Reply,
    Result,
    Text,
    guided_step,
    nav_buttons,
)
from flows.typed import typed_option
from knowledge.answer import format_date
from knowledge.models import FundingRule, Lang, QuotationTier, Scheme

FLOW = "estimate"


class EstimateError(ValueError):
    """A scheme or cost that cannot be estimated; the message says why."""


@dataclass(frozen=True)
class Estimate:
    """The result, in the shape ``cppbot estimate --json`` prints."""

    scheme: str
    phase: str | None
    phase_in_force: bool
    cost_hkd: Decimal
    subsidy_hkd: Decimal
    applicant_pays_hkd: Decimal
    ceiling_hkd: int | None
    share: float
    quotations: QuotationTier
    quotations_phase: str

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "phase": self.phase,
            "cost_hkd": _number(self.cost_hkd),
            "subsidy_hkd": _number(self.subsidy_hkd),
            "applicant_pays_hkd": _number(self.applicant_pays_hkd),
            "ceiling_hkd": self.ceiling_hkd,
            "share": self.share,
            "quotations": {
                "kind": self.quotations.kind,
                "count": self.quotations.count,
                "phase": self.quotations_phase,
            },
        }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _rule(scheme: Scheme, ctx: Context) -> tuple[FundingRule, bool]:
    """The scheme's rule for the phase in force today, else its latest (flagged not in force)."""
    programme = ctx.kb.programme
    current = programme.phase_in_force(ctx.today)
    for rule in scheme.funding:
        if current is not None and rule.phase == current.id:
            return rule, True
    undated = [rule for rule in scheme.funding if rule.phase is None]
    if undated:
        return undated[0], True
    latest = max(scheme.funding, key=lambda r: programme.phase(r.phase or "").ends)
    return latest, False


def estimate(scheme_id: str, cost_hkd: Decimal, ctx: Context) -> Estimate:
    """Subsidy = share × cost, capped at the ceiling; the applicant pays the rest."""
    programme = ctx.kb.programme
    ids = [s.id for s in programme.schemes]
    if scheme_id not in ids:
        raise EstimateError(f"unknown scheme {scheme_id!r}; choose one of: {', '.join(ids)}")
    if cost_hkd <= 0:
        raise EstimateError("the project cost must be more than zero")
    scheme = programme.scheme(scheme_id)
    rule, in_force = _rule(scheme, ctx)
    subsidy = (cost_hkd * Decimal(str(rule.share))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if rule.ceiling_hkd is not None:
        subsidy = min(subsidy, Decimal(rule.ceiling_hkd))
    subsidy = subsidy.normalize() if subsidy == subsidy.to_integral_value() else subsidy
    return Estimate(
        scheme=scheme_id,
        phase=rule.phase,
        phase_in_force=in_force,
        cost_hkd=cost_hkd,
        subsidy_hkd=subsidy,
        applicant_pays_hkd=cost_hkd - subsidy,
        ceiling_hkd=rule.ceiling_hkd,
        share=rule.share,
        quotations=programme.procurement.tier(float(cost_hkd)),
        quotations_phase=programme.procurement.phase,
    )


def money(value: Decimal | int) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _phase_text(phase_id: str | None, in_force: bool, ctx: Context, lang: Lang) -> str:
    if phase_id is None:
        return ctx.say("est_no_phase", lang)
    phase = ctx.kb.programme.phase(phase_id)
    if in_force:
        return phase.name.get(lang)
    return ctx.say(
        "est_phase_ended", lang, phase=phase.name.get(lang), date=format_date(phase.ends, lang)
    )


def render(result: Estimate, ctx: Context, lang: Lang) -> str:
    """The estimate as the user reads it."""
    scheme = ctx.kb.programme.scheme(result.scheme)
    capped = ""
    if result.ceiling_hkd is not None:
        key = "est_capped" if result.subsidy_hkd >= result.ceiling_hkd else "est_ceiling"
        capped = ctx.say(key, lang, ceiling=money(result.ceiling_hkd))
    lines = [
        ctx.say(
            "est_result",
            lang,
            scheme=scheme.name.get(lang),
            cost=money(result.cost_hkd),
            subsidy=money(result.subsidy_hkd),
            share=f"{result.share * 100:g}",
            capped=capped,
            pays=money(result.applicant_pays_hkd),
            phase=_phase_text(result.phase, result.phase_in_force, ctx, lang),
        ),
        ctx.say(f"est_quotations_{result.quotations.kind}", lang, count=result.quotations.count),
        ctx.say(
            "est_quotations_rule",
            lang,
            phase=ctx.kb.programme.phase(result.quotations_phase).name.get(lang),
        ),
        ctx.say("est_disclaimer", lang),
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ dialogue


def _ask_scheme(state: FlowState, ctx: Context, prefix: tuple[Reply, ...] = ()) -> Result:
    lang = state.lang
    rows: list[tuple[Button, ...]] = [
        (Button(scheme.name.get(lang), f"{FLOW}:{scheme.id}"),)
        for scheme in ctx.kb.programme.schemes
    ]
    rows.append(nav_buttons(ctx, lang, back=False))
    return Result(state, (*prefix, Reply(ctx.say("est_q_scheme", lang), tuple(rows))))


def _ask_cost(state: FlowState, ctx: Context, prefix: tuple[Reply, ...] = ()) -> Result:
    reply = Reply(ctx.say("est_q_cost", state.lang), (nav_buttons(ctx, state.lang),))
    return Result(state, (*prefix, reply))


def start(lang: Lang, ctx: Context, scheme: str | None = None) -> Result:
    state = FlowState(flow=FLOW, step="scheme", lang=lang)
    if scheme in {s.id for s in ctx.kb.programme.schemes}:
        return _ask_cost(state.ask("cost", scheme=scheme), ctx)
    return _ask_scheme(state, ctx)


def _scheme_answer(state: FlowState, event: Event, ctx: Context) -> Result:
    ids = tuple(s.id for s in ctx.kb.programme.schemes)
    chosen: str | None = None
    if isinstance(event, Choice) and event.value.startswith(f"{FLOW}:"):
        chosen = event.value.split(":", 1)[1]
    elif isinstance(event, Text):
        phrases = {
            s.id: tuple(s.name.get(lang) for lang in ("en", "yue", "zh"))
            for s in ctx.kb.programme.schemes
        }
        chosen = typed_option(event.text, ids, {**phrases, **ctx.kb.typed_answers})
    if chosen not in ids:
        return _ask_scheme(state, ctx, (Reply(ctx.say("flow_not_understood", state.lang)),))
    return _ask_cost(state.ask("cost", scheme=chosen), ctx)


def _cost_answer(state: FlowState, event: Event, ctx: Context) -> Result:
    lang = state.lang
    if not isinstance(event, Text):
        return _ask_cost(state, ctx, (Reply(ctx.say("est_bad_amount", lang)),))
    try:
        amount = parse_amount(event.text)
    except AmountError:
        return _ask_cost(state, ctx, (Reply(ctx.say("est_bad_amount", lang)),))
    if amount.currency not in (None, "HKD"):
        return _ask_cost(
            state, ctx, (Reply(ctx.say("est_other_currency", lang, currency=amount.currency)),)
        )
    result = estimate(state.answers["scheme"], amount.value, ctx)
    text = render(result, ctx, lang)
    if amount.currency is None:
        text += "\n" + ctx.say("est_assumed_hkd", lang)
    buttons = (
        (Button(ctx.say("est_again", lang), "estimate:start"),),
        (Button(ctx.say("est_check_eligibility", lang), "eligibility:start"),),
        (Button(ctx.say("button_person", lang), "nav:person"),),
    )
    done = state.finish(cost_hkd=str(amount.value), estimate=result.to_json())
    return Result(done, (Reply(text, buttons),))


def new_state(lang: Lang) -> FlowState:
    """The state a shell creates before sending ``Start``."""
    return FlowState(flow=FLOW, step="start", lang=lang)


def _ask(state: FlowState, ctx: Context) -> Result:
    return _ask_cost(state, ctx) if state.step == "cost" else _ask_scheme(state, ctx)


def _answer(state: FlowState, event: Event, ctx: Context) -> Result:
    if state.step == "scheme":
        return _scheme_answer(state, event, ctx)
    return _cost_answer(state, event, ctx)


def step(state: FlowState | None, event: Event, ctx: Context, lang: Lang = "en") -> Result:
    """One turn of the estimate dialogue."""
    return guided_step(state, event, ctx, lang, start=start, ask=_ask, answer=_answer)
