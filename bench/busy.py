"""One busy person never holds up everyone else: a third user's latency while one user
uploads the largest allowed roadmap file and another floods (issue 15).

    python -m bench.busy --db sqlite --seconds 20
    python -m bench.busy --db postgresql --seconds 20

The bot runs as in production (per-chat lanes, flood control at its default limits) in a
process of its own (`bench.update_bot strict`), polling the fake Bot API. Over the run:

- the uploader (school staff) sends /import and a roadmap XLSX just under the 2 MB limit
  (1,000 rows, 20 columns of text), again and again, each once the previous preview came,
  with /cancel and a second's look at the preview between cycles: three messages in a
  cycle back to back kept up past the flood limit (3 a second) on a fast machine, and the
  uploader was told to slow down like the flooder;
- the flooder sends 20 messages a second (200 in 10 s, as in the issue);
- the measured user runs the curator script of bench.updates (commands, the visit form,
  presses) with a think time of about 0.3 s, each step timed from being queued at the fake
  API to the bot reporting it handled.

Printed: the measured user's p50/p99/max (and when the slowest step was sent, seconds into
the run), uploads done and their mean time, what the flooder got (answers, «slow down»
notices).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import time

from openpyxl import Workbook
from sqlalchemy import select

from bench.fanout import _database, _drop
from bench.updates import SCRIPT, TOKEN, BotProcess, _step
from bot import texts
from bot.db import make_engine, make_session_factory
from bot.fake_bot_api import FakeTelegram
from bot.models import Role, TelegramAccount
from bot.schema import upgrade_to_head
from bot.services.tables import Limits
from tests.support.factories import make_municipality, make_person, make_school

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOADER_PAUSE = 1.0  # seconds between cycles: a person, within the flood limit
LETTERS = "абвгдеёжзийклмнопрстуфхцчшщыэюя "


def largest_allowed_xlsx(limit: int = Limits().file_bytes) -> bytes:
    """A roadmap of 1,000 rows and 20 columns whose cells grow until the file is ~95 % of
    the limit: every row read, every column kept by the importer's limits."""
    rnd = random.Random(15)
    length, content = 40, b""
    for _ in range(8):
        book = Workbook()
        sheet = book.active
        sheet.append(
            ["№", "Мероприятие", "Срок", "Ответственный", "Фактор риска"]
            + [f"Примечание {n}" for n in range(15)]
        )
        for row in range(1, 1001):
            words = ["".join(rnd.choice(LETTERS) for _ in range(length)) for _ in range(18)]
            sheet.append([row, words[0], "01.03.2027", *words[1:]])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
        if 0.9 * limit <= len(content) <= limit:
            break
        length = max(1, int(length * 0.95 * limit / len(content)))
    assert len(content) <= limit, len(content)
    return content


async def _people(url: str) -> list[int]:
    engine = make_engine(url)
    async with make_session_factory(engine)() as session:
        city = await make_municipality(session)
        schools = [await make_school(session, city) for _ in range(3)]
        people = [
            await make_person(session, Role.SCHOOL_STAFF, municipality=city, school=schools[0]),
            await make_person(session, Role.CURATOR, municipality=city, curated=[schools[1]]),
            await make_person(session, Role.CURATOR, municipality=city, curated=[schools[2]]),
        ]
        await session.commit()
        accounts = {
            account.person_id: account.telegram_user_id
            for account in await session.scalars(select(TelegramAccount))
        }
        ids = [accounts[person.id] for person in people]  # uploader, flooder, measured
    await engine.dispose()
    return ids


async def run(
    url: str, seconds: float, flood_rate: float, without: tuple[str, ...] = ()
) -> dict[str, object]:
    ids = await _people(url)
    content = largest_allowed_xlsx()
    async with FakeTelegram(token=TOKEN) as fake:
        bot = BotProcess("strict", fake, url)
        await bot.start()
        try:
            uploader, flooder, measured = (fake.user(i, first_name="Участник") for i in ids)
            stop = asyncio.Event()
            uploads: list[float] = []
            latencies: list[float] = []
            at: list[float] = []  # when each measured step was queued, s from the start
            began = time.perf_counter()

            async def upload_loop() -> None:
                while not stop.is_set():
                    await bot.handled(fake.send_text(uploader, "/import"))
                    started = time.perf_counter()
                    await bot.handled(fake.send_document(uploader, "plan.xlsx", content, XLSX))
                    uploads.append(time.perf_counter() - started)
                    preview = fake.last_message(uploader.id)
                    assert preview is not None and "Мероприятий прочитано" in preview.text, preview
                    await bot.handled(fake.send_text(uploader, "/cancel"))
                    await asyncio.sleep(UPLOADER_PAUSE)  # a person reads the preview

            async def flood_loop() -> None:
                sent: list[int] = []
                while not stop.is_set():
                    sent.append(fake.send_text(flooder, "/help"))
                    await asyncio.sleep(1 / flood_rate)
                for update_id in sent:
                    await bot.handled(update_id)

            async def measured_loop() -> None:
                n = 0
                while not stop.is_set():
                    await asyncio.sleep(random.uniform(0.2, 0.4))  # a person's think time
                    queued = time.perf_counter()
                    await bot.handled(_step(fake, measured, SCRIPT[n % len(SCRIPT)]))
                    latencies.append(time.perf_counter() - queued)
                    at.append(queued - began)
                    n += 1

            jobs = {"upload": upload_loop, "flood": flood_loop, "measured": measured_loop}
            tasks = [
                asyncio.create_task(job()) for name, job in jobs.items() if name not in without
            ]
            await asyncio.sleep(seconds)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 120)
        finally:
            await bot.stop()
        to_flooder = [m.text for m in fake.messages_to(flooder.id)]
    ordered = sorted(latencies)
    return {
        "measured updates": len(ordered),
        "p50 ms": ordered[len(ordered) // 2] * 1000,
        "p99 ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max ms": ordered[-1] * 1000,
        "slowest at s": at[latencies.index(ordered[-1])],
        "uploads": len(uploads),
        "upload mean s": statistics.mean(uploads) if uploads else float("nan"),
        "file bytes": len(content),
        "flooder answers": sum(t != texts.SLOW_DOWN for t in to_flooder),
        "flooder notices": to_flooder.count(texts.SLOW_DOWN),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--flood-rate", type=float, default=20.0, help="flooder messages/s")
    parser.add_argument(
        "--without",
        choices=["upload", "flood"],
        action="append",
        default=[],
        help="leave a load out, to see what the latency comes from",
    )
    args = parser.parse_args()
    url, name = await _database(args.db)
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        result = await run(url, args.seconds, args.flood_rate, tuple(args.without))
    finally:
        await _drop(name)
    left_out = f"; without {', '.join(args.without)}" if args.without else ""
    print(f"database: {args.db}; {args.seconds:g} s; flooder {args.flood_rate:g} msg/s{left_out}")
    for key, value in result.items():
        print(f"{key:>18}: {value:.1f}" if isinstance(value, float) else f"{key:>18}: {value}")


if __name__ == "__main__":
    asyncio.run(main())
