#!/usr/bin/env bash
# Builds and runs the event store benchmark; extra arguments go to it
# (--writers N --events N --batch N --dir DIR). Results print one line per phase.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash ops/setup.sh >/dev/null
cmake --build build -j2 --target kuimen_store_bench >/dev/null
exec build/kuimen_store_bench "$@"
