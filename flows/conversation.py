"""One user's conversation with the bot, independent of the transport (console or Telegram).

``handle(session, message, ctx, assistant)`` is pure: it routes a command, a button press or free
text to the active flow or to the FAQ and returns the new session, the replies and the effects
for the shell (store a registration, open a ticket). The session is plain JSON, so the shell can
keep it in SQLite and carry on after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from flows import eligibility, estimate, handoff, recognition, seminar
from flows.core import (
    Button,
    Choice,
    Context,
    Effect,
    Event,
    FlowState,
    Outcome,
    Reply,
    Result,
    Start,
    Text,
)
from knowledge.answer import Answer, Assistant
from knowledge.lang import detect_language
from knowledge.models import LANGS, Lang

MISSES_BEFORE_PERSON = 3
LANGUAGE_NAMES = {"en": "English", "yue": "廣東話", "zh": "普通话"}
LANGUAGE_WORDS: dict[str, Lang] = {
    "en": "en",
    "english": "en",
    "英文": "en",
    "英語": "en",
    "英语": "en",
    "yue": "yue",
    "cantonese": "yue",
    "廣東話": "yue",
    "广东话": "yue",
    "粵語": "yue",
    "粤语": "yue",
    "廣東": "yue",
    "zh": "zh",
    "putonghua": "zh",
    "mandarin": "zh",
    "普通話": "zh",
    "普通话": "zh",
    "國語": "zh",
    "国语": "zh",
    "中文": "zh",
}


class FlowModule(Protocol):
    """What every flow module offers (see flows/core.py)."""

    FLOW: str

    def new_state(self, lang: Lang) -> FlowState: ...

    def step(self, state: FlowState, event: Event, ctx: Context) -> Result: ...


FLOWS: dict[str, FlowModule] = {
    eligibility.FLOW: eligibility,
    estimate.FLOW: estimate,
    recognition.FLOW: recognition,
    seminar.FLOW: seminar,
    handoff.FLOW: handoff,
}
COMMAND_FLOWS = {
    "eligibility": "eligibility",
    "estimate": "estimate",
    "recognition": "recognition",
    "seminars": "seminar",
    "seminar": "seminar",
}


@dataclass(frozen=True)
class Session:
    """What the bot remembers about one user between messages."""

    lang: Lang = "en"
    flow: FlowState | None = None
    misses: int = 0
    recent_misses: tuple[tuple[str, float], ...] = ()
    last_question: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "flow": self.flow.to_json() if self.flow else None,
            "misses": self.misses,
            "recent_misses": [list(m) for m in self.recent_misses],
            "last_question": self.last_question,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        lang = data.get("lang", "en")
        return cls(
            lang=lang if lang in LANGS else "en",
            flow=FlowState.from_json(data["flow"]) if data.get("flow") else None,
            misses=int(data.get("misses", 0)),
            recent_misses=tuple((str(q), float(s)) for q, s in data.get("recent_misses", ())),
            last_question=str(data.get("last_question", "")),
        )

    @property
    def active(self) -> FlowState | None:
        return self.flow if self.flow is not None and not self.flow.done else None


@dataclass(frozen=True)
class Command:
    """A slash command: ``name`` without the slash, ``argument`` the rest of the line."""

    name: str
    argument: str = ""


Message = Command | Text | Choice | Outcome


@dataclass(frozen=True)
class Turn:
    """What one message produces."""

    session: Session
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    answer: Answer | None = field(default=None, compare=False)


def parse_command(text: str) -> Command | None:
    """``/language yue`` → Command("language", "yue"); also ``/start@BotName seminar``."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, _, argument = stripped[1:].partition(" ")
    return Command(head.split("@", 1)[0].lower(), argument.strip())


def say(ctx: Context, session: Session, key: str, **values: Any) -> Reply:
    return Reply(ctx.say(key, session.lang, **values))


