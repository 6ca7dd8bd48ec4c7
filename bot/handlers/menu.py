"""The per-chat command menu: only what this person may do."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot import texts
from bot.models import Role
from bot.services.access.permissions import commands_for

STRANGER_COMMANDS = ("start", "help")


async def publish_default_menu(bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(name, texts.COMMAND_DESCRIPTIONS[name]) for name in STRANGER_COMMANDS],
        scope=BotCommandScopeDefault(),
    )


async def publish_menu(
    bot: Bot, chat_id: int, roles: frozenset[Role], published: dict[int, tuple[str, ...]]
) -> None:
    """Set the chat's menu unless this process already set the same one.

    `published` remembers what this process set per chat: /start runs often, the menu
    changes only with the roles, and each call spends the bot's API budget.
    """
    names = (*commands_for(roles), "cancel")
    if published.get(chat_id) == names:
        return
    await bot.set_my_commands(
        [BotCommand(name, texts.COMMAND_DESCRIPTIONS[name]) for name in names],
        scope=BotCommandScopeChat(chat_id),
    )
    published[chat_id] = names
