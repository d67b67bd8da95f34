"""Handing a case to a person: the collection statement, the company, the question, the ticket.

The staff need three things to pick a case up: who is asking (the company, which also names the
ticket's topic in the staff chat), what they want to know, and what the bot already found out
(the flow's answers, the questions it missed). This flow gathers the first two after telling the
user what the staff will see, then asks the shell to open a ticket (``Effect("handoff", case)``)
and waits for the outcome:

* ``Outcome("opened", {"ticket": 12, "office_opens": "2026-11-23T09:00:00+08:00" | None})``
* ``Outcome("already_open", {"ticket": 12})``
* ``Outcome("unavailable")``: no staff chat is configured; the Secretariat's phone and e-mail.
* ``Outcome("console")``: the console chat, where no staff are connected.

``summary`` renders a case for the staff chat. Like every flow, this module does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flows import eligibility, estimate
from flows.core import (
    Button,
    Cancel,
    Choice,
    Context,
    Effect,
    Event,
    FlowState,
    Outcome,
    Reply,
    Result,
    Text,
    navigation_event,
    say_date,
)
from knowledge.models import Lang
from knowledge.text import clean, tidy

FLOW = "handoff"
MAX_COMPANY = 120
MAX_QUESTION = 1000
SKIP = f"{FLOW}:skip"


def new_state(lang: Lang) -> FlowState:
    """The state a shell creates before sending ``Start`` (a handoff with an empty case)."""
    return FlowState(flow=FLOW, step="start", lang=lang)


def begin(lang: Lang, case: Mapping[str, Any], ctx: Context) -> Result:
    """Start a handoff for ``case`` (built by the conversation: language, question, answers)."""
    state = FlowState(flow=FLOW, step="company", lang=lang, answers={"case": dict(case)})
    if ctx.no_staff is not None:
        return _outcome(state, Outcome(ctx.no_staff), ctx)
    return _ask_company(state, ctx)


def _ask_company(state: FlowState, ctx: Context, prefix: tuple[Reply, ...] = ()) -> Result:
    lang = state.lang
    buttons = (
        (
            Button(ctx.say("button_skip", lang), SKIP),
            Button(ctx.say("button_cancel", lang), "nav:cancel"),
        ),
    )
    text = ctx.say("handoff_notice", lang) + "\n\n" + ctx.say("handoff_ask_company", lang)
    return Result(state, (*prefix, Reply(text, buttons)))


def _ask_question(state: FlowState, ctx: Context, prefix: tuple[Reply, ...] = ()) -> Result:
    buttons = ((Button(ctx.say("button_cancel", state.lang), "nav:cancel"),),)
    return Result(state, (*prefix, Reply(ctx.say("handoff_ask_question", state.lang), buttons)))


def _case(state: FlowState) -> dict[str, Any]:
    case: dict[str, Any] = dict(state.answers.get("case", {}))
    case.setdefault("lang", state.lang)
    return case


def _submit(state: FlowState, **answers: Any) -> Result:
    """Ask the shell to open the ticket; the flow waits in ``opening`` for the outcome."""
    state = state.ask("opening", **answers)
    case = {**_case(state), "company": state.answers.get("company", "")}
    if state.answers.get("question"):
        case["question"] = state.answers["question"]
    return Result(state, (), (Effect("handoff", case),))


def _company_answer(state: FlowState, event: Event, ctx: Context) -> Result:
    if isinstance(event, Choice) and event.value == SKIP:
        company = ""
    elif isinstance(event, Text) and clean(event.text):
        company = " ".join(clean(event.text).split())[:MAX_COMPANY]
    else:
        return _ask_company(state, ctx, (Reply(ctx.say("flow_not_understood", state.lang)),))
    if _case(state).get("question"):
        return _submit(state, company=company)
    return _ask_question(state.ask("question", company=company), ctx)


def _question_answer(state: FlowState, event: Event, ctx: Context) -> Result:
    question = tidy(event.text) if isinstance(event, Text) else ""
    if not question:
        return _ask_question(state, ctx, (Reply(ctx.say("flow_not_understood", state.lang)),))
    return _submit(state, question=question[:MAX_QUESTION])


def _outcome(state: FlowState, event: Outcome, ctx: Context) -> Result:
    lang = state.lang
    ticket = event.data.get("ticket")
    if event.result == "opened":
        text = ctx.say("handoff_opened", lang, ticket=ticket)
        notice = after_hours(event.data, ctx, lang)
        if notice:
            text += "\n\n" + notice
        buttons = ((Button(ctx.say("button_ticket_done", lang), f"ticket:end:{ticket}"),),)
        return Result(state.finish(ticket=ticket), (Reply(text, buttons),))
    if event.result == "already_open":
        return Result(
            state.finish(ticket=ticket),
            (Reply(ctx.say("handoff_already_open", lang, ticket=ticket)),),
        )
    key = "console_handoff" if event.result == "console" else "handoff_unavailable"
    return Result(state.finish(), (Reply(ctx.say(key, lang)),))


def after_hours(data: Mapping[str, Any], ctx: Context, lang: Lang) -> str | None:
    """ "Staff are out of the office (hours); they will reply from (when)", for outcome data
    ``{"office_opens": iso or None, "office": {...}}``; None when the office is open."""
    opens = data.get("office_opens")
    if not opens:
        return None
    hours = office_hours_text(data.get("office"), ctx, lang)
    return ctx.say("handoff_after_hours", lang, hours=hours, when=when(opens, ctx, lang))


def office_hours_text(office: Any, ctx: Context, lang: Lang) -> str:
    """``{"days": [0, 1, 2, 3, 4], "opens": "09:00", "closes": "18:00"}`` → "Mon–Fri 09:00–18:00"."""
    if not isinstance(office, Mapping):
        return ""
    names = ctx.say("seminar_weekdays", lang).split()
    days = sorted(int(d) for d in office.get("days", ()) if 0 <= int(d) <= 6)
    if not days:
        return ""
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = ctx.say("office_days_range", lang, first=names[days[0]], last=names[days[-1]])
    else:
        span = ctx.say(
            "office_days_list",
            lang,
            days=ctx.say("list_separator", lang).join(names[d] for d in days),
        )
    return f"{span} {office.get('opens', '')}–{office.get('closes', '')}"


def when(iso: str, ctx: Context, lang: Lang) -> str:
    """``2026-11-23T09:00:00+08:00`` → "Mon 23 Nov 2026 09:00" (2026年11月23日（星期一） 09:00)."""
    moment = dt.datetime.fromisoformat(iso)
    return f"{say_date(moment.date(), ctx, lang)} {moment:%H:%M}"


def step(state: FlowState | None, event: Event, ctx: Context, lang: Lang = "en") -> Result:
    """One turn of the handoff."""
    if state is None or state.step == "start":
        return begin(state.lang if state else lang, {}, ctx)
    if isinstance(event, Outcome):
        return _outcome(state, event, ctx) if state.step == "opening" else Result(state)
    if state.step == "opening":  # the shell never answered (a crash): ask it again
        return Result(state, (), (Effect("handoff", _case(state)),))
    if state.step == "done":
        return Result(state)
    if isinstance(navigation_event(event), Cancel):
        return Result(state.finish(), (Reply(ctx.say("handoff_cancelled", state.lang)),))
    if state.step == "company":
        return _company_answer(state, event, ctx)
    return _question_answer(state, event, ctx)


# ----------------------------------------------------------------------------- the staff's view


def summary(case: Mapping[str, Any], ctx: Context, lang: Lang) -> str:
    """The case as staff read it in the ticket's topic: plain text, one fact a line.

    Eligibility verdicts and the estimate are recomputed from the answers with today's rules,
    so staff see exactly what the user was told.
    """
    say = ctx.say
    lines = [
        f"{say('case_language', lang)}: {say('language_name_' + str(case.get('lang', 'en')), lang)}",
        f"{say('case_company', lang)}: {case.get('company') or '—'}",
        f"{say('case_question', lang)}: {case.get('question') or '—'}",
    ]
    flow = case.get("flow")
    answers: dict[str, Any] = dict(case.get("answers") or {})
    if flow:
        lines.append(f"{say('case_flow', lang)}: /{flow}")
    if flow == eligibility.FLOW and answers:
        lines += _verdict_lines(answers, ctx, lang)
    elif flow == estimate.FLOW and isinstance(answers.get("estimate"), dict):
        lines.append(_estimate_line(answers["estimate"], ctx, lang))
    elif answers:
        lines.append(
            f"{say('case_answers', lang)}: " + ", ".join(f"{k}={v}" for k, v in answers.items())
        )
    misses = case.get("recent_misses") or []
    if misses:
        lines.append(f"{say('case_misses', lang)}:")
        lines += [f"  • {question} ({score:.2f})" for question, score in misses]
    return "\n".join(lines)


def _verdict_lines(answers: Mapping[str, Any], ctx: Context, lang: Lang) -> list[str]:
    known = {k: v for k, v in answers.items() if k in eligibility.ANSWER_KEYS}
    lines = [f"{ctx.say('case_answers', lang)}: " + ", ".join(f"{k}={v}" for k, v in known.items())]
    try:
        verdicts = eligibility.evaluate(eligibility.validate_answers(known), ctx)
    except ValueError:
        return lines
    for verdict in verdicts:
        status = ctx.say(f"verdict_status_{verdict.status}", lang)
        lines.append(f"  • {ctx.say(f'scheme_{verdict.scheme}', lang)}: {status}")
    return lines


def _estimate_line(result: Mapping[str, Any], ctx: Context, lang: Lang) -> str:
    scheme_id = str(result.get("scheme", ""))
    names = {s.id: s.name.get(lang) for s in ctx.kb.programme.schemes}
    return ctx.say(
        "case_estimate",
        lang,
        scheme=names.get(scheme_id, scheme_id),
        cost=estimate.money(Decimal(str(result.get("cost_hkd", 0)))),
        subsidy=estimate.money(Decimal(str(result.get("subsidy_hkd", 0)))),
    )
