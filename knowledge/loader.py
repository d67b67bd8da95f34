"""Load the curated YAML once into typed objects; errors name the file and the entry."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from knowledge.models import (
    LANGS,
    UNDATED,
    Clause,
    FaqEntry,
    Intent,
    Lang,
    OtherScheme,
    Programme,
    SavedReply,
    Seminar,
    Trilingual,
)
from knowledge.words import Words, read_language

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SOURCES_DIR = PACKAGE_DIR / "sources"


class KnowledgeError(Exception):
    """The knowledge data cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, as loaded from one data directory."""

    faq: tuple[FaqEntry, ...]
    faq_files: dict[str, str]
    programme: Programme
    messages: dict[str, Trilingual]
    documents: dict[str, Trilingual]
    intents: tuple[Intent, ...]
    typed_answers: dict[str, tuple[str, ...]]
    words: Words
    data_dir: Path
    events: tuple[Seminar, ...] = ()
    clauses: dict[str, Clause] = dataclasses.field(default_factory=dict)
    other_schemes: tuple[OtherScheme, ...] = ()
    saved_replies: tuple[SavedReply, ...] = ()

    def entry(self, faq_id: str) -> FaqEntry:
        return self._by_id[faq_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, FaqEntry]:
        return {entry.id: entry for entry in self.faq}

    def saved_reply(self, key: str) -> SavedReply | None:
        """The saved reply staff send with ``/reply KEY`` (keys are lower case), or None."""
        return self._saved_by_key.get(key.strip().lower())

    @functools.cached_property
    def _saved_by_key(self) -> dict[str, SavedReply]:
        return {reply.key: reply for reply in self.saved_replies}

    def saved_reply_text(self, reply: SavedReply, lang: Lang) -> str:
        """A saved reply in ``lang``, its {phone}/{email}/{website}/{address} the Secretariat's."""
        return reply.render(lang, self.programme.contact("secretariat"))

    def clause(self, clause_id: str) -> Clause:
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise KnowledgeError(f"clauses.yaml has no clause {clause_id!r}") from None

    def message(self, key: str) -> Trilingual:
        try:
            return self.messages[key]
        except KeyError:
            raise KnowledgeError(f"messages.yaml has no message {key!r}") from None

    def statement_version(self, key: str) -> str:
        """The version of the collection statement in message ``key``, recorded with each
        consent: the key and a digest of its three texts, so any edit makes a new version
        and staff can tell which wording a user agreed to."""
        texts = self.message(key)
        digest = hashlib.sha256(
            "\x00".join(texts.get(lang) for lang in LANGS).encode("utf-8")
        ).hexdigest()
        return f"{key}@{digest[:12]}"

    def say(self, key: str, lang: Lang, **values: object) -> str:
        """Message ``key`` in ``lang``, placeholders filled; {phone}/{email} are the Secretariat's."""
        secretariat = self.programme.contact("secretariat")
        defaults = {"phone": secretariat.phone, "email": secretariat.email}
        return self.message(key).get(lang).format(**{**defaults, **values})


# libyaml's loader is ten times faster than the pure-Python one; both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc


def _describe(exc: ValidationError, items: list[Any] | None = None) -> str:
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(part) for part in loc)
        if items is not None and loc and isinstance(loc[0], int) and loc[0] < len(items):
            item = items[loc[0]]
            name = item.get("id", item.get("key")) if isinstance(item, dict) else None
            if name is not None:
                where = f"entry {name!r}: " + ".".join(str(p) for p in loc[1:])
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


_FAQ_LIST = TypeAdapter(list[FaqEntry])


def load_faq(data_dir: Path) -> tuple[tuple[FaqEntry, ...], dict[str, str]]:
    """Read every ``faq/*.yaml`` file; returns the entries and the file each came from."""
    entries: list[FaqEntry] = []
    files: dict[str, str] = {}
    for path in sorted((data_dir / "faq").glob("*.yaml")):
        raw = _read_yaml(path) or []
        if not isinstance(raw, list):
            raise KnowledgeError(f"faq/{path.name}: expected a list of entries")
        try:
            loaded = _FAQ_LIST.validate_python(raw)
        except ValidationError as exc:
            raise KnowledgeError(f"faq/{path.name}:\n{_describe(exc, raw)}") from exc
        for entry in loaded:
            if entry.id in files:
                raise KnowledgeError(
                    f"faq/{path.name}: duplicate id {entry.id!r} (also in faq/{files[entry.id]})"
                )
            files[entry.id] = path.name
        entries.extend(loaded)
    if not entries:
        raise KnowledgeError(f"no FAQ entries found under {data_dir / 'faq'}")
    return tuple(entries), files


