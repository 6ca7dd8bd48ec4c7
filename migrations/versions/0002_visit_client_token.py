"""visits.client_token: one draft saves one visit

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("client_token", sa.String(length=40), nullable=True))
        batch.create_unique_constraint("uq_visits_client_token", ["client_token"])


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.drop_constraint("uq_visits_client_token", type_="unique")
        batch.drop_column("client_token")
