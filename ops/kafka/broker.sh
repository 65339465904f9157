#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM)
# on loopback, for development and tests, without Docker: the jars come from
# Maven Central through Maven (pom.xml beside this file) and are cached in ~/.m2.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: broker.sh <command>
  fetch                          resolve the broker jars with Maven (cached, idempotent)
  start                          fetch, format storage if new, start, wait until ready
  stop                           SIGTERM (controlled shutdown) and wait for exit
  kill                           SIGKILL; data is kept, the next start runs log recovery
  status                         exit 0 if running and answering metadata requests
  wait                           wait until the broker answers
  reset                          stop, then delete the data dir
  create-topic NAME PARTITIONS   create a topic (replication factor 1)
env: KUIMEN_KAFKA_HOME (default /tmp/kuimen-kafka), KUIMEN_KAFKA_PORT (9092),
     KUIMEN_KAFKA_CONTROLLER_PORT (9093), KUIMEN_KAFKA_TIMEOUT (90 seconds),
     KUIMEN_KAFKA_JVM_EXTRA (more JVM flags, to compare heap settings; GC pauses go to logs/gc.log)
EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${KUIMEN_KAFKA_HOME:-/tmp/kuimen-kafka}
PORT=${KUIMEN_KAFKA_PORT:-9092}
CONTROLLER_PORT=${KUIMEN_KAFKA_CONTROLLER_PORT:-9093}
TIMEOUT=${KUIMEN_KAFKA_TIMEOUT:-90}
BOOTSTRAP=127.0.0.1:$PORT

# The jars live beside the data but outside it, so `reset` does not force a re-fetch.
LIB=$STATE/lib
DATA=$STATE/data
LOGS=$STATE/logs
PIDFILE=$STATE/kafka.pid
PROPS=$STATE/server.properties
LOG=$LOGS/server.log

