"""/directory with hostile input at its file steps: nothing is written before «Применить»,
and a cancelled conversation leaves no draft. One bot serves all examples."""

from __future__ import annotations

from hypothesis import given
from sqlalchemy import func, select

from bot.db import SessionFactory
from bot.handlers.directory.directory import DRAFT
from bot.models import School
from bot.seed import kamensk_2022 as seed
from tests.support.directory_files import RegionBook
from tests.support.harness import BotHarness
from tests.support.hostile import ErrorLog, Hostile, Walk, hostile_inputs, one_bot, with_classics
from tests.support.personas import COORDINATOR

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _one_new_school() -> bytes:
    book = RegionBook()
    book.schools = [
        ["Полное наименование", "Муниципалитет", "ШНОР"],
        ["Средняя школа № 99", seed.MUNICIPALITY, "да"],
    ]
    return book.xlsx()


async def _schools(factory: SessionFactory) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count(School.id))) or 0)


@one_bot(max_examples=25)
@with_classics()
@given(value=hostile_inputs())
async def test_directory_steps_answer_hostile_input_safely(
    demo: BotHarness, session_factory: SessionFactory, logged_errors: ErrorLog, value: Hostile
) -> None:
    coordinator = await demo.login(COORDINATOR)
    before = await _schools(session_factory)
    walk = Walk(demo, coordinator, value, logged_errors)
    await walk.begin("/directory")
    await walk.step(
        "file",
        valid=lambda: demo.send_document(coordinator, "spravochnik.xlsx", _one_new_school(), XLSX),
    )
    await walk.step("preview")
    assert await _schools(session_factory) == before  # nothing before «Применить»
    walk.check(await demo.send(coordinator, "/cancel"), "cancel")
    await walk.assert_no_draft(DRAFT)
