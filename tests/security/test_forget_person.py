"""`forget-person`: a person's personal data goes on request, the counts of work stay."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.db import SessionFactory, unit_of_work
from bot.models import (
    AuditRecord,
    BotStateEntry,
    EventRegistration,
    Notification,
    Person,
    RoleAssignment,
    TelegramAccount,
    Visit,
)
from bot.services.access.forget_person import find_people, forget_person, placeholder
from tests.cli.test_command_line import run_cli
from tests.support import databases
from tests.support.flows import visit_card
from tests.support.harness import BotHarness
from tests.support.personas import CURATOR_35

SURNAME = CURATOR_35.split()[0]


async def _counts(factory: SessionFactory) -> dict[str, int]:
    async with factory() as session:
        return {
            model.__name__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Person, Visit, RoleAssignment, EventRegistration, AuditRecord)
        }


async def test_a_forgotten_curator_is_unbound_renamed_and_their_visits_still_count(
    bot: BotHarness, session_factory: SessionFactory
) -> None:
    curator = await visit_card(bot)  # a visit on screen, its draft in the bot's state
    await bot.press(curator, texts.BUTTON_SAVE)
    await bot.send(curator, "/visit")  # a conversation left open: a draft in bot_state
    async with session_factory() as session:
        person = (await find_people(session, CURATOR_35.upper()))[0]
        person_id = person.id
        session.add(  # a text the bot wrote that names them, sent to someone else
            Notification(
                dedupe_key="test:names",
                recipient_person_id=person_id,
                kind="test",
                text=f"Куратор {CURATOR_35} записал посещение",
                due_at=person.created_at,
                state="sent",
            )
        )
        await session.commit()
    before = await _counts(session_factory)

    async with unit_of_work(session_factory) as session:
        done = await forget_person(session, person_id)
    assert done.unbound and done.roles_revoked >= 1 and done.states_dropped >= 1

    async with session_factory() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        assert person.full_name == placeholder(person_id)
        assert person.position is None and person.organisation is None
        assert (
            await session.scalar(
                select(TelegramAccount).where(TelegramAccount.person_id == person_id)
            )
            is None
        )
        roles = (
            await session.scalars(
                select(RoleAssignment).where(RoleAssignment.person_id == person_id)
            )
        ).all()
        assert roles and all(role.revoked_at is not None for role in roles)
        visit = (await session.scalars(select(Visit))).one()
        assert visit.curator_person_id == person_id and visit.findings  # the work record stays
        everything = " ".join(
            [n.text for n in await session.scalars(select(Notification))]
            + [
                json.dumps(a.details, ensure_ascii=False)
                for a in await session.scalars(select(AuditRecord))
            ]
            + [
                json.dumps(s.data, ensure_ascii=False) + s.key
                for s in await session.scalars(select(BotStateEntry))
            ]
        )
    assert SURNAME not in everything
    assert str(curator.id) not in everything  # no draft, state or update of theirs is kept
    after = await _counts(session_factory)
    assert after == {**before, "AuditRecord": before["AuditRecord"] + 1}  # nothing else removed

    reply = await bot.send(curator, "/visits")  # the Telegram account no longer opens anything
    assert reply.text == texts.REFUSED_STRANGER


async def test_event_feedback_comments_are_blanked_and_ratings_kept(
    session_factory: SessionFactory,
) -> None:
    from tests.support.factories import load_demo_data, person_named

    async with unit_of_work(session_factory) as session:
        await load_demo_data(session)
        person = await person_named(session, CURATOR_35)
        from bot.models import Event, Municipality

        municipality = (await session.scalars(select(Municipality))).first()
        assert municipality is not None
        event = Event(
            municipality_id=municipality.id,
            format="seminar",
            title="Семинар",
            starts_at=person.created_at,
        )
        session.add(event)
        await session.flush()
        session.add(
            EventRegistration(
                event_id=event.id,
                person_id=person.id,
                state="registered",
                feedback_rating=4,
                feedback_comment=f"Мне, {SURNAME}, понравилось",
            )
        )
    async with unit_of_work(session_factory) as session:
        done = await forget_person(session, person.id)
    assert done.feedback_blanked == 1
    async with session_factory() as session:
        registration = (await session.scalars(select(EventRegistration))).one()
    assert registration.feedback_comment is None and registration.feedback_rating == 4


@pytest.mark.slow
@pytest.mark.parametrize("database", databases.selected_databases())
def test_the_command_finds_by_name_or_id_and_explains_otherwise(
    tmp_path: Path, database: str
) -> None:
    name = None
    if database == "sqlite":
        url = databases.sqlite_url(tmp_path / "bot.db")
    else:
        name = databases.create_empty_postgres_database()
        url = databases.url_of(name)
    try:
        env = {"DATABASE_URL": url, "BOT_USERNAME": "demo_bot"}
        assert run_cli("seed-demo", env=env, cwd=tmp_path).returncode == 0
        unknown = run_cli("forget-person", "Нет Такого Человека", env=env, cwd=tmp_path)
        assert unknown.returncode == 1 and "не найден" in unknown.stderr
        done = run_cli("forget-person", CURATOR_35.lower(), env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        found = re.search(r"«Участник удалён \(№ (\d+)\)»", done.stdout)
        assert found, done.stdout
        again = run_cli("forget-person", "--id", found.group(1), env=env, cwd=tmp_path)
        assert again.returncode == 0, again.stderr  # idempotent
        missing = run_cli("forget-person", "--id", "987654", env=env, cwd=tmp_path)
        assert missing.returncode == 1 and "нет" in missing.stderr
    finally:
        if name is not None:
            databases.drop_postgres_database(name)
