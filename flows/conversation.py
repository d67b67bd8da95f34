"""One user's conversation with the bot, independent of the transport (console or Telegram).

``handle(session, message, ctx, assistant)`` is pure: it routes a command, a button press or free
text to the active flow or to the FAQ and returns the new session, the replies and the effects
for the shell (store a registration, open a ticket). The session is plain JSON, so the shell can
keep it in SQLite and carry on after a restart; it carries a version, and ``resume`` drops a
stored session this version of the bot cannot continue (an older format, a flow step that no
longer exists) with a polite "let's start again" instead of failing on every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from flows import eligibility, estimate, handoff, recognition, seminar
from flows.buttons import CANCEL, PERSON, Faq, FlowButton, Language, Nav
from flows.core import (
    Button,
    Choice,
    Context,
    Event,
    FlowState,
    Handoff,
    Reply,
    Result,
    Start,
    Text,
)
from flows.effects import OUTCOMES, Case, Effect, ExportData, Forget, Outcome
from flows.personal import mask_personal
from knowledge.amounts import amount_in
from knowledge.answer import Answer, Assistant
from knowledge.estimates import money
from knowledge.lang import conversation_language
from knowledge.models import LANGS, Lang
from knowledge.words import (
    asks_for_person,
    follow_up,
    language_request,
    read_language,
    read_navigation,
)

MISSES_BEFORE_PERSON = 3


def language_name(code: Lang, ctx: Context) -> str:
    """A language's name in itself, as its button shows it (English, 廣東話, 普通话): the message
    ``language_name_<code>`` in that language. What people type to choose one is in words.yaml."""
    return ctx.say(f"language_name_{code}", code)


class FlowModule(Protocol):
    """What every flow module offers (see flows/engine.py)."""

    FLOW: str
    STEPS: frozenset[str]

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


SESSION_VERSION = 2
"""Bumped whenever a stored session of the previous version could not be continued."""


class StaleSession(ValueError):
    """A stored session this version cannot continue."""


@dataclass(frozen=True)
class Session:
    """What the bot remembers about one user between messages."""

    lang: Lang = "en"
    flow: FlowState | None = None
    misses: int = 0
    recent_misses: tuple[tuple[str, float], ...] = ()
    last_question: str = ""
    topic: str = ""  # the last question the FAQ answered: what an elliptical follow-up is about
    topic_age: int = 0  # questions asked since; the topic is forgotten after FOLLOW_UP_TURNS

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SESSION_VERSION,
            "lang": self.lang,
            "flow": self.flow.to_json() if self.flow else None,
            "misses": self.misses,
            "recent_misses": [list(m) for m in self.recent_misses],
            "last_question": self.last_question,
            "topic": self.topic,
            "topic_age": self.topic_age,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Session:
        """The stored session; raises ``StaleSession`` for one this version cannot continue."""
        if data.get("version") != SESSION_VERSION:
            raise StaleSession(f"session version {data.get('version')!r}")
        try:
            lang = data.get("lang", "en")
            flow = FlowState.from_json(data["flow"]) if data.get("flow") else None
            session = cls(
                lang=lang if lang in LANGS else "en",
                flow=flow,
                misses=int(data.get("misses", 0)),
                recent_misses=tuple((str(q), float(s)) for q, s in data.get("recent_misses", ())),
                last_question=str(data.get("last_question", "")),
                topic=str(data.get("topic", "")),
                topic_age=int(data.get("topic_age", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StaleSession(str(exc)) from exc
        if flow is not None and (flow.flow not in FLOWS or flow.step not in FLOWS[flow.flow].STEPS):
            raise StaleSession(f"no step {flow.step!r} in flow {flow.flow!r}")
        return session

    @property
    def active(self) -> FlowState | None:
        return self.flow if self.flow is not None and not self.flow.done else None


@dataclass(frozen=True)
class Command:
    """A slash command: ``name`` without the slash, ``argument`` the rest of the line."""

    name: str
    argument: str = ""


Message = Command | Text | Choice | Outcome


def resume(
    stored: Mapping[str, Any] | None, lang: Lang, ctx: Context
) -> tuple[Session, tuple[Reply, ...]]:
    """The user's stored session, or a new one in ``lang``; a stored session this version
    cannot continue is dropped with a polite "let's start again" in the user's language."""
    if stored is None:
        return Session(lang=lang), ()
    try:
        return Session.from_json(stored), ()
    except StaleSession:
        kept = stored.get("lang")
        session = Session(lang=kept if kept in LANGS else lang)
        if not stored.get("flow"):  # nothing was in progress: nothing to apologise for
            return session, ()
        return session, (Reply(ctx.say("session_restarted", session.lang)),)


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
    if isinstance(message, OUTCOMES):
        return _to_flow(session, message, ctx)
    requested = _request(session, message.text, ctx, assistant)
    if requested is not None:
        return requested
    if session.active is not None:
        return _answer_in_flow(session, message, ctx, assistant)
    return _faq(session, message.text, ctx, assistant)


