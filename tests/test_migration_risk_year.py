"""0005_finish13: risk profiles written with the calendar year become school years."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from bot.models.base import UTCDateTime
from bot.schema import alembic_config

PROFILE = sa.table(
    "school_risk_profile",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("risk_factor_id", sa.Integer),
    sa.column("level", sa.String),
    sa.column("year", sa.Integer),
    sa.column("updated_at", UTCDateTime()),
)


def test_calendar_year_profiles_become_school_years(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0004_schoolyear")
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.db")
    march, november = datetime(2027, 3, 10, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    rows = [
        (1, 1, 1, 2027, march),  # set in March 2027: school year 2026/27
        (2, 1, 2, 2026, november),  # set in November: already right
        (3, 2, 1, 2026, november),  # moving id 4 would collide with this one: kept
        (4, 2, 1, 2027, march),
        (5, 3, 1, 2022, march),  # seed data of another year: kept
    ]
    with engine.begin() as connection:
        connection.execute(
            sa.insert(PROFILE),
            [
                {
                    "id": id_,
                    "school_id": school,
                    "risk_factor_id": factor,
                    "level": "high",
                    "year": year,
                    "updated_at": when,
                }
                for id_, school, factor, year, when in rows
            ],
        )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        years = dict(connection.execute(sa.select(PROFILE.c.id, PROFILE.c.year)).all())
    engine.dispose()
    assert years == {1: 2026, 2: 2026, 3: 2026, 4: 2027, 5: 2022}
