#!/usr/bin/env bash
# Re-resolve the dependencies within pyproject.toml's bounds and rewrite both lock files
# with hashes. Monthly, and after changing pyproject.toml (see README, «Dependencies»).
# Needs pip-tools in the active environment: python -m pip install pip-tools
set -euo pipefail
cd "$(dirname "$0")/.."

options=(--quiet --generate-hashes --strip-extras --allow-unsafe --upgrade
         --no-emit-index-url --no-emit-trusted-host --no-emit-find-links)
export CUSTOM_COMPILE_COMMAND=scripts/lock.sh  # named in the lock files' header
pip-compile "${options[@]}" -o requirements.lock pyproject.toml
pip-compile "${options[@]}" --extra dev -o requirements-dev.lock pyproject.toml
