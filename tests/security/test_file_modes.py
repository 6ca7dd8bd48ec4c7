"""Files with personal data are private to the service user: 0600 files in 0700 folders."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeTelegram
from tests.cli.test_command_line import run_cli
from tests.support.bot_process import BotProcess, bot_env
from tests.support.databases import sqlite_url

TOKEN = "555001:FILE-MODES-TEST-TOKEN"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class LenientUmask:
    """The parent's umask as a careless shell would leave it; the bot must not rely on it."""

    def __enter__(self) -> None:
        self.previous = os.umask(0o022)

    def __exit__(self, *_: object) -> None:
        os.umask(self.previous)


@pytest.mark.slow
async def test_running_bot_keeps_database_wal_shm_and_leader_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "bot.sqlite3"
    async with FakeTelegram(token=TOKEN, bot_username="modes_bot") as fake:
        env = bot_env(fake, sqlite_url(database))
        with LenientUmask():
            process = await BotProcess.start(env, tmp_path)
        try:
            await fake.wait_for(lambda: fake.stats["getUpdates"] > 0, limit=60)
            user = fake.user(7001, first_name="Гость")
            fake.send_text(user, "/start")  # a write: the WAL and SHM exist from here
            await fake.wait_for(lambda: bool(fake.messages_to(user.id)), limit=30)
            files = {
                suffix: database.with_name(database.name + suffix)
                for suffix in ("", "-wal", "-shm", ".leader")
            }
            for suffix, path in files.items():
                assert path.exists(), suffix
                assert mode(path) == 0o600, (suffix, oct(mode(path)))
            assert mode(data) == 0o700
        finally:
            code = await process.interrupt()
        assert code == 0, process.log()[-2000:]


@pytest.mark.slow
def test_files_left_readable_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"DATABASE_URL": sqlite_url(data / "bot.db"), "BOT_USERNAME": "demo_bot"}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    data.chmod(0o755)
    (data / "bot.db").chmod(0o644)
    (data / "bot.db.leader").write_text("")
    (data / "bot.db.leader").chmod(0o644)
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    assert mode(data) == 0o700
    assert mode(data / "bot.db") == 0o600
    assert mode(data / "bot.db.leader") == 0o600


@pytest.mark.slow
def test_backups_are_private(tmp_path: Path) -> None:
    env = {"DATABASE_URL": sqlite_url(tmp_path / "bot.db"), "BOT_USERNAME": "demo_bot"}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    with LenientUmask():
        result = run_cli("backup", "--to", str(tmp_path / "backups" / "b"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "backups") == 0o700
    assert mode(tmp_path / "backups" / "b.sqlite3") == 0o600


def test_systemd_units_set_a_private_umask() -> None:
    units = sorted((Path(__file__).parents[2] / "deploy").glob("*.service"))
    assert len(units) == 2
    for unit in units:
        assert "\nUMask=0077\n" in unit.read_text(encoding="utf-8"), unit.name
