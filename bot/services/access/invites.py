"""Invites: issuing single-use deep-link tokens and binding a Telegram account with one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot import texts
from bot.models import (
    CuratorAssignment,
    Invite,
    Municipality,
    Person,
    Region,
    Role,
    RoleAssignment,
    School,
    TelegramAccount,
    utcnow,
)
from bot.services.access import audit
from bot.services.access.actors import Actor
from bot.services.access.assignments import directory_year
from bot.services.access.permissions import INVITABLE_BY
from bot.services.errors import AccessDenied, DomainError
from bot.services.numbers import MAX_ID_DIGITS, plain_digits
from bot.services.text_cleaning import clean_text

INVITE_TOKEN_BYTES = 18  # 24 url-safe characters; Telegram allows 64 in a /start payload


@dataclass(frozen=True)
class InviteScope:
    """Where the invited role applies; which fields are set depends on the role."""

    region_id: int | None = None
    municipality_id: int | None = None
    school_id: int | None = None
    curated_school_id: int | None = None


@dataclass(frozen=True)
class IssuedInvite:
    invite_id: int
    token: str
    role: Role
    scope_name: str
    expires_at: datetime
    person_name: str | None


@dataclass(frozen=True)
class PendingInvite:
    invite_id: int
    role: Role
    scope_name: str
    expires_at: datetime


@dataclass(frozen=True)
class Binding:
    person_id: int
    full_name: str
    role: Role
    scope_name: str
    already_bound: bool


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


async def scope_name(session: AsyncSession, role: Role, scope: InviteScope) -> str:
    if scope.curated_school_id:
        school = await session.get(School, scope.curated_school_id)
        return school.short_name if school else "?"
    if scope.school_id:
        school = await session.get(School, scope.school_id)
        return school.short_name if school else "?"
    if scope.municipality_id:
        municipality = await session.get(Municipality, scope.municipality_id)
        return municipality.name if municipality else "?"
    if scope.region_id:
        region = await session.get(Region, scope.region_id)
        return region.name if region else "?"
    return ""


async def _municipality_region(session: AsyncSession, municipality_id: int) -> int:
    municipality = await session.get(Municipality, municipality_id)
    if municipality is None:
        raise DomainError("scope_not_found")
    return municipality.region_id


async def check_may_invite(
    session: AsyncSession, inviter: Actor | None, role: Role, scope: InviteScope
) -> None:
    """None as inviter means the command line (the operator of the machine)."""
    if inviter is None or inviter.is_admin:
        return
    if not any(role in INVITABLE_BY[held] for held in inviter.roles):
        raise AccessDenied("invite_role_not_allowed")
    municipality_id = scope.municipality_id
    if municipality_id is None and (scope.school_id or scope.curated_school_id):
        school = await session.get(School, scope.school_id or scope.curated_school_id)
        municipality_id = school.municipality_id if school else None
    if municipality_id is None or not inviter.coordinates(municipality_id):
        raise AccessDenied("invite_scope_not_allowed")


def _validate_scope(role: Role, scope: InviteScope) -> None:
    needs = {
        Role.ADMIN: True,
        Role.REGIONAL_COORDINATOR: scope.region_id is not None,
        Role.MUNICIPAL_COORDINATOR: scope.municipality_id is not None,
        Role.CURATOR: scope.municipality_id is not None,
        Role.SCHOOL_STAFF: scope.school_id is not None,
    }
    if not needs[role]:
        raise DomainError("invite_scope_missing")


async def issue_invite(
    session: AsyncSession,
    *,
    inviter: Actor | None,
    role: Role,
    scope: InviteScope,
    ttl: timedelta,
    person_id: int | None = None,
    now: datetime | None = None,
) -> IssuedInvite:
    _validate_scope(role, scope)
    await check_may_invite(session, inviter, role, scope)
    now = now or utcnow()
    invite = Invite(
        token=secrets.token_urlsafe(INVITE_TOKEN_BYTES),
        role=role,
        region_id=scope.region_id,
        municipality_id=scope.municipality_id,
        school_id=scope.school_id,
        curated_school_id=scope.curated_school_id,
        person_id=person_id,
        created_by_person_id=inviter.person_id if inviter else None,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    await audit.record(
        session,
        actor_person_id=inviter.person_id if inviter else None,
        action="invite.issued",
        object_type="invite",
        object_id=invite.id,
        details={"role": role.value, "person_id": person_id},
    )
    person = await session.get(Person, person_id) if person_id else None
    return IssuedInvite(
        invite_id=invite.id,
        token=invite.token,
        role=role,
        scope_name=await scope_name(session, role, scope),
        expires_at=invite.expires_at,
        person_name=person.full_name if person else None,
    )


async def revoke_invite(session: AsyncSession, actor: Actor | None, token: str) -> None:
    invite = await session.scalar(select(Invite).where(Invite.token == token))
    if invite is None:
        raise DomainError("invite_unknown")
    await _revoke(session, actor, invite)


async def revoke_invite_by_id(session: AsyncSession, actor: Actor, invite_id: int) -> PendingInvite:
    """Revoke from a button; returns what the invite was, for the reply.

    Anyone who may issue such an invite may revoke it (a colleague's too: the link may
    have gone to the wrong chat while its author is away). A used invite cannot be
    revoked: the person is bound; their role is ended elsewhere.
    """
    invite = await session.get(Invite, invite_id)
    if invite is None:
        raise DomainError("invite_unknown")
    await _revoke(session, actor, invite)
    return await _described(session, invite)


async def _revoke(session: AsyncSession, actor: Actor | None, invite: Invite) -> None:
    # Scope first: an out-of-scope invite reveals nothing, not even whether it was used.
    await check_may_invite(session, actor, invite.role, _scope_of(invite))
    if invite.used_at is not None:
        raise DomainError("invite_used_cannot_revoke")
    if invite.revoked_at is not None:
        return  # a second tap on the same button: already done
    invite.revoked_at = utcnow()
    await audit.record(
        session,
        actor_person_id=actor.person_id if actor else None,
        action="invite.revoked",
        object_type="invite",
        object_id=invite.id,
    )


async def pending_invites(
    session: AsyncSession, actor: Actor, now: datetime, limit: int = 10
) -> list[PendingInvite]:
    """The actor's own invites still waiting to be used, newest first."""
    rows = await session.scalars(
        select(Invite)
        .where(
            Invite.created_by_person_id == actor.person_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .order_by(Invite.id.desc())
        .limit(limit)
    )
    return [await _described(session, invite) for invite in rows]


async def _described(session: AsyncSession, invite: Invite) -> PendingInvite:
    name = await scope_name(session, invite.role, _scope_of(invite))
    return PendingInvite(invite.id, invite.role, name, invite.expires_at)


def _scope_of(invite: Invite) -> InviteScope:
    return InviteScope(
        region_id=invite.region_id,
        municipality_id=invite.municipality_id,
        school_id=invite.school_id,
        curated_school_id=invite.curated_school_id,
    )


async def redeem_invite(
    session: AsyncSession,
    *,
    token: str,
    telegram_user_id: int,
    chat_id: int,
    username: str | None,
    display_name: str,
    now: datetime | None = None,
) -> Binding:
    """Bind the Telegram account to the invited person and grant the role. Single use."""
    now = now or utcnow()
    # FOR UPDATE: two taps on the same link from two accounts cannot both win (PostgreSQL).
    invite = await session.scalar(select(Invite).where(Invite.token == token).with_for_update())
    if invite is None:
        raise DomainError("invite_unknown")
    if invite.revoked_at is not None:
        raise DomainError("invite_revoked")
    if invite.used_at is not None:
        raise DomainError("invite_used")
    if invite.expires_at <= now:
        raise DomainError("invite_expired")

    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )
    already_bound = account is not None
    if account is not None:
        if invite.person_id is not None and invite.person_id != account.person_id:
            raise DomainError("invite_for_other_person")
        person = await session.get(Person, account.person_id)
        assert person is not None
    else:
        if invite.person_id is not None:
            person = await session.get(Person, invite.person_id)
            assert person is not None
            taken = await session.scalar(
                select(TelegramAccount.id).where(TelegramAccount.person_id == person.id)
            )
            if taken is not None:
                raise DomainError("invite_person_taken")
        else:
            person = Person(full_name=_clean_name(display_name) or texts.PERSON_NO_NAME)
            session.add(person)
            await session.flush()
        account = TelegramAccount(
            person_id=person.id,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            username=_clean_username(username),
            bound_at=now,
        )
        session.add(account)

    await grant_role(
        session,
        person=person,
        role=invite.role,
        scope=_scope_of(invite),
        granted_by=invite.created_by_person_id,
        now=now,
    )
    invite.used_at = now
    invite.used_by_person_id = person.id
    await session.flush()
    await audit.record(
        session,
        actor_person_id=person.id,
        action="invite.redeemed",
        object_type="invite",
        object_id=invite.id,
        details={"role": invite.role.value, "telegram_user_id": telegram_user_id},
    )
    return Binding(
        person_id=person.id,
        full_name=person.full_name,
        role=invite.role,
        scope_name=await scope_name(session, invite.role, _scope_of(invite)),
        already_bound=already_bound,
    )


