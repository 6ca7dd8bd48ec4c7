"""School results, teacher training, the practice bank (issue 18 parts 3–5)

Revision ID: 0007_results
Revises: 0006_followups
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_results"
down_revision: str | None = "0006_followups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("schools", sa.Column("staff_count", sa.Integer(), nullable=True))
    op.create_table(
        "assessment_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "assessment",
            sa.Enum(
                "vpr",
                "oge",
                "ege",
                name="assessment",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("fail_percent", sa.Float(), nullable=False),
        sa.Column("average_mark", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_assessment_results_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_person_id"],
            ["people.id"],
            name=op.f("fk_assessment_results_updated_by_person_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_results")),
        sa.UniqueConstraint(
            "school_id",
            "year",
            "assessment",
            "subject",
            "grade",
            name=op.f("uq_assessment_results_school_id_year_assessment_subject_grade"),
        ),
    )
    op.create_index(op.f("ix_assessment_results_school_id"), "assessment_results", ["school_id"])
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=300), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("people_trained", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_training_courses_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_courses")),
    )
    op.create_index(op.f("ix_training_courses_school_id"), "training_courses", ["school_id"])
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("risk_factor_ids", sa.JSON(), nullable=False),
        sa.Column("what_done", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("author_person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_practices_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_practices_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_practices_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"], ["people.id"], name=op.f("fk_practices_author_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_practices_visit_id")),
    )
    op.create_index(op.f("ix_practices_region_id"), "practices", ["region_id"])
    op.create_index(op.f("ix_practices_created_at"), "practices", ["created_at"])


def downgrade() -> None:
    op.drop_table("practices")
    op.drop_table("training_courses")
    op.drop_table("assessment_results")
    with op.batch_alter_table("schools") as batch:
        batch.drop_column("staff_count")
