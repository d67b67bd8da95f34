"""What was asked: the enquiry log, missed questions, and staff's suggested alternates.

``enquiries`` has one row per question answered, for /stats: language, matched, FAQ id,
score; no user id and no text. ``misses`` keeps questions the bot could not answer
confidently, with the FAQ ids it suggested. ``suggestions`` are staff proposals to add a
missed question as an alternate phrasing of an FAQ entry, pending until reviewed with
``cppbot kb pending``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.storage.database import StorageBase, UserId, utc_text

log = logging.getLogger(__name__)

SuggestOutcome = Literal["ok", "duplicate", "unknown"]


@dataclass(frozen=True)
class Miss:
    """A question the bot could not answer confidently (shown to staff, with its id)."""

    id: int
    question: str
    lang: str
    score: float
    candidates: tuple[str, ...]  # FAQ ids the bot suggested instead
    created_at: str


@dataclass(frozen=True)
class SuggestedPhrasing:
    """Staff's proposal to add a missed question to an FAQ entry's questions."""

    id: int
    faq_id: str
    question: str
    lang: str
    created_at: str
    status: Literal["pending", "accepted", "rejected"]


def _question_key(question: str) -> str:
    """Suggested questions compare case-insensitively and ignoring spacing."""
    return " ".join(question.casefold().split())


class Enquiries(StorageBase):
    def log_enquiry(self, lang: str, matched: bool, faq_id: str | None, score: float) -> None:
        """Count one answered question for /stats: no user id and no text, so nothing here is
        personal data and ``forget`` has nothing to remove."""
        with self.transaction():
            self.db.execute(
                "insert into enquiries (lang, matched, faq_id, score, created_at)"
                " values (?, ?, ?, ?, ?)",
                [lang, int(matched), faq_id, float(score), self._now()],
            )

    def record_miss(
        self,
        user_id: UserId,
        question: str,
        lang: str,
        score: float,
        candidates: Sequence[str],
    ) -> int:
        """Keep a question the bot could not answer confidently, for staff to learn from.

        ``candidates`` are the FAQ ids it suggested. Returns the miss id (for staff's
        "add as alternate question" buttons). The user id is kept only so that ``forget``
        can find the question again.
        """
        with self.transaction():
            cursor = self.db.execute(
                "insert into misses (user_id, question, lang, score, candidates, created_at)"
                " values (?, ?, ?, ?, ?, ?)",
                [
                    str(user_id),
                    question,
                    lang,
                    float(score),
                    json.dumps(list(candidates), ensure_ascii=False),
                    self._now(),
                ],
            )
            miss_id = int(cursor.lastrowid or 0)
        log.info("miss #%d recorded", miss_id)
        return miss_id

    def set_miss_message(self, miss_id: int, message_id: int) -> None:
        """Remember the staff-chat message that shows the miss (``forget`` removes it)."""
        with self.transaction():
            self.db.execute(
                "update misses set staff_message_id = ? where id = ?", [message_id, miss_id]
            )

    def miss(self, miss_id: int) -> Miss | None:
        found = self._misses("id = ?", [miss_id])
        return found[0] if found else None

    def unposted_misses(self, since: dt.datetime) -> list[Miss]:
        """Misses recorded since ``since`` and not yet shown in the staff chat, oldest first
        (``bot.staff_queue`` posts them; older ones are no longer news)."""
        return self._misses(
            "staff_message_id is null and created_at >= ? order by id", [utc_text(since)]
        )

    def misses_in_message(self, message_id: int, except_user: UserId) -> list[Miss]:
        """The other users' misses that a staff-chat message (a digest) shows, so ``/forget``
        can edit one user's question out of it instead of deleting everyone's."""
        return self._misses(
            "staff_message_id = ? and user_id != ? order by id", [message_id, str(except_user)]
        )

    def _misses(self, where: str, values: Sequence[object]) -> list[Miss]:
        rows = self.db.execute(
            "select id, question, lang, score, candidates, created_at from misses where " + where,
            list(values),
        ).fetchall()
        return [
            Miss(
                id=found_id,
                question=question,
                lang=lang,
                score=score,
                candidates=tuple(json.loads(candidates)),
                created_at=created_at,
            )
            for found_id, question, lang, score, candidates, created_at in rows
        ]

    def suggest_alternate(self, miss_id: int, faq_id: str, staff_user_id: int) -> SuggestOutcome:
        """Staff propose a missed question as another way of asking ``faq_id``.

        Stored as pending for review (``cppbot kb pending``), with the miss's question and
        language copied. "duplicate" when the same question (ignoring case and spacing) is
        already pending or accepted for that entry — a rejected one may be proposed again;
        "unknown" when the miss does not exist (a stale button after ``forget``). Whether
        ``faq_id`` exists is the caller's check: the database does not know the FAQ.
        """
        with self.transaction():
            row = self.db.execute(
                "select question, lang from misses where id = ?", [miss_id]
            ).fetchone()
            if row is None:
                outcome: SuggestOutcome = "unknown"
            else:
                question, lang = row
                taken = self.db.execute(
                    "select question from suggestions"
                    " where faq_id = ? and status in ('pending', 'accepted')",
                    [faq_id],
                ).fetchall()
                key = _question_key(question)
                if any(_question_key(other) == key for (other,) in taken):
                    outcome = "duplicate"
                else:
                    self.db.execute(
                        "insert into suggestions (miss_id, faq_id, question, lang,"
                        " staff_user_id, status, created_at)"
                        " values (?, ?, ?, ?, ?, 'pending', ?)",
                        [miss_id, faq_id, question, lang, staff_user_id, self._now()],
                    )
                    outcome = "ok"
        log.info("suggestion for %s: %s", faq_id, outcome)
        return outcome

    def pending_suggestions(self) -> list[SuggestedPhrasing]:
        """Suggestions waiting for review, oldest first."""
        rows = self.db.execute(
            "select id, faq_id, question, lang, created_at, status from suggestions"
            " where status = 'pending' order by id"
        ).fetchall()
        return [
            SuggestedPhrasing(
                id=suggestion_id,
                faq_id=faq_id,
                question=question,
                lang=lang,
                created_at=created_at,
                status=status,
            )
            for suggestion_id, faq_id, question, lang, created_at, status in rows
        ]

    def resolve_suggestion(
        self, suggestion_id: int, status: Literal["accepted", "rejected"]
    ) -> bool:
        """Accept or reject a pending suggestion; False if it is unknown or already resolved."""
        if status not in ("accepted", "rejected"):
            raise ValueError(f"status must be 'accepted' or 'rejected', not {status!r}")
        with self.transaction():
            cursor = self.db.execute(
                "update suggestions set status = ?, resolved_at = ?"
                " where id = ? and status = 'pending'",
                [status, self._now(), suggestion_id],
            )
            resolved = cursor.rowcount == 1
        log.info("suggestion #%d %s: %s", suggestion_id, status, resolved)
        return resolved
