#!/usr/bin/env bash
# Installs, builds and runs every test. README's test command and CI's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ops/setup.sh
ctest --test-dir build --output-on-failure -j2