def load_texts(data_dir: Path, name: str) -> dict[str, Trilingual]:
    """A YAML mapping of keys to trilingual texts (messages.yaml, documents.yaml)."""
    raw = _read_yaml(data_dir / name) or {}
    try:
        return TypeAdapter(dict[str, Trilingual]).validate_python(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"{name}:\n{_describe(exc)}") from exc


def load_messages(data_dir: Path) -> dict[str, Trilingual]:
    """``messages.yaml`` plus one file per feature under ``messages/``; a key may appear once."""
    messages = load_texts(data_dir, "messages.yaml")
    for path in sorted((data_dir / "messages").glob("*.yaml")):
        more = load_texts(data_dir, f"messages/{path.name}")
        clash = set(messages) & set(more)
        if clash:
            raise KnowledgeError(f"messages/{path.name}: keys already defined: {sorted(clash)}")
        messages.update(more)
    return messages


def load_intents(data_dir: Path) -> tuple[Intent, ...]:
    return _load_list(data_dir, "intents.yaml", Intent, "intent")


def load_other_schemes(data_dir: Path) -> tuple[OtherScheme, ...]:
    return _load_list(data_dir, "other_schemes.yaml", OtherScheme, "scheme")


def load_typed_answers(data_dir: Path) -> dict[str, tuple[str, ...]]:
    """How people type flow answers (typed_answers.yaml): option value → phrases."""
    raw = _read_yaml(data_dir / "typed_answers.yaml") or {}
    try:
        return TypeAdapter(dict[str, tuple[str, ...]]).validate_python(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"typed_answers.yaml:\n{_describe(exc)}") from exc


def load_words(data_dir: Path) -> Words:
    """``words.yaml``: every word the bot reads (yes/no, navigation, languages, counts)."""
    raw = _read_yaml(data_dir / "words.yaml")
    try:
        return Words.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"words.yaml:\n{_describe(exc)}") from exc


def load_events(data_dir: Path) -> tuple[Seminar, ...]:
    """``events.yaml``: the seminars open or once open for registration (a list; may be empty)."""
    return _load_list(data_dir, "events.yaml", Seminar, "event", optional=True)


_Item = TypeVar("_Item", Intent, OtherScheme, Seminar, SavedReply)


def _load_list(
    data_dir: Path,
    name: str,
    model: type[_Item],
    kind: str,
    optional: bool = False,
    key: str = "id",
) -> tuple[_Item, ...]:
    """A YAML list of ``model`` items (``optional``: the file may be missing), validated once,
    unique by their ``key`` field: the one reader of intents.yaml, other_schemes.yaml,
    events.yaml and saved_replies.yaml."""
    path = data_dir / name
    raw = (_read_yaml(path) if path.exists() or not optional else None) or []
    if not isinstance(raw, list):
        raise KnowledgeError(f"{name}: expected a list of {kind} entries")
    try:
        adapter: TypeAdapter[list[_Item]] = TypeAdapter(list[model])  # type: ignore[valid-type]
        items = tuple(adapter.validate_python(raw))
    except ValidationError as exc:
        raise KnowledgeError(f"{name}:\n{_describe(exc, raw)}") from exc
    ids = [str(getattr(item, key)) for item in items]
    repeated = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
    if repeated:
        raise KnowledgeError(f"{name}: duplicate {kind} {key}s {repeated}")
    return items


def load_saved_replies(data_dir: Path) -> tuple[SavedReply, ...]:
    """``saved_replies.yaml``: the answers staff send with ``/reply KEY``. The file is optional
    (a ``KNOWLEDGE_DIR`` copied before it existed has none); its keys are unique."""
    return _load_list(
        data_dir, "saved_replies.yaml", SavedReply, "saved reply", optional=True, key="key"
    )


