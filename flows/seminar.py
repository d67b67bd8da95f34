"""Seminar registration: choose an event, agree to the collection statement, give contact details.

A pure state machine (see :mod:`flows.core`). The flow only decides what to ask and what to
say; the shell stores the registration (``Effect("register")``) and answers with an
``Outcome``: ``ok``, ``full``, ``over_company_limit``, ``duplicate`` (or ``closed``). Seat and
per-company limits are therefore enforced atomically by the database, and the flow only
pre-checks them so the user hears about a limit before the summary, not after.

How the shell drives it:

- start: ``step(new_state(lang), Start(), ctx)`` (``step(None, ...)`` speaks English);
- "my registrations": ``step(state_or_None, Choice(MINE), ctx)`` then ``Outcome("ok",
  {"registrations": [{"id", "event_id", "attendees"}, ...]})``;
- once an event is chosen (``state.answers["event_id"]``) the shell may put
  ``answers["seats_left"]`` (an int) into the state; the attendees question then respects it.

Personal answers (name, company, e-mail, phone) live in the state only while the user is
answering: every finished state keeps the non-personal answers only, so a cancelled or
completed conversation leaves nothing personal behind, and a handoff never forwards it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flows.core import (
    Back,
    Button,
    Cancel,
    Choice,
    Context,
    Effect,
    Event,
    FlowState,
    Handoff,
    Outcome,
    Reply,
    Restart,
    Result,
    Start,
    Text,
    nav_buttons,
    navigation_event,
    say_date,
)
from flows.typed import chinese_under_1000
from knowledge.models import HONG_KONG, Lang, Seminar
from knowledge.text import to_simplified

FLOW = "seminar"

# Steps. START is the state a shell creates before the first event; the others are questions
# (the user answers) or waits (the shell answers with an Outcome).
START = "start"
CHOOSE_EVENT = "choose_event"
NO_EVENTS = "no_events"
CONSENT = "consent"
NAME = "name"
COMPANY = "company"
EMAIL = "email"
PHONE = "phone"
ATTENDEES = "attendees"
CONFIRM = "confirm"
SAVING = "saving"
LISTING = "listing"
MINE_LIST = "mine"
CANCELLING = "cancelling"

# Button values.
MINE = "seminar:mine"
EVENT_PREFIX = "seminar:event:"
CANCEL_PREFIX = "seminar:cancel:"
NOTIFY = "seminar:notify"
NO_THANKS = "seminar:no_thanks"
AGREE = "seminar:consent:yes"
DISAGREE = "seminar:consent:no"
KEEP = "seminar:keep"
CONFIRM_VALUE = "seminar:confirm"

PERSONAL = frozenset({NAME, COMPANY, EMAIL, PHONE})
"""Answers that identify a person: never kept in a finished state, never handed over."""

RECENT_DAYS = 183
"""When nothing is open, the last event is mentioned only if it ended within about six months:
older ones tell the user nothing about what comes next."""

_YES = frozenset(
    "yes y yeah yep ok okay sure agree i agree 係 係呀 好 好呀 同意 可以 得 是 是的 好的 行".split()
)
_NO = frozenset("no n nope disagree 唔係 唔好 唔同意 唔要 不 不是 不好 不同意 不要 否".split())
_CONFIRM_WORDS = frozenset(
    "confirm ok okay yes y 確認 确认 啱 對 对 正確 正确 冇問題 没问题".split()
)


# ------------------------------------------------------------------------------ entry point


def new_state(lang: Lang) -> FlowState:
    """The state a shell starts the flow from, in the user's language."""
    return FlowState(flow=FLOW, step=START, lang=lang)


