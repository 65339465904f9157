#!/usr/bin/env bash
# HTTP write benchmark: starts `kuimen serve` on a fresh data directory and
# drives POST /api/v1/tasks/{no}/events with wrk (128 connections by default).
# Usage: ops/bench/http.sh [--connections N] [--seconds N] [--threads N]
# Prints wrk's latency summary; the service's log goes to the temp directory.
# KUIMEN_BIN=path runs another build of kuimen (for an A/B pair).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
connections=128 seconds=10 threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash ops/setup.sh >/dev/null
source ops/packages.sh
ensure_packages wrk

data=$(mktemp -d /tmp/kuimen-http-bench-XXXXXX)
"${KUIMEN_BIN:-build/kuimen}" serve --data "$data/data" --listen 127.0.0.1:0 --http-threads $((connections + 64)) \
  --max-connections-per-address $((2 * connections)) 2>"$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do [[ -f "$data/data/server.json" ]] && break; sleep 0.1; done
listen=$(sed -E 's/.*"listen":"([^"]+)".*/\1/' "$data/data/server.json")
export KUIMEN_TOKEN=$(cat "$data/data/admin.token")
echo "kuimen at $listen; $connections connections, $threads wrk threads, ${seconds}s"
wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency -s ops/bench/http_post.lua "http://$listen"
curl -s "http://$listen/metrics" | grep -E '^kuimen_submissions_total|^kuimen_relay_lag|^kuimen_projector_lag'