def _same(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


async def grant_role(
    session: AsyncSession,
    *,
    person: Person,
    role: Role,
    scope: InviteScope,
    granted_by: int | None,
    now: datetime,
) -> None:
    """Add the role (idempotent) and, for a curator invited to a school, the assignment."""
    existing = await session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.person_id == person.id,
            RoleAssignment.role == role,
            _same(RoleAssignment.region_id, scope.region_id),
            _same(RoleAssignment.municipality_id, scope.municipality_id),
            _same(RoleAssignment.school_id, scope.school_id),
            RoleAssignment.revoked_at.is_(None),
        )
    )
    if existing is None:
        session.add(
            RoleAssignment(
                person_id=person.id,
                role=role,
                region_id=scope.region_id,
                municipality_id=scope.municipality_id,
                school_id=scope.school_id,
                granted_by_person_id=granted_by,
            )
        )
    if person.municipality_id is None:
        if scope.municipality_id is not None:
            person.municipality_id = scope.municipality_id
        elif scope.school_id is not None:
            school = await session.get(School, scope.school_id)
            person.municipality_id = school.municipality_id if school else None
    if role == Role.CURATOR and scope.curated_school_id is not None:
        year = await directory_year(session, scope.curated_school_id, now.date())
        assigned = await session.scalar(
            select(CuratorAssignment.id).where(
                CuratorAssignment.curator_person_id == person.id,
                CuratorAssignment.school_id == scope.curated_school_id,
                CuratorAssignment.year == year,
            )
        )
        if assigned is None:
            session.add(
                CuratorAssignment(
                    curator_person_id=person.id, school_id=scope.curated_school_id, year=year
                )
            )
    await session.flush()


