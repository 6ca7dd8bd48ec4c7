"""The Mini App's endpoints for a 60-school municipality (40 items each, reports, visits):
median time of each on SQLite. Run: PYTHONPATH=. python bench/miniapp_speed.py [--region]
(--region: a regional coordinator over 10 such municipalities, 600 schools)."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.db import make_engine, make_session_factory
from bot.miniapp.init_data import init_data_for
from bot.miniapp.server import MiniApp
from bot.models import (
    Base,
    ItemStatus,
    Municipality,
    ProgressReport,
    Region,
    ReviewState,
    Roadmap,
    RoadmapItem,
    Role,
    Visit,
    VisitFormat,
)
from tests.support.bot_fixtures import DEMO_NOW, FAKE_TOKEN
from tests.support.factories import make_municipality, make_person, make_school

SCHOOLS, ITEMS, RUNS = 60, 40, 15
# `--region`: a regional coordinator over this many such municipalities.
REGION_MUNICIPALITIES = 10


async def _fill(session, town, curator) -> None:  # type: ignore[no-untyped-def]
    for number in range(1, SCHOOLS + 1):
        school = await make_school(session, town, number=number)
        roadmap = Roadmap(school_id=school.id, year=2026)
        session.add(roadmap)
        await session.flush()
        for position in range(ITEMS):
            status = [ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.NOT_STARTED][position % 3]
            item = RoadmapItem(
                roadmap_id=roadmap.id,
                number=str(position + 1),
                position=position,
                section=f"Раздел {position // 10 + 1}",
                measure=f"Мероприятие {position}",
                due_date=date(2026, 9, 1) + timedelta(days=position * 3),
                status=status,
            )
            session.add(item)
            await session.flush()
            if position % 4 == 0:
                session.add(
                    ProgressReport(
                        item_id=item.id,
                        author_person_id=curator.id,
                        status=ItemStatus.DONE,
                        done_text="сделано",
                        evidence_links="https://example.ru/a.pdf",
                        review_state=ReviewState.PENDING,
                    )
                )
        for month in range(9, 12):
            session.add(
                Visit(
                    curator_person_id=curator.id,
                    school_id=school.id,
                    visit_date=date(2026, month, number % 28 + 1),
                    format=VisitFormat.ON_SITE,
                    findings="выводы",
                )
            )
    await session.flush()


async def main(region: bool) -> None:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    factory = make_session_factory(engine)
    async with factory() as session:
        town = await make_municipality(session)
        curator = await make_person(session, Role.CURATOR, municipality=town, telegram_id=2)
        await _fill(session, town, curator)
        if region:
            await make_person(
                session,
                Role.REGIONAL_COORDINATOR,
                region=await session.get(Region, town.region_id),
                telegram_id=1,
            )
            for index in range(REGION_MUNICIPALITIES - 1):
                other = Municipality(
                    region_id=town.region_id, name=f"Район {index}", timezone=town.timezone
                )
                session.add(other)
                await session.flush()
                await _fill(session, other, curator)
        else:
            await make_person(session, Role.MUNICIPAL_COORDINATOR, municipality=town, telegram_id=1)
        await session.commit()
    app = web.Application()
    MiniApp(factory, FAKE_TOKEN, "Asia/Yekaterinburg", now=lambda: DEMO_NOW).install(app)
    headers = {"Authorization": "tma " + init_data_for(1, FAKE_TOKEN, DEMO_NOW)}
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        schools = (await (await client.get("/app/api/schools", headers=headers)).json())["schools"]
        assert len(schools) == SCHOOLS * (REGION_MUNICIPALITIES if region else 1)
        for path in ["schools", f"schools/{schools[0]['id']}", "charts", "events"]:
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                response = await client.get("/app/api/" + path, headers=headers)
                await response.read()
                assert response.status == 200, path
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"/app/api/{path}: median {statistics.median(times):.0f} ms, "
                f"max {max(times):.0f} ms"
            )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(region="--region" in sys.argv))