def step(state: FlowState | None, event: Event, ctx: Context) -> Result:
    """The flow's single transition: ``state`` and ``event`` in, the next ``Result`` out."""
    state = state or new_state("en")
    event = navigation_event(event)
    if isinstance(event, Start):
        return _begin(state.lang, ctx)
    if state.step in WAITS:  # the shell's Outcome must find the step that asked for it
        return WAITS[state.step](state, event, ctx)
    if isinstance(event, Choice) and event.value == MINE:
        return _list_mine(state.lang)
    if isinstance(event, Choice) and event.value.startswith(CANCEL_PREFIX):
        return _cancel_registration(state, event.value.removeprefix(CANCEL_PREFIX))
    if state.step in QUESTIONS:
        return _answer_question(state, event, ctx)
    if isinstance(event, Restart):
        return _begin(state.lang, ctx)
    return Result(state)  # done, or not started: nothing to answer


# ------------------------------------------------------------------------------ questions


class _Invalid(Exception):
    """An answer that cannot be accepted; the message key (and values) say why."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Question:
    """One question: how to ask it and how to take an answer (typed text or a button)."""

    ask: Callable[[FlowState, Context], Reply]
    answer: Callable[[FlowState, Text | Choice, Context], Result]


def _answer_question(state: FlowState, event: Event, ctx: Context) -> Result:
    """Navigation is the same for every question; anything else goes to the question."""
    question = QUESTIONS[state.step]
    if isinstance(event, Back):
        previous = state.back()
        if previous is state or previous.step not in QUESTIONS:
            return Result(state, (question.ask(state, ctx),))
        return Result(previous, (QUESTIONS[previous.step].ask(previous, ctx),))
    if isinstance(event, Restart):
        return _begin(state.lang, ctx)
    if isinstance(event, Cancel):
        return _finish(state, ctx, ctx.say("flow_cancelled", state.lang))
    if isinstance(event, Handoff):
        return _handoff(state, ctx)
    if isinstance(event, Text | Choice):
        return question.answer(state, event, ctx)
    return Result(state)  # a stray Outcome: nothing was pending


def _reask(state: FlowState, ctx: Context, key: str, **values: Any) -> Result:
    """Invalid input: the state stays exactly as it was and the question comes again."""
    prompt = QUESTIONS[state.step].ask(state, ctx)
    reason = ctx.say(key, state.lang, **values)
    return Result(state, (Reply(f"{reason}\n\n{prompt.text}", prompt.buttons),))


def _go(state: FlowState, ctx: Context, next_step: str, **answers: Any) -> Result:
    """Move on to ``next_step`` (remembering the way back) and ask it."""
    moved = state.ask(next_step, **answers)
    return Result(moved, (QUESTIONS[next_step].ask(moved, ctx),))


def _rows(
    ctx: Context, lang: Lang, *first: Button, back: bool = True
) -> tuple[tuple[Button, ...], ...]:
    """Answer buttons one per row, then the navigation buttons two per row."""
    nav = nav_buttons(ctx, lang, back=back)
    return (*((b,) for b in first), *(nav[i : i + 2] for i in range(0, len(nav), 2)))


# ---- choosing an event


def _open_events(ctx: Context) -> list[Seminar]:
    return sorted((e for e in ctx.kb.events if e.open_on(ctx.today)), key=lambda e: e.starts)


def _begin(lang: Lang, ctx: Context) -> Result:
    """The first question: which open event, or (none open) whether to be notified."""
    first = CHOOSE_EVENT if _open_events(ctx) else NO_EVENTS
    state = FlowState(flow=FLOW, step=first, lang=lang)
    return Result(state, (QUESTIONS[first].ask(state, ctx),))


def _ask_event(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    events = _open_events(ctx)
    lines = [ctx.say("seminar_choose_event", lang)]
    buttons = []
    for number, event in enumerate(events, start=1):
        details = _details(event, lang, ctx)
        lines.append(ctx.say("seminar_event_line", lang, number=number, **details))
        label = ctx.say("seminar_event_button", lang, **details)
        buttons.append(Button(label, EVENT_PREFIX + event.id))
    return Reply("\n\n".join(lines), _rows(ctx, lang, *buttons, back=False))


def _answer_event(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    events = _open_events(ctx)
    chosen: Seminar | None = None
    if isinstance(event, Choice) and event.value.startswith(EVENT_PREFIX):
        wanted = event.value.removeprefix(EVENT_PREFIX)
        chosen = next((e for e in events if e.id == wanted), None)
        if chosen is None:
            return _reask(state, ctx, "seminar_event_not_open")
    elif isinstance(event, Text):
        typed = unicodedata.normalize("NFKC", event.text).strip().rstrip(".")
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(events):
            chosen = events[int(typed) - 1]
    if chosen is None:
        return _reask(state, ctx, "flow_not_understood")
    answers = dict(state.answers)
    if answers.get("event_id") != chosen.id:
        answers.pop("seats_left", None)  # the shell's count was for the other event
    answers["event_id"] = chosen.id
    return _go(replace(state, answers=answers), ctx, CONSENT)


def _ask_no_events(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    text = ctx.say("seminar_none_open", lang)
    last = _last_recent_event(ctx)
    if last is not None:
        details = _details(last, lang, ctx)
        text = f"{ctx.say('seminar_last_event', lang, **details)}\n{text}"
    return Reply(text, _notify_rows(ctx, lang))


def _notify_rows(ctx: Context, lang: Lang) -> tuple[tuple[Button, ...], ...]:
    notify = Button(ctx.say("button_seminar_notify", lang), NOTIFY)
    no_thanks = Button(ctx.say("button_seminar_no_thanks", lang), NO_THANKS)
    return _rows(ctx, lang, notify, no_thanks, back=False)


def _last_recent_event(ctx: Context) -> Seminar | None:
    past = [e for e in ctx.kb.events if e.ends.astimezone(HONG_KONG).date() < ctx.today]
    if not past:
        return None
    last = max(past, key=lambda e: e.ends)
    age = (ctx.today - last.ends.astimezone(HONG_KONG).date()).days
    return last if age <= RECENT_DAYS else None


def _answer_no_events(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    choice = _yes_no(event, yes=NOTIFY, no=NO_THANKS)
    if choice == NOTIFY:
        done = _finish(state, ctx, ctx.say("seminar_subscribed", state.lang))
        return replace(done, effects=(Effect("subscribe", {"lang": state.lang}),))
    if choice == NO_THANKS:
        return _finish(state, ctx, ctx.say("seminar_no_thanks", state.lang))
    return _reask(state, ctx, "flow_not_understood")


def _yes_no(event: Text | Choice, *, yes: str, no: str) -> str | None:
    """The button value, or what a typed yes/no means; None if neither."""
    if isinstance(event, Choice):
        return event.value if event.value in (yes, no) else None
    word = _word(event.text)
    if word in _YES:
        return yes
    if word in _NO:
        return no
    return None


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().strip(" .!。！,，")


# ---- consent


def _ask_consent(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    agree = Button(ctx.say("button_seminar_agree", lang), AGREE)
    disagree = Button(ctx.say("button_seminar_disagree", lang), DISAGREE)
    return Reply(ctx.say("seminar_consent", lang), _rows(ctx, lang, agree, disagree))


def _answer_consent(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    choice = _yes_no(event, yes=AGREE, no=DISAGREE)
    if choice == AGREE:
        return _go(state, ctx, NAME, consent=True)
    if choice == DISAGREE:
        return _finish(state, ctx, ctx.say("seminar_consent_declined", state.lang))
    return _reask(state, ctx, "flow_not_understood")


# ---- contact details and attendees


def parse_name(text: str) -> str:
    """A person's name: 1-100 characters, letters (any script) with spaces and . ' - · ,"""
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    letters = sum(1 for c in name if c.isalpha())
    allowed = all(
        c.isalpha() or c in " .'’-·‧," or unicodedata.category(c).startswith("M") for c in name
    )
    if not (1 <= len(name) <= 100 and letters and allowed):
        raise _Invalid("seminar_bad_name")
    return name


def parse_company(text: str) -> str:
    """A company or organisation name: 1-200 characters with at least one letter or digit."""
    company = " ".join(unicodedata.normalize("NFKC", text).split())
    if not (1 <= len(company) <= 200 and any(c.isalnum() for c in company)):
        raise _Invalid("seminar_bad_company")
    return company


_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def parse_email(text: str) -> str:
    """An e-mail address, lower-cased (full-width ＠ from a Chinese keyboard is accepted)."""
    email = unicodedata.normalize("NFKC", text).strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise _Invalid("seminar_bad_email")
    return email


_HK_PHONE = re.compile(r"(?:\+?852|\(\+?852\))?([2-9][0-9]{7})")
_MAINLAND_PHONE = re.compile(r"(?:\+?86|\(\+?86\))?(1[0-9]{10})")
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]")


def parse_phone(text: str) -> str:
    """A Hong Kong or mainland number, normalised to "+852 XXXX XXXX" or "+86 XXX XXXX XXXX"."""
    digits = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if match := _HK_PHONE.fullmatch(digits):
        number = match[1]
        return f"+852 {number[:4]} {number[4:]}"
    if match := _MAINLAND_PHONE.fullmatch(digits):
        number = match[1]
        return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
    raise _Invalid("seminar_bad_phone")


_PEOPLE = re.compile(r"\s*(?:個人|个人|位|人|個|个|people|persons|person|pax)$")


def parse_attendees(text: str) -> int:
    """A positive whole number of people: "2", "２", "2人", "兩位", "三個"."""
    typed = _PEOPLE.sub("", unicodedata.normalize("NFKC", text).strip().lower())
    if re.fullmatch(r"[0-9]{1,4}", typed):
        number = int(typed)
    else:
        spelled = chinese_under_1000(to_simplified(typed))
        if spelled is None:
            raise _Invalid("seminar_bad_attendees")
        number = spelled
    if number < 1:
        raise _Invalid("seminar_bad_attendees")
    return number


def _check_attendees(number: int, state: FlowState, ctx: Context) -> None:
    """The event's per-company limit and the seats the shell said were left."""
    event = _event(ctx, state.answers.get("event_id"))
    if event is not None and event.limit_per_company and number > event.limit_per_company:
        raise _Invalid("seminar_over_company_limit", limit=event.limit_per_company)
    seats = _seats_left(state)
    if seats is not None and number > seats:
        raise _Invalid("seminar_over_seats", seats=seats)


