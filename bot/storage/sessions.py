"""Each user's conversation state, and notices sent at most once a day.

``sessions`` holds the state as JSON, so a restart carries on where it was;
``daily_notices`` holds (user, kind, local day) of notices such as "outside office hours".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, cast

from bot.storage.database import StorageBase, UserId


class Sessions(StorageBase):
    def load_session(self, user_id: UserId) -> dict[str, Any] | None:
        """The user's saved conversation state, or None for someone the bot has not met."""
        row = self.db.execute(
            "select data from sessions where user_id = ?", [str(user_id)]
        ).fetchone()
        return None if row is None else cast(dict[str, Any], json.loads(row[0]))

    def save_session(self, user_id: UserId, data: Mapping[str, Any]) -> None:
        """Store the conversation state (replacing the last one) so a restart carries on.

        ``data`` must be JSON-serialisable; anything else raises ``TypeError`` here rather
        than being turned into text that would not load back as it was.
        """
        text = json.dumps(dict(data), ensure_ascii=False)
        with self.transaction():
            self.db.execute(
                "insert into sessions (user_id, data, updated_at) values (?, ?, ?)"
                " on conflict(user_id) do update"
                " set data = excluded.data, updated_at = excluded.updated_at",
                [str(user_id), text, self._now()],
            )

    def claim_daily_notice(self, user_id: UserId, kind: str, day: dt.date) -> bool:
        """True the first time for (user, kind, day), and records it; False afterwards.

        One ``insert or ignore`` on the primary key, so two messages arriving together
        cannot both get the notice.
        """
        with self.transaction():
            cursor = self.db.execute(
                "insert or ignore into daily_notices (user_id, kind, day, created_at)"
                " values (?, ?, ?, ?)",
                [str(user_id), kind, day.isoformat(), self._now()],
            )
            return cursor.rowcount == 1
