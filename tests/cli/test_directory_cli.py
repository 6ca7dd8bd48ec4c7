"""`python -m bot import-directory FILE.xlsx [--dry-run]` as an operator runs it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.services.directory import read_directory
from tests.cli.test_command_line import run_cli
from tests.support.directory_files import region_book

LINK = re.compile(r"^(.+) — (.+) \((.+)\): https://t\.me/demo_bot\?start=[A-Za-z0-9_-]{20,64}$")


def _env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "BOT_USERNAME": "demo_bot"}


def test_dry_run_then_apply_then_a_second_apply_changes_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (tmp_path / "region.xlsx").write_bytes(region_book().xlsx(title_rows=True))
    dry = run_cli("import-directory", "region.xlsx", "--dry-run", env=env, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Школы: новых 32, изменённых 0, без изменений 0, отклонено 0" in dry.stdout
    assert "ничего не изменено" in dry.stdout
    assert "https://t.me" not in dry.stdout

    applied = run_cli("import-directory", "region.xlsx", env=env, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "Школы: новых 32" in applied.stdout  # the dry run left nothing behind
    links = [LINK.match(line) for line in applied.stdout.splitlines() if "t.me" in line]
    assert len(links) == 14 and all(links)
    assert "Куратова-1 Мария Ивановна — куратор (Северный городской округ)" in applied.stdout

    again = run_cli("import-directory", "region.xlsx", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Школы: новых 0, изменённых 0, без изменений 32, отклонено 0" in again.stdout
    assert "менять нечего" in again.stdout
    link_lines = [line for line in applied.stdout.splitlines() if "t.me" in line]
    assert [line for line in again.stdout.splitlines() if "t.me" in line] == link_lines


def test_a_refused_file_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    book = region_book()
    book.municipalities[2][2] = "МСК+15"
    (tmp_path / "bad.xlsx").write_bytes(book.xlsx())
    refused = run_cli("import-directory", "bad.xlsx", env=env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "Муниципалитеты, строка 3: часового пояса «МСК+15» нет в России" in refused.stdout
    assert "Файл не будет применён" in refused.stdout
    assert "https://t.me" not in refused.stdout
    assert "Traceback" not in refused.stderr
    (tmp_path / "good.xlsx").write_bytes(region_book().xlsx())
    dry = run_cli("import-directory", "good.xlsx", "--dry-run", env=env, cwd=tmp_path)
    assert "Школы: новых 32" in dry.stdout  # the refused file wrote nothing


def test_a_file_that_is_not_a_workbook_is_explained(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("ФИО;Роль\n", encoding="utf-8")
    result = run_cli("import-directory", "list.csv", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "Нужен файл XLSX" in result.stderr
    missing = run_cli("import-directory", "nope.xlsx", env=_env(tmp_path), cwd=tmp_path)
    assert missing.returncode == 1
    assert "Не удалось прочитать файл nope.xlsx" in missing.stderr
    assert "Traceback" not in result.stderr + missing.stderr


def test_export_directory_writes_the_template_and_the_round_trip(tmp_path: Path) -> None:
    env = _env(tmp_path)
    template = run_cli("export-directory", "шаблон.xlsx", "--template", env=env, cwd=tmp_path)
    assert template.returncode == 0, template.stderr
    book = read_directory((tmp_path / "шаблон.xlsx").read_bytes())
    assert book.problems == [] and all(len(rows) == 1 for rows in book.rows.values())
    (tmp_path / "region.xlsx").write_bytes(region_book().xlsx())
    assert run_cli("import-directory", "region.xlsx", env=env, cwd=tmp_path).returncode == 0
    exported = run_cli("export-directory", "out.xlsx", env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    back = run_cli("import-directory", "out.xlsx", "--dry-run", env=env, cwd=tmp_path)
    assert back.returncode == 0, back.stdout
    assert "Школы: новых 0, изменённых 0, без изменений 32, отклонено 0" in back.stdout
    assert "Кураторы: новых 0, изменённых 0, без изменений 20, отклонено 0" in back.stdout
