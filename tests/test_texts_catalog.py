"""The catalog's shape: bot/texts is a package of feature modules behind one namespace."""

from __future__ import annotations

import ast
import importlib
import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts

PACKAGE = Path(texts.__file__).parent


def _defined_names() -> dict[str, list[str]]:
    """Public names each feature module defines at its top level → the modules defining them."""
    owners: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                targets = [node.name]
            elif isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                targets = [node.target.id]
            else:
                continue
            for name in targets:
                if not name.startswith("_"):
                    owners.setdefault(name, []).append(path.stem)
    return owners


def test_every_public_name_is_reexported_from_the_package() -> None:
    for name, modules in _defined_names().items():
        module = importlib.import_module(f"bot.texts.{modules[0]}")
        assert getattr(texts, name) is getattr(module, name), f"texts.{name}"


def test_a_name_lives_in_one_module_so_import_order_never_decides() -> None:
    shared = {name: where for name, where in _defined_names().items() if len(where) > 1}
    assert not shared, shared


def test_the_package_defines_nothing_itself() -> None:
    """New texts go into the feature module, not into __init__.py."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom"}, kinds


# ---------------------------------------------------------------- every error code has a message

BOT = PACKAGE.parent
# Calls whose first argument `refused.code` passes on a code some other raise site named
# (ImportRefused / TableRefused / ResultsRefused → DomainError): those sites are collected too.
FORWARDED_CODES = {"refused.code"}
# Codes only the Mini App's HTTP API raises: it answers {"error": code} as JSON (bot/miniapp/
# server.py) and never renders them through texts.error().
API_ONLY_CODES = {"too_large", "bad_request"}


def _raising_classes() -> set[str]:
    """Exceptions built from a catalog code: an __init__ whose first argument is `code: str`."""
    names = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args.args[1:2]
                    if args and args[0].arg == "code" and ast.unparse(args[0].annotation) == "str":
                        names.add(node.name)
    return names


def _raised_codes() -> tuple[dict[str, list[str]], list[str]]:
    """code → where it is raised; and the raise sites whose code is not a literal."""
    classes = _raising_classes()
    codes: dict[str, list[str]] = {}
    unknown: list[str] = []
    for path in sorted(BOT.rglob("*.py")):
        if PACKAGE in path.parents:
            continue
        where = str(path.relative_to(BOT.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            is_error_call = (
                name == "error" and isinstance(func, ast.Attribute) and _is_texts(func.value)
            )
            if name not in classes and not is_error_call:
                continue
            argument = node.args[0] if node.args else None
            for keyword in node.keywords:
                if keyword.arg == "code":
                    argument = keyword.value
            if argument is None:
                continue  # the class's default code, checked below
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                codes.setdefault(argument.value, []).append(f"{where}:{node.lineno}")
            elif not is_error_call and ast.unparse(argument) not in FORWARDED_CODES:
                unknown.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return codes, unknown


def _is_texts(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "texts"


def test_every_error_code_raised_in_bot_has_a_catalog_message() -> None:
    import inspect

    from bot.services import errors

    codes, unknown = _raised_codes()
    assert len(codes) > 50, "the AST walk found too few raise sites; is it still looking?"
    for cls in (errors.AccessDenied, errors.NotFound):
        default = inspect.signature(cls.__init__).parameters["code"].default
        codes.setdefault(default, []).append(f"{cls.__name__}()")
    missing = {
        code: sites
        for code, sites in codes.items()
        if code not in texts.ERRORS
        and not (code in API_ONLY_CODES and all(s.startswith("bot/miniapp/") for s in sites))
    }
    assert not missing, missing
    assert not unknown, (
        "a raise site builds its code at run time; name the code as a literal "
        "(or add the expression to FORWARDED_CODES if it passes on a collected code)",
        unknown,
    )


def test_an_unknown_error_code_is_logged_and_answered_generically(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.texts.errors"):
        assert texts.error("no_such_code_ever") == texts.INTERNAL_ERROR
    assert [r.getMessage() for r in caplog.records] == [
        "no catalog message for error code 'no_such_code_ever'"
    ]


def test_a_known_error_code_reads_unchanged() -> None:
    assert texts.error("access_denied") == "Нет доступа."
    assert texts.error("text_too_long", length=3, limit=2) == (
        "Слишком длинный текст: 3 символов, допустимо до 2."
    )


# ---------------------------------------------------------------- Russian words live in bot/texts

CYRILLIC = re.compile("[А-Яа-яЁё]")

# Whole files whose Russian is not the bot's chat: data, file formats, words parsed from files,
# or the operator's console. A file here may still hold a message that belongs in the catalog;
# the reason says which kind each is.
ALLOWED_FILES = {
    "bot/seed/kamensk_2022.py": "demo data: Kamensk-Uralsky 2022 schools, people, risk factors",
    "bot/seed/kamensk_roadmaps.py": "demo data: the schools' real roadmaps",
    "bot/seed/activity.py": "demo data: visits and reports of the demo schools",
    "bot/seed/loader.py": "demo data: the staff position the loader matches («директор»)",
    "bot/cli.py": "the operator's command line (stdout/stderr), not the bot's chat",
    "bot/config.py": "configuration errors for the operator at start-up",
    "bot/backup.py": "the operator's backup command's hint",
    "bot/sandbox.py": "the developer's sandbox (fake users and the fake bot's profile)",
    "bot/log_redaction.py": "the placeholder of redacted values in the operator's logs",
    "bot/fake_bot_api/server.py": "the fake Telegram used by tests: its own users' names",
    "bot/services/roadmaps/deadlines.py": (
        "vocabulary parsed from files: month names, «ежемесячно», …"
    ),
    "bot/services/school_names.py": "vocabulary parsed from input: «СШ», «лицей», «гимназия», …",
    "bot/services/results/results.py": (
        "header synonyms of results tables (parsed) and ВПР/ОГЭ/ЕГЭ words"
    ),
    "bot/services/results/training.py": "header synonyms of course tables (parsed) and regexes",
    "bot/services/roadmaps/roadmap_import.py": (
        "header synonyms of roadmap files (parsed), the template's column titles, regexes"
    ),
    "bot/services/directory/values.py": "the directory file's value vocabulary (да/нет, roles)",
    "bot/services/directory/workbook.py": "the directory file format: sheet titles and headers",
    "bot/services/directory/export.py": "the directory file format: sheet titles and headers",
    "bot/services/reporting/export_data.py": (
        "the CSV export's file format: column names and README.txt"
    ),
    "bot/reports/half_year_report.py": "the half-year XLSX's sheet titles and headings",
    "bot/reports/roadmap_template.py": "the roadmap template XLSX: headers and the example rows",
}

# Single literals in otherwise clean files: words and patterns the code parses, never says.
ALLOWED_LITERALS = {
    "bot/services/events/events.py": {"мин", "без ограничений", "нет", "0 — без ограничений"},
    "bot/handlers/events/event_views.py": {"прош"},  # /events прошедшие
    # The directory file's column titles, named in «не заполнен столбец «ФИО»».
    "bot/services/directory/importer.py": {
        "Муниципалитет",
        "Орган управления",
        "Полное наименование",
        "Краткое наименование",
        "ШНОР",
        "ШНСУ",
        "Признаки необъективности",
        "Директор",
        "ФИО",
        "Должность",
        "Место работы",
        "Куратор",
    },
    "bot/services/results/practices.py": {"[a-zа-я0-9]+"},
    "bot/services/dates.py": {
        r"^\s*(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?\s*(?:г\.?)?\s*$",
        r"(?:^|[\s—–-]+)(?:до\s+)?(\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?)\s*$",
    },
    "bot/services/school_year.py": {
        r"^\s*(\d{4})\s*(?:[/\-–—]\s*(\d{2}|\d{4}))?\s*(?:г\.?|гг\.?|уч\.?\s*г\.?)?\s*$",
    },
}
# The ё → е folding of search keys, anywhere.
ALLOWED_EVERYWHERE = {"ё", "е"}


def _russian_literals(path: Path) -> list[tuple[int, str]]:
    """String literals (f-string pieces too) with Cyrillic letters; docstrings and comments not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CYRILLIC.search(node.value)
    ]


