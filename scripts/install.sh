#!/usr/bin/env bash
# Install exactly the locked packages (every file checked against its sha256 in the lock),
# then the bot itself without letting pip pick any other dependency.
#   scripts/install.sh        runtime: requirements.lock
#   scripts/install.sh --dev  runtime + test tools: requirements-dev.lock
# Into the active virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."

lock=requirements.lock
[ "${1:-}" = "--dev" ] && lock=requirements-dev.lock
python -m pip install --quiet --require-hashes -r "$lock"
python -m pip install --quiet --no-deps -e .
