#!/usr/bin/env bash
# start-postern.sh - runs Postern for ../shared/bench (targets.postern.sh): a fresh data
# directory with domain bench.test and users u1..u50@bench.test (password benchpass), SMTP
# and HTTP on loopback, started in the background with a pid file; stopped by that pid.
#
# Usage: bench/start-postern.sh start|stop|restart|status
#   PB_SMTP_PORT [2600]  PB_IMAP_PORT [2143]  PB_HTTP_PORT [2680]  NUSERS [50]
#   (IMAP allows plaintext LOGIN from loopback, as imaptest and idle-memory need, and 2000
#   connections per IP and per account for the idle-memory run; POP3 is off.)
#   PB_DIR [$TMPDIR/postern-bench]: data/, postern.pid, postern.log
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE="$ROOT/node_modules/.bin/node"
DIR=${PB_DIR:-${TMPDIR:-/tmp}/postern-bench}
SMTP_PORT=${PB_SMTP_PORT:-2600}
HTTP_PORT=${PB_HTTP_PORT:-2680}
IMAP_PORT=${PB_IMAP_PORT:-2143}
NUSERS=${NUSERS:-50}
PIDFILE=$DIR/postern.pid

postern() { "$NODE" "$ROOT/src/cli/main.ts" "$@"; }

stop() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$PIDFILE"
}

start() {
  stop
  rm -rf "$DIR/data"
  mkdir -p "$DIR"
  postern init --data "$DIR/data" --domain bench.test --hostname mx.bench.test >/dev/null
  for i in $(seq 1 "$NUSERS"); do
    echo benchpass | postern account add "u$i@bench.test" --password-stdin --data "$DIR/data" >/dev/null
  done
  POSTERN_LISTEN_SMTP="127.0.0.1:$SMTP_PORT" POSTERN_LISTEN_HTTP="127.0.0.1:$HTTP_PORT" \
    POSTERN_LISTEN_IMAP="127.0.0.1:$IMAP_PORT" POSTERN_LISTEN_IMAPS="" \
    POSTERN_LISTEN_POP3="" POSTERN_LISTEN_POP3S="" \
    POSTERN_LISTEN_SUBMISSION="" POSTERN_LISTEN_SUBMISSIONS="" \
    POSTERN_IMAP_MAX_CONNECTIONS_PER_IP=2000 POSTERN_IMAP_MAX_CONNECTIONS_PER_ACCOUNT=2000 \
    POSTERN_LOG_LEVEL=warn POSTERN_SMTP_MAX_CONNECTIONS_PER_IP=1000 \
    nohup "$NODE" "$ROOT/src/cli/main.ts" serve --data "$DIR/data" >"$DIR/postern.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 400); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null &&
      "$ROOT/bench/postern-count.sh" "$HTTP_PORT" >/dev/null 2>&1; then
      echo "postern running: pid $(cat "$PIDFILE"), smtp 127.0.0.1:$SMTP_PORT, http 127.0.0.1:$HTTP_PORT"
      return 0
    fi
    sleep 0.05
  done
  echo "postern did not become ready; see $DIR/postern.log" >&2
  return 1
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  restart) start ;;
  status) [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && echo "running: pid $(cat "$PIDFILE")" || echo stopped ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
