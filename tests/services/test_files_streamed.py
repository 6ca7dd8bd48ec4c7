"""A region's /report and /export streamed in chunks of three rows are the same files as
those built in one chunk and as those built from whole lists: no row lost, doubled or
reordered at a chunk boundary, an item's attachments never split from it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    Attachment,
    AttachmentKind,
    ItemStatus,
    ProgressReport,
    ReviewState,
    Roadmap,
    RoadmapItem,
)
from bot.reports import files_out
from bot.reports.export import build_export_zip
from bot.reports.half_year_report import build_half_year_report
from bot.services.reporting import export_data, report_data, streaming
from tests.support.scenario import NOW, bulk_city

TODAY = date(2026, 11, 24)
ZONE = "Asia/Yekaterinburg"
FIRST, LAST = report_data.half_year_bounds(2026, 1)


def _entries(content: bytes, *, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name not in skip}


def _xlsx_parts(content: bytes) -> dict[str, bytes]:
    return _entries(content, skip=("docProps/core.xml",))  # its creation time differs


async def test_a_region_streamed_in_chunks_of_three_is_the_same_file(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = await bulk_city(session, 7, items=4, visits=2)
    ids = city.school_ids
    # A later accepted report with a photo and a link on one item: it wins, with both.
    first_accepted = await session.scalar(
        select(ProgressReport)
        .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
        .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
        .where(Roadmap.school_id == ids[3], ProgressReport.review_state == ReviewState.ACCEPTED)
    )
    assert first_accepted is not None
    later = ProgressReport(
        item_id=first_accepted.item_id,
        author_person_id=first_accepted.author_person_id,
        status=ItemStatus.DONE,
        done_text="Проведено повторно",
        submitted_at=NOW,
        review_state=ReviewState.ACCEPTED,
        reviewed_at=NOW + timedelta(days=1),
    )
    session.add(later)
    await session.flush()
    session.add_all(
        [
            Attachment(
                kind=AttachmentKind.PHOTO,
                report_id=later.id,
                file_name="протокол.jpg",
                telegram_file_id="photo-1",
            ),
            Attachment(kind=AttachmentKind.LINK, report_id=later.id, url="https://example.org/b"),
        ]
    )
    await session.commit()
    period = report_data.ReportPeriod(FIRST, LAST, "Отчёт")

    async def files() -> tuple[bytes, bytes]:
        report = await files_out.half_year_report_file(
            session, ids, [city.municipality_id], period, timezone=ZONE, today=TODAY, whole=True
        )
        export = await files_out.export_zip_file(
            session, ids, "README", all_participants_of=[city.municipality_id]
        )
        return report, export

    one_chunk = await files()
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 3)
    report, export = await files()

    assert _xlsx_parts(report) == _xlsx_parts(one_chunk[0])
    assert _entries(export) == _entries(one_chunk[1])
    # The same as the files built from whole lists (what the bot sent before streaming).
    items = await report_data.report_items(session, ids, FIRST, LAST, ZONE)
    assert len(items) == 7 * 4
    later_item = next(item for item in items if item.done_text == "Проведено повторно")
    assert later_item.attachments == ("фото «протокол.jpg»", "https://example.org/b")
    from_lists = build_half_year_report(
        "Отчёт",
        items,
        await report_data.report_visits(session, ids, FIRST, LAST),
        await report_data.report_events(session, [city.municipality_id], FIRST, LAST),
        TODAY,
        follow_ups=await report_data.report_follow_ups(session, ids, FIRST, LAST, ZONE),
    )
    assert _xlsx_parts(report) == _xlsx_parts(from_lists)
    tables = await export_data.export_tables(
        session, ids, all_participants_of=[city.municipality_id]
    )
    assert len(tables["roadmap_items.csv"][1]) == 7 * 4
    assert len(tables["participants.csv"][1]) == 7
    assert _entries(export) == _entries(build_export_zip(tables, "README"))


async def _parts(*parts: list[int]) -> AsyncIterator[list[int]]:
    for part in parts:
        yield part


async def test_chunks_are_recut_so_that_one_key_is_never_split() -> None:
    # Keys by tens: 11 and 12 belong together, 21-25 run over three parts.
    parts = _parts([11, 12, 21], [22], [23, 24], [], [25, 31], [32])
    recut = [part async for part in streaming.whole_groups(parts, lambda row: row // 10)]
    assert recut == [[11, 12], [21, 22, 23, 24, 25], [31, 32]]


async def test_a_failing_writer_stops_the_file_with_its_error() -> None:
    written: list[list[int]] = []

    def write(rows: list[int]) -> None:
        if 3 in rows:
            raise ValueError("broken row")
        written.append(rows)

    with pytest.raises(ValueError, match="broken row"):
        async with streaming.FileWorker() as worker:
            await worker.pump(_parts([1, 2], [3], [4], [5]), write)
    assert written == [[1, 2]]