async def ensure_configured_admin(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    username: str | None,
    display_name: str,
    now: datetime | None = None,
) -> bool:
    """An id in ADMIN_TELEGRAM_IDS is an admin from the first /start. True if newly granted."""
    now = now or utcnow()
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_user_id == telegram_user_id)
    )
    if account is None:
        person = Person(full_name=_clean_name(display_name) or texts.PERSON_ADMIN)
        session.add(person)
        await session.flush()
        session.add(
            TelegramAccount(
                person_id=person.id,
                telegram_user_id=telegram_user_id,
                chat_id=chat_id,
                username=_clean_username(username),
                bound_at=now,
            )
        )
    else:
        found = await session.get(Person, account.person_id)
        assert found is not None
        person = found
    is_admin = await session.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.person_id == person.id,
            RoleAssignment.role == Role.ADMIN,
            RoleAssignment.revoked_at.is_(None),
        )
    )
    if is_admin is not None:
        return False
    session.add(RoleAssignment(person_id=person.id, role=Role.ADMIN))
    await session.flush()
    await audit.record(
        session,
        actor_person_id=person.id,
        action="admin.bootstrapped",
        object_type="person",
        object_id=person.id,
        details={"telegram_user_id": telegram_user_id},
    )
    return True


@dataclass(frozen=True)
class ScopeOption:
    label: str
    code: str  # r<id>, m<id>, s<id> (school staff), c<id> (curator of a school)


async def invitable_roles(actor: Actor) -> list[Role]:
    allowed_roles: set[Role] = set()
    for held in actor.roles:
        allowed_roles |= INVITABLE_BY[held]
    return [role for role in Role if role in allowed_roles]


async def scope_options(session: AsyncSession, actor: Actor, role: Role) -> list[ScopeOption]:
    """Where the actor may invite this role to, as button-sized options."""
    if role == Role.ADMIN:
        return [ScopeOption("—", "-")]
    if role == Role.REGIONAL_COORDINATOR:
        statement = select(Region).order_by(Region.name)
        if not actor.is_admin:
            statement = statement.where(Region.id.in_(actor.coordinated_region_ids))
        return [ScopeOption(r.name, f"r{r.id}") for r in await session.scalars(statement)]
    municipalities = select(Municipality).order_by(Municipality.name)
    if not actor.is_admin:
        municipalities = municipalities.where(
            Municipality.id.in_(actor.coordinated_municipality_ids)
        )
    municipality_rows = list(await session.scalars(municipalities))
    if role == Role.MUNICIPAL_COORDINATOR:
        return [ScopeOption(m.name, f"m{m.id}") for m in municipality_rows]
    schools = await session.scalars(
        select(School)
        .where(School.municipality_id.in_([m.id for m in municipality_rows]))
        .order_by(School.municipality_id, School.number)
    )
    prefix = "c" if role == Role.CURATOR else "s"
    options = [ScopeOption(s.short_name, f"{prefix}{s.id}") for s in schools]
    if role == Role.CURATOR:
        options += [
            ScopeOption(texts.invite_scope_no_school(m.name), f"m{m.id}") for m in municipality_rows
        ]
    return options


async def parse_scope_code(
    session: AsyncSession, code: str, viewer: Actor | None = None
) -> InviteScope:
    """Turn a button's scope code back into a scope; forged ids fail the later checks.
    A school the viewer cannot see is answered as one that does not exist."""
    if code == "-":
        return InviteScope()
    kind, number = code[:1], code[1:]
    if not plain_digits(number) or len(number) > MAX_ID_DIGITS:
        raise DomainError("scope_not_found")
    ident = int(number)
    if kind == "r":
        return InviteScope(region_id=ident)
    if kind == "m":
        return InviteScope(municipality_id=ident)
    school = await session.get(School, ident)
    if school is None or kind not in {"s", "c"}:
        raise DomainError("scope_not_found")
    if viewer is not None and not viewer.sees_school(school):
        raise DomainError("scope_not_found")
    if kind == "s":
        return InviteScope(school_id=ident)
    return InviteScope(municipality_id=school.municipality_id, curated_school_id=ident)


def _clean_name(display_name: str) -> str:
    """A Telegram name as stored: no bidi overrides or invisible characters, one line."""
    return clean_text(display_name, single_line=True)[:200]


def _clean_username(username: str | None) -> str | None:
    return clean_text(username, single_line=True) or None if username else None
