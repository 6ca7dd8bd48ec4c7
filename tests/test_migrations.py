"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.models import Base, RiskFactor
from bot.schema import head_revision


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_diff)
    assert differences == []


async def test_database_is_at_head(engine: AsyncEngine, database_url: str) -> None:
    async with engine.connect() as connection:
        revision = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    assert revision == head_revision(database_url)


async def test_ten_risk_factors_are_seeded(session: AsyncSession) -> None:
    titles = (await session.scalars(select(RiskFactor.title).order_by(RiskFactor.id))).all()
    assert len(titles) == 10
    assert titles[0] == "Низкий уровень оснащения школы"
    assert titles[9] == "Низкая учебная мотивация обучающихся"