def load_clauses(data_dir: Path) -> dict[str, Clause]:
    """``clauses.yaml``: the document clauses the guided checks cite, by id."""
    raw = _read_yaml(data_dir / "clauses.yaml") or {}
    try:
        return TypeAdapter(dict[str, Clause]).validate_python(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"clauses.yaml:\n{_describe(exc)}") from exc


def load_programme(data_dir: Path) -> Programme:
    raw = _read_yaml(data_dir / "programme.yaml")
    try:
        return Programme.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"programme.yaml:\n{_describe(exc)}") from exc


def load_knowledge(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate the whole knowledge base from ``data_dir`` (default: the package's)."""
    data_dir = data_dir or DATA_DIR
    faq, files = load_faq(data_dir)
    kb = KnowledgeBase(
        faq=faq,
        faq_files=files,
        programme=load_programme(data_dir),
        messages=load_messages(data_dir),
        documents=load_texts(data_dir, "documents.yaml"),
        intents=load_intents(data_dir),
        typed_answers=load_typed_answers(data_dir),
        words=load_words(data_dir),
        data_dir=data_dir,
        events=load_events(data_dir),
        clauses=load_clauses(data_dir),
        other_schemes=load_other_schemes(data_dir),
        saved_replies=load_saved_replies(data_dir),
    )
    clash = {intent.id for intent in kb.intents} & set(files)
    if clash:
        raise KnowledgeError(f"intents.yaml: ids {sorted(clash)} are also FAQ ids")
    for kind in {intent.kind for intent in kb.intents}:
        kb.message(f"intent_{kind}")
    for code in LANGS:  # a language's name as the bot shows it can be typed to choose it
        for lang in LANGS:
            shown = kb.message(f"language_name_{code}").get(lang)
            if read_language(shown, kb.words) != code:
                raise KnowledgeError(
                    f"words.yaml: languages.{code} lacks {shown!r} (language_name_{code}.{lang})"
                )
    cited = [c.doc for c in kb.clauses.values()] + list(kb.programme.undated_documents)
    cited += [doc for phase in kb.programme.phases for doc in phase.documents]
    unknown_docs = sorted(set(cited) - set(kb.documents))
    if unknown_docs:
        raise KnowledgeError(f"clauses.yaml / programme.yaml name unknown documents {unknown_docs}")
    concepts = set(_read_yaml(data_dir / "synonyms.yaml") or {})
    for scheme in kb.programme.schemes:
        unknown_concepts = sorted(set(scheme.asked_as) - concepts)
        if unknown_concepts:
            raise KnowledgeError(
                f"programme.yaml: scheme {scheme.id!r} is asked_as {unknown_concepts}, "
                "which synonyms.yaml does not define"
            )
    phase_ids = {p.id for p in kb.programme.phases} | {UNDATED}
    for entry in faq:
        unknown = [s.doc for s in entry.sources if s.doc not in kb.documents]
        if unknown:
            raise KnowledgeError(
                f"faq/{files[entry.id]}: entry {entry.id!r} cites unknown documents {unknown}"
            )
        missing = [rel for rel in entry.related if rel not in files]
        if missing:
            raise KnowledgeError(
                f"faq/{files[entry.id]}: entry {entry.id!r} relates to unknown ids {missing}"
            )
        if entry.phase is not None and entry.phase not in phase_ids:
            raise KnowledgeError(
                f"faq/{files[entry.id]}: entry {entry.id!r} names unknown phase {entry.phase!r}"
            )
    for reply in kb.saved_replies:
        unknown = [s.doc for s in reply.source if s.doc not in kb.documents]
        if unknown:
            raise KnowledgeError(
                f"saved_replies.yaml: entry {reply.key!r} cites unknown documents {unknown}"
            )
        for lang in LANGS:
            try:
                kb.saved_reply_text(reply, lang)
            except ValueError as exc:
                raise KnowledgeError(f"saved_replies.yaml: entry {reply.key!r}: {exc}") from exc
    return kb


@functools.cache
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
