"""Storage for the staff handoff: sessions, daily notices, tickets, relays, ratings, /forget."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.storage import Storage, Ticket


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


START = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
CASE = {"topic": "eligibility", "answers": {"hk_registered": True}, "note": "想問資助"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def db(clock: FakeClock) -> Storage:
    return Storage.open(":memory:", clock=clock)


def some(ticket: Ticket | None) -> Ticket:
    assert ticket is not None
    return ticket


def open_for(storage: Storage, user: int, company: str = "ABC Ltd") -> Ticket:
    return storage.open_ticket(user, 1000 + user, "yue", company, CASE)


# ----------------------------------------------------------------------------- sessions


def test_no_session_for_a_new_user(fresh_db: Storage) -> None:
    assert None is fresh_db.load_session(1)


def test_save_session_replaces_the_last_one(db: Storage, clock: FakeClock) -> None:
    db.save_session(1, {"flow": "eligibility", "step": 2, "answers": {"hk": True}})
    clock.advance(minutes=5)
    db.save_session("1", {"flow": None, "lang": "zh", "text": "你好"})
    assert {"flow": None, "lang": "zh", "text": "你好"} == db.load_session(1)
    assert 1 == db.db.table("sessions").count
    [row] = db.db.execute("select updated_at from sessions").fetchall()
    assert ("2026-11-20T02:05:00+00:00",) == row


def test_session_must_be_json(fresh_db: Storage) -> None:
    with pytest.raises(TypeError):
        fresh_db.save_session(1, {"when": dt.date(2026, 1, 1)})
    assert None is fresh_db.load_session(1)


def test_sessions_survive_reopening_a_file_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = Storage.open(path)
    first.save_session(7, {"flow": "register", "step": "email"})
    first.close()
    again = Storage.open(path)
    assert {"flow": "register", "step": "email"} == again.load_session(7)
    again.close()


# ------------------------------------------------------------------------- daily notices


def test_daily_notice_is_claimed_once_per_user_kind_and_day(fresh_db: Storage) -> None:
    day = dt.date(2026, 11, 21)
    assert fresh_db.claim_daily_notice(1, "after_hours", day)
    assert not fresh_db.claim_daily_notice(1, "after_hours", day)
    assert not fresh_db.claim_daily_notice("1", "after_hours", day)
    assert fresh_db.claim_daily_notice(2, "after_hours", day)
    assert fresh_db.claim_daily_notice(1, "holiday", day)
    assert fresh_db.claim_daily_notice(1, "after_hours", day + dt.timedelta(days=1))


# ------------------------------------------------------------------------------ tickets


def test_open_ticket_stores_the_case(db: Storage) -> None:
    ticket = db.open_ticket(42, 4242, "zh", "", CASE)
    expected = Ticket(
        id=1,
        user_id="42",
        chat_id=4242,
        lang="zh",
        company="",
        case=CASE,
        status="open",
        thread_id=None,
        summary_message_id=None,
        created_at="2026-11-20T02:00:00+00:00",
        closed_at=None,
        closed_by=None,
        rating=None,
        user_blocked=False,
    )
    assert expected == ticket
    assert expected == db.ticket(1)
    assert None is db.ticket(2)


def test_ticket_ids_are_sequential_and_never_reused(fresh_db: Storage) -> None:
    assert [1, 2, 3] == [open_for(fresh_db, user).id for user in (1, 2, 3)]
    fresh_db.forget(3)  # the newest ticket goes ...
    assert 4 == open_for(fresh_db, 4).id  # ... but "#3" is not handed to someone else


def test_one_open_ticket_per_user(db: Storage, clock: FakeClock) -> None:
    first = open_for(db, 1)
    clock.advance(minutes=1)
    again = db.open_ticket(1, 1001, "en", "Other Co", {"other": "case"})
    assert first == again  # the open one, unchanged
    assert [first] == db.open_tickets()
    assert first == db.open_ticket_for(1)
    assert db.close_ticket(first.id, "user")
    assert None is db.open_ticket_for(1)
    second = db.open_ticket(1, 1001, "en", "Other Co", {"other": "case"})
    assert (2, "en", {"other": "case"}) == (second.id, second.lang, second.case)
    assert second == db.open_ticket_for("1")


def test_open_tickets_oldest_first(fresh_db: Storage) -> None:
    for user in (5, 3, 9):
        open_for(fresh_db, user)
    fresh_db.close_ticket(2, "staff")
    assert [("5", 1), ("9", 3)] == [(t.user_id, t.id) for t in fresh_db.open_tickets()]


def test_close_ticket_once(db: Storage, clock: FakeClock) -> None:
    ticket = open_for(db, 1)
    clock.advance(hours=2)
    assert db.close_ticket(ticket.id, "staff")
    assert not db.close_ticket(ticket.id, "user")  # already closed
    assert not db.close_ticket(99, "staff")  # unknown
    closed = db.ticket(ticket.id)
    assert closed is not None
    assert ("closed", "2026-11-20T04:00:00+00:00", "staff") == (
        closed.status,
        closed.closed_at,
        closed.closed_by,
    )
    with pytest.raises(ValueError):
        db.close_ticket(open_for(db, 2).id, "bot")


def test_thread_and_summary_message(fresh_db: Storage) -> None:
    first = open_for(fresh_db, 1)
    fresh_db.set_ticket_thread(first.id, 77, 500)
    topicless = open_for(fresh_db, 2)
    fresh_db.set_ticket_thread(topicless.id, None, 501)
    stored = some(fresh_db.ticket(first.id))
    assert (77, 500) == (stored.thread_id, stored.summary_message_id)
    assert (None, 501) == (
        some(fresh_db.ticket(2)).thread_id,
        some(fresh_db.ticket(2)).summary_message_id,
    )
    assert first.id == some(fresh_db.ticket_for_thread(77)).id
    assert None is fresh_db.ticket_for_thread(78)
    # the topic is reused for the user's next ticket: the most recent one wins, open or closed
    fresh_db.close_ticket(first.id, "staff")
    assert first.id == some(fresh_db.ticket_for_thread(77)).id
    later = open_for(fresh_db, 1)
    fresh_db.set_ticket_thread(later.id, 77, 600)
    assert later.id == some(fresh_db.ticket_for_thread(77)).id
    fresh_db.close_ticket(later.id, "user")
    assert later.id == some(fresh_db.ticket_for_thread(77)).id


def test_ticket_for_staff_message_via_summary_and_relays(fresh_db: Storage) -> None:
    staff_chat = -100123
    first = open_for(fresh_db, 1)
    second = open_for(fresh_db, 2)
    fresh_db.set_ticket_thread(first.id, None, 10)
    fresh_db.set_ticket_thread(second.id, None, 11)
    # user 1's message 5 (in their own chat) copied into the staff chat as message 12
    fresh_db.record_relay(first.id, "to_staff", 1001, 5, staff_chat, 12)
    # staff message 13 copied into user 2's chat as message 6
    fresh_db.record_relay(second.id, "to_user", staff_chat, 13, 1002, 6)
    assert first.id == some(fresh_db.ticket_for_staff_message(10)).id
    assert second.id == some(fresh_db.ticket_for_staff_message(11)).id
    assert first.id == some(fresh_db.ticket_for_staff_message(12)).id
    assert second.id == some(fresh_db.ticket_for_staff_message(13)).id
    # ids in the users' private chats are not staff-chat messages
    assert None is fresh_db.ticket_for_staff_message(5)
    assert None is fresh_db.ticket_for_staff_message(6)
    assert None is fresh_db.ticket_for_staff_message(99)


def test_ticket_for_staff_message_finds_closed_tickets_too(fresh_db: Storage) -> None:
    ticket = open_for(fresh_db, 1)
    fresh_db.record_relay(ticket.id, "to_staff", 1001, 5, -100, 40)
    fresh_db.close_ticket(ticket.id, "staff")
    found = fresh_db.ticket_for_staff_message(40)
    assert found is not None
    assert (ticket.id, "closed") == (found.id, found.status)


# ------------------------------------------------------------------------------ ratings


def test_rating_a_closed_ticket_once(db: Storage, clock: FakeClock) -> None:
    ticket = open_for(db, 1)
    db.close_ticket(ticket.id, "staff")
    assert db.rate_ticket(ticket.id, 1, 4)
    assert 4 == some(db.ticket(ticket.id)).rating
    assert not db.rate_ticket(ticket.id, 1, 5)  # twice
    assert 4 == some(db.ticket(ticket.id)).rating


@pytest.mark.parametrize("rating", [0, 6, -1, 100])
def test_rating_out_of_range_is_refused(fresh_db: Storage, rating: int) -> None:
    ticket = open_for(fresh_db, 1)
    fresh_db.close_ticket(ticket.id, "staff")
    assert not fresh_db.rate_ticket(ticket.id, 1, rating)
    assert None is some(fresh_db.ticket(ticket.id)).rating
    assert fresh_db.rate_ticket(ticket.id, 1, 1)  # still possible with a real value


def test_forged_ratings_are_refused(fresh_db: Storage) -> None:
    ticket = open_for(fresh_db, 1)
    assert not fresh_db.rate_ticket(ticket.id, 1, 5)  # still open
    fresh_db.close_ticket(ticket.id, "staff")
    assert not fresh_db.rate_ticket(ticket.id, 2, 5)  # someone else's ticket
    assert not fresh_db.rate_ticket(99, 1, 5)  # no such ticket
    assert None is some(fresh_db.ticket(ticket.id)).rating
    assert fresh_db.rate_ticket(ticket.id, "1", 5)


# ---------------------------------------------------------------------- relays, activity


def test_relay_count(fresh_db: Storage) -> None:
    ticket = open_for(fresh_db, 1)
    other = open_for(fresh_db, 2)
    assert {"to_staff": 0, "to_user": 0} == fresh_db.relay_count(ticket.id)
    fresh_db.record_relay(ticket.id, "to_staff", 1001, 1, -100, 10)
    fresh_db.record_relay(ticket.id, "to_staff", 1001, 2, -100, 11)
    fresh_db.record_relay(ticket.id, "to_user", -100, 12, 1001, 3)
    fresh_db.record_relay(other.id, "to_user", -100, 13, 1002, 1)
    assert {"to_staff": 2, "to_user": 1} == fresh_db.relay_count(ticket.id)
    with pytest.raises(ValueError):
        fresh_db.record_relay(ticket.id, "sideways", 1, 1, 1, 1)  # type: ignore[arg-type]


def test_relays_hold_no_text(fresh_db: Storage) -> None:
    columns = {column.name for column in fresh_db.db.table("relays").columns}
    assert {
        "id",
        "ticket_id",
        "direction",
        "from_chat_id",
        "from_message_id",
        "to_chat_id",
        "to_message_id",
        "created_at",
    } == columns


def test_last_activity(db: Storage, clock: FakeClock) -> None:
    ticket = open_for(db, 1)
    assert "2026-11-20T02:00:00+00:00" == db.last_activity(ticket.id)
    clock.advance(minutes=30)
    db.record_relay(ticket.id, "to_staff", 1001, 1, -100, 10)
    clock.advance(minutes=30)
    db.record_relay(ticket.id, "to_user", -100, 11, 1001, 2)
    clock.advance(minutes=30)
    open_for(db, 2)  # another ticket's activity does not count
    assert "2026-11-20T03:00:00+00:00" == db.last_activity(ticket.id)
    assert None is db.last_activity(99)


def test_mark_user_blocked(fresh_db: Storage) -> None:
    ticket = open_for(fresh_db, 1)
    fresh_db.mark_user_blocked(ticket.id)
    assert some(fresh_db.ticket(ticket.id)).user_blocked
    fresh_db.mark_user_blocked(ticket.id, blocked=False)
    assert not some(fresh_db.ticket(ticket.id)).user_blocked


# ------------------------------------------------------------------------------- forget


def fill(storage: Storage, user: int) -> None:
    """One of everything a user can leave behind."""
    storage.subscribe(user, "en")
    storage.save_session(user, {"flow": "handoff"})
    storage.claim_daily_notice(user, "after_hours", dt.date(2026, 11, 21))
    storage.record_feedback(user, "app_how_to_apply", 1, "en")
    storage.record_feedback(user, "app_forms_submission", -1, "en")
    first = open_for(storage, user)
    storage.record_relay(first.id, "to_staff", user, 1, -100, 100 * user + 1)
    storage.record_relay(first.id, "to_user", -100, 100 * user + 2, user, 2)
    storage.close_ticket(first.id, "staff")
    second = open_for(storage, user)
    storage.record_relay(second.id, "to_staff", user, 3, -100, 100 * user + 3)
    pending = storage.record_miss(user, f"question from {user}", "en", 0.3, ["app_how_to_apply"])
    storage.suggest_alternate(pending, "app_how_to_apply", 9)
    accepted = storage.record_miss(user, f"accepted from {user}", "en", 0.2, [])
    storage.suggest_alternate(accepted, "app_how_to_apply", 9)
    [*_, suggestion] = storage.pending_suggestions()
    storage.resolve_suggestion(suggestion.id, "accepted")
    storage.stage(user, user, [(f"<b>an answer for {user}</b>", None)])  # not sent yet
    storage.enlist("announce:seminar_x", [(user, user, "en")])  # an announcement for them
    storage.flag_waiting(second.id, "2026-11-20T02:00:00+00:00")  # staff told it waits


def counts(storage: Storage) -> dict[str, int]:
    return {
        table.name: table.count
        for table in storage.db.tables
        if table.name not in ("sqlite_sequence", "_migrations")
    }


def test_forget_removes_everything_of_that_user_only(fresh_db: Storage) -> None:
    fill(fresh_db, 1)
    fill(fresh_db, 2)
    fresh_db.log_enquiry("en", True, "app_how_to_apply", 0.9)
    before = counts(fresh_db)
    # subscription, session, notice, 2 votes, 2 tickets, 3 relays, 1 pending suggestion, 2 misses,
    # 1 unsent reply, 1 announcement, 1 waiting flag
    assert 16 == fresh_db.forget(1)
    after = counts(fresh_db)
    assert {
        "registrations": 0,
        "subscriptions": 1,
        "sessions": 1,
        "daily_notices": 1,
        "tickets": 2,
        "relays": 3,
        "feedback": 2,
        "enquiries": 1,
        "misses": 2,
        "suggestions": 3,  # user 2's pending and accepted, user 1's accepted
        "staff_places": 0,
        "outbox": 1,  # the other user's unsent reply
        "deliveries": 1,
        "ticket_flags": 1,
        "schedule": 0,
        "event_status": 0,
        "update_journal": 0,  # updates in hand only: none between turns
        "journal_high_water": 0,
    } == after
    assert before["suggestions"] - 1 == after["suggestions"]
    assert None is fresh_db.load_session(1)
    assert None is fresh_db.open_ticket_for(1)
    assert {"flow": "handoff"} == fresh_db.load_session(2)
    assert fresh_db.open_ticket_for(2) is not None
    assert 0 == fresh_db.db.table("daily_notices").count_where("user_id = '1'")
    assert {"up": 1, "down": 1} == fresh_db.feedback_totals()  # user 2's votes
    assert None is fresh_db.ticket_for_staff_message(101)
    assert 3 == some(fresh_db.ticket_for_staff_message(201)).id
    assert [] == fresh_db.db.execute("select * from misses where user_id = '1'").fetchall()
    kept = fresh_db.db.execute(
        "select question, status, miss_id from suggestions where question like '%from 1'"
    ).fetchall()
    assert [("accepted from 1", "accepted", None)] == kept
    assert ["question from 2"] == [s.question for s in fresh_db.pending_suggestions()]
    assert 0 == fresh_db.forget(1)


def test_staff_traces_are_what_the_bot_posted_about_that_user(fresh_db: Storage) -> None:
    fill(fresh_db, 1)
    fill(fresh_db, 2)
    fresh_db.set_ticket_thread(1, 7, 70)
    fresh_db.set_ticket_thread(2, None, 80)
    miss = fresh_db.record_miss(1, "another", "en", 0.1, [])
    fresh_db.set_miss_message(miss, 90)
    fresh_db.record_relay(2, "to_staff", 1, 5, -999, 555)  # a copy in another chat
    traces = fresh_db.staff_traces(1, -100)
    assert (1, 2) == traces.tickets
    assert (7,) == traces.topics
    # summaries, the miss, the copies in -100 and the staff's answer written there
    assert (70, 80, 90, 101, 102, 103) == traces.messages
    assert () == fresh_db.staff_traces(3, -100).tickets


def test_staff_places_are_per_chat_and_can_be_forgotten(fresh_db: Storage) -> None:
    assert None is fresh_db.staff_place("misses", -100)
    fresh_db.set_staff_place("misses", -100, 12)
    fresh_db.set_staff_place("misses", -100, 13)
    assert 13 == fresh_db.staff_place("misses", -100)
    assert None is fresh_db.staff_place("misses", -200)
    fresh_db.set_staff_place("misses", -100, None)
    assert None is fresh_db.staff_place("misses", -100)


def test_a_database_from_before_staff_message_ids_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Storage.open(path)
    miss = old.record_miss(1, "kept", "en", 0.1, [])
    old.db.execute("alter table misses drop column staff_message_id")
    old.db.execute("drop table _migrations")  # and from before the migration log
    old.close()
    upgraded = Storage.open(path)
    upgraded.set_miss_message(miss, 42)
    assert (42,) == upgraded.staff_traces(1, -100).messages
    assert "kept" == (upgraded.miss(miss) or pytest.fail("miss lost")).question
    upgraded.close()


def test_no_personal_data_in_the_log(fresh_db: Storage, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        fill(fresh_db, 987654)
        fresh_db.rate_ticket(1, 987654, 5)
        fresh_db.forget(987654)
    assert caplog.records
    for secret in ("987654", "ABC Ltd", "question from", "想問資助"):
        assert secret not in caplog.text
