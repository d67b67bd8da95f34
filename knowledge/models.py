"""Typed schemas for the curated knowledge: validated once at load, immutable afterwards.

Every fact the bot can state lives in YAML under ``knowledge/data`` and names the programme
document (``knowledge/sources``, copies of the programme's documents) and section it comes from, so a
reviewer can check each figure against its source.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

Lang = Literal["en", "yue", "zh"]
LANGS: tuple[Lang, ...] = ("en", "yue", "zh")


# YAML reads a bare 45000 as a number; a keyword is always text.
Keyword = Annotated[
    str, BeforeValidator(lambda value: str(value) if isinstance(value, int | float) else value)
]


class Frozen(BaseModel):
    """Base for knowledge objects: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Trilingual(Frozen):
    """One user-visible text in the three languages the bot speaks."""

    en: str
    yue: str
    zh: str

    @field_validator("en", "yue", "zh")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value.strip()

    def get(self, lang: Lang) -> str:
        return str(getattr(self, lang))


class PerLanguage(Frozen):
    """Texts of one kind in each of the bot's languages; subclasses say how many and how read."""

    en: tuple[str, ...] = ()
    yue: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()

    def get(self, lang: Lang) -> tuple[str, ...]:
        return tuple(getattr(self, lang))

    def all(self) -> tuple[str, ...]:
        return self.en + self.yue + self.zh


class Questions(PerLanguage):
    """The ways people ask one question, per language (at least one each)."""

    en: tuple[str, ...] = Field(min_length=1)
    yue: tuple[str, ...] = Field(min_length=1)
    zh: tuple[str, ...] = Field(min_length=1)


class Source(Frozen):
    """Where a fact comes from: a file in ``knowledge/sources`` and a section in it."""

    doc: str
    section: str


class Period(Frozen):
    """A dated window (an application round) whose open/closed status is said at answer time."""

    opens: dt.date | None = None
    closes: dt.date | None = None
    label: Trilingual

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.opens and self.closes and self.opens > self.closes:
            raise ValueError("period opens after it closes")
        return self


class FaqEntry(Frozen):
    """One curated question with its trilingual answer and sources."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    topic: str = Field(pattern=r"^[a-z0-9_]+$")
    phase: str | None = None
    sources: tuple[Source, ...] = Field(min_length=1)
    questions: Questions
    keywords: tuple[Keyword, ...] = ()
    answer: Trilingual
    related: tuple[str, ...] = ()
    period: Period | None = None


class Intent(Frozen):
    """Something people say that is not a programme question (greeting, weather, other schemes)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["greeting", "thanks", "goodbye", "identity", "out_of_scope"]
    questions: Questions


class OtherScheme(Frozen):
    """A fund or scheme people confuse with this programme: named when asked about, never
    described (the programme's documents say nothing about it)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Trilingual
    aliases: tuple[str, ...] = Field(min_length=1)


PhaseStatus = Literal["in_force", "ended", "not_started", "undated"]
UNDATED = "undated"
"""The ``phase`` of a fact whose only source is undated (the SME support page)."""


class Phase(Frozen):
    """A funding phase of the programme, with the documents that describe it."""

    id: str
    name: Trilingual
    starts: dt.date | None = None
    ends: dt.date
    source: Source
    documents: tuple[str, ...] = Field(min_length=1, description="the documents of this phase")

    def in_force(self, today: dt.date) -> bool:
        return self.status(today) == "in_force"

    def status_date(self, status: PhaseStatus) -> dt.date | None:
        """The date a status is told with: when a phase not yet begun starts, else when it ends."""
        return self.starts if status == "not_started" else self.ends

    def status(self, today: dt.date) -> PhaseStatus:
        """Whether ``today`` is before, inside or after this phase (a phase not begun is not ended)."""
        if self.starts is not None and today < self.starts:
            return "not_started"
        return "in_force" if today <= self.ends else "ended"


class Clause(Frozen):
    """A clause a guided check cites: the document, the section as the document writes it (``kb
    check`` finds it there), and, where that is in another script, how to show it per language."""

    doc: str
    section: str
    shown: Trilingual | None = None

    @property
    def source(self) -> Source:
        return Source(doc=self.doc, section=self.section)

    def label(self, lang: Lang) -> str:
        return self.shown.get(lang) if self.shown is not None else self.section


class FundingRule(Frozen):
    """How much a scheme pays in one phase: a share of the cost up to a ceiling."""

    phase: str | None = Field(description="phase id; null when the source does not date the rule")
    share: float = Field(gt=0, le=1)
    ceiling_hkd: int | None = Field(default=None, gt=0)
    duration_months: int | None = Field(default=None, gt=0)
    source: Source


class Scheme(Frozen):
    """A fundable project type (on-site assessment, DP(I), new technology project, OSI...)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Trilingual
    asked_as: tuple[str, ...] = Field(
        default=(), description="synonyms.yaml concepts that name the scheme in a question"
    )
    summary: Trilingual
    funding: tuple[FundingRule, ...] = Field(min_length=1)


