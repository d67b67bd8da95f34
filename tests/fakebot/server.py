"""A fake Telegram Bot API server, good enough to run the real bot against.

Why this exists: end-to-end tests drive the real ``cppbot run`` against this server through
``TELEGRAM_BASE_URL``, so the whole stack (python-telegram-bot, our handlers, storage) runs
unchanged and only the network peer is fake. Tests play the users: they queue updates
(``FakeUser.say``, ``FakeUser.press`` ...), the bot fetches them with ``getUpdates`` (or receives
them on its webhook), and the tests then look at what the bot sent (``expect``, ``sent``).

The server speaks the Bot API the way python-telegram-bot (PTB) uses it:

* requests are ``POST {base_url}{token}/{method}``; parameters arrive form-encoded (multipart
  when files are uploaded) with every non-string value JSON-encoded (numbers, booleans,
  ``reply_markup``, ``commands`` ...), or as a JSON body, or in the query string. Parameters are
  decoded by name (see ``_INT_PARAMS`` etc.), because ``"123"`` is a string for ``text`` but an
  integer for ``chat_id``;
* answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "..."}`` with the matching HTTP status, and the error descriptions are
  Telegram's own, so the bot's error handling is exercised for real;
* every object returned is valid Bot API JSON that PTB's ``de_json`` accepts.

Deliberate realism (the things bots get wrong): HTML is parsed like Telegram does (bad markup
is a 400, the stored text has the tags stripped and the entities unescaped, leading/trailing
whitespace is trimmed, the 4096 limit applies after parsing); ``editMessageText`` without
``reply_markup`` drops the inline keyboard; unchanged edits are "message is not modified";
callback data is limited to 64 bytes; a callback query can be answered once; messages in a forum
topic carry ``message_thread_id``/``is_topic_message`` and, when they are not replies, a
``reply_to_message`` pointing at the topic's creation service message; topic thread ids are the
message ids of those service messages.

Deliberate simplifications: the bot is treated as an administrator everywhere (it may post in
closed topics, and delete any message and topic unless its chat is in ``no_delete_right``);
Markdown/MarkdownV2 text is accepted and stored as sent; webhook URLs may be plain ``http://``
(Telegram insists on HTTPS); a webhook receives updates one at a time, in order; inline mode, payments, polls, media groups and the file download endpoint
are not implemented (calls to unknown methods are answered 404 and listed in
``unknown_methods``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

JSON = dict[str, Any]
Handler = Callable[[JSON], Awaitable[Any]]

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
QUIET_MAX_SECONDS = 10.0
MAX_POLL_TIMEOUT = 50

# The only colours Telegram accepts for a new topic's icon.
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Update types Telegram delivers when allowed_updates is empty.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Fields of a Message that make up its content (what copyMessage/forwardMessage carry over).
_CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "video",
    "voice",
    "audio",
    "document",
    "sticker",
    "animation",
    "video_note",
    "location",
    "contact",
    "caption",
    "caption_entities",
    "has_media_spoiler",
    "show_caption_above_media",
)

# Media a message can carry as a file (sendPhoto ... / FakeTelegram.send_media).
_MEDIA_KINDS = frozenset(
    {"photo", "document", "video", "audio", "voice", "animation", "sticker", "video_note"}
)

# Inline keyboard button fields of which exactly one must be present.
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# ---------------------------------------------------------------------------------------------
# Parameter decoding. PTB JSON-encodes every non-string value, so the wire format alone cannot
# tell "123" the text from 123 the id: decode by parameter name, like the real Bot API does.
# ---------------------------------------------------------------------------------------------

_CHAT_ID_PARAMS = frozenset({"chat_id", "from_chat_id"})  # int, or "@username" for channels
_INT_PARAMS = frozenset(
    {
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "icon_color",
        "max_connections",
        "cache_time",
        "duration",
        "width",
        "height",
        "length",
        "until_date",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "direct_messages_topic_id",
    }
)
_FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "has_spoiler",
        "disable_content_type_detection",
        "supports_streaming",
        "for_channels",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
        "menu_button",
        "media",
        "message_ids",
        "reaction",
        "rights",
        "results",
        "options",
        "suggested_post_parameters",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status == error_code, and Telegram's description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Fault:
    """Telegram on a bad day, for the next ``times`` calls of ``method`` ("*": any method but
    getUpdates), injected by ``FakeTelegram.fail``:

    * ``"429"``: Too Many Requests with ``retry_after`` seconds (nothing done);
    * ``"502"``: Bad Gateway, an HTML page as nginx sends it (nothing done);
    * ``"late"``: the call is carried out, but the answer comes ``delay`` seconds late (a
      client with a shorter timeout sees a timeout for a message that did arrive);
    * ``"lost"``: nothing done, and no answer for ``delay`` seconds, then the connection drops.
    """

    method: str
    kind: str
    times: int = 1
    retry_after: int = 1
    delay: float = 0.0


@dataclass(frozen=True)
class Upload:
    """A file uploaded with multipart/form-data (the decoded value of e.g. ``photo``)."""

    file_name: str | None
    mime_type: str | None
    data: bytes = field(repr=False)


def _decode_param(name: str, value: Any) -> Any:
    """One request parameter as the Bot API understands it.

    Non-string values (from a JSON body, or uploads) are already typed and kept as they are.
    """
    if not isinstance(value, str):
        return value
    if name in _CHAT_ID_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None
    if name in _FLOAT_PARAMS:
        try:
            return float(value)
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None
    if name in _BOOL_PARAMS:
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise _bad_request(f"invalid {name} specified")
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise _bad_request("can't parse reply keyboard markup JSON object") from None
            raise _bad_request(f"can't parse {name} JSON object") from None
    return value


def _decode_params(raw: JSON, *, strict: bool = True) -> JSON:
    """Decode every parameter; with ``strict=False`` undecodable values are kept as sent."""
    decoded: JSON = {}
    for name, value in raw.items():
        try:
            decoded[name] = _decode_param(name, value)
        except ApiError:
            if strict:
                raise
            decoded[name] = value
    return decoded


# ---------------------------------------------------------------------------------------------
# Telegram's HTML parse mode (modelled on tdlib's parse_html, including its error messages).
# ---------------------------------------------------------------------------------------------

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
# Telegram only knows these four named character references (plus numeric ones).
_CHAR_REF = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TRIMMED = " \t\r\n"


class HtmlParseError(ValueError):
    """Raised for markup Telegram rejects; the message is Telegram's."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output text
    language: str | None = None


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Bot API entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _char_ref_at(source: str, i: int) -> tuple[str, int] | None:
    """The character a reference at ``source[i]`` ("&lt;", "&#33;") stands for, and its end."""
    match = _CHAR_REF.match(source, i)
    if match is None:
        return None
    decimal, hexadecimal, named = match.groups()
    if named:
        return _NAMED_REFS[named], match.end()
    code = int(decimal, 10) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None  # not a character: Telegram keeps the "&" literally
    return chr(code), match.end()


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ref = _char_ref_at(value, i) if value[i] == "&" else None
        if ref is None:
            out.append(value[i])
            i += 1
        else:
            out.append(ref[0])
            i = ref[1]
    return "".join(out)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (plain text, Bot API MessageEntity dicts).

    Raises HtmlParseError with tdlib's wording ("Unsupported start tag "br" at byte offset 5")
    for anything Telegram refuses: unknown tags, a bare "<", unbalanced or crossed tags.
    """

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode("utf-8"))

    out: list[str] = []
    out_len = 0  # UTF-16 length of the text produced so far
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(source)

    while i < n:
        char = source[i]
        if char == "&":
            ref = _char_ref_at(source, i)
            if ref is not None:
                out.append(ref[0])
                out_len += utf16_len(ref[0])
                i = ref[1]
                continue
        if char != "<":
            out.append(char)
            out_len += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and source[i] == "/":
            # An end tag closes the innermost open tag; "</>" closes it whatever it is.
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            close = source.find(">", i)
            if close < 0:
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            name = source[i + 1 : close].rstrip().lower()
            tag = stack.pop()
            if name and name != tag.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_tag(tag, out_len, stack, entities)
            i = close + 1
            continue

        # A start tag: name, then attributes up to ">".
        end = i
        while end < n and not source[end].isspace() and source[end] != ">":
            end += 1
        name = source[i:end].lower()
        if name not in _HTML_ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        i = end
        while True:
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[i] == ">":
                i += 1
                break
            attr_end = i
            while attr_end < n and (source[attr_end].isalnum() or source[attr_end] in "-_"):
                attr_end += 1
            if attr_end == i:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                )
            attr = source[i:attr_end].lower()
            i = attr_end
            while i < n and source[i].isspace():
                i += 1
            if i >= n or source[i] != "=":
                attrs[attr] = ""  # a valueless attribute, as in <blockquote expandable>
                continue
            i += 1
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[i] in "\"'":
                quote_end = source.find(source[i], i + 1)
                if quote_end < 0:
                    raise HtmlParseError(
                        f'Unclosed end of an attribute value in the tag "{name}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                attrs[attr] = _unescape(source[i + 1 : quote_end])
                i = quote_end + 1
            else:
                value_end = i
                while (
                    value_end < n and not source[value_end].isspace() and source[value_end] != ">"
                ):
                    value_end += 1
                attrs[attr] = _unescape(source[i:value_end])
                i = value_end
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(name, attrs, out_len))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[JSON]) -> None:
    """Turn a closed tag into an entity (or fold it into its parent, or drop it)."""
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language; a code entity
        # cannot live inside pre anyway.
        css_class = tag.attrs.get("class", "")
        if css_class.startswith("language-"):
            stack[-1].language = css_class.removeprefix("language-")
        return
    length = end - tag.start
    if length <= 0:
        return  # Telegram drops empty entities
    entity: JSON = {"type": _HTML_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        emoji_id = tag.attrs.get("emoji-id", "")
        if not emoji_id:
            return
        entity["custom_emoji_id"] = emoji_id
    entities.append(entity)


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace like Telegram, moving and clipping the entities."""
    left = text[: len(text) - len(text.lstrip(_TRIMMED))]
    body = text.strip(_TRIMMED)
    shift, total = utf16_len(left), utf16_len(body)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, total)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return body, kept


