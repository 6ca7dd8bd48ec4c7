"""/invite: pick a role, pick where it applies, get a single-use link to forward;
see one's own invites still unused and revoke one.

Stateless buttons (the role, scope or invite id ride in callback_data), so a restart
loses nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.models import Role
from bot.runtime import BotContext
from bot.services.access import invites
from bot.services.errors import DomainError

ROLE_PREFIX = "inv:r:"
SCOPE_PREFIX = "inv:s:"
PENDING = "inv:l"
REVOKE_PREFIX = "inv:x:"


@guarded("invite")
async def choose_role(update: Update, context: BotContext) -> None:
    """Offer the roles this person may invite."""
    roles = await invites.invitable_roles(context.actor)
    buttons = [[(texts.ROLE_NAMES[role], f"{ROLE_PREFIX}{role.value}")] for role in roles]
    if await invites.pending_invites(context.session, context.actor, context.now(), limit=1):
        buttons.append([(texts.BUTTON_INVITE_PENDING, PENDING)])
    await answer(update, texts.INVITE_CHOOSE_ROLE, buttons)


@guarded("invite")
async def show_pending(update: Update, context: BotContext) -> None:
    """The person's own unused invites, each a button that revokes it."""
    pending = await invites.pending_invites(context.session, context.actor, context.now())
    if not pending:
        await answer(update, texts.INVITE_NONE_PENDING, edit=True)
        return
    timezone = context.runtime.settings.default_timezone
    buttons = [
        [
            (
                texts.invite_pending_label(
                    item.role, item.scope_name, texts.fmt_datetime(item.expires_at, timezone)
                ),
                f"{REVOKE_PREFIX}{item.invite_id}",
            )
        ]
        for item in pending
    ]
    await answer(update, texts.invites_pending(len(pending)), buttons, edit=True)


@guarded("invite")
async def revoke(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    invite_id = int((update.callback_query.data or "").removeprefix(REVOKE_PREFIX))
    revoked = await invites.revoke_invite_by_id(context.session, context.actor, invite_id)
    await answer(update, texts.invite_revoked(revoked.role, revoked.scope_name), edit=True)


def _role_from(data: str, prefix: str) -> tuple[Role, str]:
    role_value, _, rest = data.removeprefix(prefix).partition(":")
    try:
        return Role(role_value), rest
    except ValueError:
        raise DomainError("access_denied") from None


@guarded("invite")
async def choose_scope(update: Update, context: BotContext) -> None:
    """Offer where the chosen role may apply; admins need no scope."""
    assert update.callback_query is not None
    role, _ = _role_from(update.callback_query.data or "", ROLE_PREFIX)
    if role not in await invites.invitable_roles(context.actor):
        raise DomainError("invite_role_not_allowed")
    options = await invites.scope_options(context.session, context.actor, role)
    if not options:
        await answer(update, texts.INVITE_NO_SCOPES, edit=True)
        return
    if role == Role.ADMIN:
        await _issue(update, context, role, "-")
        return
    buttons = [[(option.label, f"{SCOPE_PREFIX}{role.value}:{option.code}")] for option in options]
    await answer(update, texts.INVITE_CHOOSE_SCOPE, buttons, edit=True)


@guarded("invite")
async def issue(update: Update, context: BotContext) -> None:
    """Issue the invite for the pressed scope and show the link."""
    assert update.callback_query is not None
    role, code = _role_from(update.callback_query.data or "", SCOPE_PREFIX)
    await _issue(update, context, role, code)


async def _issue(update: Update, context: BotContext, role: Role, code: str) -> None:
    scope = await invites.parse_scope_code(context.session, code, context.actor)
    issued = await invites.issue_invite(
        context.session,
        inviter=context.actor,
        role=role,
        scope=scope,
        ttl=context.runtime.invite_ttl,
        now=context.now(),
    )
    link = invites.invite_link(context.bot.username, issued.token)
    expires = texts.fmt_datetime(issued.expires_at, context.runtime.settings.default_timezone)
    await answer(
        update,
        texts.invite_issued(link, role, issued.scope_name, expires),
        [[(texts.BUTTON_INVITE_REVOKE, f"{REVOKE_PREFIX}{issued.invite_id}")]],
        edit=True,
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("invite", choose_role))
    application.add_handler(CallbackQueryHandler(choose_scope, pattern=f"^{ROLE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(issue, pattern=f"^{SCOPE_PREFIX}"))
    application.add_handler(CallbackQueryHandler(show_pending, pattern=f"^{PENDING}$"))
    application.add_handler(CallbackQueryHandler(revoke, pattern=rf"^{REVOKE_PREFIX}\d{{1,9}}$"))