class Contact(Frozen):
    """A way to reach the programme's people."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Trilingual
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None
    address: Trilingual | None = None
    source: Source


class ShareholdingRule(Frozen):
    """Relation (d): a Hong Kong resident owning the mainland enterprise and the applicant."""

    mainland_more_than_pct: float = Field(gt=0, lt=100)
    applicant_at_least_pct: float = Field(gt=0, lt=100)
    source: Source


class RecognitionRule(Frozen):
    """The Recognition Scheme round the documents describe, and its new-application thresholds.

    ``since`` is "the past five years" counted back from the day applications opened; a factory's
    legal compliance is counted from ``compliance_since``. Renewal criteria (section 5 of the
    guide) are different and are not modelled here.
    """

    year: int = Field(gt=2000)
    opens: dt.date
    closes: dt.date
    since: dt.date
    compliance_since: dt.date
    cost_options: int = Field(gt=0, description="cost options implemented after the assessment")
    cost_options_with_voc_nox: int = Field(gt=0, description="as many, when one cuts VOC or NOx")
    manufacturing_demonstration_projects: int = Field(gt=0)
    excel_demonstration_projects: int = Field(gt=0)
    excel_logos: int = Field(gt=0, description="Partners (Manufacturing) logos obtained")
    supply_chain_factories: int = Field(gt=0)
    technology_service_projects: int = Field(gt=0)
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> RecognitionRule:
        if not self.since < self.compliance_since <= self.opens <= self.closes:
            raise ValueError("dates must run since < compliance_since <= opens <= closes")
        if self.cost_options_with_voc_nox > self.cost_options:
            raise ValueError("cost_options_with_voc_nox must not exceed cost_options")
        if self.excel_demonstration_projects <= self.manufacturing_demonstration_projects:
            raise ValueError("the Excel logo needs more demonstration projects than the Partners")
        return self


class QuotationTier(Frozen):
    """How a purchase up to ``up_to_hkd`` (inclusive; None = any larger amount) is procured."""

    up_to_hkd: int | None = Field(default=None, gt=0)
    kind: Literal["oral_or_written", "written", "open_tender"]
    count: int | None = Field(default=None, gt=0)


class Procurement(Frozen):
    """Quotation rules for each purchase of equipment for the schemes in ``applies_to``, in
    ascending tiers; ``silent_for`` are schemes whose documents say nothing on procurement."""

    phase: str
    tiers: tuple[QuotationTier, ...] = Field(min_length=1)
    applies_to: tuple[str, ...] = Field(min_length=1)
    silent_for: tuple[str, ...] = ()
    source: Source

    @model_validator(mode="after")
    def _ascending(self) -> Procurement:
        limits = [t.up_to_hkd for t in self.tiers]
        if None in limits[:-1] or limits != sorted(limits, key=lambda v: v or float("inf")):
            raise ValueError("tiers must ascend, with only the last one open-ended")
        return self

    def tier(self, amount_hkd: float) -> QuotationTier:
        return next(t for t in self.tiers if t.up_to_hkd is None or amount_hkd <= t.up_to_hkd)


class Programme(Frozen):
    """The programme's structured facts: phases, schemes, rules and contacts."""

    phases: tuple[Phase, ...] = Field(min_length=1)
    schemes: tuple[Scheme, ...] = Field(min_length=1)
    contacts: tuple[Contact, ...] = Field(min_length=1)
    undated_documents: tuple[str, ...] = Field(
        default=(), description="documents that name no phase or date (the SME support page)"
    )
    shareholding: ShareholdingRule
    procurement: Procurement
    recognition: RecognitionRule

    @model_validator(mode="after")
    def _phases_known(self) -> Programme:
        known = {phase.id for phase in self.phases}
        for scheme in self.schemes:
            for rule in scheme.funding:
                if rule.phase is not None and rule.phase not in known:
                    raise ValueError(f"scheme {scheme.id}: unknown phase {rule.phase!r}")
        named = {*self.procurement.applies_to, *self.procurement.silent_for}
        unknown = named - {scheme.id for scheme in self.schemes}
        if unknown:
            raise ValueError(f"procurement names unknown schemes {sorted(unknown)}")
        return self

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    def phase_in_force(self, today: dt.date) -> Phase | None:
        return next((p for p in self.phases if p.in_force(today)), None)

    def phase_status(self, phase_id: str | None, today: dt.date) -> PhaseStatus:
        """``phase_id``'s status on ``today``; None or ``UNDATED`` means the source is undated."""
        if phase_id is None or phase_id == UNDATED:
            return "undated"
        return self.phase(phase_id).status(today)

    def document_phase(self, doc: str) -> str | None:
        """The phase a document belongs to, ``UNDATED``, or None (a round or event notice)."""
        if doc in self.undated_documents:
            return UNDATED
        return next((p.id for p in self.phases if doc in p.documents), None)

    def scheme(self, scheme_id: str) -> Scheme:
        return next(s for s in self.schemes if s.id == scheme_id)

    def funding_rule(self, scheme_id: str, today: dt.date) -> FundingRule:
        """The scheme's rule for the phase in force on ``today``; else its undated rule; else the
        rule of the latest phase that documents it (whose status the caller must then state)."""
        rules = self.scheme(scheme_id).funding
        current = self.phase_in_force(today)
        for rule in rules:
            if current is not None and rule.phase == current.id:
                return rule
        undated = [rule for rule in rules if rule.phase is None]
        if undated:
            return undated[0]
        return max(rules, key=lambda r: self.phase(r.phase or "").ends)

    def contact(self, contact_id: str) -> Contact:
        return next(c for c in self.contacts if c.id == contact_id)