def _command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram attaches to a user's "/command args" message."""
    if not text.startswith("/"):
        return []
    command = re.match(r"/[A-Za-z0-9_@]+", text)
    if command is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]


def _text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _is_service(message: JSON) -> bool:
    return not any(key in message for key in _CONTENT_KEYS)


# ---------------------------------------------------------------------------------------------
# The world: users (private chats) and supergroups.
# ---------------------------------------------------------------------------------------------


class FakeUser:
    """A Telegram user talking to the bot in their private chat (chat id == user id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def as_json(self) -> JSON:
        """The Bot API User object."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_json(self) -> JSON:
        """The Bot API Chat object of this user's private chat with the bot."""
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat

    async def say(self, text: str) -> JSON:
        """Send ``text`` to the bot in the private chat; the Message dict."""
        return await self._fake.send_text(self, self.id, text)

    async def send(self, kind: str) -> JSON:
        """Send a voice/photo/sticker/document/location/video/contact... to the bot."""
        return await self._fake.send_media(self, self.id, kind)

    async def expect(self, contains: str | None = None, timeout: float = 15.0) -> JSON:
        """The next bot message in this private chat (see FakeTelegram.expect)."""
        return await self._fake.expect(self.id, contains, timeout=timeout)

    def buttons(self, message: JSON) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button of ``message``, row by row.

        Buttons that are not callback buttons (url, web_app ...) have callback_data "".
        """
        markup = message.get("reply_markup") or {}
        return [
            (str(button.get("text", "")), str(button.get("callback_data", "")))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    async def press(self, label: str, *, message: JSON | None = None) -> str:
        """Press the callback button whose text contains ``label``; the callback query id.

        Looks at ``message`` (its current state, if the bot edited it since) or else at the
        bot's messages in this chat, most recent first.
        """
        if message is not None:
            candidates = [self._fake.current(message)]
        else:
            candidates = list(reversed(self._fake.sent(self.id)))
        available: list[str] = []
        for candidate in candidates:
            for text, data in self.buttons(candidate):
                available.append(text)
                if label in text and data:
                    return await self._fake.press(self, candidate, data)
        where = "that message" if message is not None else f"the bot's messages to {self!r}"
        raise AssertionError(
            f"no callback button containing {label!r} on {where}; buttons: {available or 'none'}"
        )


class FakeGroup:
    """A supergroup the bot is an administrator of; a forum (has topics) unless told otherwise."""

    def __init__(self, chat_id: int, title: str, is_forum: bool = True) -> None:
        self.id = chat_id
        self.title = title
        self.is_forum = is_forum

    def __repr__(self) -> str:
        return f"FakeGroup({self.id}, {self.title!r})"

    def as_json(self) -> JSON:
        """The Bot API Chat object (is_forum is only present when true, as with Telegram)."""
        chat: JSON = {"id": self.id, "type": "supergroup", "title": self.title}
        if self.is_forum:
            chat["is_forum"] = True
        return chat


# ---------------------------------------------------------------------------------------------
# The server.
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
    """An in-process Bot API server on 127.0.0.1 plus the simulated Telegram world behind it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int = 123456,
        username: str = "cppp_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "CPPP Test Bot",
            "username": username,
        }

        # What the bot did.
        self.calls: list[tuple[str, JSON]] = []
        self.unknown_methods: list[str] = []
        # Every error answer (method, params, description), 401s and 404s included.
        self.errors: list[tuple[str, JSON, str]] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}  # chat id (None: the default) -> button
        self.webhook: JSON | None = None
        self.answered_callbacks: dict[str, JSON] = {}

        # The world.
        self.blocked: set[int] = set()
        # Chats where the bot lacks the admin right to delete (deleteMessage(s), deleteForumTopic).
        self.no_delete_right: set[int] = set()
        self.topics: dict[int, dict[int, JSON]] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._messages: dict[int, dict[int, JSON]] = {}  # chat -> message id -> Message
        self._last_message_id: dict[int, int] = {}
        self._bot_message_ids: dict[int, list[int]] = {}  # messages the bot produced, in order
        self._reply_keyboards: dict[tuple[int, int], JSON] = {}  # non-inline reply_markup sent
        self._events: dict[int, list[JSON]] = {}  # per chat: bot messages and edits, in order
        self._consumed: dict[int, set[int]] = {}  # per chat: indexes returned by expect()

        # Updates.
        self._updates: list[JSON] = []  # queued, not yet confirmed (getUpdates) or delivered
        self._update_ids = itertools.count(700_000_001)
        self._handed_out = 0  # highest update_id getUpdates has returned
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._open_callbacks: set[str] = set()
        self._callback_ids = itertools.count(4_861_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes the bot uploaded
        self.faults: list[Fault] = []  # injected by fail(); each used up by its calls
        self.outage_until = 0.0  # monotonic time before which every call answers 502
        self.faulted: list[tuple[str, str]] = []  # (method, kind) of each fault served

        # Machinery.
        self._changed = asyncio.Event()  # set (and replaced) whenever anything happens
        self._last_activity = 0.0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._delivery_lock = asyncio.Lock()

        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_file("photo"),
            "sendDocument": self._send_file("document"),
            "sendVideo": self._send_file("video"),
            "sendAudio": self._send_file("audio"),
            "sendVoice": self._send_file("voice"),
            "sendAnimation": self._send_file("animation"),
            "sendSticker": self._send_file("sticker"),
            "sendVideoNote": self._send_file("video_note"),
            "sendLocation": self._send_location,
            "sendContact": self._send_contact,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
        }
        # Bot API method names are case-insensitive.
        self._by_lower_name = {name.lower(): name for name in self._handlers}

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        kind: str,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` fail as ``kind`` (see ``Fault``)."""
        if kind not in ("429", "502", "late", "lost"):
            raise ValueError(f"unknown fault {kind!r}")
        fault = Fault(method, kind, times, retry_after, delay)
        self.faults.append(fault)
        return fault

    def outage(self, seconds: float) -> None:
        """Every call, getMe and getUpdates included, answers 502 for ``seconds`` from now."""
        self.outage_until = time.monotonic() + seconds

    def _fault_for(self, name: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and (
                fault.method == name or (fault.method == "*" and name != "getUpdates")
            ):
                fault.times -= 1
                self.faulted.append((name, fault.kind))
                return fault
        return None

    @staticmethod
    def _bad_gateway() -> web.Response:
        return web.Response(
            status=502,
            text="<html><head><title>502 Bad Gateway</title></head></html>",
            content_type="text/html",
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port; also start the webhook delivery loop."""
        self._closing = False
        self._changed = asyncio.Event()
        self._delivery_lock = asyncio.Lock()
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{bot_token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        self._session = ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        """Stop listening; pending long polls are answered with no updates."""
        self._closing = True
        self._bump()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to give PTB as base_url (it appends the token): http://127.0.0.1:PORT/bot."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    # -- building the world ----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        """A user who has started the bot, with their private chat (chat id == user id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(self, user_id, first_name, language_code, username)
        self._users[user_id] = user
        return user

    def supergroup(self, chat_id: int, title: str, is_forum: bool = True) -> FakeGroup:
        """A supergroup (ids look like -100...) the bot administers; a forum by default."""
        if chat_id >= 0:
            raise ValueError("supergroup ids are negative, e.g. -1001234567890")
        group = FakeGroup(chat_id, title, is_forum)
        self._groups[chat_id] = group
        self.topics.setdefault(chat_id, {})
        return group

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Delete a topic as a human admin would: it and all its messages are gone."""
        if thread_id not in self.topics.get(chat_id, {}):
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        self._remove_topic(chat_id, thread_id)

    def current(self, message: JSON) -> JSON:
        """The current stored state of ``message`` (after edits); ``message`` if not stored."""
        stored = self._messages.get(message["chat"]["id"], {}).get(message["message_id"])
        if stored is None:
            return message
        return self._snapshot(stored)

    # -- what the bot sent -----------------------------------------------------------------

    def messages(self, chat_id: int) -> list[JSON]:
        """Every message still in ``chat_id``, whoever wrote it, oldest first."""
        stored = self._messages.get(chat_id, {})
        return [self._snapshot(stored[m]) for m in sorted(stored)]

    def sent(self, chat_id: int, thread_id: int | None | EllipsisType = ...) -> list[JSON]:
        """Current state of the messages the bot produced in ``chat_id``, oldest first.

        Edits are reflected; deleted messages are gone. ``thread_id=None`` keeps only messages
        outside topics. A non-inline reply_markup the bot sent (reply keyboard, remove, force
        reply) is kept under the extra key "reply_keyboard", since Telegram does not echo it.
        """
        messages = self._messages.get(chat_id, {})
        found: list[JSON] = []
        for message_id in self._bot_message_ids.get(chat_id, []):
            message = messages.get(message_id)
            if message is None:
                continue
            if thread_id is not ... and message.get("message_thread_id") != thread_id:
                continue
            found.append(self._snapshot(message))
        return found

    async def expect(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        thread_id: int | None | EllipsisType = ...,
        timeout: float = 15.0,
    ) -> JSON:
        """Wait for the next bot message in ``chat_id`` whose text/caption contains ``contains``.

        Bot messages form a per-chat event stream (sends, copies, forwards, and text/caption
        edits, which arrive as the edited message with "edited": True). Each event is returned
        by expect() at most once; events skipped while looking for a match stay available.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            consumed = self._consumed.setdefault(chat_id, set())
            for index, event in enumerate(self._events.get(chat_id, [])):
                if index in consumed:
                    continue
                if thread_id is not ... and event.get("message_thread_id") != thread_id:
                    continue
                if contains is not None and contains not in _text_of(event):
                    continue
                consumed.add(index)
                return copy.deepcopy(event)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._describe_chat(chat_id, contains, thread_id, timeout))
            await self._wait_for_change(remaining)

    async def quiet(self, seconds: float = 0.5) -> None:
        """Wait until the bot has been idle for ``seconds``: no API call arrived and every
        queued update has been handed to it. Gives up silently after 10 s in total."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        seconds = min(seconds, QUIET_MAX_SECONDS)
        while True:
            now = loop.time()
            if now - started >= QUIET_MAX_SECONDS:
                return
            idle = now - self._last_activity
            if idle >= seconds and not self._undelivered():
                return
            wait = seconds - idle if idle < seconds else 0.05
            await asyncio.sleep(min(wait, QUIET_MAX_SECONDS - (now - started)))

    # -- what the users do ------------------------------------------------------------------

    async def send_text(
        self,
        sender: FakeUser,
        chat_id: int,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: JSON | None = None,
    ) -> JSON:
        """``sender`` writes ``text`` in ``chat_id`` (topic ``thread_id``); queues the update."""
        content: JSON = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return await self._user_message(sender, chat_id, content, thread_id, reply_to)

    async def send_media(
        self, sender: FakeUser, chat_id: int, kind: str, *, thread_id: int | None = None
    ) -> JSON:
        """``sender`` sends a voice, photo, sticker, document, location, video, contact, audio,
        animation or video_note (fake file ids) to ``chat_id``; queues the update."""
        if kind == "location":
            content: JSON = {"location": {"latitude": 22.3193, "longitude": 114.1694}}
        elif kind == "contact":
            content = {
                "contact": {
                    "phone_number": "+85291234567",
                    "first_name": sender.first_name,
                    "user_id": sender.id,
                }
            }
        elif kind in _MEDIA_KINDS:
            content = {kind: self._media(kind, None)}
        else:
            raise ValueError(f"unknown media kind {kind!r}")
        return await self._user_message(sender, chat_id, content, thread_id, None)

    async def press(self, sender: FakeUser, message: JSON, data: str) -> str:
        """``sender`` presses a button with callback ``data`` (anything, even forged) on
        ``message``; queues the callback_query update and returns its id."""
        query_id = str(next(self._callback_ids))
        chat_id = message["chat"]["id"]
        stored = self._messages.get(chat_id, {}).get(message["message_id"], message)
        query: JSON = {
            "id": query_id,
            "from": sender.as_json(),
            "message": self._clean(stored, keep_reply=True),
            "chat_instance": str(-7_000_000_000_000_000_000 + abs(chat_id)),
            "data": data,
        }
        self._open_callbacks.add(query_id)
        self._queue_update({"callback_query": query})
        await asyncio.sleep(0)
        return query_id

    # -- webhook ----------------------------------------------------------------------------

    async def deliver_pending(self) -> int:
        """POST every queued update to the webhook now (in order); how many were delivered.

        Updates are delivered in the background anyway while a webhook is set; this waits
        for the queue to drain and raises AssertionError if the webhook refuses an update.
        """
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        delivered = 0
        while True:
            try:
                if not await self._deliver_one():
                    return delivered
            except _DeliveryError as exc:
                raise AssertionError(f"webhook delivery failed: {exc}") from None
            delivered += 1

    # =========================================================================================
    # Internals
    # =========================================================================================

    def _bump(self) -> None:
        """Wake everything waiting for a change (long polls, expect, the webhook loop)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_for_change(self, timeout: float | None) -> None:
        # Callers check their condition and call this without awaiting in between, so no
        # change can slip through unnoticed.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()

    def _undelivered(self) -> bool:
        """Updates the bot has not been given yet (neither polled nor delivered)."""
        return any(update["update_id"] > self._handed_out for update in self._updates)

    # -- HTTP ---------------------------------------------------------------------------------

    @staticmethod
    def _error(code: int, description: str) -> web.Response:
        payload = {"ok": False, "error_code": code, "description": description}
        return web.json_response(payload, status=code)

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._error(404, "Not Found")

    async def _read_params(self, request: web.Request) -> JSON:
        """Raw parameters from the query string and a form, multipart or JSON body."""
        params: JSON = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _bad_request("request body must be a JSON object")
            params.update(body)
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    params[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    params[name] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        prefix = request.match_info["bot_token"]
        method = request.match_info["method"]
        if not prefix.startswith("bot"):
            return self._error(404, "Not Found")
        try:
            raw = await self._read_params(request)
        except (ApiError, ValueError) as exc:
            description = exc.description if isinstance(exc, ApiError) else f"Bad Request: {exc}"
            self.errors.append((method, {}, description))
            return self._error(400, description)

        if prefix.removeprefix("bot") != self.token:
            self.errors.append((method, raw, "Unauthorized"))
            return self._error(401, "Unauthorized")

        name = self._by_lower_name.get(method.lower())
        if name is None:
            self.calls.append((method, _decode_params(raw, strict=False)))
            self.unknown_methods.append(method)
            self.errors.append((method, raw, "Not Found: method not found"))
            self._touch()
            self._bump()
            return self._error(404, "Not Found: method not found")

        try:
            params = _decode_params(raw)
        except ApiError as exc:
            params = _decode_params(raw, strict=False)
            self.calls.append((name, params))
            self.errors.append((name, params, exc.description))
            self._touch()
            self._bump()
            return self._error(exc.code, exc.description)

        if time.monotonic() < self.outage_until:
            self.faulted.append((name, "outage"))
            return self._bad_gateway()
        fault = self._fault_for(name)
        if fault is not None and fault.kind == "429":
            self.errors.append((name, params, "Too Many Requests"))
            payload = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {fault.retry_after}",
                "parameters": {"retry_after": fault.retry_after},
            }
            return web.json_response(payload, status=429)
        if fault is not None and fault.kind == "502":
            return self._bad_gateway()
        if fault is not None and fault.kind == "lost":
            await asyncio.sleep(fault.delay)
            raise ConnectionResetError("the fake dropped the request")
        self.calls.append((name, params))
        if name != "getUpdates":  # polling is not "the bot doing something"
            self._touch()
        try:
            result = await self._handlers[name](params)
            if fault is not None and fault.kind == "late":
                await asyncio.sleep(fault.delay)
        except ApiError as exc:
            # A superseded long poll whose client already hung up (PTB cancels its poll on
            # stop) is answered into the void: not an error anyone saw.
            if request.transport is not None and not request.transport.is_closing():
                self.errors.append((name, params, exc.description))
            self._bump()
            return self._error(exc.code, exc.description)
        except Exception:  # a bug in the fake: make it loud, not a hang
            description = "Internal Server Error: " + traceback.format_exc(limit=5)
            self.errors.append((name, params, description))
            self._bump()
            return self._error(500, description)
        self._bump()
        return web.json_response({"ok": True, "result": result})

    # -- lookups -------------------------------------------------------------------------------

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id in self._users:
            return self._users[chat_id].chat_json()
        return self._groups[chat_id].as_json()

    def _chat_id(self, value: Any, name: str = "chat_id") -> int:
        """A known chat's id, or the error Telegram gives."""
        if value is None or value == "":
            raise _bad_request(f"{name} is empty")
        if isinstance(value, int) and (value in self._users or value in self._groups):
            return value
        raise _bad_request("chat not found")

    def _check_not_blocked(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            if chat_id in self._groups:
                raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_thread(self, chat_id: int, thread_id: Any) -> int | None:
        if thread_id is None:
            return None
        if not isinstance(thread_id, int) or thread_id not in self.topics.get(chat_id, {}):
            raise _bad_request("message thread not found")
        return thread_id

    def _send_target(self, params: JSON) -> tuple[int, int | None]:
        """(chat id, thread id) a send-like call goes to, after Telegram's checks."""
        chat_id = self._chat_id(params.get("chat_id"))
        self._check_not_blocked(chat_id)
        return chat_id, self._check_thread(chat_id, params.get("message_thread_id"))

    def _forum(self, params: JSON) -> int:
        chat_id = self._chat_id(params.get("chat_id"))
        group = self._groups.get(chat_id)
        if group is None or not group.is_forum:
            raise _bad_request("the chat is not a forum")
        return chat_id

    def _topic(self, params: JSON) -> tuple[int, int, JSON]:
        chat_id = self._forum(params)
        thread_id = params.get("message_thread_id")
        topic = self.topics.get(chat_id, {}).get(thread_id) if isinstance(thread_id, int) else None
        if topic is None or not isinstance(thread_id, int):
            raise _bad_request("message thread not found")
        return chat_id, thread_id, topic

    # -- messages ------------------------------------------------------------------------------

    @staticmethod
    def _clean(message: JSON, *, keep_reply: bool = False) -> JSON:
        """A copy fit to embed in another object. Without the test-only keys of sent() and
        expect() results, and as a reply_to_message without its own reply (Telegram does not
        nest replies)."""
        embedded = copy.deepcopy(message)
        embedded.pop("edited", None)
        embedded.pop("reply_keyboard", None)
        if not keep_reply:
            embedded.pop("reply_to_message", None)
        return embedded

    def _snapshot(self, message: JSON, *, edited: bool = False) -> JSON:
        snapshot = copy.deepcopy(message)
        keyboard = self._reply_keyboards.get((message["chat"]["id"], message["message_id"]))
        if keyboard is not None:
            snapshot["reply_keyboard"] = copy.deepcopy(keyboard)
        if edited:
            snapshot["edited"] = True
        return snapshot

    def _store(
        self,
        chat_id: int,
        sender: JSON,
        thread_id: int | None,
        content: JSON,
        reply_to: JSON | None,
    ) -> JSON:
        """Create and store a new message in ``chat_id``; message ids count up per chat."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message: JSON = {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": self._chat_json(chat_id),
            "date": int(time.time()),
        }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if reply_to is None:
                # Like Telegram: a non-reply in a topic "replies" to the topic's creation.
                reply_to = self._messages.get(chat_id, {}).get(thread_id)
        if reply_to is not None:
            message["reply_to_message"] = self._clean(reply_to)
        message.update(copy.deepcopy(content))
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _store_bot_message(
        self,
        chat_id: int,
        thread_id: int | None,
        content: JSON,
        reply_to: JSON | None,
        reply_keyboard: JSON | None,
    ) -> JSON:
        message = self._store(chat_id, self.bot_user, thread_id, content, reply_to)
        self._bot_message_ids.setdefault(chat_id, []).append(message["message_id"])
        if reply_keyboard is not None:
            self._reply_keyboards[(chat_id, message["message_id"])] = reply_keyboard
        self._record_event(chat_id, message)
        return copy.deepcopy(message)

    def _record_event(self, chat_id: int, message: JSON, *, edited: bool = False) -> None:
        self._events.setdefault(chat_id, []).append(self._snapshot(message, edited=edited))
        self._bump()

    async def _user_message(
        self,
        sender: FakeUser,
        chat_id: int,
        content: JSON,
        thread_id: int | None,
        reply_to: JSON | None,
    ) -> JSON:
        if chat_id in self._users:
            if chat_id != sender.id:
                raise ValueError(f"{sender!r} cannot write in {chat_id}'s private chat")
        elif chat_id not in self._groups:
            raise ValueError(f"unknown chat {chat_id}: create it with user() or supergroup()")
        if thread_id is not None and thread_id not in self.topics.get(chat_id, {}):
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        if reply_to is not None:
            reply_to = self._messages.get(chat_id, {}).get(reply_to["message_id"], reply_to)
            if thread_id is None and reply_to.get("is_topic_message"):
                thread_id = reply_to.get("message_thread_id")
        message = self._store(chat_id, sender.as_json(), thread_id, content, reply_to)
        self._queue_update({"message": copy.deepcopy(message)})
        await asyncio.sleep(0)
        return copy.deepcopy(message)

    def _queue_update(self, body: JSON) -> None:
        self._updates.append({"update_id": next(self._update_ids), **body})
        self._touch()
        self._bump()

    def _media(self, kind: str, source: Any) -> Any:
        """A Bot API media object for ``kind``; keeps a file_id the bot passed in."""
        number = next(self._file_ids)
        if isinstance(source, str) and source and not source.startswith(("http", "attach://")):
            file_id = source
        else:
            file_id = f"FAKE-{kind.upper()}-{number:06d}"
        size = len(source.data) if isinstance(source, Upload) else 4096 + number
        if isinstance(source, Upload):
            self.uploads[file_id] = source.data  # what the bot sent, for tests to read
        base: JSON = {"file_id": file_id, "file_unique_id": f"u{kind}{number}"}
        if kind == "photo":
            return [
                {
                    **base,
                    "file_id": f"{file_id}-S",
                    "file_unique_id": f"uphoto{number}s",
                    "width": 90,
                    "height": 67,
                    "file_size": size // 10,
                },
                {**base, "width": 800, "height": 600, "file_size": size},
            ]
        if kind == "document":
            name = source.file_name if isinstance(source, Upload) else None
            mime = source.mime_type if isinstance(source, Upload) else None
            return {
                **base,
                "file_name": name or "document.pdf",
                "mime_type": mime or "application/pdf",
                "file_size": size,
            }
        if kind in ("video", "animation"):
            return {**base, "width": 640, "height": 360, "duration": 5, "file_size": size}
        if kind == "voice":
            return {**base, "duration": 3, "mime_type": "audio/ogg", "file_size": size}
        if kind == "audio":
            return {**base, "duration": 30, "mime_type": "audio/mpeg", "file_size": size}
        if kind == "video_note":
            return {**base, "length": 240, "duration": 3, "file_size": size}
        if kind == "sticker":
            return {
                **base,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": "\U0001f44d",
                "file_size": size,
            }
        raise ValueError(kind)

    # -- formatting ----------------------------------------------------------------------------

    @staticmethod
    def _format(
        text: Any, parse_mode: Any, entities: Any, *, caption: bool
    ) -> tuple[str, list[JSON]]:
        """(text, entities) as Telegram would store them; raises Telegram's 400s."""
        text = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if mode not in ("", "html", "markdown", "markdownv2"):
            raise _bad_request("unsupported parse_mode")
        if isinstance(entities, list):
            found: list[JSON] = [e for e in entities if isinstance(e, dict)]
        elif mode == "html":
            try:
                text, found = parse_html(text)
            except HtmlParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
        else:
            found = []  # Markdown is accepted as-is (not validated)
        text, found = _trim(text, found)
        if caption:
            if len(text) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        else:
            if not text:
                raise _bad_request("message text is empty")
            if len(text) > MAX_TEXT_LENGTH:
                raise _bad_request("message is too long")
        return text, found

    @staticmethod
    def _markup(value: Any) -> tuple[JSON | None, JSON | None]:
        """(inline keyboard for the message, other reply_markup) after Telegram's checks."""
        if value is None:
            return None, None
        if not isinstance(value, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in value:
            rows = value["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request(
                    'can\'t parse inline keyboard button: Field "inline_keyboard" must be '
                    "an Array of Arrays"
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _bad_request("can't parse inline keyboard button: Text is missing")
                    if not any(key in button for key in _BUTTON_ACTIONS):
                        raise _bad_request(
                            "can't parse inline keyboard button: Text buttons are unallowed "
                            "in the inline keyboard"
                        )
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if (
                            not isinstance(data, str)
                            or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
                        ):
                            raise _bad_request("BUTTON_DATA_INVALID")
            if not any(rows):
                return None, None  # an empty inline keyboard is no keyboard
            return copy.deepcopy(value), None
        if any(key in value for key in ("keyboard", "remove_keyboard", "force_reply")):
            return None, copy.deepcopy(value)
        raise _bad_request("can't parse reply keyboard markup JSON object")

    def _reply_target(
        self, chat_id: int, thread_id: int | None, params: JSON
    ) -> tuple[JSON | None, int | None]:
        """(message replied to, thread) from reply_parameters / reply_to_message_id."""
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, chat_id):
                return None, thread_id  # replies to other chats are not modelled
        else:
            message_id = params.get("reply_to_message_id")
            allow_missing = bool(params.get("allow_sending_without_reply"))
        if message_id is None:
            return None, thread_id
        target = self._messages.get(chat_id, {}).get(message_id)
        if target is None:
            if allow_missing:
                return None, thread_id
            raise _bad_request("message to be replied not found")
        if thread_id is None and target.get("is_topic_message"):
            thread_id = target.get("message_thread_id")  # a reply goes into the topic
        return target, thread_id

    # -- API methods: bot and updates ----------------------------------------------------------

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _allowed(self, update: JSON) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _NOT_DELIVERED_BY_DEFAULT

    def _pending(self, limit: int) -> list[JSON]:
        """The first ``limit`` queued updates (dropping those allowed_updates excludes)."""
        self._updates = [update for update in self._updates if self._allowed(update)]
        return copy.deepcopy(self._updates[:limit])

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]

        # A new request supersedes one still waiting (Telegram answers the old one 409).
        self._poll_generation += 1
        generation = self._poll_generation
        self._bump()

        # offset confirms every update before it; a negative one keeps only the last -offset.
        if isinstance(offset, int):
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            batch = self._pending(limit)
            if batch:
                self._handed_out = max(self._handed_out, batch[-1]["update_id"])
                self._touch()
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            await self._wait_for_change(remaining)

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        if not url.startswith(("https://", "http://")):
            # Telegram wants HTTPS; plain http is let through so tests can run locally.
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "max_connections": int(params.get("max_connections") or 40),
            "allowed_updates": params.get("allowed_updates"),
            "last_error_date": None,
            "last_error_message": None,
        }
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook is not None:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
            if self.webhook["last_error_date"]:
                info["last_error_date"] = self.webhook["last_error_date"]
                info["last_error_message"] = self.webhook["last_error_message"]
        return info

    # -- API methods: commands, menu button, chats ----------------------------------------------

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        """("default" | "all_private_chats" | "chat:<id>" | ..., language_code or "")."""
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        scope = params.get("scope")
        if not scope:
            return "default", language
        if not isinstance(scope, dict):
            raise _bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return str(kind), language
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = self._chat_id(_decode_param("chat_id", scope.get("chat_id")))
            if kind == "chat_member":
                return f"chat_member:{chat_id}:{scope.get('user_id')}", language
            return f"{kind}:{chat_id}", language
        raise _bad_request("unsupported bot command scope type")

    async def _set_my_commands(self, params: JSON) -> bool:
        key = self._commands_key(params)
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict) or "description" not in command:
                raise _bad_request("can't parse BotCommand: Can't find field \"description\"")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command["description"])) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: JSON) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat_id(chat_id)
            if chat_id not in self._users:
                raise _bad_request("chat is not private")
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = copy.deepcopy(button)
        return True

    async def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat_id(chat_id)
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        if button is None or button.get("type") == "default":
            return {"type": "commands"} if self.commands else {"type": "default"}
        return copy.deepcopy(button)

    async def _get_chat(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params.get("chat_id"))
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params.get("chat_id"))
        user_id = params.get("user_id")
        if user_id == self.bot_id:
            rights = dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_pin_messages",
                    "can_manage_topics",
                ),
                True,
            )
            if chat_id in self._users:
                return {"status": "member", "user": copy.deepcopy(self.bot_user)}
            return {
                "status": "administrator",
                "user": copy.deepcopy(self.bot_user),
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                **rights,
            }
        user = self._users.get(user_id) if isinstance(user_id, int) else None
        if user is None or (chat_id in self._users and chat_id != user_id):
            raise _bad_request("user not found")
        return {"status": "member", "user": user.as_json()}

    # -- API methods: sending ---------------------------------------------------------------------

    async def _send_message(self, params: JSON) -> JSON:
        chat_id, thread_id = self._send_target(params)
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        inline, keyboard = self._markup(params.get("reply_markup"))
        reply_to, thread_id = self._reply_target(chat_id, thread_id, params)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if inline:
            content["reply_markup"] = inline
        return self._store_bot_message(chat_id, thread_id, content, reply_to, keyboard)

    def _send_file(self, kind: str) -> Handler:
        async def send(params: JSON) -> JSON:
            chat_id, thread_id = self._send_target(params)
            source = params.get(kind)
            if source is None or source == "":
                raise _bad_request(f"there is no {kind} in the request")
            content: JSON = {kind: self._media(kind, source)}
            if kind != "sticker":
                caption, entities = self._format(
                    params.get("caption"),
                    params.get("parse_mode"),
                    params.get("caption_entities"),
                    caption=True,
                )
                if caption:
                    content["caption"] = caption
                if entities:
                    content["caption_entities"] = entities
            inline, keyboard = self._markup(params.get("reply_markup"))
            if inline:
                content["reply_markup"] = inline
            reply_to, thread_id = self._reply_target(chat_id, thread_id, params)
            return self._store_bot_message(chat_id, thread_id, content, reply_to, keyboard)

        return send

    async def _send_location(self, params: JSON) -> JSON:
        chat_id, thread_id = self._send_target(params)
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if not isinstance(latitude, float | int) or not isinstance(longitude, float | int):
            raise _bad_request("wrong latitude or longitude specified")
        inline, keyboard = self._markup(params.get("reply_markup"))
        content: JSON = {"location": {"latitude": latitude, "longitude": longitude}}
        if inline:
            content["reply_markup"] = inline
        reply_to, thread_id = self._reply_target(chat_id, thread_id, params)
        return self._store_bot_message(chat_id, thread_id, content, reply_to, keyboard)

    async def _send_contact(self, params: JSON) -> JSON:
        chat_id, thread_id = self._send_target(params)
        if not params.get("phone_number") or not params.get("first_name"):
            raise _bad_request("phone number and first name must be non-empty")
        contact: JSON = {
            "phone_number": str(params["phone_number"]),
            "first_name": str(params["first_name"]),
        }
        if params.get("last_name"):
            contact["last_name"] = str(params["last_name"])
        inline, keyboard = self._markup(params.get("reply_markup"))
        content: JSON = {"contact": contact}
        if inline:
            content["reply_markup"] = inline
        reply_to, thread_id = self._reply_target(chat_id, thread_id, params)
        return self._store_bot_message(chat_id, thread_id, content, reply_to, keyboard)

    async def _send_chat_action(self, params: JSON) -> bool:
        self._send_target(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _source_message(self, params: JSON, missing: str) -> JSON:
        from_chat = self._chat_id(params.get("from_chat_id"), "from_chat_id")
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        source = self._messages.get(from_chat, {}).get(message_id)
        if source is None:
            raise _bad_request(missing)
        return source

    async def _copy_message(self, params: JSON) -> JSON:
        chat_id, thread_id = self._send_target(params)
        source = self._source_message(params, "message to copy not found")
        if _is_service(source):
            raise _bad_request("message can't be copied")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        if "caption" in params and "text" not in content:
            caption, entities = self._format(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                caption=True,
            )
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        inline, keyboard = self._markup(params.get("reply_markup"))
        if inline:
            content["reply_markup"] = inline
        reply_to, thread_id = self._reply_target(chat_id, thread_id, params)
        copied = self._store_bot_message(chat_id, thread_id, content, reply_to, keyboard)
        return {"message_id": copied["message_id"]}

    async def _forward_message(self, params: JSON) -> JSON:
        chat_id, thread_id = self._send_target(params)
        source = self._source_message(params, "message to forward not found")
        if _is_service(source):
            raise _bad_request("message can't be forwarded")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        content["forward_origin"] = copy.deepcopy(source.get("forward_origin")) or {
            "type": "user",
            "sender_user": copy.deepcopy(source["from"]),
            "date": source["date"],
        }
        return self._store_bot_message(chat_id, thread_id, content, None, None)

    # -- API methods: editing and deleting --------------------------------------------------------

    def _editable(self, params: JSON) -> tuple[int, JSON]:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")  # inline mode is not modelled
        chat_id = self._chat_id(params.get("chat_id"))
        self._check_not_blocked(chat_id)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise _bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id or _is_service(message):
            raise _bad_request("message can't be edited")
        return chat_id, message

    @staticmethod
    def _not_modified() -> ApiError:
        return _bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    @staticmethod
    def _apply(message: JSON, key: str, value: Any) -> None:
        if value:
            message[key] = value
        else:
            message.pop(key, None)

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat_id, message = self._editable(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        # Without reply_markup the inline keyboard goes away, exactly as on Telegram.
        inline, _ = self._markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and inline == message.get("reply_markup")
        ):
            raise self._not_modified()
        message["text"] = text
        self._apply(message, "entities", entities)
        self._apply(message, "reply_markup", inline)
        message["edit_date"] = int(time.time())
        self._record_event(chat_id, message, edited=True)
        return copy.deepcopy(message)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        chat_id, message = self._editable(params)
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        inline, _ = self._markup(params.get("reply_markup"))
        if (
            caption == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and inline == message.get("reply_markup")
        ):
            raise self._not_modified()
        self._apply(message, "caption", caption)
        self._apply(message, "caption_entities", entities)
        self._apply(message, "reply_markup", inline)
        message["edit_date"] = int(time.time())
        self._record_event(chat_id, message, edited=True)
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        # Changes the stored message (sent() shows it) but is not an expect() event.
        _, message = self._editable(params)
        inline, _ = self._markup(params.get("reply_markup"))
        if inline == message.get("reply_markup"):
            raise self._not_modified()
        self._apply(message, "reply_markup", inline)
        return copy.deepcopy(message)

    async def _delete_message(self, params: JSON) -> bool:
        chat_id = self._chat_id(params.get("chat_id"))
        if chat_id in self.no_delete_right:
            raise _bad_request("message can't be deleted")
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or message_id not in self._messages.get(chat_id, {}):
            raise _bad_request("message to delete not found")
        del self._messages[chat_id][message_id]
        return True

    async def _delete_messages(self, params: JSON) -> bool:
        """1 to 100 ids; ids that are not found are skipped, as Telegram does."""
        chat_id = self._chat_id(params.get("chat_id"))
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message_ids must be a list of 1-100 message identifiers")
        if chat_id in self.no_delete_right:
            raise _bad_request("message can't be deleted")
        messages = self._messages.get(chat_id, {})
        for message_id in ids:
            messages.pop(message_id, None)
        self._bump()
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks[query_id] = dict(params)
        return True

    # -- API methods: forum topics ----------------------------------------------------------------

    def _service_message(self, chat_id: int, thread_id: int | None, content: JSON) -> JSON:
        """A topic service message from the bot (stored, but not a sent()/expect() message)."""
        return self._store(chat_id, self.bot_user, thread_id, content, None)

    async def _create_forum_topic(self, params: JSON) -> JSON:
        chat_id = self._forum(params)
        name = str(params.get("name") or "")
        if not name:
            raise _bad_request("topic name is empty")
        if len(name) > 128:
            raise _bad_request("topic name is too long")
        icon_color = params.get("icon_color", TOPIC_ICON_COLORS[0])
        if icon_color not in TOPIC_ICON_COLORS:
            raise _bad_request("invalid icon_color specified")
        # The thread id is the message id of the "topic created" service message.
        thread_id = self._last_message_id.get(chat_id, 0) + 1
        topic: JSON = {"name": name, "closed": False, "icon_color": icon_color}
        created: JSON = {"name": name, "icon_color": icon_color}
        if params.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = created["icon_custom_emoji_id"] = str(
                params["icon_custom_emoji_id"]
            )
        self.topics.setdefault(chat_id, {})[thread_id] = topic
        self._service_message(chat_id, thread_id, {"forum_topic_created": created})
        return {"message_thread_id": thread_id, **created}

    async def _edit_forum_topic(self, params: JSON) -> bool:
        chat_id, thread_id, topic = self._topic(params)
        edited: JSON = {}
        name = params.get("name")
        if name and name != topic["name"]:
            edited["name"] = topic["name"] = str(name)
        emoji = params.get("icon_custom_emoji_id")
        if emoji is not None and emoji != topic.get("icon_custom_emoji_id", ""):
            topic["icon_custom_emoji_id"] = edited["icon_custom_emoji_id"] = str(emoji)
        if not edited:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        self._service_message(chat_id, thread_id, {"forum_topic_edited": edited})
        return True

    async def _set_topic_closed(self, params: JSON, closed: bool) -> bool:
        chat_id, thread_id, topic = self._topic(params)
        if topic["closed"] == closed:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        event = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._service_message(chat_id, thread_id, {event: {}})
        return True

    async def _close_forum_topic(self, params: JSON) -> bool:
        return await self._set_topic_closed(params, True)

    async def _reopen_forum_topic(self, params: JSON) -> bool:
        return await self._set_topic_closed(params, False)

    async def _delete_forum_topic(self, params: JSON) -> bool:
        chat_id, thread_id, _ = self._topic(params)
        if chat_id in self.no_delete_right:
            raise _bad_request("not enough rights to delete the topic")
        self._remove_topic(chat_id, thread_id)
        return True

    def _remove_topic(self, chat_id: int, thread_id: int) -> None:
        self.topics.get(chat_id, {}).pop(thread_id, None)
        messages = self._messages.get(chat_id, {})
        for message_id in [
            m for m, msg in messages.items() if msg.get("message_thread_id") == thread_id
        ]:
            del messages[message_id]
        self._bump()

    # -- webhook delivery ------------------------------------------------------------------------

    async def _webhook_loop(self) -> None:
        """While a webhook is set, POST queued updates to it; retry with a pause on failure."""
        while not self._closing:
            if self.webhook is not None and self._pending(1):
                try:
                    await self._deliver_one()
                except Exception:  # refused or unreachable: Telegram retries later, so do we
                    await asyncio.sleep(0.25)
            else:
                await self._wait_for_change(None)

    async def _deliver_one(self) -> bool:
        """POST the oldest queued update to the webhook; False if there was none."""
        async with self._delivery_lock:
            webhook, session = self.webhook, self._session
            batch = self._pending(1)
            if webhook is None or session is None or not batch:
                return False
            update = batch[0]
            headers = {}
            if webhook["secret_token"]:
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
            try:
                async with session.post(
                    webhook["url"], json=update, headers=headers, timeout=ClientTimeout(total=10)
                ) as response:
                    await response.read()
                    status, reason = response.status, response.reason
            except (ClientError, TimeoutError, ValueError) as exc:
                self._webhook_failed(webhook, f"Connection failed: {exc!r}")
                raise _DeliveryError(str(exc)) from None
            if not 200 <= status < 300:
                self._webhook_failed(webhook, f"Wrong response from the webhook: {status} {reason}")
                raise _DeliveryError(f"{status} {reason}")
            self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
            self._handed_out = max(self._handed_out, update["update_id"])
            self._touch()
            self._bump()
            return True

    @staticmethod
    def _webhook_failed(webhook: JSON, message: str) -> None:
        webhook["last_error_date"] = int(time.time())
        webhook["last_error_message"] = message

    # -- diagnostics ------------------------------------------------------------------------------

    def _describe_chat(
        self,
        chat_id: int,
        contains: str | None,
        thread_id: int | None | EllipsisType,
        timeout: float,
    ) -> str:
        wanted = "a bot message" if contains is None else f"a bot message containing {contains!r}"
        where = f"chat {chat_id}" + ("" if thread_id is ... else f" thread {thread_id}")
        lines = [f"no {wanted} in {where} within {timeout:g} s."]
        events = self._events.get(chat_id, [])
        consumed = self._consumed.get(chat_id, set())
        if events:
            lines.append(f"The bot sent to chat {chat_id}:")
            for index, event in enumerate(events):
                tags = []
                if "message_thread_id" in event:
                    tags.append(f"thread {event['message_thread_id']}")
                if event.get("edited"):
                    tags.append("edit")
                if index in consumed:
                    tags.append("already expected")
                buttons = [
                    b.get("text")
                    for row in (event.get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in row
                ]
                suffix = f" buttons={buttons}" if buttons else ""
                label = f" ({', '.join(tags)})" if tags else ""
                lines.append(f"  #{event['message_id']}{label}: {_text_of(event)[:300]!r}{suffix}")
        else:
            lines.append(f"The bot sent nothing to chat {chat_id}.")
        failures = [
            f"  {method}: {description}"
            for method, params, description in self.errors
            if params.get("chat_id") in (chat_id, str(chat_id))
        ]
        if failures:
            lines.append("Failed API calls for this chat:")
            lines.extend(failures)
        if self.unknown_methods:
            lines.append(f"Unimplemented methods called: {self.unknown_methods}")
        return "\n".join(lines)


class _DeliveryError(Exception):
    """The webhook did not accept an update."""
