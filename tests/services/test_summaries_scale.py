"""Summaries, cards, overdue lists, reports, exports and digests: the same number of queries
for 10 and for 500 schools, the figures right at that size, and no list of ids that outgrows
a driver's bound-parameter limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.services.access.actors import Actor
from bot.services.notifications.digest import build_digests
from bot.services.reporting import export_data, report_data, school_card, summaries
from tests.support.factories import actor_for
from tests.support.query_counter import count_queries
from tests.support.scenario import BulkCity, bulk_city

TODAY = date(2026, 11, 24)
FIRST, LAST = report_data.half_year_bounds(2026, 1)


async def _count(engine: AsyncEngine, action: Callable[[], Awaitable[object]]) -> int:
    with count_queries(engine) as counter:
        await action()
    return counter.count


def _operations(
    session: AsyncSession, city: BulkCity, actor: Actor
) -> dict[str, Callable[[], Awaitable[object]]]:
    ids = city.school_ids
    return {
        "summary": lambda: summaries.summarize(session, actor, TODAY),
        "overdue": lambda: summaries.overdue_items(session, actor, TODAY),
        "card": lambda: school_card.school_card(session, actor, ids[-1], TODAY),
        "report items": lambda: report_data.report_items(session, ids, FIRST, LAST),
        "report visits": lambda: report_data.report_visits(session, ids, FIRST, LAST),
        "report events": lambda: report_data.report_events(
            session, [city.municipality_id], FIRST, LAST
        ),
        "export": lambda: export_data.export_tables(session, ids),
        "digest": lambda: build_digests(session, [actor], TODAY),
    }


async def test_query_counts_do_not_grow_from_10_to_500_schools(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    small = await bulk_city(session, 10)
    large = await bulk_city(session, 500, first_number=100)
    small_actor = await actor_for(session, small.coordinator)
    large_actor = await actor_for(session, large.coordinator)
    await session.commit()

    small_ops = _operations(session, small, small_actor)
    large_ops = _operations(session, large, large_actor)
    counts = {
        name: (await _count(engine, small_ops[name]), await _count(engine, large_ops[name]))
        for name in small_ops
    }
    assert all(count[0] == count[1] for count in counts.values()), counts
    # A school card is one query per section (summary, visits, events, people, risks,
    # sections, overdue, training, results, next steps …): 16 since its last three came.
    ceilings = {"card": 16}
    assert all(count[0] <= ceilings.get(name, 15) for name, count in counts.items()), counts

    # The figures at 500 schools, value by value.
    rows = await summaries.summarize(session, large_actor, TODAY)
    assert len(rows) == 500
    row = next(r for r in rows if r.name == "СШ № 350")
    assert (row.accepted, row.total, row.overdue, row.waiting_review) == (1, 4, 3, 1)
    assert (row.last_visit, row.days_since_visit) == (date(2026, 11, 2), 22)
    assert (row.curators, row.high_risks, row.unreachable) == (["Куратор Б."], [9], 1)
    overdue = await summaries.overdue_items(session, large_actor, TODAY)
    assert len(overdue) == 1_500
    items = await report_data.report_items(session, large.school_ids, FIRST, LAST)
    assert len(items) == 2_000
    assert sum(1 for item in items if item.evidence == "https://example.org/1") == 500
    events = await report_data.report_events(session, [large.municipality_id], FIRST, LAST)
    assert [(e.title, e.day, e.signed_up, e.attended) for e in events] == [
        ("Семинар директоров", date(2026, 10, 15), 500, 250)
    ]
    (digest,) = await build_digests(session, [large_actor], TODAY)
    assert digest is not None


async def test_a_curator_sees_only_their_schools_among_500(session: AsyncSession) -> None:
    await bulk_city(session, 500)
    other = await bulk_city(session, 3, first_number=900)
    rows = await summaries.summarize(session, await actor_for(session, other.curator), TODAY)
    assert [r.name for r in rows] == ["СШ № 900", "СШ № 901", "СШ № 902"]


async def test_report_and_export_beyond_the_bound_parameter_limit(session: AsyncSession) -> None:
    """34,000 roadmap items: more than asyncpg takes as bound parameters (32,767)."""
    city = await bulk_city(session, 40, items=850, visits=1)
    items = await report_data.report_items(session, city.school_ids, FIRST, LAST)
    assert len(items) == 34_000
    assert sum(1 for item in items if item.evidence) == 40
    tables = await export_data.export_tables(session, city.school_ids)
    assert len(tables["roadmap_items.csv"][1]) == 34_000
    assert len(tables["progress_reports.csv"][1]) == 80


def test_chart_of_a_whole_region_stays_a_photo_telegram_accepts() -> None:
    import struct

    from bot.reports.chart import MAX_BARS, build_progress_figure, progress_chart_png

    rows = [(f"СШ № {n}", n % 7, 7) for n in range(1, 3_001)]
    png = progress_chart_png(rows)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width + height <= 10_000 and max(width, height) / min(width, height) <= 20
    figure = build_progress_figure(rows)
    assert len(figure.axes[0].patches) == MAX_BARS
    assert figure.axes[0].get_title() == "Выполнение дорожных карт (ещё школ: 2940)"
    from matplotlib import pyplot

    pyplot.close(figure)
