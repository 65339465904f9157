#!/usr/bin/env bash
# Installs, builds and runs every test. README's test command and CI's.
# Starts a real Apache Kafka broker for the Kafka tests and stops it after.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash ops/setup.sh

# What only the tests need: the broker's runtime (Maven fetches its jars),
# kcat, the independent client the tests read the topic with, and Debian's
# chromium with a Chinese font for the dashboard's browser tests; unzip reads
# the spreadsheet exports back, and LibreOffice reads them as a clerk's office
# suite does (the year scenario test); clang 14 and its runtime (libFuzzer, the
# sanitizers) build the fuzz targets. The printed documents (督办通知单, 情况通报)
# use a Song typeface (Noto Serif CJK SC, fonts-noto-cjk), and their browser
# test reads the PDFs back with poppler-utils' pdftotext.
source ops/packages.sh
ensure_packages maven default-jre-headless kcat chromium fonts-wqy-microhei unzip libreoffice-calc-nogui \
  clang-14 libclang-rt-14-dev fonts-noto-cjk poppler-utils

export KUIMEN_KAFKA_HOME=${KUIMEN_KAFKA_HOME:-/tmp/kuimen-kafka-test}
export KUIMEN_KAFKA_SCRIPT=$PWD/ops/kafka/broker.sh
export KUIMEN_KAFKA_BROKERS=127.0.0.1:${KUIMEN_KAFKA_PORT:-9092}
# A fresh broker each run: no topics or consumer groups left from earlier runs.
bash ops/kafka/broker.sh reset >/dev/null
bash ops/kafka/broker.sh start
trap 'bash ops/kafka/broker.sh stop >/dev/null || bash ops/kafka/broker.sh kill' EXIT

# A test that hangs fails after 10 minutes instead of holding CI to its limit.
ctest --test-dir build --output-on-failure -j2 --timeout 600

# The dashboard in headless chromium against a real `kuimen serve` that the
# suite starts itself (temp data dir, 127.0.0.1:0); screenshots and an A4 PDF
# go to build/dashboard-screenshots/. One file at a time: each starts its own
# service and browser, and the machine has two cores.
node --test --test-concurrency=1 tests/dashboard/*.test.mjs

# Each libFuzzer target for KUIMEN_FUZZ_SECONDS (default 150: "a few minutes
# each"), then the ctest suite again under ASan+UBSan (ops/sanitize.sh says
# which tests it leaves out).
bash ops/fuzz.sh --seconds "${KUIMEN_FUZZ_SECONDS:-150}"
bash ops/sanitize.sh
