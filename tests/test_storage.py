"""Storage: registration rules checked in the database, own-only cancelling, /forget."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.storage import Storage
from knowledge.models import Seminar, Source, Trilingual

HKT = dt.timezone(dt.timedelta(hours=8))

# A fictional event for the tests: 5 seats, at most 3 per company.
EVENT = Seminar(
    id="test_seminar",
    title=Trilingual(en="Test seminar", yue="測試研討會", zh="测试研讨会"),
    starts=dt.datetime(2026, 12, 10, 14, 30, tzinfo=HKT),
    ends=dt.datetime(2026, 12, 10, 16, 30, tzinfo=HKT),
    venue="online",
    online=True,
    language=Trilingual(en="Cantonese", yue="廣東話", zh="广东话"),
    capacity=5,
    limit_per_company=3,
    source=Source(doc="seminar-2025-06-25-en.txt", section="test data only"),
)
UNLIMITED = EVENT.model_copy(
    update={"id": "test_unlimited", "capacity": None, "limit_per_company": None}
)


def details(event: Seminar = EVENT, **changes: Any) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "name": "Chan Tai Man",
        "company": "ABC Ltd",
        "email": "chan@abc.com.hk",
        "phone": "+852 2788 5588",
        "attendees": 1,
        "lang": "en",
        **changes,
    }


def test_register_and_list(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(42, details(attendees=2), EVENT)
    [registration] = fresh_db.registrations(42)
    assert (EVENT.id, 2) == (registration["event_id"], registration["attendees"])
    assert [] == fresh_db.registrations(43)
    assert 3 == fresh_db.seats_left(EVENT)
    assert None is fresh_db.seats_left(UNLIMITED)


def test_same_email_twice_is_a_duplicate(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(), EVENT)
    assert "duplicate" == fresh_db.register(2, details(email="CHAN@abc.com.hk"), EVENT)
    assert "ok" == fresh_db.register(1, details(UNLIMITED), UNLIMITED)  # another event
    assert 2 == len(fresh_db.registrations(1))
    assert [] == fresh_db.registrations(2)


def test_a_cancelled_registration_is_no_duplicate(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(), EVENT)
    [registration] = fresh_db.registrations(1)
    assert fresh_db.cancel_registration(1, registration["id"])
    assert "ok" == fresh_db.register(1, details(), EVENT)


def test_capacity(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(company="A", email="a@a.hk", attendees=3), EVENT)
    assert "full" == fresh_db.register(2, details(company="B", email="b@b.hk", attendees=3), EVENT)
    assert "ok" == fresh_db.register(2, details(company="B", email="b@b.hk", attendees=2), EVENT)
    assert 0 == fresh_db.seats_left(EVENT)
    assert "full" == fresh_db.register(3, details(company="C", email="c@c.hk"), EVENT)
    assert "ok" == fresh_db.register(3, details(UNLIMITED, attendees=500), UNLIMITED)


def test_per_company_limit_ignores_case_and_spacing(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(company="ABC Ltd", attendees=2), EVENT)
    assert "over_company_limit" == fresh_db.register(
        2, details(company="abc  LTD", email="lee@abc.com.hk", attendees=2), EVENT
    )
    assert "ok" == fresh_db.register(
        2, details(company="abc ltd", email="lee@abc.com.hk", attendees=1), EVENT
    )
    assert "ok" == fresh_db.register(
        3, details(company="XYZ Ltd", email="x@xyz.hk", attendees=2), EVENT
    )


def test_checks_come_in_order_duplicate_first(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(attendees=3), EVENT)
    assert "duplicate" == fresh_db.register(1, details(attendees=4), EVENT)


def test_the_same_registration_again_is_confirmed_not_doubled(fresh_db: Storage) -> None:
    # A Confirm handled again after a kill: the user is told they are registered, once.
    assert "ok" == fresh_db.register(1, details(attendees=3), EVENT)
    assert "ok" == fresh_db.register(1, details(attendees=3), EVENT)
    assert 1 == len(fresh_db.registrations(1))
    assert "duplicate" == fresh_db.register(2, details(attendees=3), EVENT)  # someone else


def test_registration_closed_when_now_is_given(fresh_db: Storage) -> None:
    before = EVENT.starts - dt.timedelta(hours=1)
    assert "ok" == fresh_db.register(1, details(), EVENT, now=before)
    assert "closed" == fresh_db.register(2, details(email="b@b.hk"), EVENT, now=EVENT.starts)


def test_details_must_match_the_event(fresh_db: Storage) -> None:
    with pytest.raises(ValueError, match="another event"):
        fresh_db.register(1, details(UNLIMITED), EVENT)
    with pytest.raises(ValueError, match="lack"):
        fresh_db.register(1, {"event_id": EVENT.id}, EVENT)


def test_cancel_only_your_own(fresh_db: Storage) -> None:
    assert "ok" == fresh_db.register(1, details(attendees=2), EVENT)
    [registration] = fresh_db.registrations(1)
    assert not fresh_db.cancel_registration(2, registration["id"])
    assert 3 == fresh_db.seats_left(EVENT)
    assert fresh_db.cancel_registration(1, registration["id"])
    assert not fresh_db.cancel_registration(1, registration["id"])  # already cancelled
    assert not fresh_db.cancel_registration(1, "no-such-id")
    assert [] == fresh_db.registrations(1)
    assert 5 == fresh_db.seats_left(EVENT)


def test_forget_deletes_the_users_data_only(fresh_db: Storage) -> None:
    fresh_db.register(1, details(), EVENT)
    fresh_db.register(1, details(UNLIMITED), UNLIMITED)
    fresh_db.register(2, details(email="other@abc.com.hk"), EVENT)
    fresh_db.subscribe(1, "yue")
    fresh_db.subscribe(2, "zh")
    assert 3 == fresh_db.forget(1)
    assert [] == fresh_db.registrations(1)
    assert 0 == fresh_db.db.table("registrations").count_where("user_id = ?", ["1"])
    assert [("2", "zh")] == fresh_db.subscribers()
    assert 1 == len(fresh_db.registrations(2))
    assert 0 == fresh_db.forget(1)


def test_subscribe_twice_keeps_one_row_with_the_new_language(fresh_db: Storage) -> None:
    fresh_db.subscribe("u", "en")
    fresh_db.subscribe("u", "zh")
    assert [("u", "zh")] == fresh_db.subscribers()


def test_data_survive_reopening_and_two_connections_share_the_seats(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = Storage.open(path)
    second = Storage.open(path)
    assert "ok" == first.register(1, details(company="A", email="a@a.hk", attendees=3), EVENT)
    assert "full" == second.register(2, details(company="B", email="b@b.hk", attendees=3), EVENT)
    first.close()
    second.close()
    again = Storage.open(path)
    assert 2 == again.seats_left(EVENT)
    again.close()


def test_no_personal_data_in_the_log(fresh_db: Storage, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        fresh_db.register(987654, details(), EVENT)
        fresh_db.register(987654, details(), EVENT)
        [registration] = fresh_db.registrations(987654)
        fresh_db.cancel_registration(987654, registration["id"])
        fresh_db.subscribe(987654, "en")
        fresh_db.forget(987654)
    assert caplog.records  # it does log, just nothing personal
    for secret in ("Chan Tai Man", "ABC Ltd", "chan@abc.com.hk", "2788 5588", "987654"):
        assert secret not in caplog.text
