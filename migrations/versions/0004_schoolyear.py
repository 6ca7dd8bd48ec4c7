"""Years of curator assignments and roadmaps become school years (their start year)

Before, both were written with the calendar year of the day they were made: an invite
bound in March 2027 wrote 2027, which as a school year means 2027/28 — not begun yet, so
the curator would lose access (bot/services/access/assignments.py). A row made January–August
whose year equals its calendar year is moved to the school year it was made in (year − 1),
unless the same curator/school (or school) already has a row for that year. Rows made
September–December already hold the right value. No schema change.

Revision ID: 0004_schoolyear
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0004_schoolyear"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_MONTH = 9  # September

assignments = sa.table(
    "curator_assignments",
    sa.column("id", sa.Integer),
    sa.column("curator_person_id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("created_at", UTCDateTime()),
)
roadmaps = sa.table(
    "roadmaps",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("created_at", UTCDateTime()),
    sa.column("imported_at", UTCDateTime()),
)


def _move(table: sa.TableClause, key: list[str], made: list[sa.ColumnElement]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(table.c.id, table.c.year, *(table.c[k] for k in key), *made)
    ).all()
    taken = {(row.year, *(row[2 + i] for i in range(len(key)))) for row in rows}
    for row in rows:
        when = next((value for value in row[2 + len(key) :] if value is not None), None)
        if when is None or when.month >= FIRST_MONTH or row.year != when.year:
            continue
        owner = tuple(row[2 + i] for i in range(len(key)))
        if (row.year - 1, *owner) in taken:
            continue
        connection.execute(
            sa.update(table).where(table.c.id == row.id).values(year=row.year - 1)
        )
        taken.discard((row.year, *owner))
        taken.add((row.year - 1, *owner))


def upgrade() -> None:
    _move(assignments, ["curator_person_id", "school_id"], [assignments.c.created_at])
    _move(roadmaps, ["school_id"], [roadmaps.c.imported_at, roadmaps.c.created_at])


def downgrade() -> None:
    """Nothing to undo: the old meaning (a calendar year) is not kept anywhere."""
