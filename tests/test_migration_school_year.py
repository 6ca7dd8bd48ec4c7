"""0004_schoolyear: years written as calendar years become the school year they were made in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from bot.models.base import UTCDateTime
from bot.schema import alembic_config

ASSIGNMENTS = sa.table(
    "curator_assignments",
    sa.column("id", sa.Integer),
    sa.column("curator_person_id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("created_at", UTCDateTime()),
)
ROADMAPS = sa.table(
    "roadmaps",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("imported_at", UTCDateTime()),
)


def test_calendar_years_become_school_years(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0003")
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.db")
    march, november = datetime(2027, 3, 10, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(ASSIGNMENTS),
            [
                # Bound in March 2027 with the calendar year: the school year is 2026/27.
                {
                    "id": 1,
                    "curator_person_id": 1,
                    "school_id": 1,
                    "year": 2027,
                    "created_at": march,
                },
                # Bound in November: already right.
                {
                    "id": 2,
                    "curator_person_id": 1,
                    "school_id": 2,
                    "year": 2026,
                    "created_at": november,
                },
                # Moving it would collide with a row of that year: kept.
                {
                    "id": 3,
                    "curator_person_id": 2,
                    "school_id": 3,
                    "year": 2026,
                    "created_at": november,
                },
                {
                    "id": 4,
                    "curator_person_id": 2,
                    "school_id": 3,
                    "year": 2027,
                    "created_at": march,
                },
                # Seed data of 2022 loaded in 2027: not a calendar year of its making, kept.
                {
                    "id": 5,
                    "curator_person_id": 3,
                    "school_id": 4,
                    "year": 2022,
                    "created_at": march,
                },
            ],
        )
        connection.execute(
            sa.insert(ROADMAPS),
            [
                {"id": 1, "school_id": 1, "year": 2027, "created_at": march, "imported_at": march},
                {
                    "id": 2,
                    "school_id": 2,
                    "year": 2026,
                    "created_at": november,
                    "imported_at": march,
                },
            ],
        )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        years = dict(connection.execute(sa.select(ASSIGNMENTS.c.id, ASSIGNMENTS.c.year)).all())
        roadmap_years = dict(connection.execute(sa.select(ROADMAPS.c.id, ROADMAPS.c.year)).all())
    engine.dispose()
    assert years == {1: 2026, 2: 2026, 3: 2026, 4: 2027, 5: 2022}
    assert roadmap_years == {1: 2026, 2: 2026}
