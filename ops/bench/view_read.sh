#!/usr/bin/env bash
# View read benchmark: GET /api/v1/views/<view> on a store of N events
# (kuimen_rebuild_bench --fill-only: monthly reports and reviews on every
# task), with wrk. The store is filled once into --dir and copied for each run,
# so an A/B pair (KUIMEN_BIN=old build, then the new) reads the same events.
# Usage: ops/bench/view_read.sh [--view assessment] [--query 'year=2025']
#        [--events 100000] [--connections 8] [--seconds 10] [--dir DIR]
#        [--path '/api/v1/reviews?state=all'] (GET that path instead of the view's)
# Prints wrk's latency summary. Not a test: timings never go into tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
view=assessment query='year=2025' events=100000 connections=8 seconds=10 threads=2
dir=/tmp/kuimen-view-read-bench
path=''
while [[ $# -gt 0 ]]; do
  case "$1" in
    --view) view=$2; shift 2 ;;
    --query) query=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash ops/setup.sh >/dev/null
source ops/packages.sh
ensure_packages wrk
build=${KUIMEN_BUILD:-build}
if [[ ! -d "$dir/store" ]]; then
  cmake --build "$build" -j2 --target kuimen_rebuild_bench >/dev/null
  "$build/kuimen_rebuild_bench" --fill-only --events "$events" --dir "$dir" >/dev/null
fi

data=$(mktemp -d /tmp/kuimen-view-read-XXXXXX)
mkdir -p "$data/data" && cp -r "$dir/store" "$data/data/store"
"${KUIMEN_BIN:-$build/kuimen}" serve --data "$data/data" --listen 127.0.0.1:0 2>"$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do [[ -f "$data/data/server.json" ]] && break; sleep 0.1; done
listen=$(sed -E 's/.*"listen":"([^"]+)".*/\1/' "$data/data/server.json")
token=$(cat "$data/data/admin.token")
url="http://$listen/api/v1/views/$view?$query"
# Wait until the view has caught up with the whole log (the first start rebuilds it).
for _ in $(seq 600); do
  through=$(curl -s -H "Authorization: Bearer $token" "$url" |
            python3 -c 'import json,sys; print(json.load(sys.stdin).get("through_position",0))')
  [[ "$through" -ge "$events" ]] && break
  sleep 0.2
done
# With --path, the view is still the one waited for; the path is what is read.
[[ -n "$path" ]] && url="http://$listen$path"
curl -s -H "Authorization: Bearer $token" "$url" >"$data/body.json"
bytes=$(wc -c <"$data/body.json")
# KUIMEN_BODY_OUT=file keeps the response, to compare an A/B pair byte for byte.
[[ -n "${KUIMEN_BODY_OUT:-}" ]] && cp "$data/body.json" "$KUIMEN_BODY_OUT"
echo "kuimen at $listen; GET ${path:-/api/v1/views/$view?$query} on $through events ($bytes bytes); $connections connections, ${seconds}s"
wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency -H "Authorization: Bearer $token" "$url"
