#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft, combined broker+controller) for development and tests,
# assembled from Maven Central jars because these machines have Java and Maven but no Docker.
#
#   broker.sh start          start (or reuse) the broker; returns once it answers metadata requests
#   broker.sh stop           SIGTERM, wait, then SIGKILL; does nothing when it is not running
#   broker.sh status         prints "running" or "stopped" (exit 0 either way)
#   broker.sh logs [-f]      prints (or follows) the broker log
#
# Environment (all optional):
#   KAFKA_PORT               client (PLAINTEXT) port on 127.0.0.1            default 9092
#   KAFKA_CONTROLLER_PORT    KRaft controller port on 127.0.0.1              default KAFKA_PORT+1
#   ANALYTICS_KAFKA_CACHE    jars, run files and default data dirs           default ~/.cache/analytics-kafka/<version>
#   KAFKA_DATA_DIR           server.properties, logs and partitions          default $CACHE/data-$KAFKA_PORT
#   KAFKA_START_TIMEOUT      seconds to wait for the broker to answer        default 90
#   KAFKA_HEAP               broker heap                                     default 512m
#   JAVA_HOME                the Java to run (11 or newer)                   default: java on PATH
#
# On stdout, `start` prints one line, `kafka started|reused 127.0.0.1:PORT`; progress and errors
# go to stderr. test/support/kafka-broker.ts relies on that line.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"

# The pom is the one place that names the Kafka version.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n 1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka: cannot read <kafka.version> from $POM" >&2; exit 1; }

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
# Derived from PORT rather than a fixed 9093 so a test broker on 19092 can run beside a dev broker.
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
CACHE="${ANALYTICS_KAFKA_CACHE:-$HOME/.cache/analytics-kafka/$KAFKA_VERSION}"
LIBS="$CACHE/libs"
RUN_DIR="$CACHE/run"
# The pid file is keyed by port, not by data dir: "is a broker on this port ours?" must be
# answerable whichever data dir the caller names.
PID_FILE="$RUN_DIR/broker-$PORT.pid"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
HEAP="${KAFKA_HEAP:-512m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "kafka: $*" >&2; }
die() { echo "kafka: error: $*" >&2; exit 1; }

# The data dir of the broker recorded for this port (second line of the pid file), else the one
# the environment names.
data_dir() {
  local recorded=""
  if [[ -f "$PID_FILE" ]]; then recorded="$(sed -n 2p "$PID_FILE")"; fi
  if [[ -z "${KAFKA_DATA_DIR:-}" && -n "$recorded" ]]; then echo "$recorded"; else echo "${KAFKA_DATA_DIR:-$CACHE/data-$PORT}"; fi
}

# Prints the pid of our broker on PORT if it is alive; removes a stale pid file.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(sed -n 1p "$PID_FILE")"
  # The pid must be alive and still be a Kafka JVM: pids are reused after a reboot or crash.
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    echo "$pid"
    return 0
  fi
  log "removing stale pid file $PID_FILE (pid ${pid:-?} is not a running broker)"
  rm -f "$PID_FILE"
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A real Kafka request: BrokerApiVersionsCommand fetches cluster metadata to find the brokers,
# then asks each for its API versions. It ships in kafka_2.13, so no extra jar is needed.
kafka_answers() {
  timeout 30 "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j.configuration="file:$LIBS/log4j-tools.properties" \
    -cp "$LIBS/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$HOST:$PORT" >/dev/null 2>&1
}