def test_no_russian_literals_outside_the_catalog_but_the_allowed() -> None:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        where = str(path.relative_to(BOT.parent))
        if PACKAGE in path.parents or where in ALLOWED_FILES:
            continue
        allowed = ALLOWED_LITERALS.get(where, set()) | ALLOWED_EVERYWHERE
        found += [
            f"{where}:{line}: {value!r}"
            for line, value in _russian_literals(path)
            if value not in allowed
        ]
    assert not found, "Russian words belong in bot/texts:\n" + "\n".join(found)


def test_the_allow_lists_name_files_that_exist_and_literals_still_there() -> None:
    root = BOT.parent
    for where in ALLOWED_FILES:
        assert (root / where).exists(), where
    for where, values in ALLOWED_LITERALS.items():
        present = {value for _, value in _russian_literals(root / where)}
        assert values <= present, (where, values - present)


def test_dates_are_formatted_from_a_cache_only_for_plain_days() -> None:
    day = date(2026, 9, 1)
    assert texts.fmt_date(day) == texts.fmt_date(date(2026, 9, 1)) == "01.09.2026"
    assert texts.fmt_date(None) == "—"
    # The same instant, two local days: an equal datetime is never served another's text.
    utc = datetime(2026, 8, 31, 20, 0, tzinfo=UTC)
    yekaterinburg = utc.astimezone(ZoneInfo("Asia/Yekaterinburg"))
    assert utc == yekaterinburg
    assert (texts.fmt_date(utc), texts.fmt_date(yekaterinburg)) == ("31.08.2026", "01.09.2026")
