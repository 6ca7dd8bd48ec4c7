#!/usr/bin/env bash
# Install the bot into .venv and start it (polling). Without TELEGRAM_BOT_TOKEN it explains
# how to get one from @BotFather and how to try the terminal sandbox instead.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d .venv ] || python3 -m venv .venv
. .venv/bin/activate
./scripts/install.sh
exec python -m bot run "$@"
