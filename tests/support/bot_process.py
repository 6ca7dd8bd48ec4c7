"""`python -m bot …` as real processes against the fake Bot API, for the production tests."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.fake_bot_api import FakeTelegram
from bot.models import utcnow

# A developer's or CI's own settings must not leak into the process under test.
_FOREIGN_PREFIXES = ("TELEGRAM_", "ADMIN_", "WEBHOOK_", "HEALTH_")


def bot_env(fake: FakeTelegram, database_url: str, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_PREFIXES)}
    return {
        **clean,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "BOT_USERNAME": fake.bot_username,
        "LOG_LEVEL": "INFO",
        **extra,
    }


def a_zone_where_it_is_midday() -> str:
    """The sender holds reminders during the recipient's quiet hours (21:00-08:00 local);
    a test must not depend on the hour CI happens to run."""
    hour = utcnow().hour
    offset = (12 - hour + 12) % 24 - 12  # -12..11 hours from UTC to local noon
    # POSIX-style names invert the sign: Etc/GMT-5 is UTC+5.
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


class BotProcess:
    """One `python -m bot run`; its log goes to a file, so a chatty process never blocks
    on a full pipe and the log survives a SIGKILL for the assertions."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process, self.log_path = process, log_path

    @classmethod
    async def start(
        cls, env: dict[str, str], cwd: Path, *args: str, log_name: str = "bot"
    ) -> BotProcess:
        log_path = _unused(cwd / f"{log_name}.log")
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", *args, cwd=cwd, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        return cls(process, log_path)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no flush, no 'sent' mark."""
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    async def interrupt(self, limit: float = 30) -> int:
        """SIGINT, as systemd or Ctrl+C would; the exit code (killed if it hangs)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return await asyncio.wait_for(self.process.wait(), limit)
        except TimeoutError:
            await self.kill()
            raise


def _unused(path: Path) -> Path:
    number = 1
    candidate = path
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


async def seed_demo(env: dict[str, str], cwd: Path) -> str:
    """`python -m bot seed-demo --minimal`; its output lists an invite link per person.

    Minimal: these tests count every visit and notification the bot makes, so the living
    demo's history (roadmaps, reports, visits) stays out of them."""
    seeded = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "seed-demo", "--minimal", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await seeded.communicate()
    assert seeded.returncode == 0, err.decode()
    return out.decode()


def invite_token(seed_output: str, person: str) -> str:
    found = re.search(rf"{re.escape(person)} .*start=([\w-]+)", seed_output)
    assert found is not None, f"no invite for {person} in:\n{seed_output}"
    return found.group(1)
