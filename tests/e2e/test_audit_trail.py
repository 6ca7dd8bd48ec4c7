"""Every change made through the bot leaves an audit record: who, what, when, before/after.

The main changes are made the way people make them (through the fake Bot API); after each
one the new audit rows must name its actor and action. /audit shows them to an admin only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot import texts
from bot.db import SessionFactory, unit_of_work
from bot.fake_bot_api import FakeUser
from bot.models import (
    AuditRecord,
    Event,
    EventRegistration,
    EventStatus,
    Notification,
    Person,
    RegistrationState,
    RoadmapItem,
    Role,
    School,
    TelegramAccount,
    Visit,
)
from bot.services.access import invites
from bot.services.access.actors import load_actor
from tests.support.bot_fixtures import ADMIN_TELEGRAM_ID
from tests.support.flows import FLOWS, Flow
from tests.support.harness import BotHarness, Reply
from tests.support.personas import COORDINATOR, CURATOR_17, CURATOR_35, DIRECTOR_17


def _flow(name: str) -> Flow:
    return next(flow for flow in FLOWS if flow.name == name)


@dataclass
class AuditTrail:
    """Reads the audit rows written since the last look."""

    factory: SessionFactory
    seen: int = 0
    log: list[str] = field(default_factory=list)

    async def expect(self, actor: str | None, action: str) -> dict[str, Any]:
        async with self.factory() as session:
            rows = (
                await session.execute(
                    select(AuditRecord, Person.full_name)
                    .outerjoin(Person, Person.id == AuditRecord.actor_person_id)
                    .where(AuditRecord.id > self.seen)
                    .order_by(AuditRecord.id)
                )
            ).all()
        assert rows, f"no audit record for {action}"
        self.seen = rows[-1][0].id
        found = [(name, record.action) for record, name in rows]
        assert (actor, action) in found, found
        record = next(r for r, name in rows if (name, r.action) == (actor, action))
        assert record.at is not None
        self.log.append(action)
        return record.details or {}


async def _id(factory: SessionFactory, model: Any) -> int:
    async with factory() as session:
        return int(await session.scalar(select(model.id).order_by(model.id.desc()).limit(1)))


async def test_each_change_is_audited_and_shown_to_admins_only(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    trail = AuditTrail(session_factory)
    curator = await _flow("visit save").prepare(bot)
    trail.seen = await _id(session_factory, AuditRecord) if await _count(session_factory) else 0

    # Visits: recorded, changed, deleted by the curator.
    await bot.press(curator, texts.BUTTON_SAVE)
    await trail.expect(CURATOR_35, "visit.created")
    visit_id = await _id(session_factory, Visit)
    await bot.press_data(
        curator, bot.fake.last_message(curator.id).message_id, f"vis:ed:{visit_id}"
    )  # type: ignore[union-attr]
    await bot.press(curator, texts.BUTTON_CHANGE)
    await bot.press(curator, "Выявлено")
    await bot.send(curator, "Выявлено по-новому")
    await bot.press(curator, texts.BUTTON_SAVE)
    details = await trail.expect(CURATOR_35, "visit.updated")
    assert details["before"] and details["after"]
    message = (await _press(bot, curator, f"vis:dl:{visit_id}")).last
    await bot.press_data(curator, message.message_id, f"vis:dy:{visit_id}")
    await trail.expect(CURATOR_35, "visit.deleted")

    # Roadmaps: the school imports and reports, its curator accepts.
    director = await _flow("progress report").prepare(bot)
    await trail.expect(DIRECTOR_17, "roadmap.imported")
    await bot.press(director, texts.BUTTON_SEND)
    await trail.expect(DIRECTOR_17, "roadmap.report_submitted")
    item_id = await _id(session_factory, RoadmapItem)
    await _press(bot, director, f"rm:ef:{item_id}:measure")
    await bot.send(director, "Педсовет по итогам ВПР и ОГЭ")
    details = await trail.expect(DIRECTOR_17, "roadmap.item_edited")
    assert details["after"] == "Педсовет по итогам ВПР и ОГЭ" and details["before"]
    async with session_factory() as session:
        school_id = await session.scalar(select(School.id).where(School.short_name == "СШ № 17"))
    await _press(bot, director, f"rm:rk:{school_id}:1")
    await trail.expect(DIRECTOR_17, "risk_profile.changed")
    reviewer = await bot.login(CURATOR_17)
    await bot.send(reviewer, "/review")
    await bot.press(reviewer, texts.BUTTON_ACCEPT)
    await trail.expect(CURATOR_17, "roadmap.report_accepted")

    # Events: published, signed up for, edited, cancelled.
    coordinator = await _flow("event publish").prepare(bot)
    await bot.press(coordinator, texts.BUTTON_PUBLISH)
    await trail.expect(COORDINATOR, "event.published")
    event_id = await _id(session_factory, Event)
    await _press(bot, director, f"ev:su:{event_id}")
    await trail.expect(DIRECTOR_17, "event.registered")
    reply = await _press(bot, coordinator, f"ev:o:{event_id}")
    await bot.press_data(
        coordinator, reply.last.message_id, reply.last.callback_data(texts.BUTTON_EDIT)
    )
    await bot.press(coordinator, "Место")
    await bot.send(coordinator, "Актовый зал СШ № 22")
    details = await trail.expect(COORDINATOR, "event.edited")
    assert details["after"] == "Актовый зал СШ № 22" and "before" in details
    message = (await _press(bot, coordinator, f"ev:cn:{event_id}")).last
    await bot.press_data(coordinator, message.message_id, f"ev:cy:{event_id}")
    await trail.expect(COORDINATOR, "event.cancelled")

    # Invites: issued, used, revoked.
    await bot.send(coordinator, "/invite")
    await bot.press(coordinator, texts.ROLE_NAMES[Role.CURATOR])
    reply = await bot.press(coordinator, "СШ № 17")
    await trail.expect(COORDINATOR, "invite.issued")
    token = reply.last.plain_text.rsplit("start=", 1)[1].split()[0]
    newcomer = bot.stranger("Новиков")
    await bot.send(newcomer, f"/start {token}")
    async with session_factory() as session:
        newcomer_name = await session.scalar(
            select(Person.full_name)
            .join(TelegramAccount, TelegramAccount.person_id == Person.id)
            .where(TelegramAccount.telegram_user_id == newcomer.id)
        )
    await trail.expect(newcomer_name, "invite.redeemed")
    await bot.send(coordinator, "/invite")
    await bot.press(coordinator, texts.ROLE_NAMES[Role.CURATOR])
    reply = await bot.press(coordinator, "СШ № 17")
    await trail.expect(COORDINATOR, "invite.issued")
    unused = reply.last.plain_text.rsplit("start=", 1)[1].split()[0]
    async with unit_of_work(session_factory) as session:
        actor = await load_actor(session, coordinator.id)
        await invites.revoke_invite(session, actor, unused)
    await trail.expect(COORDINATOR, "invite.revoked")

    # Settings: a mute and a snooze.
    await bot.send(director, "/settings")
    await bot.press(director, texts.settings_button("digest", False))
    details = await trail.expect(DIRECTOR_17, "settings.mute_toggled")
    assert details == {"kind": "digest", "muted": True}
    notification_id = await _sent_reminder(session_factory, bot)
    await _press(bot, director, f"ntf:sz:{notification_id}:1")
    await trail.expect(DIRECTOR_17, "notification.snoozed")

    # Feedback after an event the director attended.
    past_event = await _attended_event(session_factory, bot, event_id)
    await _press(bot, director, f"ev:fb:{past_event}:5")
    details = await trail.expect(DIRECTOR_17, "event.feedback")
    assert details["rating"] == 5
    await bot.send(director, "Полезно")
    details = await trail.expect(DIRECTOR_17, "event.feedback")
    assert details["comment"] == "Полезно"

    # /audit: the admin sees the latest, with who did it; nobody else does.
    admin = bot.fake.user(ADMIN_TELEGRAM_ID, first_name="Админ")
    await bot.send(admin, "/start")
    shown = (await bot.send(admin, "/audit")).text
    assert shown.startswith("Последние изменения")
    assert f"{DIRECTOR_17}: event.feedback" in shown
    assert f"{DIRECTOR_17}: notification.snoozed" in shown
    assert f"{COORDINATOR}: invite.revoked" in shown
    for user in (curator, director, coordinator, reviewer):
        assert (await bot.send(user, "/audit")).text == texts.REFUSED


async def _press(bot: BotHarness, user: FakeUser, data: str) -> Reply:
    """A button with this data under the user's latest message (forged or remembered)."""
    message = bot.fake.last_message(user.id)
    assert message is not None
    return await bot.press_data(user, message.message_id, data)


