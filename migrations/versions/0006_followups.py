"""Follow-ups that get done (who, when, comment, file) and review threads on reports

Revision ID: 0006_followups
Revises: 0005_finish13
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_followups"
down_revision: str | None = "0005_finish13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visit_follow_ups") as batch:
        batch.add_column(sa.Column("done_by_person_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("done_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("done_file_id", sa.String(256), nullable=True))
        batch.create_foreign_key(
            op.f("fk_visit_follow_ups_done_by_person_id_people"),
            "people",
            ["done_by_person_id"],
            ["id"],
        )
    op.create_table(
        "review_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_kind", sa.String(16), nullable=True),
        sa.Column("file_id", sa.String(256), nullable=True),
        sa.Column("file_name", sa.String(300), nullable=True),
        sa.Column("state", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_review_messages_report_id_progress_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["people.id"],
            name=op.f("fk_review_messages_author_person_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_messages")),
    )
    with op.batch_alter_table("review_messages") as batch:
        batch.create_index(batch.f("ix_review_messages_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_messages") as batch:
        batch.drop_index(batch.f("ix_review_messages_report_id"))
    op.drop_table("review_messages")
    with op.batch_alter_table("visit_follow_ups") as batch:
        batch.drop_constraint(
            op.f("fk_visit_follow_ups_done_by_person_id_people"), type_="foreignkey"
        )
        batch.drop_column("done_file_id")
        batch.drop_column("done_comment")
        batch.drop_column("done_by_person_id")
