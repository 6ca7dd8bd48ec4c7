"""/invite: pick a role, pick where it applies, get a single-use link to forward;
see one's own invites still unused and revoke one.

Stateless buttons (the role, scope or invite id ride in callback_data), so a restart
loses nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.replies import answer
from bot.models import Role
from bot.runtime import BotContext
from bot.services.access import invites
from bot.services.errors import DomainError


@guarded("invite")
async def choose_role(update: Update, context: BotContext) -> None:
    """Offer the roles this person may invite."""
    roles = await invites.invitable_roles(context.actor)
    buttons = [[(texts.ROLE_NAMES[role], cb.InviteRole(role.value).pack())] for role in roles]
    if await invites.pending_invites(context.session, context.actor, context.now(), limit=1):
        buttons.append([(texts.BUTTON_INVITE_PENDING, cb.InvitesPending().pack())])
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
                cb.InviteRevoke(item.invite_id).pack(),
            )
        ]
        for item in pending
    ]
    await answer(update, texts.invites_pending(len(pending)), buttons, edit=True)


@guarded("invite")
async def revoke(update: Update, context: BotContext) -> None:
    invite_id = pressed(update, cb.InviteRevoke).invite_id
    revoked = await invites.revoke_invite_by_id(context.session, context.actor, invite_id)
    await answer(update, texts.invite_revoked(revoked.role, revoked.scope_name), edit=True)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError("access_denied") from None


@guarded("invite")
async def choose_scope(update: Update, context: BotContext) -> None:
    """Offer where the chosen role may apply; admins need no scope."""
    role = _role(pressed(update, cb.InviteRole).role)
    if role not in await invites.invitable_roles(context.actor):
        raise DomainError("invite_role_not_allowed")
    options = await invites.scope_options(context.session, context.actor, role)
    if not options:
        await answer(update, texts.INVITE_NO_SCOPES, edit=True)
        return
    if role == Role.ADMIN:
        await _issue(update, context, role, "-")
        return
    buttons = [
        [(option.label, cb.InviteScope(role.value, option.code).pack())] for option in options
    ]
    await answer(update, texts.INVITE_CHOOSE_SCOPE, buttons, edit=True)


@guarded("invite")
async def issue(update: Update, context: BotContext) -> None:
    """Issue the invite for the pressed scope and show the link."""
    data = pressed(update, cb.InviteScope)
    await _issue(update, context, _role(data.role), data.code or "")


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
        [[(texts.BUTTON_INVITE_REVOKE, cb.InviteRevoke(issued.invite_id).pack())]],
        edit=True,
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("invite", choose_role))
    application.add_handler(on(cb.InviteRole, choose_scope))
    application.add_handler(on(cb.InviteScope, issue))
    application.add_handler(on(cb.InvitesPending, show_pending))
    application.add_handler(on(cb.InviteRevoke, revoke))