async def _count(factory: SessionFactory) -> int:
    async with factory() as session:
        return len((await session.scalars(select(AuditRecord.id))).all())


async def _sent_reminder(factory: SessionFactory, bot: BotHarness) -> int:
    async with unit_of_work(factory) as session:
        person = (
            await session.scalars(select(Person).where(Person.full_name == DIRECTOR_17))
        ).one()
        notification = Notification(
            dedupe_key="audit trail reminder",
            recipient_person_id=person.id,
            kind="deadline",
            text="Срок мероприятия",
            due_at=bot.clock() - timedelta(hours=1),
        )
        session.add(notification)
        await session.flush()
        return notification.id


async def _attended_event(factory: SessionFactory, bot: BotHarness, like: int) -> int:
    """A copy of event `like` that took place yesterday, with the director signed up."""
    async with unit_of_work(factory) as session:
        source = await session.get(Event, like)
        assert source is not None
        event = Event(
            municipality_id=source.municipality_id,
            format=source.format,
            title="Прошедший семинар",
            starts_at=bot.clock() - timedelta(days=1),
            status=EventStatus.PUBLISHED,
        )
        session.add(event)
        await session.flush()
        director = await session.scalar(select(Person.id).where(Person.full_name == DIRECTOR_17))
        assert director is not None
        session.add(
            EventRegistration(
                event_id=event.id, person_id=director, state=RegistrationState.REGISTERED
            )
        )
        return event.id
