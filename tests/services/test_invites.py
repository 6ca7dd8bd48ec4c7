"""Invites: who may issue them, and binding with one (single use, expiry, revocation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditRecord, CuratorAssignment, Role, TelegramAccount, utcnow
from bot.services.access import invites
from bot.services.access.actors import load_actor
from bot.services.access.invites import InviteScope
from bot.services.errors import AccessDenied, DomainError
from tests.support.factories import actor_for, make_municipality, make_person, make_school

WEEK = timedelta(days=7)


async def _redeem(session: AsyncSession, token: str, telegram_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return await invites.redeem_invite(
        session,
        token=token,
        telegram_user_id=telegram_id,
        chat_id=telegram_id,
        username=None,
        display_name="Петрова Анна",
        **kwargs,
    )


async def test_curator_invite_binds_account_and_assigns_school(session: AsyncSession) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city, 17)
    issued = await invites.issue_invite(
        session,
        inviter=None,
        role=Role.CURATOR,
        scope=InviteScope(municipality_id=city.id, curated_school_id=school.id),
        ttl=WEEK,
    )
    binding = await _redeem(session, issued.token, 777)
    assert (binding.role, binding.full_name, binding.scope_name) == (
        Role.CURATOR,
        "Петрова Анна",
        "СШ № 17",
    )
    actor = await load_actor(session, 777)
    assert actor is not None
    assert actor.roles == {Role.CURATOR}
    assert actor.curated_school_ids == {school.id}
    assert await session.scalar(select(func.count(CuratorAssignment.id))) == 1
    actions = (await session.scalars(select(AuditRecord.action).order_by(AuditRecord.id))).all()
    assert actions == ["invite.issued", "invite.redeemed"]


async def test_invite_is_single_use(session: AsyncSession) -> None:
    city = await make_municipality(session)
    issued = await invites.issue_invite(
        session,
        inviter=None,
        role=Role.CURATOR,
        scope=InviteScope(municipality_id=city.id),
        ttl=WEEK,
    )
    await _redeem(session, issued.token, 1)
    with pytest.raises(DomainError) as refused:
        await _redeem(session, issued.token, 2)
    assert refused.value.code == "invite_used"
    assert await session.scalar(select(func.count(TelegramAccount.id))) == 1


async def test_expired_and_revoked_and_unknown_invites_are_refused(session: AsyncSession) -> None:
    city = await make_municipality(session)
    scope = InviteScope(municipality_id=city.id)
    expired = await invites.issue_invite(
        session,
        inviter=None,
        role=Role.CURATOR,
        scope=scope,
        ttl=WEEK,
        now=utcnow() - timedelta(days=8),
    )
    revoked = await invites.issue_invite(
        session, inviter=None, role=Role.CURATOR, scope=scope, ttl=WEEK
    )
    await invites.revoke_invite(session, None, revoked.token)
    for token, code in [
        (expired.token, "invite_expired"),
        (revoked.token, "invite_revoked"),
        ("no-such-token", "invite_unknown"),
    ]:
        with pytest.raises(DomainError) as refused:
            await _redeem(session, token, 5)
        assert refused.value.code == code
    assert await session.scalar(select(func.count(TelegramAccount.id))) == 0


async def test_second_role_is_added_to_the_same_person(session: AsyncSession) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city)
    director = await make_person(
        session, Role.SCHOOL_STAFF, municipality=city, school=school, telegram_id=42
    )
    issued = await invites.issue_invite(
        session,
        inviter=None,
        role=Role.CURATOR,
        scope=InviteScope(municipality_id=city.id),
        ttl=WEEK,
    )
    binding = await _redeem(session, issued.token, 42)
    assert binding.already_bound and binding.person_id == director.id
    actor = await load_actor(session, 42)
    assert actor is not None and actor.roles == {Role.SCHOOL_STAFF, Role.CURATOR}


async def test_municipal_coordinator_invites_only_below_and_only_at_home(
    session: AsyncSession,
) -> None:
    home = await make_municipality(session)
    other = await make_municipality(session)
    other_school = await make_school(session, other)
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=home)
    actor = await actor_for(session, coordinator)

    await invites.issue_invite(
        session,
        inviter=actor,
        role=Role.CURATOR,
        scope=InviteScope(municipality_id=home.id),
        ttl=WEEK,
    )
    with pytest.raises(AccessDenied) as above:
        await invites.issue_invite(
            session,
            inviter=actor,
            role=Role.MUNICIPAL_COORDINATOR,
            scope=InviteScope(municipality_id=home.id),
            ttl=WEEK,
        )
    assert above.value.code == "invite_role_not_allowed"
    with pytest.raises(AccessDenied) as elsewhere:
        await invites.issue_invite(
            session,
            inviter=actor,
            role=Role.SCHOOL_STAFF,
            scope=InviteScope(school_id=other_school.id),
            ttl=WEEK,
        )
    assert elsewhere.value.code == "invite_scope_not_allowed"


@pytest.mark.parametrize("role", [Role.CURATOR, Role.SCHOOL_STAFF])
async def test_curators_and_schools_cannot_invite(session: AsyncSession, role: Role) -> None:
    city = await make_municipality(session)
    school = await make_school(session, city)
    person = await make_person(session, role, municipality=city, school=school, curated=[school])
    actor = await actor_for(session, person)
    assert await invites.invitable_roles(actor) == []
    with pytest.raises(AccessDenied):
        await invites.issue_invite(
            session,
            inviter=actor,
            role=Role.SCHOOL_STAFF,
            scope=InviteScope(school_id=school.id),
            ttl=WEEK,
        )


async def test_invite_for_a_known_person_refuses_another_bound_account(
    session: AsyncSession,
) -> None:
    city = await make_municipality(session)
    curator = await make_person(session, Role.CURATOR, municipality=city, telegram_id=0)
    issued = await invites.issue_invite(
        session,
        inviter=None,
        role=Role.CURATOR,
        scope=InviteScope(municipality_id=city.id),
        ttl=WEEK,
        person_id=curator.id,
    )
    await make_person(session, Role.CURATOR, municipality=city, telegram_id=99)
    with pytest.raises(DomainError) as refused:
        await _redeem(session, issued.token, 99)
    assert refused.value.code == "invite_for_other_person"
    binding = await _redeem(session, issued.token, 100)
    assert binding.person_id == curator.id


async def test_pending_lists_own_waiting_invites_and_revocation_keeps_to_scope(
    session: AsyncSession,
) -> None:
    home = await make_municipality(session)
    other = await make_municipality(session)
    school = await make_school(session, home)
    coordinator = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=home)
    colleague = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=home)
    stranger_city = await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=other)
    actor = await actor_for(session, coordinator)
    now = utcnow()

    async def issue(ttl: timedelta = WEEK, inviter=actor):  # type: ignore[no-untyped-def]
        return await invites.issue_invite(
            session,
            inviter=inviter,
            role=Role.SCHOOL_STAFF,
            scope=InviteScope(school_id=school.id),
            ttl=ttl,
            now=now,
        )

    waiting = await issue()
    used = await issue()
    await _redeem(session, used.token, 9_001)
    await issue(ttl=timedelta(seconds=-1))  # expired
    colleagues = await issue(inviter=await actor_for(session, colleague))

    pending = await invites.pending_invites(session, actor, now)
    assert [item.invite_id for item in pending] == [waiting.invite_id]
    assert pending[0].scope_name == school.short_name

    with pytest.raises(DomainError) as taken:
        await invites.revoke_invite_by_id(session, actor, used.invite_id)
    assert taken.value.code == "invite_used_cannot_revoke"
    with pytest.raises(AccessDenied):
        await invites.revoke_invite_by_id(
            session, await actor_for(session, stranger_city), waiting.invite_id
        )
    # A colleague's link, sent to the wrong chat, may be revoked by anyone who could issue it.
    revoked = await invites.revoke_invite_by_id(session, actor, colleagues.invite_id)
    assert revoked.role == Role.SCHOOL_STAFF
    with pytest.raises(DomainError) as unknown:
        await invites.revoke_invite_by_id(session, actor, 999_999)
    assert unknown.value.code == "invite_unknown"
    assert await invites.pending_invites(session, actor, now) != []  # its own is still there
