"""/start (with or without an invite), /help, /whoami, and what nothing else handled."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.handlers.conversation_kit import typed
from bot.handlers.guard import guarded
from bot.handlers.menu import publish_menu
from bot.handlers.replies import acknowledge, answer, later
from bot.runtime import BotContext
from bot.services.access import invites
from bot.services.access.actors import load_actor
from bot.services.access.permissions import commands_for
from bot.services.access.profile import load_profile

log = logging.getLogger(__name__)


def _display_name(update: Update) -> str:
    user = update.effective_user
    assert user is not None
    return " ".join(part for part in (user.last_name, user.first_name) if part) or (
        user.username or str(user.id)
    )


@guarded(None, strangers=True)
async def start(update: Update, context: BotContext) -> None:
    """Bind with an invite token, bootstrap a configured admin, or explain the bot."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    session = context.session
    token = typed(context.args[0]) if context.args else None
    replies: list[str] = []
    if (
        user.id in context.runtime.settings.admin_telegram_ids
        and await invites.ensure_configured_admin(
            session,
            telegram_user_id=user.id,
            chat_id=chat.id,
            username=user.username,
            display_name=_display_name(update),
            now=context.now(),
        )
    ):
        replies.append(texts.ADMIN_BOOTSTRAPPED)
    if token:
        binding = await invites.redeem_invite(
            session,
            token=token,
            telegram_user_id=user.id,
            chat_id=chat.id,
            username=user.username,
            display_name=_display_name(update),
            now=context.now(),
        )
        replies.append(texts.welcome_bound(binding.full_name, binding.role, binding.scope_name))
    # The guard's actor, unless an invite or the admin bootstrap bound someone just now.
    actor = (
        await load_actor(session, user.id, context.now().date()) if replies else context.maybe_actor
    )
    if actor is None:
        await answer(update, texts.STRANGER_WELCOME)
        return
    if not replies:
        replies.append(texts.welcome_back(actor.full_name))
    roles, published = actor.roles, context.runtime.published_menus
    await later(lambda: publish_menu(context.bot, chat.id, roles, published))
    await answer(update, "\n\n".join(replies))


@guarded(None, strangers=True)
async def help_command(update: Update, context: BotContext) -> None:
    """List the commands this person may use; a stranger gets the welcome."""
    if context.maybe_actor is None:
        await answer(update, texts.STRANGER_WELCOME)
        return
    await answer(update, texts.help_text(commands_for(context.actor.roles)))


@guarded("whoami")
async def whoami(update: Update, context: BotContext) -> None:
    """Show the person's roles, scopes and schools."""
    profile = await load_profile(context.session, context.actor)
    await answer(update, texts.whoami(profile.full_name, profile.roles, profile.schools))


async def cancel_outside_conversation(update: Update, context: BotContext) -> None:
    """/cancel when no conversation is running."""
    await answer(update, texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: BotContext) -> None:
    await answer(update, texts.UNKNOWN_COMMAND)


async def unexpected_message(update: Update, context: BotContext) -> None:
    await answer(update, texts.UNEXPECTED_INPUT)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no handler claims: from an old message, a conversation that ended, or
    data no pattern accepts (an id longer than `numbers.MAX_ID_DIGITS`: forged)."""
    await acknowledge(update, texts.STALE_BUTTON, alert=True)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure; tell the user in Russian, never with a traceback."""
    log.error("update failed: %r", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await acknowledge(update)
            await update.effective_chat.send_message(texts.INTERNAL_ERROR)
        except Exception:  # the reply is best effort: Telegram itself may be what failed
            log.warning("could not report the error to the user", exc_info=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("whoami", whoami))
    application.add_handler(CommandHandler("help", help_command))


def register_fallbacks(application: Application) -> None:
    """Catch-alls, registered after every feature so they only see what nothing claimed."""
    application.add_handler(CommandHandler("cancel", cancel_outside_conversation))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(filters.ALL, unexpected_message))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_error_handler(on_error)
