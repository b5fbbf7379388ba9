#!/usr/bin/env bash
# Runs the fleet load against a private broker on loopback, started here on free ports and stopped at the end:
#   bench/FleetLoad/run.sh mosquitto [fleetload options]     # mosquitto 2 with max_connections raised
#   bench/FleetLoad/run.sh rabbitmq  [fleetload options]     # rabbitmq-server with rabbitmq_mqtt (needs root); MQTT 3.1.1, no $share
# e.g. bench/FleetLoad/run.sh mosquitto --gateways 1000 --duration-s 60 --time-factor 10
#   bench/FleetLoad/run.sh rabbitmq --exec CMD [ARGS]      # runs CMD instead of the load tool, with BROKER_PORT set (tests)
set -euo pipefail
broker=${1:?usage: run.sh mosquitto|rabbitmq [fleetload options]}; shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/fleetload-XXXXXX)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
pid=""
rmq=/usr/lib/rabbitmq/bin
cleanup() {
  if [ "$broker" = rabbitmq ] && [ -n "$pid" ]; then
    "$rmq/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    [ -z "${ERL_EPMD_PORT:-}" ] || "$(command -v epmd || echo /usr/lib/erlang/bin/epmd)" -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
  elif [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

case "$broker" in
  mosquitto)
    cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
max_connections -1
persistence false
max_queued_messages 100000
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
CONF
    mosquitto -c "$work/mosquitto.conf" 2> "$work/mosquitto.log" &
    pid=$!
    args=(--protocol 5) ;;
  rabbitmq)
    [ "$(id -u)" = 0 ] || { echo "run.sh: rabbitmq-server needs root here" >&2; exit 2; }
    export RABBITMQ_NODENAME="fleetload-$$@localhost" RABBITMQ_NODE_PORT=$(free_port) RABBITMQ_DIST_PORT=$(free_port) ERL_EPMD_PORT=$(free_port)
    export RABBITMQ_MNESIA_BASE="$work/mnesia" RABBITMQ_LOG_BASE="$work/log" RABBITMQ_ENABLED_PLUGINS_FILE="$work/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$work/rabbitmq" RABBITMQ_PID_FILE="$work/rabbitmq.pid" RABBITMQ_ADVANCED_CONFIG_FILE="$work/advanced.config"
    echo '[rabbitmq_mqtt].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
    cat > "$work/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_NODE_PORT
mqtt.listeners.tcp.default = $port
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
loopback_users = none
CONF
    mkdir -p "$RABBITMQ_LOG_BASE" "$RABBITMQ_MNESIA_BASE"
    # The Debian wrappers switch to the rabbitmq user; run the real scripts as root so server and rabbitmqctl share root's cookie.
    "$rmq/rabbitmq-server" > "$work/rabbitmq.out" 2>&1 &
    pid=$!
    "$rmq/rabbitmqctl" -n "$RABBITMQ_NODENAME" wait --timeout 120 "$RABBITMQ_PID_FILE" >/dev/null
    echo "run.sh: RabbitMQ $("$rmq/rabbitmqctl" -n "$RABBITMQ_NODENAME" version) with rabbitmq_mqtt; node $RABBITMQ_NODENAME"
    args=(--protocol 3.1.1 --shared-consumers 0) ;;
  *) echo "run.sh: unknown broker '$broker' (mosquitto or rabbitmq)" >&2; exit 2 ;;
esac

for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
if [ "${1:-}" = --exec ]; then
  shift
  set +e
  BROKER_PORT=$port "$@"
  exit $?
fi
dll="$repo/bench/FleetLoad/bin/Release/net10.0/fleetload.dll"
[ -f "$dll" ] || dotnet build "$repo/bench/FleetLoad" -c Release >/dev/null
set +e
dotnet "$dll" --port "$port" "${args[@]}" "$@"
rc=$?
set -e
# The broker's own CPU (all its threads; for RabbitMQ the Erlang VM), to tell a saturated broker from a saturated client.
bpid=$pid
if [ "$broker" = rabbitmq ]; then bpid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || echo "$pid"); fi
echo "  broker CPU since start: $(ps -o cputime= -p "$bpid" 2>/dev/null | tr -d ' ') (hh:mm:ss); machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$broker" = mosquitto ] && [ -s "$work/mosquitto.log" ]; then echo "mosquitto said:"; tail -5 "$work/mosquitto.log"; fi
exit $rc
