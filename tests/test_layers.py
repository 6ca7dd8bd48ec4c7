"""Who may import whom, read from the source (nothing is imported to check it).

Services know no Telegram and no handlers; the scheduler and the reports use services, never
handlers. A new import across these lines fails here with the module and the line.

Reports render what services compute (bot/reports → bot/services), so services should not
import reports; three old ones still do (KNOWN_EXCEPTIONS, to be removed when those renderers
or their data types move) and no new one may.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (modules under this package, may not import anything under these)
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("bot.services", ("telegram", "bot.handlers", "bot.reports")),
    ("bot.scheduler", ("bot.handlers",)),
    ("bot.reports", ("bot.handlers",)),
]
# (module, what it imports): the services that still use a renderer of bot/reports.
KNOWN_EXCEPTIONS = {
    ("bot.services.directory.export", "bot.reports.cells"),  # safe_cell: never a formula
    ("bot.services.events.events", "bot.reports.ics"),  # the announcement's .ics file
    ("bot.services.notifications.digest", "bot.reports.chart"),  # the digest's progress picture
}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def imported_names(module: str, source: str, *, package: bool = False) -> list[tuple[int, str]]:
    """Per import statement, the modules it names, with its line: `from a import b` names `a`
    and `a.b` (b may be a module); relative imports resolve against `module` (a package's
    `__init__` resolves against the package itself)."""
    names: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parts = parts[: len(parts) - node.level + (1 if package else 0)]
                base = ".".join([*parts, base] if base else parts)
            names.append((node.lineno, base))
            names.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return names


def violations(
    module: str,
    source: str,
    *,
    package: bool = False,
    known: frozenset[tuple[str, str]] = frozenset(),
) -> list[str]:
    """One line per import statement that crosses a rule, naming what it imports."""
    found: dict[tuple[int, str], str] = {}
    for layer, forbidden in RULES:
        if not _within(module, layer):
            continue
        for line, name in imported_names(module, source, package=package):
            if any(module == m and _within(name, target) for m, target in known):
                continue
            for banned in forbidden:
                if _within(name, banned) and (line, banned) not in found:
                    found[line, banned] = f"{module}:{line} imports {name} ({layer} ↛ {banned})"
    return [found[key] for key in sorted(found)]


def tree_violations(root: Path, known: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """All violations in the package tree under `root` (which holds the `bot` folder)."""
    found = []
    for path in sorted((root / "bot").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if package else parts)
        source = path.read_text(encoding="utf-8")
        found += violations(module, source, package=package, known=known)
    return found


def test_the_layers_hold() -> None:
    assert tree_violations(ROOT, frozenset(KNOWN_EXCEPTIONS)) == []


def test_the_known_exceptions_are_still_there() -> None:
    """When one is removed, strike it from KNOWN_EXCEPTIONS so it cannot come back."""
    found = tree_violations(ROOT)
    for module, target in sorted(KNOWN_EXCEPTIONS):
        assert any(v.startswith(f"{module}:") and f" imports {target}" in v for v in found)


def test_a_service_importing_telegram_is_caught() -> None:
    assert violations("bot.services.x", "from telegram import Bot\n") == [
        "bot.services.x:1 imports telegram (bot.services ↛ telegram)"
    ]
    assert violations("bot.services.x", "import telegram.error\n")
    assert violations("bot.services.x", "def f():\n    from bot.handlers import replies\n")
    assert violations("bot.services.x", "from bot import handlers\n")
    assert violations("bot.services.sub.x", "from ...handlers.replies import answer\n")
    assert violations("bot.scheduler.x", "from bot.handlers.replies import answer\n")
    assert violations("bot.reports.x", "import bot.handlers.menu\n")
    assert violations("bot.services.x", "from bot.reports.ics import event_ics\n")


def test_allowed_imports_pass() -> None:
    assert (
        violations("bot.services.x", "from bot.services import outbox\nimport telegramish\n") == []
    )
    assert violations("bot.scheduler.x", "from telegram import Bot\n") == []
    assert violations("bot.handlers.x", "from telegram import Bot\n") == []
    assert violations("bot.reports.x", "from bot.services.school_year import SchoolYear\n") == []


def test_a_planted_violation_in_a_tree_is_caught(tmp_path: Path) -> None:
    (tmp_path / "bot" / "services").mkdir(parents=True)
    (tmp_path / "bot" / "__init__.py").write_text("")
    (tmp_path / "bot" / "services" / "__init__.py").write_text("from . import fine\n")
    (tmp_path / "bot" / "services" / "fine.py").write_text("import sqlalchemy\n")
    (tmp_path / "bot" / "services" / "bad.py").write_text(
        "\n\nfrom telegram.ext import Application\n"
    )
    (tmp_path / "bot" / "scheduler").mkdir()
    (tmp_path / "bot" / "scheduler" / "__init__.py").write_text("from ..handlers import menu\n")
    assert tree_violations(tmp_path) == [
        "bot.scheduler:1 imports bot.handlers (bot.scheduler ↛ bot.handlers)",
        "bot.services.bad:3 imports telegram.ext (bot.services ↛ telegram)",
    ]
