"""Notifications say what they are about in columns, not in their dedupe keys

What code used to read back out of a row's dedupe key (the event or follow-up a reminder
belongs to, whether the hour-before event reminder may go out at night) and the snooze
buttons' `{nid}` placeholder (filled at send time) become columns; the key is only a key,
stored whole (it was cut to 200 characters).

Revision ID: 0008_notification_columns
Revises: 0007_results
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008_notification_columns"
down_revision: str | None = "0007_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("dedupe_key", sa.Text),
    sa.column("reply_markup", sa.JSON),
    sa.column("subject", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("quiet_hours_exempt", sa.Boolean),
    sa.column("snoozable", sa.Boolean),
)

# The keys as the code before this revision wrote them (a snoozed copy appends to its key).
EVENT_REMINDER = re.compile(r"^event (\d+):remind:")
FOLLOW_UP = re.compile(r"^followup (\d+):")
QUIET_HOURS_EXEMPT_MARK = ":remind:T-1h:"
SNOOZE_PLACEHOLDER = "{nid}"


def _without_snooze_row(markup: dict[str, Any]) -> dict[str, Any] | None:
    rows = [
        [
            button
            for button in row
            if SNOOZE_PLACEHOLDER not in str(button.get("callback_data", ""))
        ]
        for row in markup.get("inline_keyboard", [])
    ]
    rows = [row for row in rows if row]
    return {**markup, "inline_keyboard": rows} if rows else None


def _columns_from_keys() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notifications.c.id, notifications.c.dedupe_key, notifications.c.reply_markup)
    ).all()
    for row in rows:
        values: dict[str, Any] = {}
        if match := EVENT_REMINDER.match(row.dedupe_key):
            values.update(subject="event_reminder", subject_id=int(match.group(1)))
        elif match := FOLLOW_UP.match(row.dedupe_key):
            values.update(subject="follow_up", subject_id=int(match.group(1)))
        if QUIET_HOURS_EXEMPT_MARK in row.dedupe_key:
            values["quiet_hours_exempt"] = True
        markup = row.reply_markup
        if markup and SNOOZE_PLACEHOLDER in str(markup):
            rest = _without_snooze_row(markup)
            values.update(snoozable=True, reply_markup=sa.null() if rest is None else rest)
        if values:
            connection.execute(
                sa.update(notifications).where(notifications.c.id == row.id).values(**values)
            )


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column(
            "dedupe_key", existing_type=sa.String(200), type_=sa.Text(), existing_nullable=False
        )
        batch.add_column(sa.Column("subject", sa.String(40), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "quiet_hours_exempt", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("snoozable", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _columns_from_keys()
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("quiet_hours_exempt", server_default=None)
        batch.alter_column("snoozable", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("snoozable")
        batch.drop_column("quiet_hours_exempt")
        batch.drop_column("subject_id")
        batch.drop_column("subject")
        batch.alter_column(
            "dedupe_key", existing_type=sa.Text(), type_=sa.String(200), existing_nullable=False
        )
