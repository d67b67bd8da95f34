"""The fake Telegram server checked against python-telegram-bot's real ``telegram.Bot``.

If PTB can talk to the fake and parse everything it returns, the end-to-end tests that run the
real bot against it are testing our code, not a misunderstanding of the Bot API.
Everything runs on 127.0.0.1; nothing here needs the internet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakebot import FakeTelegram, parse_html

GROUP_ID = -1001234567890


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as tg_bot:
        yield tg_bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"cb:{label.lower()}")] for label in labels]
    )


async def test_get_me(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == fake.bot_id
    assert me.is_bot
    assert me.username == "cppp_test_bot"
    assert bot.username == "cppp_test_bot"  # initialize() called getMe
    assert [name for name, _ in fake.calls] == ["getMe", "getMe"]


async def test_send_message_with_inline_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    sent = await bot.send_message(alice.id, "Pick one", reply_markup=keyboard("Yes", "No"))

    assert sent.text == "Pick one"
    assert sent.chat.id == alice.id and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.id == fake.bot_id
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "cb:yes"

    method, params = fake.calls[-1]
    assert method == "sendMessage"
    assert params["chat_id"] == alice.id  # decoded to int
    assert params["reply_markup"]["inline_keyboard"][1][0]["text"] == "No"  # decoded JSON

    message = await alice.expect("Pick")
    assert message["message_id"] == sent.message_id
    assert alice.buttons(message) == [("Yes", "cb:yes"), ("No", "cb:no")]
    assert [m["text"] for m in fake.sent(alice.id)] == ["Pick one"]


async def test_message_ids_count_up_per_chat(fake: FakeTelegram, bot: Bot) -> None:
    alice, bob = fake.user(1001, "Alice"), fake.user(1002, "Bob")
    ids = [(await bot.send_message(chat, "hi")).message_id for chat in (1001, 1001, 1002)]
    assert ids == [1, 2, 1]
    assert (await alice.say("hello"))["message_id"] == 3
    assert (await bob.say("hello"))["message_id"] == 2


async def test_html_is_parsed_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001, "Alice")
    sent = await bot.send_message(
        1001,
        "  <b>Fee</b> &lt; HK$100 &amp; <a href='https://x.hk/?a=1&amp;b=2'>more</a>\n",
        parse_mode=ParseMode.HTML,
    )
    assert sent.text == "Fee < HK$100 & more"  # tags stripped, unescaped, trimmed
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("text_link", 15, 4),
    ]
    assert sent.entities[1].url == "https://x.hk/?a=1&b=2"
    assert fake.sent(1001)[0]["text"] == "Fee < HK$100 & more"

    bad = {
        "<b>unclosed": 'Can\'t find end tag corresponding to start tag "b"',
        "a < b": 'Unsupported start tag "" at byte offset 2',
        "line<br>break": 'Unsupported start tag "br" at byte offset 4',
        "<b><i>crossed</b></i>": "Unmatched end tag at byte offset 13",
        "</b>": "Unexpected end tag at byte offset 0",
    }
    for text, reason in bad.items():
        with pytest.raises(BadRequest, match="(?i)can't parse entities") as caught:
            await bot.send_message(1001, text, parse_mode=ParseMode.HTML)
        assert reason.lower() in caught.value.message.lower()  # PTB re-capitalises it
    assert len(fake.sent(1001)) == 1  # nothing rejected was stored

    # Without parse_mode the same text is fine and kept verbatim.
    assert (await bot.send_message(1001, "a < b")).text == "a < b"


def test_parse_html_details() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre> '
        "<tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote> 😀<i>é</i>"
    )
    assert text == "x = 1 s q 😀é"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 6, "length": 1},
        {"type": "expandable_blockquote", "offset": 8, "length": 1},
        {"type": "italic", "offset": 12, "length": 1},  # 😀 is two UTF-16 units
    ]


async def test_length_and_empty_limits(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001, "Alice")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    # The limit applies after entity parsing: tags do not count.
    ok = await bot.send_message(1001, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert ok.text is not None and len(ok.text) == 4096
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "<b></b>", parse_mode="HTML")


async def test_callback_data_limit(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001, "Alice")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(1001, "hi", reply_markup=markup)


async def test_json_body_and_query_string(fake: FakeTelegram) -> None:
    """Other clients send JSON bodies or GET query strings; method names ignore case."""
    fake.user(1001, "Alice")
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with ClientSession() as session:
        url = f"{fake.base_url}{fake.token}"
        async with session.post(
            f"{url}/sendmessage", json={"chat_id": 1001, "text": "123", "reply_markup": markup}
        ) as response:
            body = await response.json()
        assert body["ok"] is True and body["result"]["text"] == "123"
        assert body["result"]["reply_markup"] == markup
        async with session.get(f"{url}/sendMessage", params={"chat_id": "1001"}) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
    assert fake.calls[0] == (
        "sendMessage",
        {"chat_id": 1001, "text": "123", "reply_markup": markup},
    )


async def test_chat_not_found(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello?")


async def test_get_updates_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice", language_code="zh-hant")

    # Nothing queued: the request is held for the whole timeout.
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9

    # Already queued: returned at once.
    await alice.say("/start hello")
    started = time.monotonic()
    (update,) = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 0.5
    message = update.message
    assert message is not None and message.text == "/start hello"
    assert message.from_user is not None and message.from_user.language_code == "zh-hant"
    assert message.chat.type == "private"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6

    # Queued while the bot is waiting: the waiting request returns promptly.
    poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    await alice.say("second")
    (second,) = await poll
    assert time.monotonic() - started < 0.5
    assert second.message is not None and second.message.text == "second"


async def test_offset_confirms_and_limit(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    for text in ("one", "two", "three"):
        await alice.say(text)

    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    again = await bot.get_updates()  # nothing confirmed yet: same updates again
    assert [u.message.text for u in again if u.message] == ["one", "two", "three"]

    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    assert fake.calls[-1][1]["offset"] == rest[-1].update_id + 1  # decoded to int


async def test_callback_query_round_trip(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    sent = await bot.send_message(alice.id, "Register?", reply_markup=keyboard("Yes", "No"))

    query_id = await alice.press("Yes")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == query_id
    assert query.data == "cb:yes"
    assert query.from_user.id == alice.id
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await bot.answer_callback_query(query.id, text="Noted")
    assert fake.answered_callbacks[query_id]["text"] == "Noted"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)

    # Pressing by label needs the label to exist; the error lists what there is.
    with pytest.raises(AssertionError, match="Yes"):
        await alice.press("Maybe")

    # Forged data works too (a bot must not trust callback data).
    forged = await fake.press(alice, fake.sent(alice.id)[0], "admin:delete-all")
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert updates[0].callback_query is not None
    assert (updates[0].callback_query.id, updates[0].callback_query.data) == (
        forged,
        "admin:delete-all",
    )


async def test_edits_keyboards_and_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    sent = await bot.send_message(alice.id, "Pick", reply_markup=keyboard("A"))
    await alice.expect("Pick")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard("A"))

    # editMessageText without reply_markup drops the keyboard, as on Telegram.
    edited = await bot.edit_message_text("Picked A", alice.id, sent.message_id)
    assert isinstance(edited, type(sent)) and edited.reply_markup is None
    assert edited.edit_date is not None
    event = await alice.expect("Picked")
    assert event["edited"] is True and "reply_markup" not in event
    with pytest.raises(AssertionError, match="no callback button"):
        await alice.press("A")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Picked A", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)

    # Reply keyboards are not echoed by Telegram; the fake keeps them aside for tests.
    await bot.send_message(
        alice.id, "Choose", reply_markup=ReplyKeyboardMarkup([["English", "中文"]])
    )
    choose = await alice.expect("Choose")
    assert "reply_markup" not in choose
    assert choose["reply_keyboard"]["keyboard"][0][1]["text"] == "中文"


async def test_expect_semantics(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    for text in ("first", "second", "third"):
        await bot.send_message(alice.id, text)

    assert (await alice.expect("second"))["text"] == "second"
    assert (await alice.expect())["text"] == "first"  # skipped over, not consumed
    assert (await alice.expect())["text"] == "third"
    with pytest.raises(AssertionError) as caught:
        await alice.expect("fourth", timeout=0.2)
    report = str(caught.value)
    assert "'first'" in report and "'third'" in report and "fourth" in report


async def test_forum_topics(fake: FakeTelegram, bot: Bot) -> None:
    fake.supergroup(GROUP_ID, "CPPP office")
    fake.supergroup(-1009999, "Plain group", is_forum=False)

    topic = await bot.create_forum_topic(GROUP_ID, "Alice (1001)")
    other = await bot.create_forum_topic(GROUP_ID, "Bob (1002)", icon_color=16766590)
    assert topic.name == "Alice (1001)" and topic.icon_color == 7322096
    assert other.message_thread_id != topic.message_thread_id
    assert fake.topics[GROUP_ID][topic.message_thread_id] == {
        "name": "Alice (1001)",
        "closed": False,
        "icon_color": 7322096,
    }
    with pytest.raises(BadRequest, match="not a forum"):
        await bot.create_forum_topic(-1009999, "nope")

    sent = await bot.send_message(
        GROUP_ID, "New enquiry", message_thread_id=topic.message_thread_id
    )
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert sent.chat.type == "supergroup" and sent.chat.is_forum
    assert [m["text"] for m in fake.sent(GROUP_ID, topic.message_thread_id)] == ["New enquiry"]
    assert fake.sent(GROUP_ID, None) == []
    await fake.expect(GROUP_ID, "enquiry", thread_id=topic.message_thread_id)

    assert await bot.edit_forum_topic(GROUP_ID, topic.message_thread_id, name="Alice ✅")
    assert await bot.close_forum_topic(GROUP_ID, topic.message_thread_id)
    assert fake.topics[GROUP_ID][topic.message_thread_id]["closed"] is True
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.close_forum_topic(GROUP_ID, topic.message_thread_id)
    assert await bot.reopen_forum_topic(GROUP_ID, topic.message_thread_id)

    fake.delete_topic(GROUP_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(GROUP_ID, "hello?", message_thread_id=topic.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(GROUP_ID, "hello?", message_thread_id=12345)
    assert await bot.delete_forum_topic(GROUP_ID, other.message_thread_id)
    assert fake.topics[GROUP_ID] == {}


async def test_user_message_in_topic(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.supergroup(GROUP_ID, "CPPP office")
    staff = fake.user(2001, "Staff")
    topic = await bot.create_forum_topic(GROUP_ID, "Alice")
    await fake.send_text(staff, group.id, "Reply to Alice", thread_id=topic.message_thread_id)

    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.text == "Reply to Alice"
    assert message.chat.id == GROUP_ID and message.chat.title == "CPPP office"
    assert message.from_user is not None and message.from_user.id == staff.id
    assert message.message_thread_id == topic.message_thread_id and message.is_topic_message
    # Like Telegram: a non-reply in a topic points at the topic's creation message.
    assert message.reply_to_message is not None
    assert message.reply_to_message.forum_topic_created is not None


async def test_copy_message_into_topic(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    fake.supergroup(GROUP_ID, "CPPP office")
    topic = await bot.create_forum_topic(GROUP_ID, "Alice")
    said = await alice.say("Is my company eligible?")

    copied = await bot.copy_message(
        GROUP_ID, alice.id, said["message_id"], message_thread_id=topic.message_thread_id
    )
    (copy,) = fake.sent(GROUP_ID, topic.message_thread_id)
    assert copy["message_id"] == copied.message_id
    assert copy["text"] == "Is my company eligible?"
    assert "forward_origin" not in copy
    assert copy["from"]["id"] == fake.bot_id  # not Alice: a copy has no sender name

    # Media is copied too, with a replaced caption.
    photo = await alice.send("photo")
    await bot.copy_message(
        GROUP_ID,
        alice.id,
        photo["message_id"],
        message_thread_id=topic.message_thread_id,
        caption="From <b>Alice</b>",
        parse_mode="HTML",
    )
    media = await fake.expect(GROUP_ID, "From Alice", thread_id=topic.message_thread_id)
    assert media["photo"] == photo["photo"]

    with pytest.raises(BadRequest, match="Message to copy not found"):
        await bot.copy_message(GROUP_ID, alice.id, 999)

    forwarded = await bot.forward_message(GROUP_ID, alice.id, said["message_id"])
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.type == "user"


async def test_blocked_user(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    said = await alice.say("bye")
    fake.blocked.add(alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "come back")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.copy_message(alice.id, alice.id, said["message_id"])
    assert fake.sent(alice.id) == []


async def test_deleting_messages_and_the_delete_right(fake: FakeTelegram, bot: Bot) -> None:
    fake.supergroup(GROUP_ID, "Staff")
    sent = [await bot.send_message(GROUP_ID, f"note {n}") for n in range(3)]
    assert await bot.delete_messages(GROUP_ID, [sent[0].message_id, sent[2].message_id, 999])
    assert ["note 1"] == [m["text"] for m in fake.sent(GROUP_ID)]
    with pytest.raises(BadRequest, match="(?i)message_ids"):
        await bot.delete_messages(GROUP_ID, list(range(1, 102)))
    fake.no_delete_right.add(GROUP_ID)
    with pytest.raises(BadRequest, match="can't be deleted"):
        await bot.delete_messages(GROUP_ID, [sent[1].message_id])
    with pytest.raises(BadRequest, match="can't be deleted"):
        await bot.delete_message(GROUP_ID, sent[1].message_id)
    assert ["note 1"] == [m["text"] for m in fake.sent(GROUP_ID)]


async def test_commands_are_recorded(fake: FakeTelegram, bot: Bot) -> None:
    fake.supergroup(GROUP_ID, "CPPP office")
    english = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    chinese = [BotCommand("start", "開始")]
    staff = [BotCommand("close", "Close this enquiry")]

    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(chinese, language_code="zh")
    assert await bot.set_my_commands(staff, scope=BotCommandScopeChat(GROUP_ID))

    assert fake.commands[("default", "")] == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert fake.commands[("default", "zh")] == [{"command": "start", "description": "開始"}]
    assert fake.commands[(f"chat:{GROUP_ID}", "")][0]["command"] == "close"

    got = await bot.get_my_commands(language_code="zh")
    assert got == tuple(chinese)
    assert await bot.delete_my_commands(language_code="zh")
    assert ("default", "zh") not in fake.commands

    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "capital letters are not allowed")])
    assert await bot.set_chat_menu_button()


async def test_get_chat(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001, "Alice", username="alice")
    fake.supergroup(GROUP_ID, "CPPP office")
    private = await bot.get_chat(1001)
    assert (private.type, private.first_name, private.username) == ("private", "Alice", "alice")
    group = await bot.get_chat(GROUP_ID)
    assert (group.type, group.title, group.is_forum) == ("supergroup", "CPPP office", True)
    member = await bot.get_chat_member(GROUP_ID, fake.bot_id)
    assert member.status == "administrator"


async def test_media_updates_parse(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(1001, "Alice")
    kinds = ["voice", "photo", "sticker", "document", "location", "video", "contact"]
    for kind in kinds:
        await alice.send(kind)
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert len(messages) == len(kinds)
    for kind, message in zip(kinds, messages, strict=True):
        assert getattr(message, kind), kind

    # The bot can send (upload) a photo and a document.
    photo = await bot.send_photo(alice.id, b"\x89PNG fake bytes", caption="A chart")
    assert photo.photo and photo.caption == "A chart"
    method, params = fake.calls[-1]
    assert method == "sendPhoto" and params["photo"].data == b"\x89PNG fake bytes"
    document = await bot.send_document(alice.id, b"%PDF-1.4", filename="guide.pdf")
    assert document.document is not None and document.document.file_name == "guide.pdf"
    assert await bot.send_chat_action(alice.id, "typing")


async def test_wrong_token(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:WRONG-TOKEN", base_url=fake.base_url):
            pass
    assert fake.calls == []
    assert fake.errors[-1][2] == "Unauthorized"


async def test_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("get_fancy_widgets", api_kwargs={"size": 3})
    assert fake.unknown_methods == ["getFancyWidgets"]
    assert fake.calls[-1] == ("getFancyWidgets", {"size": "3"})


async def test_quiet(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1001, "Alice")
    started = time.monotonic()
    await bot.send_message(1001, "hi")
    await fake.quiet(0.3)
    assert 0.25 <= time.monotonic() - started < 2


async def test_webhook_delivery(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    arrived = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        alice = fake.user(1001, "Alice")
        await alice.say("queued before the webhook")
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret"

        await asyncio.wait_for(arrived.wait(), 5)  # delivered in the background
        await alice.say("and after")
        assert await fake.deliver_pending() in (0, 1)  # the background loop may win the race
        texts = [update["message"]["text"] for update, _ in received]
        assert texts == ["queued before the webhook", "and after"]
        assert {secret for _, secret in received} == {"s3cret"}
        assert Update.de_json(received[0][0], bot) is not None

        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        assert await bot.delete_webhook()
        assert fake.webhook is None
        await alice.say("polled again")
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.text == "polled again"
    finally:
        await runner.cleanup()


async def test_real_application_round_trip(fake: FakeTelegram) -> None:
    """A PTB Application polling the fake: the shape of the real end-to-end tests."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Welcome! Register?", reply_markup=keyboard("Yes", "No")
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"You chose {query.data}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    alice = fake.user(1001, "Alice")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await alice.say("/start")
            welcome = await alice.expect("Welcome", timeout=5)
            assert alice.buttons(welcome) == [("Yes", "cb:yes"), ("No", "cb:no")]
            query_id = await alice.press("Yes")
            assert (await alice.expect("You chose cb:yes", timeout=5))["edited"] is True
            await fake.quiet(0.2)
            assert query_id in fake.answered_callbacks
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake.unknown_methods == []