def handle(session: Session, message: Message, ctx: Context, assistant: Assistant) -> Turn:
    """The bot's response to one message from the user."""
    if isinstance(message, Text) and (command := parse_command(message.text)):
        message = command
    if isinstance(message, Command):
        return _command(session, message, ctx, assistant)
    if isinstance(message, Choice):
        return _choice(session, message, ctx, assistant)
    if isinstance(message, Outcome):
        return _to_flow(session, message, ctx)
    if session.active is not None:
        return _answer_in_flow(session, message, ctx, assistant)
    return _faq(session, message.text, ctx, assistant)


def _answer_in_flow(session: Session, message: Text, ctx: Context, assistant: Assistant) -> Turn:
    """Text in a flow is first an answer; if the flow can't use it but the FAQ can, answer that
    and ask the flow's question again."""
    turn = _to_flow(session, message, ctx)
    if turn.session.flow != session.flow or turn.effects:
        return turn
    lang = detect_language(message.text, fallback=session.lang)
    answer = assistant.ask(message.text, lang=lang, today=ctx.today)
    if not answer.matched:
        return turn
    question = turn.replies[-1]
    sorry = ctx.say("flow_not_understood", session.lang)
    question = replace(question, text=question.text.removeprefix(sorry).lstrip())
    return Turn(turn.session, (_answer_reply(answer, ctx), question), answer=answer)


def _run(session: Session, name: str, event: Event, ctx: Context) -> Turn:
    module = FLOWS[name]
    state = session.flow if session.flow is not None and session.flow.flow == name else None
    result = module.step(state or module.new_state(session.lang), event, ctx)
    session = replace(session, flow=result.state, misses=0)
    wanted = next((e for e in result.effects if e.kind == "handoff"), None)
    if wanted is not None and name != handoff.FLOW:
        return _handoff(session, ctx, flow=result.state, answers=wanted.data.get("answers", {}))
    return Turn(session, result.replies, result.effects)


def _to_flow(session: Session, event: Event, ctx: Context) -> Turn:
    flow = session.active
    if flow is None:
        return Turn(session, (say(ctx, session, "button_expired"),))
    return _run(session, flow.flow, event, ctx)


def _start_flow(session: Session, name: str, ctx: Context) -> Turn:
    return _run(replace(session, flow=None), name, Start(), ctx)


def _command(session: Session, command: Command, ctx: Context, assistant: Assistant) -> Turn:
    name = command.name
    if name in ("start", "help"):
        deep = COMMAND_FLOWS.get(command.argument.lower())
        if deep:
            return _start_flow(session, deep, ctx)
        languages = tuple(
            Button(LANGUAGE_NAMES[code], f"lang:{code}") for code in LANGS if code != session.lang
        )
        welcome = Reply(
            ctx.say("welcome", session.lang) + "\n\n" + ctx.say("language_offer", session.lang),
            (languages,),
        )
        return Turn(replace(session, flow=None), (welcome, say(ctx, session, "help")))
    if name == "language":
        return _language(session, command.argument, ctx)
    if name in COMMAND_FLOWS:
        return _start_flow(session, COMMAND_FLOWS[name], ctx)
    if name == "cancel":
        if session.active is None:
            return Turn(session, (say(ctx, session, "nothing_to_cancel"),))
        return _to_flow(session, Choice("nav:cancel"), ctx)
    if name == "staff":
        return _handoff(session, ctx, note=command.argument)
    if name == "mine":
        return _run(replace(session, flow=None), seminar.FLOW, Choice("seminar:mine"), ctx)
    if name == "privacy":
        return Turn(session, (say(ctx, session, "privacy"),))
    if name == "forget":
        return Turn(
            replace(session, flow=None, recent_misses=(), last_question=""),
            (say(ctx, session, "forgotten"),),
            (Effect("forget"),),
        )
    return Turn(session, (say(ctx, session, "unknown_command"), say(ctx, session, "help")))


def _language(session: Session, argument: str, ctx: Context) -> Turn:
    wanted = LANGUAGE_WORDS.get(argument.strip().lower())
    if wanted is None:
        buttons = tuple((Button(LANGUAGE_NAMES[code], f"lang:{code}"),) for code in LANGS)
        return Turn(session, (Reply(ctx.say("language_prompt", session.lang), buttons),))
    updated = replace(session, lang=wanted)
    if updated.flow is not None:
        updated = replace(updated, flow=replace(updated.flow, lang=wanted))
    return Turn(updated, (say(ctx, updated, "language_set", language=LANGUAGE_NAMES[wanted]),))