HONG_KONG = ZoneInfo("Asia/Hong_Kong")
"""Hong Kong time, the one time zone of the programme: dates are compared and shown in it."""


class Seminar(Frozen):
    """A seminar or workshop people can register for, as announced in its notice.

    Staff add events to ``events.yaml`` from the notice only; nothing here is inferred. Times
    must carry the +08:00 offset so a registration never closes at the wrong hour on a server
    running in UTC. ``capacity`` and ``limit_per_company`` are null when the notice sets none.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Trilingual
    starts: dt.datetime
    ends: dt.datetime
    venue: Trilingual | Literal["online"]
    online: bool
    language: Trilingual
    capacity: int | None = Field(default=None, gt=0)
    limit_per_company: int | None = Field(default=None, gt=0)
    registration_closes: dt.datetime | None = Field(
        default=None, description="when registration closes; defaults to the start time"
    )
    bad_weather: Trilingual | None = None
    source: Source

    @model_validator(mode="before")
    @classmethod
    def _closes_at_start_by_default(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("registration_closes") is None:
            return {**data, "registration_closes": data.get("starts")}
        return data

    @field_validator("starts", "ends", "registration_closes")
    @classmethod
    def _hong_kong_time(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.utcoffset() != dt.timedelta(hours=8):
            raise ValueError(
                "write the time in Hong Kong time with its offset, e.g. 10:30:00+08:00"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Seminar:
        if self.ends <= self.starts:
            raise ValueError("the event ends before it starts")
        if self.registration_closes is not None and self.registration_closes > self.ends:
            raise ValueError("registration closes after the event has ended")
        if self.venue == "online" and not self.online:
            raise ValueError('venue is "online" but online is false')
        if self.capacity and self.limit_per_company and self.limit_per_company > self.capacity:
            raise ValueError("limit_per_company is larger than the capacity")
        return self

    @property
    def closes(self) -> dt.datetime:
        """When registration closes (the start time unless the notice says otherwise)."""
        return self.registration_closes or self.starts

    def open_for_registration(self, now: dt.datetime) -> bool:
        """Whether a registration made at ``now`` (timezone-aware) is still accepted."""
        return now < self.closes

    def open_on(self, today: dt.date) -> bool:
        """Whether registration is open on Hong Kong calendar day ``today`` (flows know only dates)."""
        return today <= self.closes.astimezone(HONG_KONG).date()


SAVED_REPLY_PLACEHOLDERS: tuple[str, ...] = ("phone", "email", "website", "address")
"""What a saved reply may write in braces: the Secretariat's contacts from ``programme.yaml``,
so a phone number or address is typed once, where ``kb check`` verifies it, and never retyped."""


def _one_or_more_sources(value: object) -> object:
    """``source:`` is one ``{doc, section}``, or a list of them for a reply that spans phases."""
    return [value] if isinstance(value, dict) else value


class SavedReply(Frozen):
    """A ready answer staff send to a ticket's user with ``/reply KEY``, in the user's language.

    Staff answer the same questions again and again; a saved reply is written once, in the three
    languages, from the programme's documents (``source``), and checked by ``kb check`` like an
    FAQ answer, so a tired colleague cannot send a wrong figure or an invented phone number.
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    title: Trilingual
    text: Trilingual
    source: Annotated[tuple[Source, ...], BeforeValidator(_one_or_more_sources)] = Field(
        min_length=1
    )

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, text: Trilingual) -> Trilingual:
        for lang in LANGS:
            try:
                names = {field for _, field, _, _ in string.Formatter().parse(text.get(lang))}
            except ValueError as exc:  # a lone "{" or "}"
                raise ValueError(f"{lang}: {exc} (write a brace as {{{{ or }}}})") from None
            unknown = sorted(
                name for name in names if name is not None and name not in SAVED_REPLY_PLACEHOLDERS
            )
            if unknown:
                raise ValueError(
                    f"{lang}: unknown placeholders {unknown}; "
                    f"use only {', '.join('{' + p + '}' for p in SAVED_REPLY_PLACEHOLDERS)}"
                )
        return text

    def render(self, lang: Lang, contact: Contact) -> str:
        """The text in ``lang`` with the placeholders filled from ``contact`` (the Secretariat).
        Raises ValueError when the text uses a detail the contact does not have."""
        values = {
            "phone": contact.phone,
            "email": contact.email,
            "website": contact.website,
            "address": contact.address.get(lang) if contact.address is not None else None,
        }
        text = self.text.get(lang)
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        missing = sorted(name for name in used if values.get(name) is None)
        if missing:
            raise ValueError(f"contact {contact.id!r} has no {', '.join(missing)}")
        return text.format(**{name: value for name, value in values.items() if value is not None})