die() { echo "broker.sh: $*" >&2; exit 1; }
say() { echo "broker.sh: $*"; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found; install it (apt-get install $2)"; }

# --- jars ------------------------------------------------------------------

# The stamp records which pom the lib dir was built from, so an edited pom (a
# version bump) re-fetches while an unchanged one costs nothing, not even a JVM.
pom_stamp() { sha256sum "$HERE/pom.xml" | cut -d' ' -f1; }

fetch() {
  if [[ -f $LIB/.stamp && $(cat "$LIB/.stamp") == "$(pom_stamp)" ]]; then
    return 0
  fi
  need mvn maven
  need java default-jre-headless
  say "resolving Kafka jars with Maven into $LIB"
  mkdir -p "$STATE"
  # Resolve into a fresh dir and swap, so jars of an older version never linger
  # next to the new ones (two kafka-clients on one classpath fail in odd ways).
  local tmp=$STATE/lib.tmp
  rm -rf "$tmp"
  # Maven's output goes to a file: it is noise when it works, and the cause when it fails.
  if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$STATE/mvn.log" 2>&1; then
    tail -n 30 "$STATE/mvn.log" >&2
    die "maven could not resolve $HERE/pom.xml (full output: $STATE/mvn.log)"
  fi
  # Two Scala runtimes or two SLF4J bindings start but misbehave later; refuse them now.
  local n
  n=$(find "$tmp" -name 'scala-library-*.jar' | wc -l)
  [[ $n -eq 1 ]] || die "expected exactly one scala-library jar, found $n in $tmp"
  n=$(find "$tmp" \( -name 'log4j-slf4j*-impl-*.jar' -o -name 'slf4j-simple-*.jar' \
        -o -name 'slf4j-reload4j-*.jar' -o -name 'slf4j-log4j12-*.jar' -o -name 'logback-classic-*.jar' \
        -o -name 'slf4j-nop-*.jar' -o -name 'slf4j-jdk14-*.jar' \) | wc -l)
  [[ $n -eq 1 ]] || die "expected exactly one SLF4J binding, found $n in $tmp"
  pom_stamp >"$tmp/.stamp"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
}

# --- process ---------------------------------------------------------------

# A pid file can outlive its process and the pid be reused, so a pid only counts
# if it is still a kafka.Kafka running our own server.properties.
running_pid() {
  [[ -f $PIDFILE ]] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "kafka.Kafka $PROPS" || return 1
  echo "$pid"
}

# kcat is an independent client: if it can list metadata, real clients can connect.
answering() {
  port_open "$PORT" && kcat -b "$BOOTSTRAP" -L -m 3 >/dev/null 2>&1
}

# bash's /dev/tcp: a refused connection fails at once.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

log_tail() {
  if [[ -f $LOG ]]; then
    echo "---- last 40 lines of $LOG ----" >&2
    tail -n 40 "$LOG" >&2
    echo "----" >&2
  fi
}

# Ready = the broker said so in this run's log AND a client gets metadata; the log
# line alone comes before the listeners are reachable from the outside on some runs,
# and the port alone could be some other process.
wait_ready() {
  local pid=$1 deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if [[ ! -d /proc/$pid ]]; then
      log_tail
      die "broker (pid $pid) exited during startup"
    fi
    if grep -q 'Kafka Server started' "$LOG" 2>/dev/null && answering; then
      return 0
    fi
    sleep 0.5
  done
  log_tail
  # Left running on purpose: it may only be slow, and `wait` or `stop` can take it from here.
  die "broker (pid $pid) not ready after ${TIMEOUT}s; it is left running (broker.sh wait / stop / kill)"
}

render_props() {
  sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$DATA|g" \
    "$HERE/server.properties.in" >"$PROPS"
}

java_tool() {
  # Admin tools: small heap, WARN logging, so their output is just the answer.
  java -Xmx256m -Dkuimen.kafka.loglevel=WARN \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$LIB/*" "$@"
}

format_storage() {
  # meta.properties marks formatted storage; skipping the two tool JVMs then saves
  # a few seconds on every warm start. --ignore-formatted covers any race anyway.
  if [[ -f $DATA/meta.properties ]]; then
    return 0
  fi
  local cluster_id
  cluster_id=$(java_tool kafka.tools.StorageTool random-uuid | tail -n 1)
  [[ $cluster_id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid gave '$cluster_id'"
  say "formatting $DATA (cluster id $cluster_id)"
  java_tool kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$PROPS" \
    --ignore-formatted >/dev/null || die "storage format failed"
}

start() {
  need kcat kcat
  local pid
  if pid=$(running_pid); then
    say "already running (pid $pid)"
    wait_ready "$pid"
    return 0
  fi
  # Another broker (or anything) on our ports would make our start fail halfway, or
  # worse, make a half-dead start look ready. (Not kcat here: on a closed port it
  # retries for its whole timeout, which would add seconds to every start.)
  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      die "127.0.0.1:$p is already in use, but not by the broker of $STATE"
    fi
  done
  fetch
  need java default-jre-headless
  mkdir -p "$DATA" "$LOGS"
  render_props
  format_storage
  # Keep the previous run's log: after a crash or SIGKILL it is the interesting one.
  [[ -f $LOG ]] && mv -f "$LOG" "$LOG.prev"
  say "starting Kafka on $BOOTSTRAP (log: $LOG)"
  local t0=$SECONDS
  # setsid: the broker must outlive this script and not get the caller's Ctrl-C.
  # The inner shell writes its own pid and then execs java, so the pid file names
  # the JVM itself whether or not setsid had to fork.
  # JVM flags follow Kafka's kafka-run-class.sh / kafka-server-start.sh.
  # shellcheck disable=SC2016 # $$ and $@ are for the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    java -Xms256m -Xmx512m -server \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    ${KUIMEN_KAFKA_JVM_EXTRA:-} "-Xlog:gc:file=$LOGS/gc.log:uptime:filecount=2,filesize=10m" \
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$LIB/*" kafka.Kafka "$PROPS" \
    </dev/null >"$LOG" 2>&1 &
  # Wait for the pid file rather than trusting $!, see above.
  local _
  for _ in {1..50}; do
    pid=$(running_pid) && break
    sleep 0.1
  done
  [[ -n ${pid:-} ]] || { log_tail; die "broker did not start"; }
  wait_ready "$pid"
  say "ready (pid $pid) after $((SECONDS - t0))s"
}

# Sends SIG and waits up to LIMIT seconds for the JVM to go away.
signal_and_wait() {
  local sig=$1 limit=$2 pid
  if ! pid=$(running_pid); then
    say "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  kill "-$sig" "$pid"
  local deadline=$((SECONDS + limit))
  while [[ -d /proc/$pid ]]; do
    if ((SECONDS >= deadline)); then
      log_tail
      die "broker (pid $pid) still running ${limit}s after SIG$sig (try: broker.sh kill)"
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  say "stopped (SIG$sig, pid $pid)"
}

status() {
  local pid
  if ! pid=$(running_pid); then
    say "not running"
    return 1
  fi
  if ! answering; then
    say "running (pid $pid) but not answering on $BOOTSTRAP"
    return 2
  fi
  say "running (pid $pid), answering on $BOOTSTRAP"
}

wait_cmd() {
  local pid deadline=$((SECONDS + TIMEOUT))
  # The broker may be started by someone else right now, so the pid file may not
  # exist yet: keep looking for it until the deadline too.
  until pid=$(running_pid); do
    ((SECONDS < deadline)) || die "broker not running (no live pid in $PIDFILE)"
    sleep 0.5
  done
  wait_ready "$pid"
  say "answering on $BOOTSTRAP"
}

create_topic() {
  local name=${1:-} partitions=${2:-}
  [[ -n $name && $partitions =~ ^[0-9]+$ ]] || { usage >&2; exit 2; }
  fetch
  running_pid >/dev/null || die "broker not running"
  # --if-not-exists keeps test setup re-runnable; the partition check below keeps
  # it from silently accepting an existing topic of a different shape.
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 \
    || die "could not create topic $name"
  local have
  have=$(kcat -b "$BOOTSTRAP" -L -t "$name" -m 5 2>/dev/null | grep -c '^ *partition ' || true)
  [[ $have -eq $partitions ]] || die "topic $name has $have partitions, wanted $partitions"
  say "topic $name ready with $partitions partitions"
}

cmd=${1:-}
case $cmd in
  fetch) fetch; say "jars in $LIB" ;;
  start) start ;;
  stop) signal_and_wait TERM "$TIMEOUT" ;;
  kill) signal_and_wait KILL 30 ;;
  status) status ;;
  wait) need kcat kcat; wait_cmd ;;
  reset)
    signal_and_wait TERM "$TIMEOUT"
    rm -rf "$DATA" "$PROPS"
    say "deleted $DATA"
    ;;
  create-topic) shift; create_topic "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
