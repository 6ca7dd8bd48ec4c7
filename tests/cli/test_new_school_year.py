"""`python -m bot new-school-year 2027/28 [--dry-run]` as an operator runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.school_year import SchoolYear
from tests.cli.test_command_line import run_cli
from tests.support import databases
from tests.support.personas import SMIRNOVA


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": databases.sqlite_url(tmp_path / "bot.db"), "BOT_USERNAME": "demo_bot"}


def test_new_school_year_dry_run_then_once(tmp_path: Path, sqlite_env: dict[str, str]) -> None:
    assert run_cli("seed-demo", env=sqlite_env, cwd=tmp_path).returncode == 0
    current = SchoolYear.containing(datetime.now(UTC).date())
    target = current.next().label

    dry = run_cli("new-school-year", target, "--dry-run", env=sqlite_env, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert f"Пробный прогон, ничего не записано. Переход {current.label} → {target}." in dry.stdout
    assert "Назначения продолжаются: 7" in dry.stdout
    assert f"{SMIRNOVA} — Лицей № 9" in dry.stdout

    real = run_cli("new-school-year", target, env=sqlite_env, cwd=tmp_path)
    assert real.returncode == 0, real.stderr
    assert "Пробный прогон" not in real.stdout and "Назначения продолжаются: 7" in real.stdout

    again = run_cli("new-school-year", target, env=sqlite_env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Назначения продолжаются: 0" in again.stdout
    assert "Уже перенесены раньше: 7" in again.stdout
    assert "Ничего не изменилось" in again.stdout


@pytest.mark.parametrize("year", ["2027/29", "когда-нибудь", "2040/41"])
def test_new_school_year_refuses_a_wrong_year(
    tmp_path: Path, sqlite_env: dict[str, str], year: str
) -> None:
    result = run_cli("new-school-year", year, env=sqlite_env, cwd=tmp_path)
    assert result.returncode == 1
    assert "учебный год" in result.stderr
    assert "Traceback" not in result.stderr
