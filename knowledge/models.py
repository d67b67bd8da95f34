"""Typed schemas for the curated knowledge: validated once at load, immutable afterwards.

Every fact the bot can state lives in YAML under ``knowledge/data`` and names the programme
document (``knowledge/sources``, a copy of ``shared/seeds``) and section it comes from, so a
reviewer can check each figure against its source.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

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


class Text(Frozen):
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


class Questions(Frozen):
    """The ways people ask one question, per language (at least one each)."""

    en: tuple[str, ...] = Field(min_length=1)
    yue: tuple[str, ...] = Field(min_length=1)
    zh: tuple[str, ...] = Field(min_length=1)

    def get(self, lang: Lang) -> tuple[str, ...]:
        return tuple(getattr(self, lang))

    def all(self) -> tuple[str, ...]:
        return self.en + self.yue + self.zh


class Source(Frozen):
    """Where a fact comes from: a file in ``knowledge/sources`` and a section in it."""

    doc: str
    section: str


class Period(Frozen):
    """A dated window (an application round) whose open/closed status is said at answer time."""

    opens: dt.date | None = None
    closes: dt.date | None = None
    label: Text

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
    answer: Text
    related: tuple[str, ...] = ()
    period: Period | None = None


class Intent(Frozen):
    """Something people say that is not a programme question (greeting, weather, other schemes)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Literal["greeting", "thanks", "goodbye", "identity", "out_of_scope"]
    questions: Questions


class Phase(Frozen):
    """A funding phase of the programme, with the document that describes it."""

    id: str
    name: Text
    starts: dt.date | None = None
    ends: dt.date
    source: Source

    def in_force(self, today: dt.date) -> bool:
        started = self.starts is None or self.starts <= today
        return started and today <= self.ends


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
    name: Text
    summary: Text
    funding: tuple[FundingRule, ...] = Field(min_length=1)


class Contact(Frozen):
    """A way to reach the programme's people."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Text
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None
    address: Text | None = None
    source: Source


class Programme(Frozen):
    """The programme's structured facts: phases, schemes and contacts."""

    phases: tuple[Phase, ...] = Field(min_length=1)
    schemes: tuple[Scheme, ...] = Field(min_length=1)
    contacts: tuple[Contact, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _phases_known(self) -> Programme:
        known = {phase.id for phase in self.phases}
        for scheme in self.schemes:
            for rule in scheme.funding:
                if rule.phase is not None and rule.phase not in known:
                    raise ValueError(f"scheme {scheme.id}: unknown phase {rule.phase!r}")
        return self

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    def phase_in_force(self, today: dt.date) -> Phase | None:
        return next((p for p in self.phases if p.in_force(today)), None)

    def scheme(self, scheme_id: str) -> Scheme:
        return next(s for s in self.schemes if s.id == scheme_id)

    def contact(self, contact_id: str) -> Contact:
        return next(c for c in self.contacts if c.id == contact_id)
