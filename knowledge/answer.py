"""Turn a question into an answer a user can act on: matched with its source, or honestly not.

This is the one place that decides what the bot says to a free-text question, for every shell
(console chat, ``cppbot ask``, Telegram). It is pure apart from reading the clock, and even that
is a parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass, replace

from knowledge.amounts import amount_in
from knowledge.cache import cached_index
from knowledge.dates import format_date, today_hk
from knowledge.estimates import estimate, money, summary
from knowledge.lang import detect_language
from knowledge.loader import KnowledgeBase
from knowledge.models import LANGS, FaqEntry, Lang
from knowledge.normalise import Normaliser, default_normaliser
from knowledge.search import MATCH_THRESHOLDS, SUGGEST_THRESHOLD, FaqIndex, Hit, english_words
from knowledge.words import asks_for_person, mentions, question_parts, subject

MAX_QUESTION_CHARS = 500
# Intents that may greet or thank around a question: the question is still answered.
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})
# A bare number below this in a question is more likely a headcount or an area than a cost
# ("our plant has 1200 workers, how much can we get?"); with a currency it is read as one.
MIN_STATED_COST = 10_000


@dataclass(frozen=True)
class Suggestion:
    faq_id: str
    question: str


@dataclass(frozen=True)
class Answer:
    """What the bot replies to a free-text question, in the shape ``cppbot ask --json`` prints."""

    lang: Lang
    matched: bool
    faq_id: str | None
    score: float
    answer: str
    source: str | None
    suggestions: tuple[Suggestion, ...]
    intent: str | None = None  # small talk or out of scope: not a misunderstanding
    worked: bool = False  # holds the arithmetic for a cost the question stated

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        del data["intent"], data["worked"]
        data["score"] = round(self.score, 3)
        data["suggestions"] = [asdict(s) for s in self.suggestions]
        return data


@dataclass(frozen=True)
class Worked:
    """The arithmetic for a cost stated in a question: its text, its sources, and the scheme
    concepts the question named (none: the schemes of the phase in force were used)."""

    text: str
    source: str
    named: frozenset[str]


class Assistant:
    """Answers free-text questions from the FAQ, in the asker's language."""

    def __init__(self, kb: KnowledgeBase, normaliser: Normaliser | None = None) -> None:
        self.kb = kb
        normaliser = normaliser or default_normaliser()
        self.index = cached_index(kb, lambda: FaqIndex(kb.faq, normaliser, kb.intents), normaliser)
        english_words()  # loaded now, not on the first question with a word the FAQ lacks

    def ask(
        self,
        text: str,
        lang: Lang | None = None,
        today: dt.date | None = None,
        split: bool = True,
    ) -> Answer:
        """Answer ``text``; ``lang`` forces the reply language, ``today`` the date (HK).

        A message with two or three questions ("how long does approval take? and how long
        until we're paid?") gets each part the FAQ answers confidently, each with its source
        (``split=False``: read it as one question)."""
        lang = lang or detect_language(text)
        today = today or today_hk()
        if asks_for_person(text, self.kb.words):  # never an FAQ figure for "talk to a person"
            return Answer(
                lang, False, None, 1.0, self.kb.say("intent_person", lang), None, (), "person"
            )
        whole = self._answer(text, lang, today)
        other = self._other_scheme(text, lang, whole)
        if other is not None:  # another fund asked about: named, never described
            return other
        parts = question_parts(text[:MAX_QUESTION_CHARS], self.kb.words) if split else [text]
        if len(parts) < 2:
            return whole
        found: list[Answer] = []
        named = subject(parts[0], self.kb.words)
        for number, part in enumerate(parts):
            if number and named and subject(part, self.kb.words) is None:
                # "for OSI what % is funded and who can apply": who can apply for OSI
                part = f"{named} {part}"
            answer = self._answer(part, lang, today)
            if answer.matched and all(answer.faq_id != f.faq_id for f in found):
                found.append(answer)
        if whole.worked and not any(f.worked for f in found) and self._cost_then_ask(parts):
            return whole  # a cost in one sentence, "how much can we get?" in a later one
        if len(found) == 1 and whole.intent in SMALL_TALK:
            return found[0]  # "hi, sorry to bother. our factory is in Dongguan, can we apply?"
        return self._composed(found, lang) if len(found) > 1 else whole

    def _cost_then_ask(self, parts: list[str]) -> bool:
        """Whether a cost is stated before the sentence that asks how much ("budget around
        1.2M. how much can we get?"), not after it ("ceiling? also a 200k dryer: how many
        quotations?", where the amount is one purchase, not the project)."""
        costs = [i for i, part in enumerate(parts) if amount_in(part) is not None]
        asked = [
            i for i, part in enumerate(parts) if mentions(part, self.kb.words.amount_asked.all())
        ]
        return bool(costs and asked) and costs[0] < asked[0]

    def _other_scheme(self, text: str, lang: Lang, answer: Answer) -> Answer | None:
        """The decline for a question about another fund or scheme (「BUD 專項基金點申請」,
        "is the TVP still 3:1?"), naming it. None when the message names this programme too,
        or when it asks how one other scheme combines with this one ("can we also get the BUD
        Fund for the same machine?": guide 2.6, an entry about other schemes). Two others
        ("can BUD and TVP be combined?") make a question about them."""
        if not mentions(text, self._other_aliases) or mentions(
            text, self.kb.words.this_programme.all()
        ):
            return None  # one pass over the text for all the schemes: most name none
        named = [s for s in self.kb.other_schemes if mentions(text, s.aliases)]
        about_them = answer.faq_id is not None and self._about_other_schemes(answer.faq_id)
        combining = mentions(text, self.kb.words.combining.all())
        if answer.matched and about_them and combining and len(named) == 1:
            return None
        asked = named[0]
        parts = [
            self.kb.say("intent_other_scheme", lang, name=asked.name.get(lang)),
            self.kb.say("offer_person", lang),
        ]
        return Answer(lang, False, None, 1.0, "\n".join(parts), None, (), intent="out_of_scope")

    @functools.cached_property
    def _other_aliases(self) -> tuple[str, ...]:
        """Every name of every other scheme (``other_schemes.yaml``)."""
        return tuple(a for s in self.kb.other_schemes for a in s.aliases)

    @functools.cache  # noqa: B019 - one Assistant per knowledge base, kept for the process
    def _about_other_schemes(self, faq_id: str) -> bool:
        """Whether an entry's questions name another scheme (it answers how they combine)."""
        questions = self.kb.entry(faq_id).questions
        return any(mentions(q, self._other_aliases) for lang in LANGS for q in questions.get(lang))

    def _composed(self, answers: list[Answer], lang: Lang) -> Answer:
        """One reply answering each part in turn; its source lists each part's sources."""
        sources = [a.source for a in answers if a.source]
        return Answer(
            lang=lang,
            matched=True,
            faq_id=answers[0].faq_id,
            score=min(a.score for a in answers),
            answer="\n\n".join(a.answer for a in answers),
            source="; ".join(dict.fromkeys(sources)) or None,
            suggestions=(),
            worked=any(a.worked for a in answers),
        )

    def _answer(self, text: str, lang: Lang, today: dt.date) -> Answer:
        """The answer to one question."""
        hits = self.index.search(text[:MAX_QUESTION_CHARS], limit=6)
        threshold = MATCH_THRESHOLDS[lang]
        if hits and not hits[0].is_faq and hits[0].score >= threshold:
            return self.intent_reply(hits[0], lang, [h for h in hits if h.is_faq])
        hits = [hit for hit in hits if hit.is_faq]
        worked = self._worked(text, lang, today)
        if worked and not (
            hits and hits[0].score >= threshold and worked.named & hits[0].document.all_words
        ):
            # The arithmetic answers it; an entry that is not about the scheme asked about
            # (a project described in words matching some other entry) is only suggested.
            missed = self.not_understood(lang, hits)
            return Answer(
                lang=lang,
                matched=True,
                faq_id=None,
                score=hits[0].score if hits else 0.0,
                answer=worked.text,
                source=worked.source,
                suggestions=missed.suggestions,
                worked=True,
            )
        if hits and hits[0].score >= threshold:
            best = hits[0].entry
            answer = Answer(
                lang=lang,
                matched=True,
                faq_id=best.id,
                score=hits[0].score,
                answer=self.render(best, lang, today),
                source=self.source(best, lang),
                suggestions=self._related(best, lang),
            )
            return self._with_worked(answer, worked) if worked else answer
        return self.not_understood(lang, hits)

    def _worked(self, text: str, lang: Lang, today: dt.date) -> Worked | None:
        """What a cost stated in a question would get, with its sources, when the question asks
        how much ("our DP costs 600k, how much would we get?", 「個project大概80萬，最多資助幾多？」):
        for each scheme it names (``asked_as``), or, naming none, for those of the phase in
        force today. The rule's phase is always said, and an ended phase said to be ended."""
        if not mentions(text, self.kb.words.amount_asked.all()):
            return None
        amount = amount_in(text)
        if amount is None or amount.currency not in (None, "HKD"):
            return None
        if amount.currency is None and amount.value < MIN_STATED_COST:
            return None
        programme = self.kb.programme
        named = self.index.query(text).words
        asked = frozenset(c for s in programme.schemes for c in s.asked_as) & named
        schemes = [s for s in programme.schemes if asked & set(s.asked_as)]
        current = programme.phase_in_force(today)
        if not schemes and current is not None:
            schemes = [
                s for s in programme.schemes if any(r.phase == current.id for r in s.funding)
            ]
        if not schemes:
            return None
        lines = [self.kb.say("answer_worked", lang, cost=money(amount.value))]
        cited: list[str] = []
        for scheme in schemes:
            lines.append(
                summary(estimate(programme, scheme.id, amount.value, today), self.kb, lang)
            )
            rule = programme.funding_rule(scheme.id, today).source
            cited.append(f"{self.kb.documents[rule.doc].get(lang)}, {rule.section}")
        lines.append(self.kb.say("est_disclaimer", lang))
        return Worked("\n".join(lines), "; ".join(dict.fromkeys(cited)), asked)

    @staticmethod
    def _with_worked(answer: Answer, worked: Worked) -> Answer:
        """The FAQ answer, then the arithmetic for the stated cost; both sources cited."""
        sources = [s for s in (answer.source, worked.source) if s]
        return replace(
            answer,
            answer=f"{answer.answer}\n\n{worked.text}",
            source="; ".join(dict.fromkeys(sources)),
            worked=True,
        )

    def intent_reply(self, intent: Hit, lang: Lang, hits: list[Hit]) -> Answer:
        """Small talk gets a friendly reply; anything off-topic is declined, with a way on."""
        parts = [self.kb.say(f"intent_{intent.document.kind}", lang)]
        suggestions: tuple[Suggestion, ...] = ()
        if intent.document.kind == "out_of_scope":
            suggestions = self._suggestions(hits, lang)
            parts.append(self.kb.say("offer_person", lang))
        return Answer(
            lang,
            False,
            None,
            intent.score,
            "\n".join(parts),
            None,
            suggestions,
            intent=intent.document.kind,
        )

    def _suggestions(self, hits: list[Hit], lang: Lang) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(hit.entry.id, hit.entry.questions.get(lang)[0])
            for hit in hits[:3]
            if hit.score >= SUGGEST_THRESHOLD
        )

    def not_understood(self, lang: Lang, hits: list[Hit]) -> Answer:
        """No confident match: say so, offer the closest questions and a person."""
        suggestions = self._suggestions(hits, lang)
        parts = [self.kb.say("no_match", lang)]
        if suggestions:
            parts.append(self.kb.say("did_you_mean", lang))
            parts.extend(f"• {s.question}" for s in suggestions)
        parts.append(self.kb.say("offer_person", lang))
        return Answer(
            lang=lang,
            matched=False,
            faq_id=None,
            score=hits[0].score if hits else 0.0,
            answer="\n".join(parts),
            source=None,
            suggestions=suggestions,
        )

    def render(self, entry: FaqEntry, lang: Lang, today: dt.date) -> str:
        """The entry's answer, with what today's date changes about it."""
        lines = [entry.answer.get(lang)]
        if entry.period is not None:
            lines.append(self._period_status(entry, lang, today))
        if entry.phase is not None:
            note = self._phase_note(entry.phase, lang, today)
            if note:
                lines.append(note)
        return "\n\n".join(line for line in lines if line)

    def _period_status(self, entry: FaqEntry, lang: Lang, today: dt.date) -> str:
        period = entry.period
        assert period is not None
        label = period.label.get(lang)
        if period.closes and period.closes < today:
            key, day = "period_closed", period.closes
        elif period.opens and today < period.opens:
            key, day = "period_upcoming", period.opens
        elif period.closes:
            key, day = "period_open", period.closes
        else:
            return ""
        return self.kb.say(key, lang, label=label, date=format_date(day, lang))

    def _phase_note(self, phase_id: str, lang: Lang, today: dt.date) -> str:
        """Label figures whose phase is not in force today: ended, not begun, or undated."""
        programme = self.kb.programme
        status = programme.phase_status(phase_id, today)
        if status == "in_force":
            return ""
        if status == "undated":
            return self.kb.say("phase_undated", lang)
        phase = programme.phase(phase_id)
        day = phase.status_date(status)
        assert day is not None  # a phase that has not begun has a start date
        current = programme.phase_in_force(today)
        if status == "not_started":
            key = "phase_not_started"
        else:
            key = "phase_ended" if current is not None else "phase_ended_none_in_force"
        return self.kb.say(
            key,
            lang,
            phase=phase.name.get(lang),
            date=format_date(day, lang),
            current=current.name.get(lang) if current else "",
        )

    def source(self, entry: FaqEntry, lang: Lang) -> str:
        """Where the answer comes from: document titles and sections, in the user's language."""
        cited = [f"{self.kb.documents[s.doc].get(lang)}, {s.section}" for s in entry.sources]
        return "; ".join(cited)

    def _related(self, entry: FaqEntry, lang: Lang) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(rel, self.kb.entry(rel).questions.get(lang)[0]) for rel in entry.related
        )