def _request(session: Session, text: str, ctx: Context, assistant: Assistant) -> Turn | None:
    """A request made in words, anywhere (also in the middle of a check): for a person
    ("can I speak to someone about DP?", 搵真人), or to switch language (講返廣東話得唔得);
    None for anything else. The handoff intake itself reads its answers as they are."""
    words = ctx.kb.words
    active = session.active
    if active is not None and active.flow == handoff.FLOW:
        return None
    if asks_for_person(text, words):
        if read_navigation(text, words) != "person":  # the sentence is the question for staff
            session = replace(session, last_question=mask_personal(text)[:500])
        if active is not None:  # the flow hands over its answers (or asks to wait)
            return _to_flow(session, Handoff(), ctx)
        return _handoff(session, ctx)
    wanted = language_request(text, words)
    if wanted is None:
        return None
    switched = _language(session, wanted, ctx)
    if active is not None or read_language(text, words) is not None:
        return switched
    answer = assistant.ask(text, lang=wanted, today=ctx.today)  # "the guide in English please"
    if not answer.matched:
        return switched
    return Turn(switched.session, (*switched.replies, _answer_reply(answer, ctx)), answer=answer)


def _answer_in_flow(session: Session, message: Text, ctx: Context, assistant: Assistant) -> Turn:
    """Text in a flow is first an answer; if the flow can't use it but the FAQ can, answer that
    and ask the flow's question again."""
    turn = _to_flow(session, message, ctx)
    if turn.session.flow != session.flow or turn.effects:
        return turn
    lang = conversation_language(message.text, session.lang)
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
    if result.person is not None and name != handoff.FLOW:
        return _handoff(session, ctx, flow=result.person.flow, answers=result.person.answers)
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
            Button(language_name(code, ctx), Language(code))
            for code in LANGS
            if code != session.lang
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
        return _to_flow(session, Choice(CANCEL), ctx)
    if name == "staff":
        return _handoff(session, ctx, note=command.argument)
    if name == "mine":
        return _run(replace(session, flow=None), seminar.FLOW, Choice(seminar.MINE), ctx)
    if name == "privacy":
        keep = ctx.retention
        text = say(
            ctx,
            session,
            "privacy",
            records=keep.records_months,
            conversations=keep.conversations_months,
        )
        return Turn(session, (text,))
    if name == "mydata":
        return Turn(session, (say(ctx, session, "mydata_sent"),), (ExportData(session.lang),))
    if name == "forget":
        return Turn(
            replace(session, flow=None, recent_misses=(), last_question="", topic=""),
            (say(ctx, session, "forgotten"),),
            (Forget(),),
        )
    return Turn(session, (say(ctx, session, "unknown_command"), say(ctx, session, "help")))


def _language(session: Session, argument: str, ctx: Context) -> Turn:
    wanted = read_language(argument, ctx.kb.words)
    if wanted is None:
        buttons = tuple((Button(language_name(code, ctx), Language(code)),) for code in LANGS)
        return Turn(session, (Reply(ctx.say("language_prompt", session.lang), buttons),))
    updated = replace(session, lang=wanted)
    if updated.flow is not None:
        updated = replace(updated, flow=replace(updated.flow, lang=wanted))
    name = language_name(wanted, ctx)
    return Turn(updated, (say(ctx, updated, "language_set", language=name),))


# Personal data typed into a flow is never forwarded with a case: staff ask for it themselves,
# after the collection statement, if they need it.
PERSONAL_KEYS = frozenset({"name", "company", "email", "phone"})


def _handoff(
    session: Session,
    ctx: Context,
    note: str = "",
    flow: str | None = None,
    answers: Mapping[str, Any] | None = None,
) -> Turn:
    """Hand the case to a person: start the handoff flow with everything staff need to pick it
    up (the flow's answers without personal data, the question, the last misses)."""
    active = session.active
    if flow is None and active is not None and active.flow != handoff.FLOW:
        flow, answers = active.flow, active.answers
    case = Case(
        lang=session.lang,
        question=note or session.last_question,
        flow=flow if flow != handoff.FLOW else None,
        answers={k: v for k, v in (answers or {}).items() if k not in PERSONAL_KEYS},
        recent_misses=session.recent_misses,
    )
    result = handoff.begin(case, ctx)
    return Turn(replace(session, flow=result.state, misses=0), result.replies, result.effects)


