"""Handing a case to a person: the collection statement, the company, the question, the ticket.

The staff need three things to pick a case up: who is asking (the company, which also names the
ticket's topic in the staff chat), what they want to know, and what the bot already found out
(the flow's answers, the questions it missed: the ``Case`` the conversation builds). This flow
gathers the first two after telling the user what the staff will see, then asks the shell to
open a ticket (``OpenTicket(case)``) and waits for the outcome: ``TicketOpened`` (with a note
when the office is closed), ``TicketAlreadyOpen``, or ``NoStaff`` (the console, or no staff chat:
the Secretariat's phone and e-mail). A flow on the engine (:mod:`flows.engine`), except that
Cancel has its own words and a request for a person here just asks again.

``summary`` renders a case for the staff chat. Like every flow, this module does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flows import eligibility, estimate
from flows.buttons import CANCEL, EndTicket, FlowButton
from flows.core import Button, Context, FlowState, Reply, Result, Text, say_date
from flows.effects import (
    AfterHours,
    Case,
    NoStaff,
    OfficeSchedule,
    OpenTicket,
    TicketAlreadyOpen,
    TicketOpened,
)
from flows.engine import START, Ask, Flow, Invalid, UserInput, Wait, pressed
from knowledge.estimates import money
from knowledge.models import HONG_KONG, Lang
from knowledge.text import clean, tidy

FLOW = "handoff"
MAX_COMPANY = 120
MAX_QUESTION = 1000
SKIP = FlowButton(FLOW, "skip")
NOTICE = "handoff_notice"  # the collection statement shown before staff see anything


def begin(case: Case, ctx: Context) -> Result:
    """Start a handoff for ``case`` (built by the conversation: language, question, answers);
    without staff to reach (``ctx.no_staff``), the Secretariat's contacts at once."""
    state = FlowState(flow=FLOW, step=START, lang=case.lang, answers={"case": case.to_json()})
    return DIALOGUE.begin(state, ctx)


def _begin(state: FlowState, ctx: Context) -> Result:
    if ctx.no_staff is not None:
        return _no_staff(
            state, NoStaff("console" if ctx.no_staff == "console" else "unavailable"), ctx
        )
    return DIALOGUE.first(state, ctx, "company")


