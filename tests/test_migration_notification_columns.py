"""0008_notification_columns: what old rows said in their keys becomes their columns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from bot.models.base import UTCDateTime
from bot.schema import alembic_config

NOTIFICATIONS = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("dedupe_key", sa.Text),
    sa.column("recipient_person_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("text", sa.Text),
    sa.column("reply_markup", sa.JSON),
    sa.column("due_at", UTCDateTime()),
    sa.column("state", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", UTCDateTime()),
)
WHEN = datetime(2026, 11, 24, 9, tzinfo=UTC)


def _markup(*rows: list[tuple[str, str]]) -> dict:  # type: ignore[type-arg]
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


SNOOZE = [("1", "ntf:sz:{nid}:1"), ("3", "ntf:sz:{nid}:3"), ("7", "ntf:sz:{nid}:7")]
OLD_ROWS = [
    (1, "event 5:remind:T-1h:person 9", "event", _markup([("Open", "ev:o:5")])),
    (2, "event 5:remind:T-1d:person 9", "event", _markup([("Open", "ev:o:5")])),
    (3, "event 5:announce:person 9", "event", None),
    (4, "followup 12:person 9", "followup", _markup([("Done", "fu:d:12")], SNOOZE)),
    (
        5,
        "followup 12:person 9:snoozed 202611250900",
        "followup",
        _markup([("D", "fu:d:12")], SNOOZE),
    ),
    (6, "followup-done 12:2026-11-24:person 9", "followup", None),
    (
        7,
        "novisit:curator 9:school 3:since 2026-10-01",
        "novisit",
        _markup([("V", "vis:new")], SNOOZE),
    ),
    (8, "review-wait:report 4:person 9", "review", _markup(SNOOZE)),
]


def test_old_rows_get_their_columns(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0007_results")
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO people (id, full_name, muted_kinds, created_at)"
                " VALUES (9, 'Иванова', '[]', :when)"
            ),
            {"when": WHEN.isoformat()},
        )
        connection.execute(
            sa.insert(NOTIFICATIONS),
            [
                {
                    "id": id_,
                    "dedupe_key": key,
                    "recipient_person_id": 9,
                    "kind": kind,
                    "text": key,
                    "reply_markup": markup,
                    "due_at": WHEN,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": WHEN,
                }
                for id_, key, kind, markup in OLD_ROWS
            ],
        )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        rows = {
            row.id: row
            for row in connection.execute(
                sa.text(
                    "SELECT id, subject, subject_id, quiet_hours_exempt, snoozable, reply_markup"
                    " FROM notifications"
                )
            )
        }
        connection.execute(
            sa.text(
                "INSERT INTO notifications (dedupe_key, recipient_person_id, kind, text,"
                " due_at, state, attempts, created_at, quiet_hours_exempt, snoozable)"
                " VALUES (:key, 9, 'deadline', 'x', :when, 'pending', 0, :when, 0, 0)"
            ),
            {"key": "k" * 500, "when": WHEN.isoformat()},
        )
        stored = connection.scalar(sa.text("SELECT dedupe_key FROM notifications WHERE id = 9"))
    engine.dispose()
    about = {id_: (row.subject, row.subject_id) for id_, row in rows.items()}
    assert about == {
        1: ("event_reminder", 5),
        2: ("event_reminder", 5),
        3: (None, None),
        4: ("follow_up", 12),
        5: ("follow_up", 12),
        6: (None, None),
        7: (None, None),
        8: (None, None),
    }
    assert [id_ for id_, row in rows.items() if row.quiet_hours_exempt] == [1]
    assert [id_ for id_, row in rows.items() if row.snoozable] == [4, 5, 7, 8]
    # The `{nid}` placeholders are gone: the snooze row is built with the id when sent.
    assert all("{nid}" not in str(row.reply_markup) for row in rows.values())
    assert '"fu:d:12"' in rows[4].reply_markup and "ntf:sz" not in rows[4].reply_markup
    assert rows[8].reply_markup is None
    assert '"ev:o:5"' in rows[1].reply_markup
    assert stored == "k" * 500  # keys are no longer cut to 200 characters