def _choice(session: Session, choice: Choice, ctx: Context, assistant: Assistant) -> Turn:
    data = choice.data
    active = session.active
    if isinstance(data, Language) and data.code in LANGS:
        return _language(session, data.code, ctx)
    if isinstance(data, Faq) and data.faq_id in {e.id for e in ctx.kb.faq}:
        question = ctx.kb.entry(data.faq_id).questions.get(session.lang)[0]
        return _faq(session, question, ctx, assistant)
    if isinstance(data, FlowButton) and data.starts and data.flow in FLOWS:
        return _start_flow(session, data.flow, ctx)
    if data == PERSON and (active is None or active.flow == handoff.FLOW):
        return _handoff(session, ctx)
    if active is not None and (
        isinstance(data, Nav) or (isinstance(data, FlowButton) and data.flow == active.flow)
    ):
        return _to_flow(session, choice, ctx)
    if isinstance(data, FlowButton) and data.flow in FLOWS:
        # buttons that work outside their flow: "my registrations", "estimate for HK$800,000"
        turn = _run(session, data.flow, choice, ctx)
        if turn.replies or turn.effects:
            return turn
    return Turn(session, (say(ctx, session, "button_expired"),))


FOLLOW_UP_TURNS = 3
"""Questions after an answer during which an elliptical follow-up ("咁DP(II)呢？", "is it open
now?") is read as being about it."""


def _in_context(
    session: Session, text: str, answer: Answer, ctx: Context, assistant: Assistant
) -> tuple[Answer, str]:
    """The answer to ``text``, read as a follow-up of the topic when it is one (a short message
    the FAQ cannot answer alone, or one that points back: 呢, 咁, "what about", "is it"); and
    the question that answer answers, the new topic."""
    if not session.topic or session.topic_age >= FOLLOW_UP_TURNS or answer.intent is not None:
        return answer, text
    leaning = follow_up(text, ctx.kb.words, answered=answer.matched)
    if leaning is None or (leaning == "switch" and answer.matched):
        return answer, text  # a question of its own, or a new subject the FAQ knows alone
    question = f"{session.topic} {text}"[-500:]
    contextual = assistant.ask(question, lang=answer.lang, today=ctx.today, split=False)
    return (contextual, question) if contextual.matched else (answer, text)


def _faq(session: Session, text: str, ctx: Context, assistant: Assistant) -> Turn:
    lang = conversation_language(text, session.lang)
    # Kept for follow-ups, misses and a person's case: before any collection statement, so
    # without phone numbers, e-mail addresses or ID numbers (flows.personal).
    session = replace(session, lang=lang, last_question=mask_personal(text)[:500])
    answer, question = _in_context(
        session, text, assistant.ask(text, lang=lang, today=ctx.today), ctx, assistant
    )
    if answer.matched:
        session = replace(session, topic=mask_personal(question)[:500], topic_age=0)
    else:
        session = replace(session, topic_age=session.topic_age + 1)
    if answer.matched or answer.intent is not None:
        replies = (_answer_reply(answer, ctx), *_estimate_offer(text, answer, ctx))
        return Turn(replace(session, misses=0), replies, answer=answer)
    misses = session.misses + 1
    recent = (*session.recent_misses, (mask_personal(text)[:200], round(answer.score, 3)))[-5:]
    session = replace(session, misses=misses, recent_misses=recent)
    if misses >= MISSES_BEFORE_PERSON:
        buttons = ((Button(ctx.say("button_person", lang), PERSON),),)
        return Turn(
            replace(session, misses=0),
            (Reply(ctx.say("offer_person_after_misses", lang), buttons),),
            answer=answer,
        )
    replies = (_answer_reply(answer, ctx), *_estimate_offer(text, answer, ctx))
    return Turn(session, replies, answer=answer)


def _estimate_offer(text: str, answer: Answer, ctx: Context) -> tuple[Reply, ...]:
    """A project described with its cost ("replace our air compressors, about 800k") leads on
    to an estimate with that cost already read; the answer before says what is in force."""
    if answer.intent is not None:
        return ()
    amount = amount_in(text)
    if amount is None or amount.currency not in (None, "HKD"):
        return ()
    cost = money(amount.value)
    lang = answer.lang
    button = Button(
        ctx.say("button_estimate_cost", lang, cost=cost),
        FlowButton(estimate.FLOW, f"cost:{amount.value}"),
    )
    # Worked out in the answer already: the offer is of one scheme in detail (its quotations).
    offer = "offer_estimate_detail" if answer.worked else "offer_estimate"
    return (Reply(ctx.say(offer, lang, cost=cost), ((button,),)),)


def _answer_reply(answer: Answer, ctx: Context) -> Reply:
    """An FAQ answer with its source, related questions as buttons, and (for shells that can)
    feedback buttons."""
    text = answer.answer
    if answer.source:
        text += f"\n\n({ctx.say('source_label', answer.lang)}: {answer.source})"
    rows = [(Button(s.question, Faq(s.faq_id)),) for s in answer.suggestions]
    if not answer.matched and answer.intent in (None, "out_of_scope"):
        rows.append((Button(ctx.say("button_person", answer.lang), PERSON),))
    return Reply(text, tuple(rows), feedback=answer.faq_id if answer.matched else None)


__all__ = ["Command", "Effect", "Session", "Turn", "handle", "parse_command", "resume"]
