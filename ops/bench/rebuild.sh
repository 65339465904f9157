#!/usr/bin/env bash
# Builds and runs the view rebuild benchmark; extra arguments go to it
# (--events N --dir DIR --reuse).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash ops/setup.sh >/dev/null
cmake --build build -j2 --target kuimen_rebuild_bench >/dev/null
exec build/kuimen_rebuild_bench "$@"
