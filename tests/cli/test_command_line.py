"""The command line as an operator meets it: bad configuration, no token, demo data, invites."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.support import databases
from tests.support.personas import GAREEVA, SMIRNOVA

INVITE_LINK = re.compile(r"https://t\.me/demo_bot\?start=([A-Za-z0-9_-]{20,64})")


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    clean["PYTHONPATH"] = str(PROJECT_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,  # a folder without .env, so a developer's .env cannot leak in
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_configuration_names_every_variable_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(
        "run",
        env={
            "ADMIN_TELEGRAM_IDS": "12,abc",
            "DEFAULT_TIMEZONE": "Mars/Olympus",
            "DATABASE_URL": "mysql://nope",
            "TELEGRAM_BOT_TOKEN": "not-a-token",
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    for variable in (
        "ADMIN_TELEGRAM_IDS",
        "DEFAULT_TIMEZONE",
        "DATABASE_URL",
        "TELEGRAM_BOT_TOKEN",
    ):
        assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert "not-a-token" not in result.stderr + result.stdout


def test_run_without_token_explains_botfather_and_sandbox(tmp_path: Path) -> None:
    result = run_cli(
        "run", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/b.db"}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "python -m bot sandbox" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "BOT_USERNAME": "demo_bot"}


def test_seed_demo_twice_changes_nothing(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    first = run_cli("seed-demo", env=sqlite_env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli("seed-demo", env=sqlite_env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    first_links = INVITE_LINK.findall(first.stdout)
    # 1 regional + 2 municipal coordinators + 6 curators + 7 school directors
    assert len(first_links) == 16
    assert INVITE_LINK.findall(second.stdout) == first_links
    assert f"{SMIRNOVA} — куратор" in first.stdout
    assert f"{GAREEVA} — управленческая команда школы (СШ № 17)" in first.stdout
    # The living demo: roadmaps, reports, visits and risk profiles, once.
    assert "дорожных карт — 7 (пунктов — 115, отчётов — 66), посещений — 21" in first.stdout
    assert "ничего не добавлено" in second.stdout


def test_seed_demo_minimal_leaves_the_living_part_for_a_later_run(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    minimal = run_cli("seed-demo", "--minimal", env=sqlite_env, cwd=tmp_path)
    assert minimal.returncode == 0, minimal.stderr
    assert "Добавлено для демо-школ" not in minimal.stdout
    full = run_cli("seed-demo", env=sqlite_env, cwd=tmp_path)
    assert "дорожных карт — 7" in full.stdout, full.stdout


def test_invite_command_prints_a_link_or_explains(
    tmp_path: Path, sqlite_env: dict[str, str]
) -> None:
    assert run_cli("seed-demo", env=sqlite_env, cwd=tmp_path).returncode == 0
    ok = run_cli("invite", "--role", "curator", "--scope", "сш 17", env=sqlite_env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert INVITE_LINK.fullmatch(ok.stdout.strip())
    unknown = run_cli(
        "invite", "--role", "school_staff", "--scope", "гимназия 99", env=sqlite_env, cwd=tmp_path
    )
    assert unknown.returncode == 1
    assert "Не найдено" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_run_refuses_an_unmigrated_postgresql_database(tmp_path: Path) -> None:
    if "postgresql" not in databases.selected_databases():
        pytest.skip("PostgreSQL left out by TEST_DATABASES")
    name = databases.create_empty_postgres_database()
    try:
        url = databases.url_of(name)
        result = run_cli(
            "run",
            env={"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP"},
            cwd=tmp_path,
        )
    finally:
        databases.drop_postgres_database(name)
    assert result.returncode == 2
    assert "python -m bot migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_sandbox_lets_a_person_chat_and_press_buttons(tmp_path: Path) -> None:
    env = {"SANDBOX_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/sandbox.db"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ADMIN_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--as", "Смирнова"],
        env={**clean, "PYTHONPATH": str(PROJECT_ROOT), **env},
        cwd=tmp_path,
        input="/start\n/visit\n!1\n!quit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"Вы — {SMIRNOVA}" in result.stdout
    assert f"С возвращением, {SMIRNOVA}" in result.stdout
    assert "[1] Лицей № 9" in result.stdout
    assert "Когда было посещение?" in result.stdout  # the button press reached the bot
    assert "Traceback" not in result.stderr


def test_backup_and_restore_of_sqlite(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    seeded = run_cli("seed-demo", env=sqlite_env, cwd=tmp_path)
    assert seeded.returncode == 0
    result = run_cli("backup", "--to", str(tmp_path / "copy"), env=sqlite_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "copy.sqlite3"
    assert copy.exists()
    (tmp_path / "bot.db").unlink()
    copy.rename(tmp_path / "bot.db")  # restore: put the copy back in place
    again = run_cli("seed-demo", env=sqlite_env, cwd=tmp_path)
    assert again.returncode == 0
    # Same people, same open invites: the restored database is the one backed up.
    assert INVITE_LINK.findall(again.stdout) == INVITE_LINK.findall(seeded.stdout)