# Personal data typed into a flow is never forwarded with a case: staff ask for it themselves,
# after the collection statement, if they need it.
PERSONAL_KEYS = frozenset({"name", "company", "email", "phone"})


def _handoff(
    session: Session,
    ctx: Context,
    note: str = "",
    flow: FlowState | None = None,
    answers: dict[str, Any] | None = None,
) -> Turn:
    """Hand the case to a person: start the handoff flow with everything staff need to pick it
    up (the flow's answers without personal data, the question, the last misses)."""
    flow = flow or session.flow
    if answers is None:
        answers = dict(flow.answers) if flow is not None else {}
    case = {
        "lang": session.lang,
        "question": note or session.last_question,
        "flow": flow.flow if flow is not None and flow.flow != handoff.FLOW else None,
        "answers": {k: v for k, v in answers.items() if k not in PERSONAL_KEYS},
        "recent_misses": [list(m) for m in session.recent_misses],
    }
    result = handoff.begin(session.lang, case, ctx)
    return Turn(replace(session, flow=result.state, misses=0), result.replies, result.effects)


def _choice(session: Session, choice: Choice, ctx: Context, assistant: Assistant) -> Turn:
    value = choice.value
    prefix, _, rest = value.partition(":")
    if prefix == "lang" and rest in LANGS:
        return _language(session, rest, ctx)
    if prefix == "faq" and rest in {e.id for e in ctx.kb.faq}:
        question = ctx.kb.entry(rest).questions.get(session.lang)[0]
        return _faq(session, question, ctx, assistant)
    if rest == "start" and prefix in FLOWS:
        return _start_flow(session, prefix, ctx)
    if value == "nav:person" and (session.active is None or session.active.flow == handoff.FLOW):
        return _handoff(session, ctx)
    active = session.active
    if active is not None and (prefix == active.flow or prefix == "nav"):
        return _to_flow(session, choice, ctx)
    if prefix == seminar.FLOW:  # "my registrations" buttons outlive the flow that showed them
        turn = _run(session, seminar.FLOW, choice, ctx)
        if turn.replies or turn.effects:
            return turn
    return Turn(session, (say(ctx, session, "button_expired"),))


def _faq(session: Session, text: str, ctx: Context, assistant: Assistant) -> Turn:
    lang = detect_language(text, fallback=session.lang)
    session = replace(session, lang=lang, last_question=text[:500])
    answer = assistant.ask(text, lang=lang, today=ctx.today)
    if answer.matched or answer.intent is not None:
        return Turn(replace(session, misses=0), (_answer_reply(answer, ctx),), answer=answer)
    misses = session.misses + 1
    recent = (*session.recent_misses, (text[:200], round(answer.score, 3)))[-5:]
    session = replace(session, misses=misses, recent_misses=recent)
    if misses >= MISSES_BEFORE_PERSON:
        buttons = ((Button(ctx.say("button_person", lang), "nav:person"),),)
        return Turn(
            replace(session, misses=0),
            (Reply(ctx.say("offer_person_after_misses", lang), buttons),),
            answer=answer,
        )
    return Turn(session, (_answer_reply(answer, ctx),), answer=answer)


def _answer_reply(answer: Answer, ctx: Context) -> Reply:
    """An FAQ answer with its source, related questions as buttons, and (for shells that can)
    feedback buttons."""
    text = answer.answer
    if answer.source:
        text += f"\n\n({ctx.say('source_label', answer.lang)}: {answer.source})"
    rows = [(Button(s.question, f"faq:{s.faq_id}"),) for s in answer.suggestions]
    if not answer.matched and answer.intent in (None, "out_of_scope"):
        rows.append((Button(ctx.say("button_person", answer.lang), "nav:person"),))
    return Reply(text, tuple(rows), feedback=answer.faq_id if answer.matched else None)


__all__ = ["Command", "Session", "Turn", "handle", "parse_command"]
