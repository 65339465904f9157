#!/usr/bin/env bash
# Builds and runs the append-to-view lag benchmark; extra arguments go to it
# (--kafka-brokers B --rate N [N…] --seconds N --runs N). Without brokers: the embedded cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash ops/setup.sh >/dev/null
cmake --build build -j2 --target kuimen_lag_bench >/dev/null
exec build/kuimen_lag_bench "$@"
