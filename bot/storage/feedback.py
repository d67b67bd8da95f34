"""👍/👎 under an FAQ answer: one vote per user and entry (pressing again replaces it)."""

from __future__ import annotations

from bot.storage.database import StorageBase, UserId


class FeedbackRows(StorageBase):
    def record_feedback(self, user_id: UserId, faq_id: str, vote: int, lang: str) -> None:
        """👍 (+1) or 👎 (-1) under an answer; pressing again replaces the user's earlier vote
        on that entry, so one person cannot pile up votes."""
        if vote not in (1, -1):
            raise ValueError(f"vote must be +1 or -1, not {vote!r}")
        with self.transaction():
            self.db.execute(
                "insert into feedback (user_id, faq_id, vote, lang, created_at)"
                " values (?, ?, ?, ?, ?) on conflict(user_id, faq_id) do update"
                " set vote = excluded.vote, lang = excluded.lang,"
                " created_at = excluded.created_at",
                [str(user_id), faq_id, vote, lang, self._now()],
            )

    def feedback_totals(self, faq_id: str | None = None) -> dict[str, int]:
        """``{"up": n, "down": m}`` for one FAQ entry, or over all entries."""
        sql = "select coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) from feedback"
        if faq_id is None:
            row = self.db.execute(sql).fetchone()
        else:
            row = self.db.execute(sql + " where faq_id = ?", [faq_id]).fetchone()
        return {"up": int(row[0]), "down": int(row[1])}
