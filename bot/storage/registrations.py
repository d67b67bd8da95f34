"""Seminar registrations, the seats they take, and "tell me about the next one".

Limits (capacity, per-company places, one registration per e-mail and event) are checked
inside the same ``BEGIN IMMEDIATE`` transaction as the insert, so two people pressing Confirm
at the same moment cannot both take the last seat. Cancelled registrations stay, marked, and
count for nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from bot.storage.database import StorageBase, UserId, utc_text
from knowledge.models import Seminar

log = logging.getLogger(__name__)

RegisterOutcome = Literal["ok", "full", "duplicate", "over_company_limit", "closed"]

_REGISTRATION_FIELDS = ("event_id", "name", "company", "email", "phone", "attendees", "lang")


class RegistrationSummary(TypedDict):
    """What a user sees of one of their registrations (the flow's "my registrations")."""

    id: str
    event_id: str
    attendees: int
    created_at: str


def _company_key(company: str) -> str:
    """Companies compare case-insensitively and ignoring spacing ("ABC Ltd" = "abc  ltd")."""
    return " ".join(company.casefold().split())


def _logged(event: Seminar, outcome: RegisterOutcome) -> RegisterOutcome:
    log.info("registration for %s: %s", event.id, outcome)  # no personal data
    return outcome


class Registrations(StorageBase):
    def register(
        self,
        user_id: UserId,
        details: Mapping[str, Any],
        event: Seminar,
        now: dt.datetime | None = None,
    ) -> RegisterOutcome:
        """Store a registration unless it breaks a rule; returns what happened.

        ``details`` is the flow's ``register`` effect data (event_id, name, company, email,
        phone, attendees, lang). Checks, in this order: registration closed (only when
        ``now`` is given), the same registration already held by this user (then "ok", see
        ``_same_registration``), the same e-mail already registered for the event, the
        event's per-company limit, its capacity. Cancelled registrations count for nothing.
        """
        missing = [name for name in _REGISTRATION_FIELDS if name not in details]
        if missing:
            raise ValueError(f"registration details lack {missing}")
        if details["event_id"] != event.id:
            raise ValueError("registration details are for another event")
        attendees = int(details["attendees"])
        if attendees < 1:
            raise ValueError("attendees must be at least 1")
        email = str(details["email"]).strip().lower()
        company = str(details["company"]).strip()
        if now is not None and not event.open_for_registration(now):
            return _logged(event, "closed")
        with self.transaction():
            if self._same_registration(user_id, details, event, email, company):
                return _logged(event, "ok")  # a Confirm handled again after a crash
            taken = list(
                self.db.execute(
                    "select email, company, attendees from registrations"
                    " where event_id = ? and cancelled_at is null",
                    [event.id],
                ).fetchall()
            )
            if any(row_email.lower() == email for row_email, _, _ in taken):
                return _logged(event, "duplicate")
            if event.limit_per_company is not None:
                key = _company_key(company)
                same = sum(n for _, row_company, n in taken if _company_key(row_company) == key)
                if same + attendees > event.limit_per_company:
                    return _logged(event, "over_company_limit")
            booked = sum(n for _, _, n in taken)
            if event.capacity is not None and booked + attendees > event.capacity:
                return _logged(event, "full")
            self.db.execute(
                "insert into registrations (id, user_id, event_id, name, company, email, phone,"
                " attendees, lang, created_at, consent_version)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    uuid.uuid4().hex,
                    str(user_id),
                    event.id,
                    str(details["name"]).strip(),
                    company,
                    email,
                    str(details["phone"]).strip(),
                    attendees,
                    str(details["lang"]),
                    self._now(),
                    str(details.get("consent") or ""),
                ],
            )
        return _logged(event, "ok")

    def _same_registration(
        self, user_id: UserId, details: Mapping[str, Any], event: Seminar, email: str, company: str
    ) -> bool:
        """Whether this user already holds exactly this registration. Registering is then
        idempotent: an update handled again after a kill (``bot.updates``) confirms the
        registration it made the first time instead of calling it a duplicate."""
        row = self.db.execute(
            "select 1 from registrations where user_id = ? and event_id = ? and email = ?"
            " and company = ? and name = ? and phone = ? and attendees = ?"
            " and cancelled_at is null",
            [
                str(user_id),
                event.id,
                email,
                company,
                str(details["name"]).strip(),
                str(details["phone"]).strip(),
                int(details["attendees"]),
            ],
        ).fetchone()
        return row is not None

    def registrations(self, user_id: UserId) -> list[RegistrationSummary]:
        """The user's registrations that are not cancelled, oldest first."""
        rows = self.db.execute(
            "select id, event_id, attendees, created_at from registrations"
            " where user_id = ? and cancelled_at is null order by created_at, rowid",
            [str(user_id)],
        ).fetchall()
        return [
            RegistrationSummary(id=reg_id, event_id=event_id, attendees=n, created_at=created)
            for reg_id, event_id, n, created in rows
        ]

    def cancel_registration(self, user_id: UserId, reg_id: str) -> bool:
        """Cancel one of the user's own registrations; False if it is not theirs or not active.

        The row stays (marked ``cancelled_at``) so staff can see the seat was given back;
        ``forget`` removes it for good.
        """
        with self.transaction():
            cursor = self.db.execute(
                "update registrations set cancelled_at = ?"
                " where id = ? and user_id = ? and cancelled_at is null",
                [self._now(), reg_id, str(user_id)],
            )
            cancelled = cursor.rowcount == 1
        log.info("registration cancelled: %s", cancelled)
        return cancelled

    def seats_left(self, event: Seminar) -> int | None:
        """Seats still free (never below 0), or None when the event has no capacity."""
        if event.capacity is None:
            return None
        row = self.db.execute(
            "select coalesce(sum(attendees), 0) from registrations"
            " where event_id = ? and cancelled_at is null",
            [event.id],
        ).fetchone()
        return max(event.capacity - int(row[0]), 0)

    # ------------------------------------------------------------------------ subscriptions

    def subscribe(self, user_id: UserId, lang: str) -> None:
        """Remember to tell the user about the next seminar (again: just updates the language)."""
        with self.transaction():
            self.db.execute(
                "insert into subscriptions (user_id, lang, created_at) values (?, ?, ?)"
                " on conflict(user_id) do update set lang = excluded.lang, blocked_at = null",
                [str(user_id), lang, self._now()],
            )

    def subscribers(self) -> list[tuple[str, str]]:
        """(user_id, lang) of everyone waiting to hear about the next seminar, except those
        who blocked the bot."""
        rows = self.db.execute(
            "select user_id, lang from subscriptions where blocked_at is null order by created_at"
        )
        return [(user_id, lang) for user_id, lang in rows.fetchall()]

    def unsubscribe(self, user_id: UserId) -> bool:
        """Stop telling the user about new events; whether they were subscribed."""
        with self.transaction():
            cursor = self.db.execute("delete from subscriptions where user_id = ?", [str(user_id)])
        return cursor.rowcount == 1

    def mark_subscriber_blocked(self, user_id: UserId) -> None:
        """The user blocked the bot: skipped by later announcements (subscribing again, after
        unblocking, clears it)."""
        with self.transaction():
            self.db.execute(
                "update subscriptions set blocked_at = ? where user_id = ?",
                [self._now(), str(user_id)],
            )

    def registrants(self, event_id: str) -> list[tuple[str, str]]:
        """(user_id, lang) of each user with an active registration for the event, once."""
        rows = self.db.execute(
            "select user_id, coalesce(max(lang), 'en') from registrations"
            " where event_id = ? and cancelled_at is null group by user_id order by min(rowid)",
            [event_id],
        ).fetchall()
        return [(str(user_id), str(lang)) for user_id, lang in rows]

    # ------------------------------------------------------------------------- event status

    def set_event_status(self, event: Seminar, status: str, note: str = "") -> None:
        """Staff postponed or cancelled the event as dated now (a later status replaces it)."""
        with self.transaction():
            self.db.execute(
                "insert into event_status (event_id, starts, status, note, created_at)"
                " values (?, ?, ?, ?, ?) on conflict(event_id, starts) do update set"
                " status = excluded.status, note = excluded.note, created_at = excluded.created_at",
                [event.id, utc_text(event.starts), status, note, self._now()],
            )

    def withdrawn(self, events: Sequence[Seminar]) -> frozenset[str]:
        """The ids of ``events`` postponed or cancelled for the date they still have."""
        rows = self.db.execute("select event_id, starts from event_status").fetchall()
        marked = {(str(event_id), str(starts)) for event_id, starts in rows}
        return frozenset(e.id for e in events if (e.id, utc_text(e.starts)) in marked)
