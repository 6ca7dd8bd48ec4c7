"""Scopes typed in Cyrillic are found whatever their case, on SQLite (whose lower() folds
ASCII only) as on PostgreSQL — in the service and through `python -m bot invite`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Municipality, Role
from bot.services.access.scopes import resolve_scope
from bot.services.errors import DomainError
from tests.cli.test_command_line import run_cli
from tests.support import databases
from tests.support.factories import load_demo_data, make_municipality

KAMENSK = "Каменск-Уральский городской округ"


@pytest.mark.parametrize(
    "typed",
    [
        KAMENSK,
        KAMENSK.upper(),
        KAMENSK.lower(),
        "  каменск-уральский  ГОРОДСКОЙ округ ",
        "Каменск-Уральский",
    ],
)
async def test_a_municipality_is_found_in_any_case(session: AsyncSession, typed: str) -> None:
    await load_demo_data(session)
    scope = await resolve_scope(session, Role.MUNICIPAL_COORDINATOR, typed)
    municipality = await session.get(Municipality, scope.municipality_id)
    assert municipality is not None and municipality.name == KAMENSK


async def test_a_region_is_found_in_any_case(session: AsyncSession) -> None:
    await load_demo_data(session)
    scope = await resolve_scope(session, Role.REGIONAL_COORDINATOR, "СВЕРДЛОВСКАЯ ОБЛАСТЬ")
    assert scope.region_id is not None


async def test_an_exact_name_wins_over_names_that_contain_it(session: AsyncSession) -> None:
    await load_demo_data(session)
    await make_municipality(session, "Каменский городской округ")
    await make_municipality(session, "Каменский городской округ (сельская часть)")
    scope = await resolve_scope(session, Role.MUNICIPAL_COORDINATOR, "каменский городской округ")
    municipality = await session.get(Municipality, scope.municipality_id)
    assert municipality is not None and municipality.name == "Каменский городской округ"
    with pytest.raises(DomainError) as ambiguous:  # «каменск» is in all three
        await resolve_scope(session, Role.MUNICIPAL_COORDINATOR, "каменск")
    assert ambiguous.value.code == "scope_not_found"


@pytest.mark.slow
@pytest.mark.parametrize("database", databases.selected_databases())
def test_invite_command_finds_a_cyrillic_municipality(tmp_path: Path, database: str) -> None:
    name = None
    if database == "sqlite":
        url = databases.sqlite_url(tmp_path / "bot.db")
    else:
        name = databases.create_empty_postgres_database()
        url = databases.url_of(name)
    try:
        env = {"DATABASE_URL": url, "BOT_USERNAME": "demo_bot"}
        assert run_cli("seed-demo", env=env, cwd=tmp_path).returncode == 0
        for typed in (KAMENSK, KAMENSK.upper()):
            result = run_cli(
                "invite", "--role", "municipal_coordinator", "--scope", typed, env=env, cwd=tmp_path
            )
            assert result.returncode == 0, result.stderr
            assert re.fullmatch(
                r"https://t\.me/demo_bot\?start=[\w-]{20,64}", result.stdout.strip()
            )
    finally:
        if name is not None:
            databases.drop_postgres_database(name)