# Resolves the classpath once into $LIBS. Maven writes into a temp dir that is renamed only when
# complete, so an interrupted download is redone instead of leaving half a classpath behind.
# The pom's hash is recorded so that a changed pom re-resolves.
ensure_libs() {
  local pom_hash
  pom_hash="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$LIBS/.pom-sha256" && "$(cat "$LIBS/.pom-sha256")" == "$pom_hash" ]]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is not installed; it is needed once to fetch the Kafka jars"
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.resolve.lock"
  flock 8
  if [[ -f "$LIBS/.pom-sha256" && "$(cat "$LIBS/.pom-sha256")" == "$pom_hash" ]]; then exec 8>&-; return 0; fi
  local tmp="$CACHE/libs.tmp.$$"
  rm -rf "$tmp" "$CACHE"/libs.tmp.*
  log "resolving Kafka $KAFKA_VERSION jars into $LIBS (once)"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$CACHE/resolve.log" 2>&1; then
    rm -rf "$tmp"
    cat "$CACHE/resolve.log" >&2
    die "Maven could not resolve the Kafka jars (log above, also in $CACHE/resolve.log)"
  fi
  echo "$pom_hash" >"$tmp/.pom-sha256"
  # Logging for the short-lived probe and StorageTool: errors only, to stderr. It lives beside
  # the jars (the libs/* classpath ignores it) so it exists whenever they do.
  cat >"$tmp/log4j-tools.properties" <<'EOF'
log4j.rootLogger=ERROR, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n
EOF
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  exec 8>&-
}

write_config() {
  local dir="$1"
  mkdir -p "$dir/kafka-logs"
  cat >"$dir/server.properties" <<EOF
# Written by scripts/kafka/broker.sh on every start; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/kafka-logs
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# A lone consumer should not wait the default 3 s before its group's first rebalance.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=104857600
EOF
  # reload4j: everything to one file, at WARN for the chattiest loggers (config dumps, per-partition
  # log loading, state changes) so the file stays readable.
  cat >"$dir/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$dir/broker.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaConfig=WARN
log4j.logger.kafka.server.ControllerServer=WARN
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN
log4j.logger.kafka.log=WARN
log4j.logger.org.apache.kafka.storage.internals=WARN
log4j.logger.kafka.cluster.Partition=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.controller=WARN
log4j.logger.org.apache.kafka.image=WARN
log4j.logger.org.apache.kafka.metadata=WARN
log4j.logger.org.apache.kafka.raft=WARN
log4j.logger.kafka.raft=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.kafka.server.BrokerServer=WARN
log4j.logger.kafka.server.NodeToControllerRequestThread=WARN
log4j.logger.kafka.server.DelayedOperationPurgatory\$ExpiredOperationReaper=WARN
log4j.logger.kafka.server.ClientQuotaManager\$ThrottledChannelReaper=WARN
log4j.logger.org.apache.kafka.server.util.timer=WARN
log4j.logger.org.apache.kafka.queue.KafkaEventQueue=WARN
EOF
}

