"""`backup`/`restore` on PostgreSQL: the password reaches pg_dump/pg_restore through the
environment, never the command line (which every local user can read in `ps`)."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
from pathlib import Path

import asyncpg
import pytest

from tests.cli.test_command_line import run_cli
from tests.support import databases

PASSWORD = "Pa55-Secret-Word-in-URL"  # trust auth ignores it; the tools must still get it


def _spy(folder: Path, tool: str) -> None:
    """A `tool` on PATH that records its argv and PGPASSWORD, then runs the real one."""
    real = shutil.which(tool)
    assert real is not None, f"{tool} is needed for this test"
    script = folder / tool
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "{tool} $*" >> "{folder}/argv.log"\n'
        f'printf "%s\\n" "{tool} PGPASSWORD=$PGPASSWORD" >> "{folder}/env.log"\n'
        f'exec "{real}" "$@"\n'
    )
    script.chmod(0o700)


async def _count_people(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM people"))
    finally:
        await connection.close()


async def _forget_everyone(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("TRUNCATE people CASCADE")
    finally:
        await connection.close()


@pytest.mark.slow
def test_postgres_backup_and_restore_keep_the_password_off_the_command_line(
    tmp_path: Path,
) -> None:
    if "postgresql" not in databases.selected_databases():
        pytest.skip("PostgreSQL left out by TEST_DATABASES")
    spies = tmp_path / "bin"
    spies.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        _spy(spies, tool)
    name = databases.create_empty_postgres_database()
    try:
        url = databases.url_of(name).replace("postgres@", f"postgres:{PASSWORD}@", 1)
        plain = url.replace("+asyncpg", "", 1)
        env = {"DATABASE_URL": url, "BOT_USERNAME": "demo_bot"}
        env["PATH"] = f"{spies}{os.pathsep}{os.environ['PATH']}"
        assert run_cli("seed-demo", env=env, cwd=tmp_path).returncode == 0
        people = asyncio.run(_count_people(plain))
        assert people > 0

        made = run_cli("backup", "--to", str(tmp_path / "b" / "copy"), env=env, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        copy = tmp_path / "b" / "copy.dump"
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700

        asyncio.run(_forget_everyone(plain))
        back = run_cli("restore", "--from", str(copy), env=env, cwd=tmp_path)
        assert back.returncode == 0, back.stderr
        assert asyncio.run(_count_people(plain)) == people
    finally:
        databases.drop_postgres_database(name)
    argv = (spies / "argv.log").read_text()
    assert "pg_dump --format=custom" in argv and "pg_restore --clean" in argv
    assert PASSWORD not in argv
    assert (spies / "env.log").read_text().count(f"PGPASSWORD={PASSWORD}") == 2
    assert PASSWORD not in made.stdout + made.stderr + back.stdout + back.stderr
