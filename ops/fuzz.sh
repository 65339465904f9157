#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with Debian's clang 14 in
# build-fuzz/ and runs each for N seconds, seeded from tests/fuzz/corpus/<target>/.
# Runs every target; exits non-zero if any finds a crash, a sanitizer report
# or a broken property, and prints the path of the input that did it.
#
#   bash ops/fuzz.sh [--seconds N] [--max-len BYTES] [--only TARGET]
#
# New inputs a run finds go to build-fuzz/corpus/<target>/, never into the
# repository: copy the interesting ones to tests/fuzz/corpus/<target>/ by hand
# (after `<target> -merge=1 ...` if there are many). Replay a crash with
#   build-fuzz/fuzz/<target> <crash file>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=180
max_len=8192
only=""
while (($# > 0)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --max-len) max_len=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: ops/fuzz.sh [--seconds N] [--max-len BYTES] [--only TARGET]" >&2; exit 2 ;;
  esac
done

# Debian's clang and its runtime libraries (libFuzzer, the sanitizers).
source ops/packages.sh
ensure_packages clang-14 libclang-rt-14-dev

# Debug: assertions stay on; the optimisation level is the fuzz build's own (-O1).
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKUIMEN_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build-fuzz -j2 --target kuimen_fuzzers

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
while read -r target; do
  [[ -z "$target" || ( -n "$only" && "$target" != "$only" ) ]] && continue
  seeds=tests/fuzz/corpus/$target
  found=build-fuzz/corpus/$target
  crashes=build-fuzz/crashes/$target
  mkdir -p "$found" "$crashes"
  [[ -d "$seeds" ]] || { echo "fuzz: $target has no seeds in $seeds" >&2; exit 1; }
  args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$crashes/")
  [[ -f tests/fuzz/dict/$target.dict ]] && args+=(-dict="tests/fuzz/dict/$target.dict")
  log=build-fuzz/$target.log
  echo "fuzz: $target for ${seconds}s (seeds $seeds, $(ls "$seeds" | wc -l) files)"
  # The first corpus directory receives what the run finds; the seeds are only read.
  if "build-fuzz/fuzz/$target" "${args[@]}" "$found" "$seeds" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cover=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "fuzz: $target ok: ${runs:-?} inputs in ${seconds}s, ${cover:-cov: ?} edges, $(ls "$found" | wc -l) inputs found"
  else
    failed=1
    grep -E 'ERROR:|runtime error|FUZZ_CHECK|property:|exception escaped|SUMMARY' "$log" | head -20 >&2 || true
    input=$(grep -o 'Test unit written to .*' "$log" | sed 's/Test unit written to //' | tail -1)
    echo "fuzz: $target FAILED; the input: ${input:-(see $log)}; the log: $log" >&2
    echo "fuzz: replay with build-fuzz/fuzz/$target ${input:-<input>}" >&2
  fi
done < build-fuzz/fuzzers.txt
exit $failed
