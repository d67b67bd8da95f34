"""The typed contract between the flows and the shells: what a flow asks the shell to do
(effects) and what the shell answers (outcomes).

A flow never does I/O. When it needs something only the shell can do (store a registration,
open a ticket), it returns an effect; the runtime carries it out and feeds the outcome back to
the flow as an event. Both are frozen dataclasses, so nothing crosses a layer as a dict that the
other side has to re-parse, and mypy checks every producer against every consumer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.models import LANGS, Lang

# ------------------------------------------------------------------------------- the case


@dataclass(frozen=True)
class Case:
    """Everything staff need to pick a conversation up: who is asking, what they want to know,
    and what the bot already found out. Built once by the conversation, completed by the
    handoff flow, stored with the ticket and rendered for staff by ``flows.handoff.summary``.

    ``answers`` are the flow's answers without personal data (plain JSON values)."""

    lang: Lang
    question: str = ""
    company: str = ""
    flow: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    recent_misses: tuple[tuple[str, float], ...] = ()
    consent: str = ""  # the version of the statement shown before staff saw anything

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "question": self.question,
            "company": self.company,
            "flow": self.flow,
            "answers": dict(self.answers),
            "recent_misses": [list(miss) for miss in self.recent_misses],
            "consent": self.consent,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        lang = data.get("lang")
        flow = data.get("flow")
        answers = data.get("answers")
        return cls(
            lang=lang if lang in LANGS else "en",
            question=str(data.get("question") or ""),
            company=str(data.get("company") or ""),
            flow=str(flow) if flow else None,
            answers=dict(answers) if isinstance(answers, Mapping) else {},
            recent_misses=tuple(
                (str(miss[0]), float(miss[1]))
                for miss in data.get("recent_misses") or ()
                if isinstance(miss, list | tuple) and len(miss) == 2
            ),
            consent=str(data.get("consent") or ""),
        )


@dataclass(frozen=True)
class OfficeSchedule:
    """When staff answer, as the user is told it: weekdays (0 = Monday) and "HH:MM" times."""

    days: tuple[int, ...]
    opens: str
    closes: str


@dataclass(frozen=True)
class AfterHours:
    """The office is closed now: when it opens, and its usual hours."""

    opens_at: dt.datetime
    schedule: OfficeSchedule


@dataclass(frozen=True)
class RegistrationRef:
    """One of the user's registrations, as the "my registrations" list shows it."""

    id: str
    event_id: str
    attendees: int | None


# ---------------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class Register:
    """Store a seminar registration (the capacity check happens atomically in the database)."""

    event_id: str
    name: str
    company: str
    email: str
    phone: str
    attendees: int
    lang: Lang
    consent: str = ""  # the collection statement's version the user agreed to


@dataclass(frozen=True)
class ListRegistrations:
    """Read the user's registrations."""


@dataclass(frozen=True)
class CancelRegistration:
    """Cancel one of the user's registrations."""

    registration_id: str


@dataclass(frozen=True)
class Subscribe:
    """Tell the user when the next seminar opens."""

    lang: Lang


@dataclass(frozen=True)
class OpenTicket:
    """Hand the case to staff: open a ticket and post its summary in the staff chat."""

    case: Case


@dataclass(frozen=True)
class ExportData:
    """Give the user a copy of everything stored about them, headed in ``lang`` (/mydata)."""

    lang: Lang


@dataclass(frozen=True)
class Forget:
    """Delete everything stored about the user (and what the bot posted about them)."""


Effect = (
    Register | ListRegistrations | CancelRegistration | Subscribe | OpenTicket | ExportData | Forget
)

# --------------------------------------------------------------------------------- outcomes

RegisterResult = Literal["ok", "full", "over_company_limit", "duplicate", "closed", "error"]


@dataclass(frozen=True)
class Registered:
    """What became of a ``Register``; ``seats_left`` when the event is (nearly) full."""

    result: RegisterResult
    seats_left: int | None = None


@dataclass(frozen=True)
class RegistrationsListed:
    registrations: tuple[RegistrationRef, ...]


@dataclass(frozen=True)
class RegistrationCancelled:
    found: bool


@dataclass(frozen=True)
class TicketOpened:
    ticket: int
    after_hours: AfterHours | None = None


@dataclass(frozen=True)
class TicketAlreadyOpen:
    ticket: int


@dataclass(frozen=True)
class NoStaff:
    """No person can take the case here: the console, or no staff chat configured (or the
    staff chat refused the case); the user gets the Secretariat's contacts."""

    where: Literal["console", "unavailable"]


Outcome = (
    Registered
    | RegistrationsListed
    | RegistrationCancelled
    | TicketOpened
    | TicketAlreadyOpen
    | NoStaff
)
OUTCOMES = (
    Registered,
    RegistrationsListed,
    RegistrationCancelled,
    TicketOpened,
    TicketAlreadyOpen,
    NoStaff,
)
