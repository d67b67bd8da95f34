"""The bot's own SQLite database: seminar registrations and "tell me about the next one".

Flows never touch it: the shell carries out their effects here and feeds the outcome back.
Limits (capacity, per-company places, one registration per e-mail and event) are checked
inside the same ``BEGIN IMMEDIATE`` transaction as the insert, so two people pressing Confirm
at the same moment cannot both take the last seat.

Personal data (names, companies, e-mail addresses, phone numbers, user ids) are never logged;
``forget`` deletes everything held about one user.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypedDict

import sqlite_utils

from knowledge.models import Event

log = logging.getLogger(__name__)

RegisterOutcome = Literal["ok", "full", "duplicate", "over_company_limit", "closed"]
UserId = str | int


class RegistrationSummary(TypedDict):
    """What a user sees of one of their registrations (the flow's "my registrations")."""

    id: str
    event_id: str
    attendees: int
    created_at: str


_REGISTRATION_FIELDS = ("event_id", "name", "company", "email", "phone", "attendees", "lang")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _company_key(company: str) -> str:
    """Companies compare case-insensitively and ignoring spacing ("ABC Ltd" = "abc  ltd")."""
    return " ".join(company.casefold().split())


class Storage:
    """All the bot's persistent data, over one ``sqlite_utils.Database``.

    Tables are created on first use, so a new deployment needs no migration step.
    ``clock`` exists for tests (timestamps); it returns an aware datetime.
    """

    def __init__(
        self, db: sqlite_utils.Database, clock: Callable[[], dt.datetime] = _utc_now
    ) -> None:
        self.db = db
        self.clock = clock
        self._create_tables()

    @classmethod
    def open(cls, path: str | Path, clock: Callable[[], dt.datetime] = _utc_now) -> Storage:
        """Open (creating if needed) the database at ``path``; ``":memory:"`` for a throwaway one."""
        return cls(sqlite_utils.Database(str(path)), clock)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------------------ schema

    def _create_tables(self) -> None:
        registrations = self.db.table("registrations")
        registrations.create(
            {
                "id": str,
                "user_id": str,
                "event_id": str,
                "name": str,
                "company": str,
                "email": str,
                "phone": str,
                "attendees": int,
                "lang": str,
                "created_at": str,
                "cancelled_at": str,
            },
            pk="id",
            not_null=(
                "user_id",
                "event_id",
                "name",
                "company",
                "email",
                "phone",
                "attendees",
                "created_at",
            ),
            if_not_exists=True,
        )
        registrations.create_index(["event_id"], if_not_exists=True)
        registrations.create_index(["user_id"], if_not_exists=True)
        self.db.table("subscriptions").create(
            {"user_id": str, "lang": str, "created_at": str},
            pk="user_id",
            not_null=("lang", "created_at"),
            if_not_exists=True,
        )

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction that takes the lock before reading (``BEGIN IMMEDIATE``).

        A plain ``BEGIN`` would let two connections read the same seat count and both insert.
        """
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if conn.in_transaction:
            conn.execute("COMMIT")

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # ------------------------------------------------------------------------ registrations

    def register(
        self,
        user_id: UserId,
        details: Mapping[str, Any],
        event: Event,
        now: dt.datetime | None = None,
    ) -> RegisterOutcome:
        """Store a registration unless it breaks a rule; returns what happened.

        ``details`` is the flow's ``register`` effect data (event_id, name, company, email,
        phone, attendees, lang). Checks, in this order: registration closed (only when
        ``now`` is given), the same e-mail already registered for the event, the event's
        per-company limit, its capacity. Cancelled registrations count for nothing.
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
            return self._logged(event, "closed")
        with self._write():
            taken = list(
                self.db.execute(
                    "select email, company, attendees from registrations"
                    " where event_id = ? and cancelled_at is null",
                    [event.id],
                ).fetchall()
            )
            if any(row_email.lower() == email for row_email, _, _ in taken):
                return self._logged(event, "duplicate")
            if event.limit_per_company is not None:
                key = _company_key(company)
                same = sum(n for _, row_company, n in taken if _company_key(row_company) == key)
                if same + attendees > event.limit_per_company:
                    return self._logged(event, "over_company_limit")
            booked = sum(n for _, _, n in taken)
            if event.capacity is not None and booked + attendees > event.capacity:
                return self._logged(event, "full")
            self.db.execute(
                "insert into registrations (id, user_id, event_id, name, company, email, phone,"
                " attendees, lang, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ],
            )
        return self._logged(event, "ok")

    @staticmethod
    def _logged(event: Event, outcome: RegisterOutcome) -> RegisterOutcome:
        log.info("registration for %s: %s", event.id, outcome)  # no personal data
        return outcome

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
        with self._write():
            cursor = self.db.execute(
                "update registrations set cancelled_at = ?"
                " where id = ? and user_id = ? and cancelled_at is null",
                [self._now(), reg_id, str(user_id)],
            )
            cancelled = cursor.rowcount == 1
        log.info("registration cancelled: %s", cancelled)
        return cancelled

    def seats_left(self, event: Event) -> int | None:
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
        with self._write():
            self.db.execute(
                "insert into subscriptions (user_id, lang, created_at) values (?, ?, ?)"
                " on conflict(user_id) do update set lang = excluded.lang",
                [str(user_id), lang, self._now()],
            )

    def subscribers(self) -> list[tuple[str, str]]:
        """(user_id, lang) of everyone waiting to hear about the next seminar."""
        rows = self.db.execute("select user_id, lang from subscriptions order by created_at")
        return [(user_id, lang) for user_id, lang in rows.fetchall()]

    # ------------------------------------------------------------------------ personal data

    def forget(self, user_id: UserId) -> int:
        """Delete every registration and the subscription of ``user_id`` (the /forget command).

        Returns how many rows went, so the shell can say whether anything was held.
        """
        with self._write():
            removed = self.db.execute(
                "delete from registrations where user_id = ?", [str(user_id)]
            ).rowcount
            removed += self.db.execute(
                "delete from subscriptions where user_id = ?", [str(user_id)]
            ).rowcount
        log.info("forget: %d row(s) deleted", removed)
        return removed
