#!/usr/bin/env bash
# Install the project with its test tools (exactly as locked, hashes checked) into the
# active (or a new .venv) environment,
# then run the whole suite on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`).
# `--lint` also runs ruff and mypy first. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -d .venv ] || python3 -m venv .venv
  . .venv/bin/activate
fi
./scripts/install.sh --dev

if [ "${1:-}" = "--lint" ]; then
  shift
  ruff check .
  ruff format --check .
  mypy  # bot/, settings in pyproject.toml [tool.mypy]
fi
python -m pytest "$@"
