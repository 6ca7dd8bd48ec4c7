"""The catalog's shape: bot/texts is a package of feature modules behind one namespace."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

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
