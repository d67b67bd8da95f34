"""The one composition root: settings read and validated once, and everything every command
needs (the knowledge base, the assistant, the database, the Telegram desk, the console) built
from them here, so ``KNOWLEDGE_DIR`` or ``DATABASE_PATH`` means the same for ``cppbot run``,
``chat``, ``ask``, the checks and the staff tools.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, load_settings, read_environment
from flows.core import Retention
from knowledge.loader import KnowledgeBase, default_knowledge, load_knowledge
from knowledge.models import Lang

if TYPE_CHECKING:  # imported when first used, so `cppbot ask` starts without the Telegram stack
    from bot.console import ConsoleChat
    from bot.desk import Desk
    from bot.storage import Storage
    from flows.core import Context
    from knowledge.answer import Assistant


@dataclass
class Services:
    """What the commands share, built lazily from one ``Settings``."""

    settings: Settings
    _storages: list[Storage] = field(default_factory=list, repr=False)

    @cached_property
    def kb(self) -> KnowledgeBase:
        """The knowledge base: ``KNOWLEDGE_DIR`` when set (edited without a reinstall), else
        the packaged data."""
        if self.settings.knowledge_dir is not None:
            return load_knowledge(self.settings.knowledge_dir)
        return default_knowledge()

    @cached_property
    def assistant(self) -> Assistant:
        from knowledge.answer import Assistant

        return Assistant(self.kb)

    def storage(self, path: str | Path | None = None) -> Storage:
        """The database at ``DATABASE_PATH`` (or ``path``), migrated; closed by ``close``."""
        from bot.storage import Storage

        storage = Storage.open(path or self.settings.database_path)
        self._storages.append(storage)
        return storage

    def context(self, today: dt.date | None = None) -> Context:
        """What the checks read, as of ``today`` (default: today in Hong Kong)."""
        from flows.core import Context
        from knowledge.dates import today_hk

        return Context(self.kb, today or today_hk())

    def desk(self) -> Desk:
        from bot.desk import Desk

        return Desk(self.settings, self.storage(), self.assistant)

    def console(self, lang: Lang = "en") -> ConsoleChat:
        from bot.console import ConsoleChat

        return ConsoleChat(self.assistant, self.storage(), lang=lang, retention=self.retention())

    def retention(self) -> Retention:
        """How long personal data is kept (RETENTION_RECORDS_MONTHS, ..._CONVERSATIONS_MONTHS)."""
        return Retention(
            self.settings.retention_records_months, self.settings.retention_conversations_months
        )

    def close(self) -> None:
        while self._storages:
            self._storages.pop().close()


def compose(env: Mapping[str, str] | None = None, *, telegram: bool = False) -> Services:
    """The services for ``env`` (default: the environment over ``.env``); raises
    ``ConfigError`` listing every problem. ``telegram`` requires a bot token."""
    settings = load_settings(read_environment() if env is None else env, telegram=telegram)
    return Services(settings)


__all__ = ["Services", "compose"]