def _seats_left(state: FlowState) -> int | None:
    seats = state.answers.get("seats_left")
    return seats if isinstance(seats, int) and not isinstance(seats, bool) else None


@dataclass(frozen=True)
class _Field:
    """A typed answer: the prompt's message key and how to read (and normalise) the text."""

    prompt: str
    parse: Callable[[str], Any]
    next: str


FIELDS: dict[str, _Field] = {
    NAME: _Field("seminar_ask_name", parse_name, COMPANY),
    COMPANY: _Field("seminar_ask_company", parse_company, EMAIL),
    EMAIL: _Field("seminar_ask_email", parse_email, PHONE),
    PHONE: _Field("seminar_ask_phone", parse_phone, ATTENDEES),
    ATTENDEES: _Field("seminar_ask_attendees", parse_attendees, CONFIRM),
}


def _ask_field(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    field = FIELDS[state.step]
    event = _event(ctx, state.answers.get("event_id"))
    key = field.prompt
    if state.step == EMAIL and event is not None and event.online:
        key = "seminar_ask_email_online"
    text = ctx.say(key, lang)
    if state.step == ATTENDEES:
        space = " " if lang == "en" else ""  # Chinese sentences follow each other unspaced
        if event is not None and event.limit_per_company:
            text += space + ctx.say("seminar_limit_note", lang, limit=event.limit_per_company)
        seats = _seats_left(state)
        if seats is not None:
            text += space + ctx.say("seminar_seats_note", lang, seats=seats)
    keep: list[Button] = []
    if state.step in state.answers:  # came back here: the earlier answer can be kept
        value = str(state.answers[state.step])
        keep.append(Button(ctx.say("button_seminar_keep", lang, value=value), KEEP))
    return Reply(text, _rows(ctx, lang, *keep))


def _answer_field(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    field = FIELDS[state.step]
    if isinstance(event, Choice):
        if event.value != KEEP or state.step not in state.answers:
            return _reask(state, ctx, "flow_not_understood")
        typed = str(state.answers[state.step])
    else:
        typed = event.text
    if state.step == ATTENDEES and _seats_left(state) == 0:
        return _sold_out(state, ctx)
    try:
        value = field.parse(typed)
        if state.step == ATTENDEES:
            _check_attendees(value, state, ctx)
    except _Invalid as invalid:
        return _reask(state, ctx, invalid.key, **invalid.values)
    return _go(state, ctx, field.next, **{state.step: value})


def _sold_out(state: FlowState, ctx: Context) -> Result:
    """No seat left at all: offer to be told about the next seminar instead."""
    moved = FlowState(flow=FLOW, step=NO_EVENTS, lang=state.lang)
    text = ctx.say("seminar_no_seats", state.lang)
    return Result(moved, (Reply(text, _notify_rows(ctx, state.lang)),))


# ---- confirming


def _ask_confirm(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    answers = state.answers
    event = _event(ctx, answers.get("event_id"))
    details = _details(event, lang, ctx) if event else _unknown_details(answers)
    text = ctx.say(
        "seminar_summary",
        lang,
        title=details["title"],
        date=details["date"],
        time=details["time"],
        venue=details["venue"],
        name=answers.get(NAME, ""),
        company=answers.get(COMPANY, ""),
        user_email=answers.get(EMAIL, ""),
        user_phone=answers.get(PHONE, ""),
        attendees=answers.get(ATTENDEES, ""),
    )
    confirm = Button(ctx.say("button_seminar_confirm", lang), CONFIRM_VALUE)
    edit = Button(ctx.say("button_seminar_edit", lang), "nav:back")
    return Reply(text, ((confirm,), (edit,), *_rows(ctx, lang, back=False)))


def _answer_confirm(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    confirmed = (isinstance(event, Choice) and event.value == CONFIRM_VALUE) or (
        isinstance(event, Text) and _word(event.text) in _CONFIRM_WORDS
    )
    if not confirmed:
        return _reask(state, ctx, "flow_not_understood")
    answers = state.answers
    event_id = str(answers.get("event_id", ""))
    seminar = _event(ctx, event_id)
    if seminar is None or not seminar.open_on(ctx.today):
        title = seminar.title.get(state.lang) if seminar else event_id
        return _finish(state, ctx, ctx.say("seminar_closed", state.lang, title=title))
    details = {
        "event_id": event_id,
        "name": answers[NAME],
        "company": answers[COMPANY],
        "email": answers[EMAIL],
        "phone": answers[PHONE],
        "attendees": answers[ATTENDEES],
        "lang": state.lang,
    }
    return Result(state.ask(SAVING), (), (Effect("register", details),))


QUESTIONS: dict[str, Question] = {
    CHOOSE_EVENT: Question(_ask_event, _answer_event),
    NO_EVENTS: Question(_ask_no_events, _answer_no_events),
    CONSENT: Question(_ask_consent, _answer_consent),
    NAME: Question(_ask_field, _answer_field),
    COMPANY: Question(_ask_field, _answer_field),
    EMAIL: Question(_ask_field, _answer_field),
    PHONE: Question(_ask_field, _answer_field),
    ATTENDEES: Question(_ask_field, _answer_field),
    CONFIRM: Question(_ask_confirm, _answer_confirm),
}


# ------------------------------------------------------------------------------ waits


def _wait(state: FlowState, event: Event, ctx: Context) -> Result | None:
    """While the shell works, only its Outcome (or a request for a person) moves the flow."""
    if isinstance(event, Outcome):
        return None
    if isinstance(event, Handoff):
        return _handoff(state, ctx)
    return Result(state, (Reply(ctx.say("seminar_wait", state.lang)),))


def _on_saved(state: FlowState, event: Event, ctx: Context) -> Result:
    waiting = _wait(state, event, ctx)
    if waiting is not None or not isinstance(event, Outcome):
        return waiting or Result(state)
    lang = state.lang
    seminar = _event(ctx, state.answers.get("event_id"))
    details = _details(seminar, lang, ctx) if seminar else _unknown_details(state.answers)
    if event.result == "ok":
        parts = [ctx.say("seminar_registered", lang, attendees=state.answers[ATTENDEES], **details)]
        if seminar is not None and seminar.online:
            parts.append(
                ctx.say("seminar_registered_online", lang, user_email=state.answers[EMAIL])
            )
        if seminar is not None and seminar.bad_weather is not None:
            parts.append(ctx.say("seminar_bad_weather", lang, rule=seminar.bad_weather.get(lang)))
        return _finish(state, ctx, "\n\n".join(parts), mine_button=True)
    if event.result in ("full", "over_company_limit"):
        seats = event.data.get("seats_left")
        answers = dict(state.answers)
        if isinstance(seats, int) and not isinstance(seats, bool):
            answers["seats_left"] = max(seats, 0)
        back = replace(_rewind(state, ATTENDEES), answers=answers)
        if _seats_left(back) == 0:
            return _sold_out(back, ctx)
        key = "seminar_full" if event.result == "full" else "seminar_company_limit_reached"
        prompt = _ask_field(back, ctx)
        text = f"{ctx.say(key, lang)}\n\n{prompt.text}"
        return Result(back, (Reply(text, prompt.buttons),))
    if event.result == "duplicate":
        text = ctx.say(
            "seminar_duplicate", lang, user_email=state.answers[EMAIL], title=details["title"]
        )
        return _finish(state, ctx, text, mine_button=True)
    if event.result == "closed":
        return _finish(state, ctx, ctx.say("seminar_closed", lang, title=details["title"]))
    return _finish(state, ctx, ctx.say("seminar_error", lang))


def _rewind(state: FlowState, target: str) -> FlowState:
    """Go back through the history to ``target``, as if the user had pressed Back."""
    while state.step != target and state.history:
        state = state.back()
    return state


def _list_mine(lang: Lang) -> Result:
    state = FlowState(flow=FLOW, step=LISTING, lang=lang)
    return Result(state, (), (Effect("list_registrations", {}),))


def _on_listed(state: FlowState, event: Event, ctx: Context) -> Result:
    waiting = _wait(state, event, ctx)
    if waiting is not None or not isinstance(event, Outcome):
        return waiting or Result(state)
    if event.result != "ok":
        return _finish(state, ctx, ctx.say("seminar_error", state.lang))
    registrations = _registrations(event.data.get("registrations"))
    if not registrations:
        return _finish(state, ctx, ctx.say("seminar_mine_none", state.lang))
    listed = replace(state, step=MINE_LIST, answers={"registrations": registrations})
    return Result(listed, (_ask_mine(listed, ctx),))


def _registrations(raw: object) -> list[dict[str, Any]]:
    """The shell's list, reduced to the plain ids and counts the state may keep."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return []
    kept = []
    for item in raw:
        if isinstance(item, Mapping) and "id" in item and "event_id" in item:
            attendees = item.get("attendees")
            kept.append(
                {
                    "id": str(item["id"]),
                    "event_id": str(item["event_id"]),
                    "attendees": attendees if isinstance(attendees, int) else None,
                }
            )
    return kept


def _ask_mine(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    lines = [ctx.say("seminar_mine_list", lang)]
    buttons = []
    for number, registration in enumerate(state.answers.get("registrations", []), start=1):
        seminar = _event(ctx, registration["event_id"])
        details = _details(seminar, lang, ctx) if seminar else _unknown_details(registration)
        attendees = registration["attendees"] if registration["attendees"] is not None else "-"
        lines.append(
            ctx.say("seminar_mine_line", lang, number=number, attendees=attendees, **details)
        )
        label = ctx.say("button_seminar_cancel_registration", lang, number=number)
        buttons.append(Button(label, CANCEL_PREFIX + registration["id"]))
    return Reply("\n\n".join(lines), _rows(ctx, lang, *buttons, back=False))


def _answer_mine(state: FlowState, event: Text | Choice, ctx: Context) -> Result:
    """A typed number picks the registration to cancel (the buttons go through ``step``)."""
    registrations = state.answers.get("registrations", [])
    if isinstance(event, Text):
        typed = unicodedata.normalize("NFKC", event.text).strip()
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(registrations):
            return _cancel_registration(state, registrations[int(typed) - 1]["id"])
    return _reask(state, ctx, "flow_not_understood")


QUESTIONS[MINE_LIST] = Question(_ask_mine, _answer_mine)


def _cancel_registration(state: FlowState, registration_id: str) -> Result:
    known = state.answers.get("registrations", []) if state.step == MINE_LIST else []
    event_id = next((r["event_id"] for r in known if r["id"] == registration_id), None)
    answers: dict[str, Any] = {"registration_id": registration_id}
    if event_id is not None:
        answers["event_id"] = event_id
    cancelling = FlowState(flow=FLOW, step=CANCELLING, lang=state.lang, answers=answers)
    return Result(cancelling, (), (Effect("cancel_registration", {"id": registration_id}),))


def _on_cancelled(state: FlowState, event: Event, ctx: Context) -> Result:
    waiting = _wait(state, event, ctx)
    if waiting is not None or not isinstance(event, Outcome):
        return waiting or Result(state)
    lang = state.lang
    if event.result != "ok":
        return _finish(state, ctx, ctx.say("seminar_cancel_failed", lang), mine_button=True)
    seminar = _event(ctx, state.answers.get("event_id"))
    if seminar is None:
        return _finish(state, ctx, ctx.say("seminar_registration_cancelled_unknown", lang))
    title = seminar.title.get(lang)
    return _finish(state, ctx, ctx.say("seminar_registration_cancelled", lang, title=title))


WAITS: dict[str, Callable[[FlowState, Event, Context], Result]] = {
    SAVING: _on_saved,
    LISTING: _on_listed,
    CANCELLING: _on_cancelled,
}


# ------------------------------------------------------------------------------ endings


def _public(state: FlowState) -> dict[str, Any]:
    """The answers that identify nobody: what a finished state and a handoff may keep."""
    return {
        key: value
        for key, value in state.answers.items()
        if key not in PERSONAL and key != "registrations"
    }


def _finish(state: FlowState, ctx: Context, text: str, *, mine_button: bool = False) -> Result:
    """End the flow with ``text``, keeping only the non-personal answers."""
    done = replace(state, answers=_public(state)).finish()
    buttons: tuple[tuple[Button, ...], ...] = ()
    if mine_button:
        buttons = ((Button(ctx.say("button_seminar_mine", state.lang), MINE),),)
    return Result(done, (Reply(text, buttons),))


def _handoff(state: FlowState, ctx: Context) -> Result:
    answers = {"step": state.step, **_public(state)}
    done = replace(state, answers=_public(state)).finish()
    reply = Reply(ctx.say("flow_handoff", state.lang))
    return Result(done, (reply,), (Effect("handoff", {"flow": FLOW, "answers": answers}),))


# ------------------------------------------------------------------------------ event details


def _event(ctx: Context, event_id: object) -> Seminar | None:
    return next((e for e in ctx.kb.events if e.id == event_id), None)


def _details(event: Seminar, lang: Lang, ctx: Context) -> dict[str, str]:
    """Title, date, time, venue and language of an event as the user reads them."""
    starts = event.starts.astimezone(HONG_KONG)
    ends = event.ends.astimezone(HONG_KONG)
    date = say_date(starts.date(), ctx, lang)
    time = ctx.say("seminar_time", lang, start=f"{starts:%H:%M}", end=f"{ends:%H:%M}")
    venue = ctx.say("seminar_online", lang) if event.venue == "online" else event.venue.get(lang)
    return {
        "title": event.title.get(lang),
        "date": date,
        "time": time,
        "venue": venue,
        "language": event.language.get(lang),
    }


def _unknown_details(answers: Mapping[str, Any]) -> dict[str, str]:
    """An event staff have since removed from events.yaml: all we can show is its id."""
    event_id = str(answers.get("event_id", ""))
    return {"title": event_id, "date": "", "time": "", "venue": "", "language": ""}
