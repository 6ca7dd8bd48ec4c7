"""Two installs a month apart run the same code: bounded dependencies, a lock with hashes."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.config import PROJECT_ROOT

# Time zone rules and CA certificates: the newest data is always the right one (the lock
# still pins it).
UNBOUNDED_ON_PURPOSE = {"tzdata", "certifi"}


def _direct() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = (
        project["project"]["dependencies"] + project["project"]["optional-dependencies"]["dev"]
    )
    return [Requirement(text) for text in declared]


def _locked(name: str) -> dict[str, str]:
    text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
    pins = re.findall(
        r"^([A-Za-z0-9_.-]+)==([^ \\\n]+) \\\n((?:    --hash=sha256:[0-9a-f]{64}.*\n)+)", text, re.M
    )
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9]", text, re.M)), "a pin without hashes"
    return {canonicalize_name(name): version for name, version, _ in pins}


def test_every_direct_dependency_has_an_upper_bound() -> None:
    for requirement in _direct():
        if requirement.name in UNBOUNDED_ON_PURPOSE:
            continue
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {"<", "<=", "==", "~="}, f"{requirement} has no upper bound"


def test_the_locks_pin_every_direct_dependency_with_hashes_within_its_bounds() -> None:
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime_names = {Requirement(t).name for t in project["project"]["dependencies"]}
    for requirement in _direct():
        name = canonicalize_name(requirement.name)
        assert name in dev, f"{name} is not in requirements-dev.lock"
        assert requirement.specifier.contains(dev[name]), (requirement, dev[name])
        if requirement.name in runtime_names:
            assert runtime.get(name) == dev[name], f"{name}: the two locks disagree"
    assert "pytest" not in runtime  # the service does not install the test tools
