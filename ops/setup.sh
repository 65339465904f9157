#!/usr/bin/env bash
# Installs kuimen's build and run dependencies on Debian 12 (only those
# missing) and builds build/kuimen. Safe to run again; a no-op when up to date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source ops/packages.sh
ensure_packages \
  build-essential cmake ninja-build pkg-config ccache \
  librocksdb-dev librdkafka-dev libcpp-httplib-dev libhttp-parser-dev zlib1g-dev nlohmann-json3-dev libsimdjson-dev \
  libgtest-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev libxlsxwriter-dev libjemalloc-dev \
  libcurl4-openssl-dev

# The dashboard (gateway/web/): npm ci installs the locked front-end packages
# (package.json at the repo root) when the lock file changed, and `npm run
# vendor` copies the files the page loads into gateway/web/vendor/, so it is
# served by kuimen itself and needs no CDN.
command -v npm >/dev/null || ensure_packages nodejs npm
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent vendor

# Two cores on the project's machines: -j2 keeps the build from thrashing.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
