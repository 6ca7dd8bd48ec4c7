"""Warnings are errors in the tests; starting the bot prints none."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

from bot.app import build_application
from bot.config import PROJECT_ROOT, load_settings
from bot.db import make_engine, make_session_factory
from tests.support.databases import sqlite_url


def test_building_the_application_warns_nothing(tmp_path: Path) -> None:
    settings = load_settings(
        telegram_bot_token="123456:WARNINGS-TEST-TOKEN", database_url=sqlite_url(tmp_path / "b.db")
    )
    engine = make_engine(settings.database_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_application(settings, make_session_factory(engine))
    assert [str(w.message) for w in caught] == []


def test_the_test_configuration_turns_every_warning_into_an_error() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    filters = config["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert filters[0] == "error"
    assert not any("PTBUserWarning" in rule and rule.startswith("ignore") for rule in filters)
