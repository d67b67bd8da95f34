"""The funding estimate dialogue: which scheme, what cost, then the maximum with its phase.

The arithmetic is ``knowledge.estimates`` (read entirely from ``programme.yaml``); this module
asks the two questions (on ``flows.engine``) and renders the result. Amounts are read as people
type them (``knowledge.amounts``), and an amount in another currency is refused, never silently
taken as Hong Kong dollars.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from flows.buttons import PERSON, START_VALUE, FlowButton
from flows.core import Button, Choice, Context, FlowState, Reply, Result, Text, nav_buttons
from flows.engine import Ask, Flow, Invalid, UserInput, pressed
from flows.typed import negators, typed_option
from knowledge.amounts import MAX_AMOUNT, Amount, AmountError, parse_amount
from knowledge.estimates import Estimate, estimate, money, summary
from knowledge.models import Lang, Procurement

FLOW = "estimate"


def _tiers(procurement: Procurement, ctx: Context, lang: Lang) -> list[str]:
    """One line per quotation tier, each for a single purchase, from programme.yaml."""
    lines, low = [], 0
    for tier in procurement.tiers:
        if tier.up_to_hkd is None:
            limit = ctx.say("est_tier_over", lang, amount=money(low))
        elif low:
            limit = ctx.say("est_tier_between", lang, low=money(low), amount=money(tier.up_to_hkd))
        else:
            limit = ctx.say("est_tier_up_to", lang, amount=money(tier.up_to_hkd))
        needs = ctx.say(f"est_quotations_{tier.kind}", lang, count=tier.count)
        lines.append("  " + ctx.say("est_tier_line", lang, limit=limit, needs=needs))
        low = tier.up_to_hkd or low
    return lines


def quotation_text(result: Estimate, ctx: Context, lang: Lang) -> str:
    """The quotation rule where it applies (per purchase, with its phase), or the documents'
    silence with the earlier rule for reference; nothing for a consultancy fee or OSI."""
    procurement = ctx.kb.programme.procurement
    if result.quotations == "none":
        return ""
    phase = ctx.kb.programme.phase(procurement.phase).name.get(lang)
    key = (
        "est_quotations_per_purchase"
        if result.quotations == "per_purchase"
        else "est_quotations_silent"
    )
    head = ctx.say(key, lang, phase=phase, section=procurement.source.section)
    return "\n".join(
        [head, *_tiers(procurement, ctx, lang), ctx.say("est_quotations_lowest", lang)]
    )


def render(result: Estimate, ctx: Context, lang: Lang) -> str:
    """The estimate as the user reads it: a maximum, with its phase and the rules that apply."""
    lines = [
        summary(result, ctx.kb, lang),
        quotation_text(result, ctx, lang),
        ctx.say("est_disclaimer", lang),
    ]
    return "\n".join(line for line in lines if line)


# ------------------------------------------------------------------------------------ dialogue


GIVEN_COST = "given_cost"
"""A project cost read from the user's own words before the flow began ("about 800k"): only
the scheme is asked."""


def _begin(state: FlowState, ctx: Context) -> Result:
    return DIALOGUE.first(state, ctx, "scheme")


def _with_cost(state: FlowState, cost: str, ctx: Context) -> Result:
    """The estimate for a cost already read (the button under an answer: "Estimate for
    HK$800,000"): ask only the scheme."""
    try:
        amount = Amount(Decimal(cost), None)
    except ArithmeticError:
        raise Invalid("est_bad_amount") from None
    if not 0 < amount.value <= MAX_AMOUNT:
        raise Invalid("est_bad_amount")
    fresh = FlowState(flow=FLOW, step="start", lang=state.lang, answers={GIVEN_COST: cost})
    note = Reply(ctx.say("est_cost_given", state.lang, cost=money(amount.value)))
    return DIALOGUE.first(fresh, ctx, "scheme", note)


def _ask_scheme(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    rows: list[tuple[Button, ...]] = [
        (Button(scheme.name.get(lang), FlowButton(FLOW, scheme.id)),)
        for scheme in ctx.kb.programme.schemes
    ]
    rows.append(nav_buttons(ctx, lang, back=False))
    return Reply(ctx.say("est_q_scheme", lang), tuple(rows))


def _read_scheme(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    ids = tuple(s.id for s in ctx.kb.programme.schemes)
    if isinstance(answer, Choice):
        chosen = pressed(answer, FLOW)
    else:
        phrases = {
            s.id: tuple(s.name.get(lang) for lang in ("en", "yue", "zh"))
            for s in ctx.kb.programme.schemes
        }
        chosen = typed_option(answer.text, ids, {**phrases, **ctx.kb.typed_answers}, negators(ctx))
    if chosen not in ids:
        raise Invalid()
    given = state.answers.get(GIVEN_COST)
    if given is not None:
        return _result(
            replace(state, answers={**state.answers, "scheme": chosen}),
            Amount(Decimal(str(given)), None),
            ctx,
        )
    return DIALOGUE.go(state, ctx, "cost", scheme=chosen)


def _ask_cost(state: FlowState, ctx: Context) -> Reply:
    return Reply(ctx.say("est_q_cost", state.lang), (nav_buttons(ctx, state.lang),), typed=True)


def _read_cost(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    if not isinstance(answer, Text):
        raise Invalid("est_bad_amount")
    try:
        amount = parse_amount(answer.text)
    except AmountError:
        raise Invalid("est_bad_amount") from None
    if amount.currency not in (None, "HKD"):
        raise Invalid("est_other_currency", currency=amount.currency)
    return _result(state, amount, ctx)


def _result(state: FlowState, amount: Amount, ctx: Context) -> Result:
    """The estimate for the chosen scheme and ``amount``, and what to do next."""
    lang = state.lang
    result = estimate(ctx.kb.programme, state.answers["scheme"], amount.value, ctx.today)
    text = render(result, ctx, lang)
    if amount.currency is None:
        text += "\n" + ctx.say("est_assumed_hkd", lang)
    buttons = (
        (Button(ctx.say("est_again", lang), FlowButton(FLOW, START_VALUE)),),
        (Button(ctx.say("est_check_eligibility", lang), FlowButton("eligibility", START_VALUE)),),
        (Button(ctx.say("button_person", lang), PERSON),),
    )
    return DIALOGUE.finish(
        state,
        Reply(text, buttons),
        cost_hkd=str(amount.value),
        estimate=result.to_json(ctx.kb.programme.procurement),
    )


DIALOGUE = Flow(
    FLOW,
    begin=_begin,
    steps={"scheme": Ask(_ask_scheme, _read_scheme), "cost": Ask(_ask_cost, _read_cost)},
    anywhere={"cost": _with_cost},
)
STEPS = DIALOGUE.step_names
new_state, step = DIALOGUE.new_state, DIALOGUE.step