def _ask_company(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    buttons = (
        (
            Button(ctx.say("button_skip", lang), SKIP),
            Button(ctx.say("button_cancel", lang), CANCEL),
        ),
    )
    text = ctx.say(NOTICE, lang) + "\n\n" + ctx.say("handoff_ask_company", lang)
    return Reply(text, buttons, typed=True)


def _read_company(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    if pressed(answer, FLOW) == SKIP.value:
        company = ""
    elif isinstance(answer, Text) and clean(answer.text):
        company = " ".join(clean(answer.text).split())[:MAX_COMPANY]
    else:
        raise Invalid()
    if _case(state).question:
        return _submit(state, ctx, company=company)
    return DIALOGUE.go(state, ctx, "question", company=company)


def _ask_question(state: FlowState, ctx: Context) -> Reply:
    buttons = ((Button(ctx.say("button_cancel", state.lang), CANCEL),),)
    return Reply(ctx.say("handoff_ask_question", state.lang), buttons, typed=True)


def _read_question(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    question = tidy(answer.text) if isinstance(answer, Text) else ""
    if not question:
        raise Invalid()
    return _submit(state, ctx, question=question[:MAX_QUESTION])


def _case(state: FlowState) -> Case:
    """The case as the conversation gave it, with the company and question asked here."""
    raw = state.answers.get("case")
    case = Case.from_json(raw) if isinstance(raw, dict) else Case(lang=state.lang)
    if "company" in state.answers:
        case = replace(case, company=str(state.answers["company"]))
    if state.answers.get("question"):
        case = replace(case, question=str(state.answers["question"]))
    if state.answers.get("consent"):
        case = replace(case, consent=str(state.answers["consent"]))
    return case


def _submit(state: FlowState, ctx: Context, **answers: Any) -> Result:
    """Ask the shell to open the ticket; the flow waits in ``opening`` for the outcome. The
    case records which version of the notice (``handoff_notice``) the user went on from."""
    state = state.ask("opening", consent=ctx.kb.statement_version(NOTICE), **answers)
    return Result(state, (), (OpenTicket(_case(state)),))


def _ask_again(state: FlowState, ctx: Context) -> Result:
    """The shell never answered (a crash may have lost the effect): ask it again."""
    return Result(state, (), (OpenTicket(_case(state)),))


def _opened(state: FlowState, outcome: TicketOpened, ctx: Context) -> Result:
    lang = state.lang
    text = ctx.say("handoff_opened", lang, ticket=outcome.ticket)
    notice = after_hours(outcome.after_hours, ctx, lang)
    if notice:
        text += "\n\n" + notice
    buttons = ((Button(ctx.say("button_ticket_done", lang), EndTicket(outcome.ticket)),),)
    return DIALOGUE.finish(state, Reply(text, buttons), ticket=outcome.ticket)


def _already_open(state: FlowState, outcome: TicketAlreadyOpen, ctx: Context) -> Result:
    text = ctx.say("handoff_already_open", state.lang, ticket=outcome.ticket)
    return DIALOGUE.finish(state, Reply(text), ticket=outcome.ticket)


def _no_staff(state: FlowState, outcome: NoStaff, ctx: Context) -> Result:
    key = "console_handoff" if outcome.where == "console" else "handoff_unavailable"
    return DIALOGUE.finish(state, Reply(ctx.say(key, state.lang)))


DIALOGUE = Flow(
    FLOW,
    begin=_begin,
    steps={
        "company": Ask(_ask_company, _read_company),
        "question": Ask(_ask_question, _read_question),
        "opening": Wait(
            {TicketOpened: _opened, TicketAlreadyOpen: _already_open, NoStaff: _no_staff},
            _ask_again,
        ),
    },
    personal=frozenset({"case", "company", "question"}),
    kept_on_restart=frozenset({"case"}),
    cancelled="handoff_cancelled",
    hands_off=False,
)
STEPS = DIALOGUE.step_names
new_state, step = DIALOGUE.new_state, DIALOGUE.step


def after_hours(after: AfterHours | None, ctx: Context, lang: Lang) -> str | None:
    """ "Staff are out of the office (hours); they will reply from (when)"; None when the office
    is open."""
    if after is None:
        return None
    hours = office_hours_text(after.schedule, ctx, lang)
    return ctx.say("handoff_after_hours", lang, hours=hours, when=_when(after.opens_at, ctx, lang))


def office_hours_text(schedule: OfficeSchedule, ctx: Context, lang: Lang) -> str:
    """Monday to Friday, 09:00 to 18:00 → "Mon–Fri 09:00–18:00" (星期一至五 09:00–18:00)."""
    names = ctx.say("seminar_weekdays", lang).split()
    days = sorted(d for d in set(schedule.days) if 0 <= d <= 6)
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
    return f"{span} {schedule.opens}–{schedule.closes}"


def _when(moment: dt.datetime, ctx: Context, lang: Lang) -> str:
    """9 am on 23 Nov 2026 → "Mon 23 Nov 2026 09:00" (2026年11月23日（星期一） 09:00), in Hong
    Kong time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(HONG_KONG)
    return f"{say_date(moment.date(), ctx, lang)} {moment:%H:%M}"


# ----------------------------------------------------------------------------- the staff's view


def summary(case: Case, ctx: Context, lang: Lang) -> str:
    """The case as staff read it in the ticket's topic: plain text, one fact a line.

    Eligibility verdicts and the estimate are recomputed from the answers with today's rules,
    so staff see exactly what the user was told.
    """
    say = ctx.say
    lines = [
        f"{say('case_language', lang)}: {say('language_name_' + case.lang, lang)}",
        f"{say('case_company', lang)}: {case.company or '—'}",
        f"{say('case_question', lang)}: {case.question or '—'}",
    ]
    flow = case.flow
    answers: dict[str, Any] = dict(case.answers)
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
    if case.recent_misses:
        lines.append(f"{say('case_misses', lang)}:")
        lines += [f"  • {question} ({score:.2f})" for question, score in case.recent_misses]
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
        cost=money(Decimal(str(result.get("cost_hkd", 0)))),
        subsidy=money(Decimal(str(result.get("subsidy_hkd", 0)))),
    )
