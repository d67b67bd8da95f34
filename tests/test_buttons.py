"""The one codec for button data: every button packs and unpacks through it, and Telegram's
64-byte limit is checked when a button is made."""

from __future__ import annotations

import pytest

from flows.buttons import (
    MAX_BYTES,
    ButtonData,
    ButtonDataError,
    EndTicket,
    Faq,
    Feedback,
    FlowButton,
    Language,
    Nav,
    Rating,
    Teach,
    unpack,
)
from flows.conversation import FLOWS
from flows.core import Button
from knowledge.loader import KnowledgeBase

EVERY_KIND: list[ButtonData] = [
    Nav("back"), Nav("person"), Language("yue"), Faq("gen_overview"),
    Feedback("down", "gen_overview"), Rating(12, 5), EndTicket(12), Teach(7, 0),
    FlowButton("eligibility", "yes"), FlowButton("seminar", "event:seminar-2027-01"),
]  # fmt: skip


@pytest.mark.parametrize("data", EVERY_KIND, ids=lambda d: type(d).__name__)
def test_every_kind_round_trips(data: ButtonData) -> None:
    assert data == unpack(data.pack())


def test_todays_packed_strings_are_kept_so_sent_buttons_still_work() -> None:
    assert "nav:back" == Nav("back").pack()
    assert "eligibility:yes" == FlowButton("eligibility", "yes").pack()
    assert "ticket:end:3" == EndTicket(3).pack()
    assert "fb:up:x" == Feedback("up", "x").pack()


@pytest.mark.parametrize(
    "forged",
    ["", "nonsense", ":", "nav:", "nav:sideways", "fb:sideways:x", "fb:up:", "rate:x:y",
     "rate:1", "rate:１:２", "ticket:end:", "ticket:stop:1", "teach:1", "lang:", "faq:",
     "eligibility:", "x" * 65, "nav:back:extra", "rate:99999999999999:1", "日本:語"],
)  # fmt: skip
def test_forged_or_stale_data_unpacks_to_nothing(forged: str) -> None:
    assert None is unpack(forged)


def test_a_button_too_long_for_telegram_cannot_be_made() -> None:
    with pytest.raises(ButtonDataError):
        Button("long", Faq("x" * MAX_BYTES))
    with pytest.raises(ButtonDataError):
        Button("multi-byte", FlowButton("seminar", "event:" + "研" * 20))
    with pytest.raises(ButtonDataError):
        Faq("a:b").pack()


def test_every_flow_is_a_registered_prefix() -> None:
    from flows.buttons import FLOW_PREFIXES

    assert set(FLOWS) == set(FLOW_PREFIXES)


def test_every_faq_entry_and_event_fits_in_a_button(kb: KnowledgeBase) -> None:
    for entry in kb.faq:
        Button("q", Faq(entry.id))
        Button("👎", Feedback("down", entry.id))
    for event in kb.events:
        Button("e", FlowButton("seminar", f"event:{event.id}"))
