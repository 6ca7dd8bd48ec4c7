"""Roadmap items settled at the year's end; risk profiles by school year

* roadmap_items.closing_note, roadmap_items.carried_to_item_id: an item of the old school
  year is closed (with an optional note) or carried over into the next year's roadmap
  (bot/services/roadmaps/carry_over.py). The statuses «closed» and «carried_over» need no schema
  change (enums are stored as plain strings).
* school_risk_profile.year becomes the school year's start, as 0004_schoolyear did for
  assignments and roadmaps: a row changed January–August whose year equals its calendar
  year moves to the school year it was made in (year − 1), unless that school already has
  the factor in that year.

Revision ID: 0005_finish13
Revises: 0004_schoolyear
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.base import UTCDateTime

revision: str = "0005_finish13"
down_revision: str | None = "0004_schoolyear"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_MONTH = 9  # September

profile = sa.table(
    "school_risk_profile",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("risk_factor_id", sa.Integer),
    sa.column("year", sa.Integer),
    sa.column("updated_at", UTCDateTime()),
)


def _risk_profiles_by_school_year() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            profile.c.id,
            profile.c.school_id,
            profile.c.risk_factor_id,
            profile.c.year,
            profile.c.updated_at,
        )
    ).all()
    taken = {(row.school_id, row.risk_factor_id, row.year) for row in rows}
    for row in rows:
        when = row.updated_at
        if when is None or when.month >= FIRST_MONTH or row.year != when.year:
            continue
        if (row.school_id, row.risk_factor_id, row.year - 1) in taken:
            continue
        connection.execute(
            sa.update(profile).where(profile.c.id == row.id).values(year=row.year - 1)
        )
        taken.discard((row.school_id, row.risk_factor_id, row.year))
        taken.add((row.school_id, row.risk_factor_id, row.year - 1))


def upgrade() -> None:
    with op.batch_alter_table("roadmap_items") as batch:
        batch.add_column(sa.Column("closing_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("carried_to_item_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_roadmap_items_carried_to_item_id_roadmap_items",
            "roadmap_items",
            ["carried_to_item_id"],
            ["id"],
        )
    _risk_profiles_by_school_year()


def downgrade() -> None:
    with op.batch_alter_table("roadmap_items") as batch:
        batch.drop_constraint(
            "fk_roadmap_items_carried_to_item_id_roadmap_items", type_="foreignkey"
        )
        batch.drop_column("carried_to_item_id")
        batch.drop_column("closing_note")