# KRaft storage is formatted once per data dir with a fresh cluster id.
format_storage() {
  local dir="$1"
  [[ -f "$dir/kafka-logs/meta.properties" ]] && return 0
  local tools=("$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -Dlog4j.configuration="file:$LIBS/log4j-tools.properties" -cp "$LIBS/*" kafka.tools.StorageTool)
  local cluster_id
  cluster_id="$("${tools[@]}" random-uuid)"
  log "formatting $dir/kafka-logs (cluster id $cluster_id)"
  "${tools[@]}" format --ignore-formatted -t "$cluster_id" -c "$dir/server.properties" >/dev/null \
    || die "formatting the storage in $dir/kafka-logs failed"
}

print_log_tail() {
  local dir="$1" f
  for f in "$dir/broker.out" "$dir/broker.log"; do
    if [[ -s "$f" ]]; then
      echo "----- last lines of $f -----" >&2
      tail -n 25 "$f" >&2
    fi
  done
}

cmd_start() {
  command -v "$JAVA" >/dev/null || die "Java is not installed (Kafka $KAFKA_VERSION needs Java 11 or newer; 17 is tested)"
  local java_major
  java_major="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1)"
  # "1.8.0_x" is Java 8; "17.0.15" is Java 17.
  if [[ "$java_major" == 1\ * ]]; then java_major="${java_major#1 }"; else java_major="${java_major%% *}"; fi
  if [[ -n "$java_major" ]] && ((java_major < 11)); then
    die "$JAVA is Java $java_major; Kafka $KAFKA_VERSION needs Java 11 or newer (set JAVA_HOME)"
  fi
  mkdir -p "$RUN_DIR"
  # One start per port at a time: a test run and a developer may start the same broker at once.
  exec 9>"$RUN_DIR/broker-$PORT.lock"
  flock 9

  local pid
  if pid="$(running_pid)"; then
    if port_open "$PORT"; then
      log "reusing the broker already running on $HOST:$PORT (pid $pid, data $(data_dir))"
      echo "kafka reused $HOST:$PORT"
      return 0
    fi
    # Ours, but not listening yet: another start is still waiting for it, or it is shutting down.
    die "the broker (pid $pid) is running but not listening on $HOST:$PORT; see $(data_dir)/broker.log or run: $0 stop"
  fi

  ensure_libs
  if port_open "$PORT"; then
    if kafka_answers; then
      log "reusing a Kafka broker on $HOST:$PORT that this script did not start (no pid file; stop it yourself)"
      echo "kafka reused $HOST:$PORT"
      return 0
    fi
    die "port $PORT on $HOST is in use by something that is not a Kafka broker; free it or set KAFKA_PORT"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $CONTROLLER_PORT on $HOST is in use; free it or set KAFKA_CONTROLLER_PORT"
  fi

  local dir
  dir="${KAFKA_DATA_DIR:-$CACHE/data-$PORT}"
  write_config "$dir"
  format_storage "$dir"

  echo "=== $(date -Is) start: Kafka $KAFKA_VERSION on $HOST:$PORT" >>"$dir/broker.out"
  log "starting Kafka $KAFKA_VERSION on $HOST:$PORT (data $dir)"
  # setsid detaches the broker from the caller's process group and terminal, so it outlives a
  # test runner; fds 8/9 (the locks) are closed so the broker does not hold them.
  setsid "$JAVA" "-Xmx$HEAP" "-Xms$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -Dkafka.logs.dir="$dir" \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/broker.out" 2>&1 8>&- 9>&- &
  pid=$!
  printf '%s\n%s\n' "$pid" "$dir" >"$PID_FILE"

  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      print_log_tail "$dir"
      die "the broker exited during startup; full log: $dir/broker.log (JVM output: $dir/broker.out)"
    fi
    if ((SECONDS >= deadline)); then
      print_log_tail "$dir"
      cmd_stop
      die "the broker did not open $HOST:$PORT within ${START_TIMEOUT}s and was stopped; log: $dir/broker.log"
    fi
    sleep 0.2
  done
  # Listening is not serving: wait until a metadata round trip succeeds.
  until kafka_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      print_log_tail "$dir"
      die "the broker exited during startup; full log: $dir/broker.log"
    fi
    if ((SECONDS >= deadline)); then
      print_log_tail "$dir"
      cmd_stop
      die "the broker did not answer a metadata request within ${START_TIMEOUT}s and was stopped; log: $dir/broker.log"
    fi
    sleep 0.5
  done
  log "ready on $HOST:$PORT (pid $pid) in ${SECONDS}s"
  echo "kafka started $HOST:$PORT"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "no broker of ours is running on port $PORT"
    return 0
  fi
  log "stopping the broker on $HOST:$PORT (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 150; i++)); do # 30 s for a controlled shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running ($HOST:$PORT, pid $pid, data $(data_dir))"
  elif port_open "$PORT"; then
    echo "stopped (no broker of ours, but something listens on $HOST:$PORT)"
  else
    echo "stopped"
  fi
}

cmd_logs() {
  local file
  file="$(data_dir)/broker.log"
  [[ -f "$file" ]] || die "no log yet at $file"
  if [[ "${1:-}" == "-f" ]]; then exec tail -n 50 -F "$file"; fi
  tail -n "${KAFKA_LOG_LINES:-200}" "$file"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  *)
    echo "usage: $0 start|stop|status|logs [-f]" >&2
    exit 2
    ;;
esac
