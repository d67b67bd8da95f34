"""Seminar registration: choose an event, agree to the collection statement, give contact details.

A flow on the engine (:mod:`flows.engine`). The flow only decides what to ask and what to say;
the shell stores the registration (``Register``) and answers with ``Registered``: ``ok``,
``full`` or ``over_company_limit`` (with ``seats_left`` when it knows them), ``duplicate``,
``closed`` or ``error``. Seat and per-company limits are therefore enforced atomically by the
database; the flow pre-checks the per-company limit, and the seats left once the shell has said
how many there are, so the user hears about a limit before the summary when it can.

How the shell drives it:

- start: ``step(new_state(lang), Start(), ctx)``;
- "my registrations": ``step(state, Choice(MINE), ctx)`` gives ``ListRegistrations``, answered
  with ``RegistrationsListed``; each registration's cancel button gives ``CancelRegistration``,
  answered with ``RegistrationCancelled``. These buttons work at any step but a wait, and after
  the flow has ended;
- nothing open: the user may ask to hear about the next seminar (``Subscribe``).

Personal answers (name, company, e-mail, phone) live in the state only while the user is
answering: every ended state keeps the non-personal answers only, so a cancelled or completed
conversation leaves nothing personal behind, and a handoff never forwards it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from flows.buttons import BACK, ButtonData, FlowButton
from flows.core import (
    Button,
    Choice,
    Context,
    FlowState,
    Reply,
    Result,
    Text,
    nav_buttons,
    say_date,
)
from flows.effects import (
    CancelRegistration,
    ListRegistrations,
    Register,
    Registered,
    RegistrationCancelled,
    RegistrationsListed,
    Subscribe,
)
from flows.engine import START, Ask, Flow, Invalid, UserInput, Wait, pressed
from knowledge.models import HONG_KONG, Lang, Seminar
from knowledge.numerals import read_whole_number
from knowledge.words import Words, fold, read_yes_no

FLOW = "seminar"

# Steps: questions (the user answers) and waits (the shell answers with an outcome).
CHOOSE_EVENT = "choose_event"
NO_EVENTS = "no_events"
CONSENT = "consent"
STATEMENT = "seminar_consent"  # the collection statement the user agrees to
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

# Buttons.
MINE = FlowButton(FLOW, "mine")
NOTIFY = FlowButton(FLOW, "notify")
NO_THANKS = FlowButton(FLOW, "no_thanks")
AGREE = FlowButton(FLOW, "consent:yes")
DISAGREE = FlowButton(FLOW, "consent:no")
KEEP = FlowButton(FLOW, "keep")
CONFIRM_VALUE = FlowButton(FLOW, "confirm")


def event_button(event_id: str) -> FlowButton:
    """``seminar:event:<id>``: register for this event."""
    return FlowButton(FLOW, f"event:{event_id}")


def join_button(event_id: str) -> FlowButton:
    """``seminar:join:<id>``: the Register button of an announcement (``flows.notices``),
    pressed outside the flow: straight to registering for that event."""
    return FlowButton(FLOW, f"join:{event_id}")


def cancel_button(registration_id: str) -> FlowButton:
    """``seminar:cancel:<id>``: cancel this registration (the shell checks it is the user's)."""
    return FlowButton(FLOW, f"cancel:{registration_id}")


PERSONAL = frozenset({NAME, COMPANY, EMAIL, PHONE})
"""Answers that identify a person: never kept in an ended state, never handed over."""

RECENT_DAYS = 183
"""When nothing is open, the last event is mentioned only if it ended within about six months:
older ones tell the user nothing about what comes next."""


def _rows(
    ctx: Context, lang: Lang, *first: Button, back: bool = True
) -> tuple[tuple[Button, ...], ...]:
    """Answer buttons one per row, then the navigation buttons two per row."""
    nav = nav_buttons(ctx, lang, back=back)
    return (*((b,) for b in first), *(nav[i : i + 2] for i in range(0, len(nav), 2)))


# ---- choosing an event


def open_events(ctx: Context) -> list[Seminar]:
    """Events open for registration today, soonest first: not past their closing day, and not
    postponed or cancelled by staff."""
    return sorted(
        (e for e in ctx.kb.events if e.open_on(ctx.today) and e.id not in ctx.withdrawn),
        key=lambda e: e.starts,
    )


def _begin(state: FlowState, ctx: Context) -> Result:
    """The first question: which open event, or (none open) whether to be notified."""
    return DIALOGUE.first(state, ctx, CHOOSE_EVENT if open_events(ctx) else NO_EVENTS)


def _ask_event(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    events = open_events(ctx)
    lines = [ctx.say("seminar_choose_event", lang)]
    buttons = []
    for number, event in enumerate(events, start=1):
        details = event_details(event, lang, ctx)
        lines.append(ctx.say("seminar_event_line", lang, number=number, **details))
        label = ctx.say("seminar_event_button", lang, **details)
        buttons.append(Button(label, event_button(event.id)))
    return Reply("\n\n".join(lines), _rows(ctx, lang, *buttons, back=False))


def _read_event(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    events = open_events(ctx)
    chosen: Seminar | None = None
    value = pressed(answer, FLOW) or ""
    if value.startswith("event:"):
        wanted = value.removeprefix("event:")
        chosen = next((e for e in events if e.id == wanted), None)
        if chosen is None:
            raise Invalid("seminar_event_not_open")
    elif isinstance(answer, Text):
        typed = unicodedata.normalize("NFKC", answer.text).strip().rstrip(".")
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(events):
            chosen = events[int(typed) - 1]
    if chosen is None:
        raise Invalid()
    answers = dict(state.answers)
    if answers.get("event_id") != chosen.id:
        answers.pop("seats_left", None)  # the shell's count was for the other event
    answers["event_id"] = chosen.id
    return DIALOGUE.go(replace(state, answers=answers), ctx, CONSENT)


def _join(state: FlowState, event_id: str, ctx: Context) -> Result:
    """An announcement's Register: that event's collection statement, or (no longer open)
    why not and the events that are."""
    fresh = FlowState(flow=FLOW, step=START, lang=state.lang)
    chosen = next((e for e in open_events(ctx) if e.id == event_id), None)
    if chosen is None:
        first = CHOOSE_EVENT if open_events(ctx) else NO_EVENTS
        why = Reply(ctx.say("seminar_event_not_open", state.lang))
        return DIALOGUE.first(fresh, ctx, first, why)
    return DIALOGUE.go(replace(fresh, answers={"event_id": chosen.id}), ctx, CONSENT)


def _ask_no_events(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    text = ctx.say("seminar_none_open", lang)
    last = _last_recent_event(ctx)
    if last is not None:
        details = event_details(last, lang, ctx)
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


def _read_no_events(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    choice = _yes_no(answer, ctx, yes=NOTIFY, no=NO_THANKS)
    if choice == NOTIFY:
        reply = Reply(ctx.say("seminar_subscribed", state.lang))
        return DIALOGUE.finish(state, reply, effects=(Subscribe(state.lang),))
    if choice == NO_THANKS:
        return _finish(state, ctx, ctx.say("seminar_no_thanks", state.lang))
    raise Invalid()


def _yes_no(
    event: Text | Choice, ctx: Context, *, yes: ButtonData, no: ButtonData
) -> ButtonData | None:
    """The button pressed, or what a typed answer means (``read_yes_no``: 同意, 冇問題, "ok
    agreed" are a yes, 唔同意 a no); None if neither (唔知, unrelated text): ask again."""
    if isinstance(event, Choice):
        return event.data if event.data in (yes, no) else None
    said = read_yes_no(event.text, ctx.kb.words)
    return yes if said == "yes" else no if said == "no" else None


# ---- consent


def _ask_consent(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    agree = Button(ctx.say("button_seminar_agree", lang), AGREE)
    disagree = Button(ctx.say("button_seminar_disagree", lang), DISAGREE)
    return Reply(ctx.say(STATEMENT, lang), _rows(ctx, lang, agree, disagree))


def _read_consent(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    choice = _yes_no(answer, ctx, yes=AGREE, no=DISAGREE)
    if choice == AGREE:
        return DIALOGUE.go(state, ctx, NAME, consent=True)
    if choice == DISAGREE:
        return _finish(state, ctx, ctx.say("seminar_consent_declined", state.lang))
    raise Invalid()


# ---- contact details and attendees


def parse_name(text: str) -> str:
    """A person's name: 1-100 characters, letters (any script) with spaces and . ' - · ,"""
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    letters = sum(1 for c in name if c.isalpha())
    allowed = all(
        c.isalpha() or c in " .'’-·‧," or unicodedata.category(c).startswith("M") for c in name
    )
    if not (1 <= len(name) <= 100 and letters and allowed):
        raise Invalid("seminar_bad_name")
    return name


def parse_company(text: str) -> str:
    """A company or organisation name: 1-200 characters with at least one letter or digit."""
    company = " ".join(unicodedata.normalize("NFKC", text).split())
    if not (1 <= len(company) <= 200 and any(c.isalnum() for c in company)):
        raise Invalid("seminar_bad_company")
    return company


def parse_email(text: str) -> str:
    """An e-mail address as ``email-validator`` normalises it (syntax only: no network), with
    the full-width ＠ and dots of a Chinese keyboard accepted."""
    typed = unicodedata.normalize("NFKC", text).strip().replace("。", ".")
    try:
        checked = validate_email(typed, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid("seminar_bad_email") from exc
    return str(checked.normalized).lower()


# The programme's audience: Hong Kong, Macau and Guangdong (any mainland number is accepted).
PHONE_REGIONS = ("HK", "MO", "CN")  # tried in this order for a number without a country code
_PHONE_KINDS = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def parse_phone(text: str) -> str:
    """A Hong Kong, Macau or mainland mobile or landline, in international format ("+852 2788
    5588", "+853 6612 3456", "+86 769 2233 4455"), checked against ``phonenumbers``' numbering
    plans; a number elsewhere is refused with its own message (we call these three only)."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    elif re.fullmatch(r"\(?(852|853|86)\)?[\s\-]+\d.*", typed):  # "852-9123-4567"
        typed = "+" + typed.lstrip("(")
    number = _valid_number(typed)
    if number is None:
        raise Invalid("seminar_bad_phone")
    if phonenumbers.region_code_for_number(number) not in PHONE_REGIONS:
        raise Invalid("seminar_phone_region")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _valid_number(typed: str) -> phonenumbers.PhoneNumber | None:
    """The first reading of ``typed`` that is a real mobile or landline: as typed when it has a
    country code, else as a Hong Kong, then Macau, then mainland number."""
    for region in (None,) if typed.startswith("+") else PHONE_REGIONS:
        try:
            number = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            continue
        if (
            phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in _PHONE_KINDS
        ):
            return number
    return None


MAX_ATTENDEES = 9999


def parse_attendees(text: str, words: Words) -> int:
    """A positive whole number of people: "2", "２", "2人", "兩位", "三個", "十二", "4 people".

    What may follow the number is ``counts.people`` in ``words.yaml``; the numeral is read by
    ``knowledge.numerals`` (a malformed one such as 「一二」 is refused, not read as 2).
    """
    typed = fold(text)
    for unit in sorted((fold(unit) for unit in words.counts.people.all()), key=len, reverse=True):
        if typed.endswith(unit):
            typed = typed.removesuffix(unit).rstrip()
            break
    number = read_whole_number(typed)
    if number is None or not 1 <= number <= MAX_ATTENDEES:
        raise Invalid("seminar_bad_attendees")
    return number


def _attendees(text: str, ctx: Context) -> int:
    return parse_attendees(text, ctx.kb.words)


def _text_only(parse: Callable[[str], Any]) -> Callable[[str, Context], Any]:
    """A field reader that needs the typed text only."""
    return lambda text, ctx: parse(text)


def _check_attendees(number: int, state: FlowState, ctx: Context) -> None:
    """The event's per-company limit and the seats the shell said were left."""
    event = _event(ctx, state.answers.get("event_id"))
    if event is not None and event.limit_per_company and number > event.limit_per_company:
        raise Invalid("seminar_over_company_limit", limit=event.limit_per_company)
    seats = _seats_left(state)
    if seats is not None and number > seats:
        raise Invalid("seminar_over_seats", seats=seats)


def _seats_left(state: FlowState) -> int | None:
    """The seats left, once the shell has said (``Registered("full", seats_left=n)``)."""
    seats = state.answers.get("seats_left")
    return seats if isinstance(seats, int) and not isinstance(seats, bool) else None


@dataclass(frozen=True)
class _Field:
    """A typed answer: the prompt's message key and how to read (and normalise) the text."""

    prompt: str
    parse: Callable[[str, Context], Any]
    next: str


FIELDS: dict[str, _Field] = {
    NAME: _Field("seminar_ask_name", _text_only(parse_name), COMPANY),
    COMPANY: _Field("seminar_ask_company", _text_only(parse_company), EMAIL),
    EMAIL: _Field("seminar_ask_email", _text_only(parse_email), PHONE),
    PHONE: _Field("seminar_ask_phone", _text_only(parse_phone), ATTENDEES),
    ATTENDEES: _Field("seminar_ask_attendees", _attendees, CONFIRM),
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
    return Reply(text, _rows(ctx, lang, *keep), typed=True)


def _read_field(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    field = FIELDS[state.step]
    if isinstance(answer, Choice):
        if answer.data != KEEP or state.step not in state.answers:
            raise Invalid()
        typed = str(state.answers[state.step])
    else:
        typed = answer.text
    if state.step == ATTENDEES and _seats_left(state) == 0:
        return _sold_out(state, ctx)
    value = field.parse(typed, ctx)
    if state.step == ATTENDEES:
        _check_attendees(value, state, ctx)
    return DIALOGUE.go(state, ctx, field.next, **{state.step: value})


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
    details = event_details(event, lang, ctx) if event else _unknown_details(answers)
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
    edit = Button(ctx.say("button_seminar_edit", lang), BACK)
    return Reply(text, ((confirm,), (edit,), *_rows(ctx, lang, back=False)))


def _read_confirm(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    said = read_yes_no(answer.text, ctx.kb.words) if isinstance(answer, Text) else None
    if said == "no":  # "唔啱", "not correct": as the edit button, back to change an answer
        return DIALOGUE.back(state, ctx)
    confirmed = (isinstance(answer, Choice) and answer.data == CONFIRM_VALUE) or said == "yes"
    if not confirmed:
        raise Invalid()
    answers = state.answers
    event_id = str(answers.get("event_id", ""))
    seminar = _event(ctx, event_id)
    if seminar is None or seminar not in open_events(ctx):
        title = seminar.title.get(state.lang) if seminar else event_id
        return _finish(state, ctx, ctx.say("seminar_closed", state.lang, title=title))
    register = Register(
        event_id=event_id,
        name=answers[NAME],
        company=answers[COMPANY],
        email=answers[EMAIL],
        phone=answers[PHONE],
        attendees=answers[ATTENDEES],
        lang=state.lang,
        consent=ctx.kb.statement_version(STATEMENT),
    )
    return Result(state.ask(SAVING), (), (register,))


# ------------------------------------------------------------------------------ the shell's answers


def _please_wait(state: FlowState, ctx: Context) -> Result:
    """While the shell works, only its outcome moves the flow."""
    return Result(state, (Reply(ctx.say("seminar_wait", state.lang)),))


def _saved(state: FlowState, outcome: Registered, ctx: Context) -> Result:
    lang = state.lang
    seminar = _event(ctx, state.answers.get("event_id"))
    details = event_details(seminar, lang, ctx) if seminar else _unknown_details(state.answers)
    if outcome.result == "ok":
        parts = [ctx.say("seminar_registered", lang, attendees=state.answers[ATTENDEES], **details)]
        if seminar is not None and seminar.online:
            parts.append(
                ctx.say("seminar_registered_online", lang, user_email=state.answers[EMAIL])
            )
        if seminar is not None and seminar.bad_weather is not None:
            parts.append(ctx.say("seminar_bad_weather", lang, rule=seminar.bad_weather.get(lang)))
        return _finish(state, ctx, "\n\n".join(parts), mine_button=True)
    if outcome.result in ("full", "over_company_limit"):
        return _too_many(state, outcome, ctx)
    if outcome.result == "duplicate":
        text = ctx.say(
            "seminar_duplicate", lang, user_email=state.answers[EMAIL], title=details["title"]
        )
        return _finish(state, ctx, text, mine_button=True)
    if outcome.result == "closed":
        return _finish(state, ctx, ctx.say("seminar_closed", lang, title=details["title"]))
    return _finish(state, ctx, ctx.say("seminar_error", lang))


def _too_many(state: FlowState, outcome: Registered, ctx: Context) -> Result:
    """Back to the attendees question, which now says how many seats are left (if the shell
    said); none at all: offer to be told about the next seminar."""
    answers = dict(state.answers)
    if outcome.seats_left is not None:
        answers["seats_left"] = max(outcome.seats_left, 0)
    back = replace(_rewind(state, ATTENDEES), answers=answers)
    if _seats_left(back) == 0:
        return _sold_out(back, ctx)
    key = "seminar_full" if outcome.result == "full" else "seminar_company_limit_reached"
    return DIALOGUE.reask(back, ctx, key)


def _rewind(state: FlowState, target: str) -> FlowState:
    """Go back through the history to ``target``, as if the user had pressed Back."""
    while state.step != target and state.history:
        state = state.back()
    return state


# ---- my registrations


def _list_mine(state: FlowState, rest: str, ctx: Context) -> Result:
    if rest:
        raise Invalid()
    listing = FlowState(flow=FLOW, step=LISTING, lang=state.lang)
    return Result(listing, (), (ListRegistrations(),))


def _listed(state: FlowState, outcome: RegistrationsListed, ctx: Context) -> Result:
    if not outcome.registrations:
        return _finish(state, ctx, ctx.say("seminar_mine_none", state.lang))
    registrations = [
        {"id": r.id, "event_id": r.event_id, "attendees": r.attendees}
        for r in outcome.registrations
    ]
    listed = replace(state, step=MINE_LIST, answers={"registrations": registrations})
    return DIALOGUE.ask(listed, ctx)


def _ask_mine(state: FlowState, ctx: Context) -> Reply:
    lang = state.lang
    lines = [ctx.say("seminar_mine_list", lang)]
    buttons = []
    for number, registration in enumerate(state.answers.get("registrations", []), start=1):
        seminar = _event(ctx, registration["event_id"])
        details = event_details(seminar, lang, ctx) if seminar else _unknown_details(registration)
        attendees = registration["attendees"] if registration["attendees"] is not None else "-"
        lines.append(
            ctx.say("seminar_mine_line", lang, number=number, attendees=attendees, **details)
        )
        label = ctx.say("button_seminar_cancel_registration", lang, number=number)
        buttons.append(Button(label, cancel_button(registration["id"])))
    return Reply("\n\n".join(lines), _rows(ctx, lang, *buttons, back=False))


def _read_mine(state: FlowState, answer: UserInput, ctx: Context) -> Result:
    """A typed number picks the registration to cancel (its button works at any step)."""
    registrations = state.answers.get("registrations", [])
    if isinstance(answer, Text):
        typed = unicodedata.normalize("NFKC", answer.text).strip()
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(registrations):
            return _cancel_registration(state, registrations[int(typed) - 1]["id"], ctx)
    raise Invalid()


def _cancel_registration(state: FlowState, registration_id: str, ctx: Context) -> Result:
    if not registration_id:
        raise Invalid()
    known = state.answers.get("registrations", []) if state.step == MINE_LIST else []
    event_id = next((r["event_id"] for r in known if r["id"] == registration_id), None)
    answers: dict[str, Any] = {"registration_id": registration_id}
    if event_id is not None:
        answers["event_id"] = event_id
    cancelling = FlowState(flow=FLOW, step=CANCELLING, lang=state.lang, answers=answers)
    return Result(cancelling, (), (CancelRegistration(registration_id),))


def _cancelled(state: FlowState, outcome: RegistrationCancelled, ctx: Context) -> Result:
    lang = state.lang
    if not outcome.found:
        return _finish(state, ctx, ctx.say("seminar_cancel_failed", lang), mine_button=True)
    seminar = _event(ctx, state.answers.get("event_id"))
    if seminar is None:
        return _finish(state, ctx, ctx.say("seminar_registration_cancelled_unknown", lang))
    title = seminar.title.get(lang)
    return _finish(state, ctx, ctx.say("seminar_registration_cancelled", lang, title=title))


def _finish(state: FlowState, ctx: Context, text: str, *, mine_button: bool = False) -> Result:
    """End the flow with ``text``, keeping only the non-personal answers."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    if mine_button:
        buttons = ((Button(ctx.say("button_seminar_mine", state.lang), MINE),),)
    return DIALOGUE.finish(state, Reply(text, buttons))


# ------------------------------------------------------------------------------ the table

_FIELD = Ask(_ask_field, _read_field)
DIALOGUE = Flow(
    FLOW,
    begin=_begin,
    steps={
        CHOOSE_EVENT: Ask(_ask_event, _read_event),
        NO_EVENTS: Ask(_ask_no_events, _read_no_events),
        CONSENT: Ask(_ask_consent, _read_consent),
        NAME: _FIELD,
        COMPANY: _FIELD,
        EMAIL: _FIELD,
        PHONE: _FIELD,
        ATTENDEES: _FIELD,
        CONFIRM: Ask(_ask_confirm, _read_confirm),
        SAVING: Wait({Registered: _saved}, _please_wait),
        MINE_LIST: Ask(_ask_mine, _read_mine),
        LISTING: Wait({RegistrationsListed: _listed}, _please_wait),
        CANCELLING: Wait({RegistrationCancelled: _cancelled}, _please_wait),
    },
    anywhere={"mine": _list_mine, "cancel": _cancel_registration, "join": _join},
    personal=PERSONAL | {"registrations"},
)
STEPS = DIALOGUE.step_names
new_state, step = DIALOGUE.new_state, DIALOGUE.step


# ------------------------------------------------------------------------------ event details


def _event(ctx: Context, event_id: object) -> Seminar | None:
    return next((e for e in ctx.kb.events if e.id == event_id), None)


def event_details(event: Seminar, lang: Lang, ctx: Context) -> dict[str, str]:
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
