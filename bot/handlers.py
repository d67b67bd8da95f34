"""The Telegram handlers: unpack the update, call the desk, done.

They are deliberately thin and uniform (in the manner of python-telegram-bot's
``conversationbot.py`` example): every rule lives in ``bot.desk`` and ``flows``, so what a user
sees is the same in the console, in the tests and on Telegram.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.desk import Desk, language_from_code
from bot.render import escape
from flows.buttons import ButtonData, EndTicket, Feedback, FlowButton, Language, Nav, Rating, Teach
from flows.buttons import unpack as unpack_button
from flows.conversation import parse_command
from flows.core import Choice, Text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# Buttons that answer a question: once pressed, the question shows the answer instead of buttons.
ANSWERS = (FlowButton, Nav, Language, Rating, EndTicket)


def desk_of(context: Context) -> Desk:
    desk: Desk = context.bot_data["desk"]
    return desk


async def on_text(update: Update, context: Context) -> None:
    """Text or a command in a private chat: the conversation (or the open ticket)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    await desk_of(context).converse(
        context.bot,
        message.chat_id,
        user.id,
        user.language_code,
        Text(message.text),
        message.message_id,
        update.update_id,
    )


async def on_media(update: Update, context: Context) -> None:
    """A voice message, photo, sticker, file or location in a private chat."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await desk_of(context).not_text(
        context.bot, message.chat_id, user.id, message.message_id, user.language_code
    )


async def on_button(update: Update, context: Context) -> None:
    """An inline button: feedback, rating, a flow's answer, or a staff "teach" button."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        return
    desk, chat = desk_of(context), query.message.chat
    data = unpack_button(query.data or "")
    if chat.type != chat.PRIVATE:
        staff = desk.staff.is_staff(chat.id, user.id)
        taught = desk.misses.teach(data, user.id) if staff and isinstance(data, Teach) else ""
        await query.answer(taught[:200], show_alert=bool(taught))
        return
    if data is None:  # an old or forged button: the conversation says it has expired
        await query.answer()
        lang = desk.lang_of(str(user.id), user.language_code)
        await context.bot.send_message(chat.id, escape(desk.kb.say("button_expired", lang)))
        return
    notice = await desk.button(context.bot, chat.id, user.id, user.language_code, data)
    await query.answer((notice or "")[:200])
    await _show_choice(query.message, data)
    if notice is None:
        await desk.converse(
            context.bot, chat.id, user.id, user.language_code, Choice(data), 0, update.update_id
        )


async def on_staff_message(update: Update, context: Context) -> None:
    """A staff message in the staff chat: copied to the ticket's user, if it is in a ticket."""
    message = update.effective_message
    if message is not None:
        await desk_of(context).tickets.relay_to_user(context.bot, message)


async def on_staff_command(update: Update, context: Context) -> None:
    """Staff commands (the handler's filters check who asks): /tickets, /stats, /close, /help,
    and the event commands /announce, /event_status, /report."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    desk, command = desk_of(context), parse_command(message.text)
    if command is None:
        return
    if command.name == "close":
        await desk.staff_commands.close(context.bot, message, command.argument)
        return
    if command.name == "reply":
        await desk.saved_replies.reply(context.bot, message, command.argument)
        return
    events = {
        "announce": desk.events.announce,
        "event_status": desk.events.event_status,
        "report": desk.events.report,
    }
    if command.name in events:
        await events[command.name](context.bot, message, command.argument)
        return
    text = desk.staff_commands.text(command.name)
    await message.reply_text(escape(text), parse_mode="HTML", do_quote=True)


async def on_error(update: object, context: Context) -> None:
    """Log the failure without message text, and tell the user something went wrong."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != update.effective_chat.PRIVATE:
        return
    desk = desk_of(context)
    user = update.effective_user
    try:
        lang = desk.lang_of(str(user.id), user.language_code) if user else "en"
    except Exception:  # the failure may be the database itself
        lang = language_from_code(user.language_code if user else None)
    try:
        await context.bot.send_message(
            update.effective_chat.id, escape(desk.kb.say("error_generic", lang)), parse_mode="HTML"
        )
    except TelegramError:
        log.warning("could not tell the user about the failure of update %s", update_id)


async def _show_choice(message: MaybeInaccessibleMessage, data: ButtonData) -> None:
    """After a press, the message keeps a trace of the choice and loses stale buttons: answered
    questions show "» Yes"; an FAQ answer only loses its 👍/👎 row."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = message.reply_markup.inline_keyboard
    if isinstance(data, Feedback):
        kept = [
            row
            for row in rows
            if not any(isinstance(unpack_button(str(b.callback_data)), Feedback) for b in row)
        ]
        try:
            await message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
        except TelegramError as exc:
            log.debug("keyboard not updated: %s", exc)
        return
    if not isinstance(data, ANSWERS) or message.text is None:
        return
    packed = data.pack()
    label = next((b.text for row in rows for b in row if b.callback_data == packed), None)
    text = escape(message.text) + (f"\n\n» {escape(label)}" if label else "")
    try:
        await message.edit_text(text, parse_mode="HTML", reply_markup=None)
    except TelegramError as exc:
        log.debug("message not updated: %s", exc)
