"""One codec for the data a button carries, like aiogram's ``CallbackData``.

Every button the bot shows is built from one of the frozen dataclasses below and packed here;
every press is unpacked here, once, into the same dataclass. Nothing else in the code builds or
splits a button's data string, so adding a button is one class (or one more value of a flow's
own ``FlowButton``) and the 64-byte limit Telegram puts on ``callback_data`` is checked in one
place, when the button is built, not when a user presses it.

A packed button is ``prefix:field:field``. Data that does not unpack (an old button, a forged
one, a field of the wrong kind) gives None, and the conversation answers "this button has
expired" instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

MAX_BYTES = 64
"""Telegram's limit on ``callback_data``, in bytes of UTF-8."""

SEPARATOR = ":"

NavAction = Literal["back", "restart", "cancel", "person"]
Vote = Literal["up", "down"]


class ButtonDataError(ValueError):
    """A button that cannot be built: too long for Telegram or a field with the separator."""


@dataclass(frozen=True)
class ButtonData:
    """The base of every kind of button data: a registered prefix and its fields."""

    prefix: ClassVar[str]

    def fields(self) -> tuple[str, ...]:
        raise NotImplementedError

    def pack(self) -> str:
        """The ``callback_data`` string; raises if Telegram would refuse it."""
        fields = self.fields()
        if any(not field or SEPARATOR in field for field in fields):
            raise ButtonDataError(f"a field of {self!r} is empty or contains {SEPARATOR!r}")
        packed = SEPARATOR.join((self.prefix, *fields))
        if len(packed.encode("utf-8")) > MAX_BYTES:
            raise ButtonDataError(f"{packed!r} is longer than {MAX_BYTES} bytes")
        return packed


@dataclass(frozen=True)
class Nav(ButtonData):
    """Back, Restart, Cancel, Talk to a person: the same four in every guided conversation."""

    prefix: ClassVar[str] = "nav"
    action: NavAction

    def fields(self) -> tuple[str, ...]:
        return (self.action,)


@dataclass(frozen=True)
class Language(ButtonData):
    """Switch the conversation's language."""

    prefix: ClassVar[str] = "lang"
    code: str

    def fields(self) -> tuple[str, ...]:
        return (self.code,)


@dataclass(frozen=True)
class Faq(ButtonData):
    """A related or suggested question: pressing it asks it."""

    prefix: ClassVar[str] = "faq"
    faq_id: str

    def fields(self) -> tuple[str, ...]:
        return (self.faq_id,)


@dataclass(frozen=True)
class Feedback(ButtonData):
    """👍 / 👎 under an FAQ answer."""

    prefix: ClassVar[str] = "fb"
    vote: Vote
    faq_id: str

    def fields(self) -> tuple[str, ...]:
        return (self.vote, self.faq_id)


@dataclass(frozen=True)
class Unsubscribe(ButtonData):
    """ "Stop event announcements" under an announcement."""

    prefix: ClassVar[str] = "unsub"

    def fields(self) -> tuple[str, ...]:
        return ("events",)


@dataclass(frozen=True)
class Rating(ButtonData):
    """One to five stars for a closed ticket."""

    prefix: ClassVar[str] = "rate"
    ticket: int
    stars: int

    def fields(self) -> tuple[str, ...]:
        return (str(self.ticket), str(self.stars))


@dataclass(frozen=True)
class EndTicket(ButtonData):
    """The user's "my question is answered" under an open ticket."""

    prefix: ClassVar[str] = "ticket"
    ticket: int

    def fields(self) -> tuple[str, ...]:
        return ("end", str(self.ticket))


@dataclass(frozen=True)
class Teach(ButtonData):
    """Staff's "store this missed question as a phrasing of candidate n"."""

    prefix: ClassVar[str] = "teach"
    miss: int
    index: int

    def fields(self) -> tuple[str, ...]:
        return (str(self.miss), str(self.index))


@dataclass(frozen=True)
class FlowButton(ButtonData):
    """A button of one guided conversation: ``eligibility:yes``, ``estimate:start``,
    ``seminar:event:<id>``. ``value`` is the flow's own (it may contain the separator)."""

    prefix: ClassVar[str] = "flow"
    flow: str
    value: str

    def fields(self) -> tuple[str, ...]:
        return (self.value,)

    def pack(self) -> str:
        if self.flow not in FLOW_PREFIXES:
            raise ButtonDataError(f"{self.flow!r} is not a registered flow")
        packed = f"{self.flow}{SEPARATOR}{self.value}"
        if not self.value or len(packed.encode("utf-8")) > MAX_BYTES:
            raise ButtonDataError(f"{packed!r} is empty or longer than {MAX_BYTES} bytes")
        return packed

    @property
    def starts(self) -> bool:
        """The button that starts its flow from another conversation's reply."""
        return self.value == START_VALUE


START_VALUE = "start"  # the value of the button that starts a flow: ``eligibility:start``
FLOW_PREFIXES = frozenset({"eligibility", "estimate", "recognition", "seminar", "handoff"})
"""The guided conversations whose name is their buttons' prefix (checked by a test against
``flows.conversation.FLOWS``)."""


def _int(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise ValueError(text)
    return int(text)


def _choice(text: str, allowed: object) -> str:
    if text not in get_args(allowed):
        raise ValueError(text)
    return text


def unpack(data: str) -> ButtonData | None:
    """The button a press carries, or None for data no button of this bot carries."""
    if len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    prefix, _, rest = data.partition(SEPARATOR)
    parts = rest.split(SEPARATOR)
    try:
        if prefix in FLOW_PREFIXES and rest:
            return FlowButton(prefix, rest)
        if prefix == Nav.prefix and len(parts) == 1:
            action: NavAction = _choice(parts[0], NavAction)  # type: ignore[assignment]
            return Nav(action)
        if prefix == Language.prefix and len(parts) == 1 and parts[0]:
            return Language(parts[0])
        if prefix == Faq.prefix and len(parts) == 1 and parts[0]:
            return Faq(parts[0])
        if prefix == Feedback.prefix and len(parts) == 2 and parts[1]:
            vote: Vote = _choice(parts[0], Vote)  # type: ignore[assignment]
            return Feedback(vote, parts[1])
        if prefix == Unsubscribe.prefix and parts == ["events"]:
            return Unsubscribe()
        if prefix == Rating.prefix and len(parts) == 2:
            return Rating(_int(parts[0]), _int(parts[1]))
        if prefix == EndTicket.prefix and len(parts) == 2 and parts[0] == "end":
            return EndTicket(_int(parts[1]))
        if prefix == Teach.prefix and len(parts) == 2:
            return Teach(_int(parts[0]), _int(parts[1]))
    except ValueError:
        return None
    return None


BACK = Nav("back")
RESTART = Nav("restart")
CANCEL = Nav("cancel")
PERSON = Nav("person")
