"""The Mini App's JSON API: Telegram's signature, scope, and data equal to the services'."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from aiohttp import ClientSession
from sqlalchemy import select

from bot.db import SessionFactory
from bot.miniapp.init_data import InvalidInitData, init_data_for, sign, signed_user_id
from bot.miniapp.server import MiniApp
from bot.models import (
    AuditRecord,
    Event,
    EventRegistration,
    EventStatus,
    Municipality,
    Person,
    ProgressReport,
    RegistrationState,
    ReviewState,
    Roadmap,
    RoadmapItem,
    Role,
    School,
    Visit,
)
from bot.services.access.actors import load_actor
from bot.services.reporting.summaries import summarize
from bot.services.roadmaps.roadmap_reports import item_history
from bot.webhook import BotServer, Health
from tests.support.bot_fixtures import DEMO_NOW, FAKE_TOKEN
from tests.support.factories import school_named
from tests.support.miniapp import (
    COORDINATOR_ID,
    CURATOR_ID,
    OUTSIDER_ID,
    STRANGER_ID,
    Dashboard,
)

TODAY = DEMO_NOW.date()
GETS = ["me", "schools", "charts", "events"]


# -- the signature, as Telegram documents it ----------------------------------------------


def test_the_documented_algorithm_accepts_only_its_own_signature() -> None:
    data = init_data_for(42, FAKE_TOKEN, DEMO_NOW)
    assert signed_user_id(data, FAKE_TOKEN, DEMO_NOW) == 42
    # Field order does not matter (Telegram sorts the check string), the hash does.
    reordered = "&".join(reversed(data.split("&")))
    assert signed_user_id(reordered, FAKE_TOKEN, DEMO_NOW) == 42
    for forged in [
        data.replace("%22id%22%3A+42", "%22id%22%3A+43"),  # another user, same hash
        data[:-1] + ("0" if data[-1] != "0" else "1"),  # tampered hash
        init_data_for(42, "987654321:ANOTHER-BOTS-TOKEN", DEMO_NOW),  # another bot's token
        init_data_for(42, FAKE_TOKEN, DEMO_NOW - timedelta(hours=1, seconds=1)),  # stale
        sign({"user": '{"id": 42}'}, FAKE_TOKEN),  # no auth_date
        data + "&hash=0",  # a repeated field
        "",
        "x" * 5000,
    ]:
        with pytest.raises(InvalidInitData):
            signed_user_id(forged, FAKE_TOKEN, DEMO_NOW)


async def test_no_data_without_a_valid_signature(dashboard: Dashboard) -> None:
    client = dashboard.client
    tampered = dashboard.init_data(COORDINATOR_ID)
    tampered = tampered[:-2] + ("00" if not tampered.endswith("00") else "11")
    refused = {
        "missing": {},
        "not tma": {"Authorization": "Bearer " + dashboard.init_data(COORDINATOR_ID)},
        "tampered hash": {"Authorization": "tma " + tampered},
        "wrong bot token": dashboard.auth(COORDINATOR_ID, token="987654321:ANOTHER-BOTS-TOKEN"),
        "stale": dashboard.auth(COORDINATOR_ID, at=DEMO_NOW - timedelta(hours=2)),
    }
    school = (
        await (await client.get("/app/api/schools", headers=dashboard.auth(COORDINATOR_ID))).json()
    )["schools"][0]
    for why, headers in refused.items():
        for path in [*GETS, f"schools/{school['id']}"]:
            response = await client.get("/app/api/" + path, headers=headers)
            assert response.status == 401, (why, path)
            assert await response.json() == {"error": "unauthorized"}
        response = await client.post("/app/api/reports/1/review", headers=headers, json={})
        assert response.status == 401, why
    # A valid signature of someone the bot does not know: nothing either.
    for path in GETS:
        response = await client.get("/app/api/" + path, headers=dashboard.auth(STRANGER_ID))
        assert response.status == 403


async def test_the_page_carries_a_strict_policy_and_no_data(dashboard: Dashboard) -> None:
    response = await dashboard.client.get("/app/")
    assert response.status == 200
    page = await response.text()
    assert "Панель «500+»" in page and "СШ № 17" not in page
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self' https://telegram.org" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for name in ["app.js", "app.css"]:
        assert (await dashboard.client.get("/app/" + name)).status == 200
    assert (await dashboard.client.get("/app/../bot/config.py")).status == 404


# -- scope --------------------------------------------------------------------------------


async def test_a_coordinator_of_another_municipality_sees_nothing_here(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    client = dashboard.client
    outsider = dashboard.auth(OUTSIDER_ID)
    async with session_factory() as session:
        school_ids = list(await session.scalars(select(School.id)))
        report_id = await session.scalar(
            select(ProgressReport.id).where(ProgressReport.review_state == ReviewState.PENDING)
        )
    assert (await (await client.get("/app/api/schools", headers=outsider)).json())["schools"] == []
    assert (await (await client.get("/app/api/events", headers=outsider)).json())["events"] == []
    charts = await (await client.get("/app/api/charts", headers=outsider)).json()
    assert charts["visits_by_curator"] == []
    assert {week["overdue"] for week in charts["overdue_by_week"]} == {0}
    # Every school of the demo, a missing id and nonsense: the same 403, nothing told.
    for school_id in [*school_ids, max(school_ids) + 1000, "abc", "-1", "9" * 40]:
        response = await client.get(f"/app/api/schools/{school_id}", headers=outsider)
        assert (response.status, await response.json()) == (403, {"error": "forbidden"})
    for forged in [report_id, 999_999]:
        response = await client.post(
            f"/app/api/reports/{forged}/review", headers=outsider, json={"decision": "accept"}
        )
        assert response.status == 403, forged
        assert await response.json() == {"error": "forbidden"}
    async with session_factory() as session:
        report = await session.get(ProgressReport, report_id)
        assert report is not None and report.review_state == ReviewState.PENDING


# -- data equals the services' ------------------------------------------------------------


async def test_the_table_is_the_summary_of_the_municipality(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    body = await (
        await dashboard.client.get("/app/api/schools", headers=dashboard.auth(COORDINATOR_ID))
    ).json()
    rows = {row["name"]: row for row in body["schools"]}
    async with session_factory() as session:
        actor = await load_actor(session, COORDINATOR_ID, TODAY)
        assert actor is not None and actor.has(Role.MUNICIPAL_COORDINATOR)
        expected = await summarize(session, actor, TODAY)
    assert body["today"] == "2026-11-24"
    assert list(rows) == [row.name for row in expected]
    assert len(rows) == 7
    for summary in expected:
        row = rows[summary.name]
        assert (row["done"], row["total"], row["overdue"], row["waiting"]) == (
            summary.accepted,
            summary.total,
            summary.overdue,
            summary.waiting_review,
        )
        assert row["days_since_visit"] == summary.days_since_visit
        assert row["curators"] == summary.curators
    # The numbers /summary shows in the chat for the same demo (tests/e2e/test_demo_activity).
    assert (rows["СШ № 60"]["done"], rows["СШ № 60"]["total"], rows["СШ № 60"]["overdue"]) == (
        7,
        25,
        8,
    )
    assert rows["СШ № 60"]["waiting"] == 1
    assert (rows["СШ № 35"]["done"], rows["СШ № 35"]["overdue"]) == (3, 4)


async def test_the_school_page_shows_the_roadmap_visits_and_people(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        school = await school_named(session, "Лицей № 9")
    page = await (
        await dashboard.client.get(
            f"/app/api/schools/{school.id}", headers=dashboard.auth(COORDINATOR_ID)
        )
    ).json()
    assert page["name"] == "Лицей № 9" and page["can_review"] is False
    items = [item for section in page["sections"] for item in section["items"]]
    assert len(items) == 13
    assert sum(item["status"] == "done" for item in items) == 6
    assert sum(item["overdue"] for item in items) == 1
    pending = [item for item in items if item["pending_report_id"]]
    assert len(pending) == 1
    assert "https://licey9.kamensk.example/500plus/protokol-pedsoveta.pdf" in pending[0]["links"]
    assert pending[0]["history"][-1]["what"] == "submitted"
    async with session_factory() as session:
        actor = await load_actor(session, COORDINATOR_ID, TODAY)
        assert actor is not None
        for item in items:  # the same lines /roadmap's history shows
            lines = await item_history(session, actor, item["id"])
            assert item["history"] == [
                {"at": line.at.isoformat(), "who": line.who, "what": line.what, "text": line.text}
                for line in lines
            ]
    assert any(item["history"] for item in items if item["status"] == "done")
    assert page["visits"] and all(visit["curator"] for visit in page["visits"])
    # The school's staff from the directory; none of them has opened the bot in the demo.
    assert page["people"] and all(person["role"] == "school_staff" for person in page["people"])
    assert not any(person["connected"] for person in page["people"])


async def test_a_curator_accepts_and_returns_from_the_school_page(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    client = dashboard.client
    async with session_factory() as session:
        lyceum = await school_named(session, "Лицей № 9")
    page = await (
        await client.get(f"/app/api/schools/{lyceum.id}", headers=dashboard.auth(CURATOR_ID))
    ).json()
    assert page["can_review"] is True
    mine = next(
        item["pending_report_id"]
        for section in page["sections"]
        for item in section["items"]
        if item["pending_report_id"]
    )
    # A coordinator may look but not decide (the bot's /review is the curator's).
    response = await client.post(
        f"/app/api/reports/{mine}/review",
        headers=dashboard.auth(COORDINATOR_ID),
        json={"decision": "accept"},
    )
    assert response.status == 403
    # Returning needs a comment; a bad body is refused; neither writes anything.
    curator = dashboard.auth(CURATOR_ID)
    url = f"/app/api/reports/{mine}/review"
    response = await client.post(url, headers=curator, json={"decision": "return"})
    assert (response.status, await response.json()) == (
        409,
        {"error": "roadmap_return_needs_comment"},
    )
    for body in ["[]", "{", '{"decision": "maybe"}', '{"decision": "accept", "comment": 5}']:
        response = await client.post(url, headers=curator, data=body)
        assert response.status == 409, body
    response = await client.post(url, headers=curator, json={"decision": "accept"})
    assert (response.status, await response.json()) == (
        200,
        {"report_id": mine, "state": "accepted"},
    )
    again = await client.post(url, headers=curator, json={"decision": "return", "comment": "x"})
    assert (again.status, await again.json()) == (409, {"error": "roadmap_report_reviewed"})
    async with session_factory() as session:
        audit = list(
            await session.scalars(
                select(AuditRecord).where(
                    AuditRecord.object_id == mine, AuditRecord.object_type == "progress_report"
                )
            )
        )
    assert [entry.action for entry in audit] == ["roadmap.report_accepted"]
    # A report at a school she does not curate: the same answer as one that does not exist.
    async with session_factory() as session:
        foreign_reports = list(
            await session.scalars(
                select(ProgressReport.id)
                .join(RoadmapItem, RoadmapItem.id == ProgressReport.item_id)
                .join(Roadmap, Roadmap.id == RoadmapItem.roadmap_id)
                .join(School, School.id == Roadmap.school_id)
                .where(
                    School.short_name.not_in(["СШ № 17", "Лицей № 9"]),
                    ProgressReport.review_state == ReviewState.PENDING,
                )
            )
        )
    assert foreign_reports
    for foreign in [*foreign_reports, 999_999]:
        response = await client.post(
            f"/app/api/reports/{foreign}/review", headers=curator, json={"decision": "accept"}
        )
        assert (response.status, await response.json()) == (403, {"error": "forbidden"})
    table = await (await client.get("/app/api/schools", headers=curator)).json()
    assert {row["name"] for row in table["schools"]} == {"СШ № 17", "Лицей № 9"}
    assert next(r for r in table["schools"] if r["name"] == "Лицей № 9")["waiting"] == 0


async def test_the_bots_own_server_serves_the_app_in_polling_mode(
    session_factory: SessionFactory, engine
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    miniapp = MiniApp(session_factory, FAKE_TOKEN, "Asia/Yekaterinburg", now=lambda: DEMO_NOW)
    server = BotServer(Health(engine), "127.0.0.1", port, miniapp=miniapp)
    await server.start()
    try:
        async with ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/app/") as response:
                assert response.status == 200
                assert "Content-Security-Policy" in response.headers
            async with http.get(f"http://127.0.0.1:{port}/app/api/schools") as response:
                assert response.status == 401
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
    finally:
        await server.stop()


async def test_charts_agree_with_the_table_and_the_visits(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    headers = dashboard.auth(COORDINATOR_ID)
    table = await (await dashboard.client.get("/app/api/schools", headers=headers)).json()
    charts = await (await dashboard.client.get("/app/api/charts", headers=headers)).json()
    # This week's bar is today's overdue count, the table's sum.
    assert charts["overdue_by_week"][-1] == {
        "week_end": "2026-11-24",
        "overdue": sum(row["overdue"] for row in table["schools"]),
    }
    assert len(charts["overdue_by_week"]) == 8
    assert charts["months"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    async with session_factory() as session:
        visits = list(
            await session.execute(
                select(Person.full_name, Visit.visit_date)
                .join(Person, Person.id == Visit.curator_person_id)
                .where(Visit.deleted_at.is_(None), Visit.visit_date >= date(2026, 6, 1))
            )
        )
    expected: dict[str, list[int]] = {}
    for name, day in visits:
        counts = expected.setdefault(name, [0] * 6)
        counts[charts["months"].index(day.strftime("%Y-%m"))] += 1
    assert {row["curator"]: row["counts"] for row in charts["visits_by_curator"]} == expected
    assert sum(map(sum, expected.values())) > 0


async def test_the_bot_serves_the_app_only_when_configured(engine) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import _http_server
    from bot.config import load_settings

    base = {"_env_file": None, "telegram_bot_token": FAKE_TOKEN}
    polling = _http_server(
        load_settings(**base, miniapp_url="https://bot.example.ru/app/", miniapp_port=8099), engine
    )
    assert polling is not None and polling.port == 8099 and polling.miniapp is not None
    assert _http_server(load_settings(**base, miniapp_port=8099), engine) is None
    webhook = _http_server(
        load_settings(
            **base,
            webhook_enabled=True,
            webhook_url="https://bot.example.ru/tg/hook",
            webhook_secret="A" * 16 + "b" * 16,
            miniapp_url="https://bot.example.ru/app/",
        ),
        engine,
    )
    assert webhook is not None and webhook.miniapp is not None and webhook.webhook_path


async def test_events_with_registrations_and_attendance_in_scope(
    dashboard: Dashboard, session_factory: SessionFactory
) -> None:
    async with session_factory() as session:
        town = await session.scalar(select(Municipality).where(Municipality.name.like("Каменск%")))
        assert town is not None
        people = list(await session.scalars(select(Person.id).limit(3)))
        event = Event(
            municipality_id=town.id,
            format="seminar",
            title="Семинар «Функциональная грамотность»",
            starts_at=DEMO_NOW - timedelta(days=3),
            status=EventStatus.FINISHED,
        )
        draft = Event(
            municipality_id=town.id,
            format="seminar",
            title="Черновик",
            starts_at=DEMO_NOW + timedelta(days=3),
            status=EventStatus.DRAFT,
        )
        session.add_all([event, draft])
        await session.flush()
        for person_id, attended in zip(people, [True, True, None], strict=True):
            session.add(
                EventRegistration(
                    event_id=event.id,
                    person_id=person_id,
                    state=RegistrationState.REGISTERED,
                    attended=attended,
                )
            )
        await session.commit()
    client = dashboard.client
    body = await (
        await client.get("/app/api/events", headers=dashboard.auth(COORDINATOR_ID))
    ).json()
    rows = {row["title"]: row for row in body["events"]}
    assert rows["Семинар «Функциональная грамотность»"]["registered"] == 3
    assert rows["Семинар «Функциональная грамотность»"]["attended"] == 2
    assert "Черновик" in rows  # the coordinator manages drafts
    outsider = await (
        await client.get("/app/api/events", headers=dashboard.auth(OUTSIDER_ID))
    ).json()
    assert outsider["events"] == []
    curator = await (await client.get("/app/api/events", headers=dashboard.auth(CURATOR_ID))).json()
    assert "Черновик" not in {row["title"] for row in curator["events"]}
