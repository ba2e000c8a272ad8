# targets.postern.sh - Postern as the "new" server for ../shared/bench/run-suite (sourced).
# Measure it in the same run as the peers:
#   ../shared/bench/run-suite -f ../shared/bench/targets.peers.sh -f bench/targets.postern.sh
# Start Postern first (see bench/README.md): users u1..u50@bench.test, password benchpass,
# SMTP on PB_SMTP_PORT, HTTP (metrics) on PB_HTTP_PORT, pid in PB_PIDFILE.
#
# PB_SMTP_PORT  SMTP (role mx) listener on 127.0.0.1 [2600]
# PB_IMAP_PORT  IMAP listener on 127.0.0.1 [2143], for the imap suite (imap-stress: skipped
#               where imaptest is not installed) and the idle suite (idle-memory, which
#               logs in with LOGIN on plain IMAP as u%d@bench.test / benchpass; loopback may
#               log in without TLS by default). start-postern.sh starts IMAP on this port
#               with connection limits high enough for run-suite -i:
#                 PB_IMAP_PORT=2143 bench/start-postern.sh start
#               (the default of 100 connections per IP is below run-suite -i; 50 users x 50
#               sessions per account cover up to 2500). Postern is one process: idle-memory
#               measures the pid in PB_PIDFILE.
# PB_HTTP_PORT  HTTP listener with /metrics on 127.0.0.1 [2680]
# PB_PIDFILE    pid file of the `postern serve` process [$TMPDIR/postern-bench/postern.pid]
_PB=${TMPDIR:-/tmp}/postern-bench
_PG_SMTP=${PB_SMTP_PORT:-2600}
_PG_IMAP=${PB_IMAP_PORT:-2143}
_PG_HTTP=${PB_HTTP_PORT:-2680}
_PG_PID=${PB_PIDFILE:-$_PB/postern.pid}
# Messages durably committed to mailboxes: postern_deliveries_total from /metrics (run-suite
# splits target fields on "|", so the command lives in its own script).
_PG_BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_PG_COUNT="$(printf '%q' "$_PG_BENCH/postern-count.sh") $_PG_HTTP"
# Reset: none yet. Postern has no "empty all mailboxes" command so far; the counter is
# monotonic and smtp-load measures its growth, so SMTP runs need no reset. Restart with
# `bench/start-postern.sh restart` (fresh data directory, same environment) before IMAP runs.
_PG_RESET="true"
SMTP_TARGETS+=("postern|127.0.0.1|$_PG_SMTP|count:$_PG_COUNT|$_PG_RESET")
IMAP_TARGETS+=("postern|127.0.0.1|$_PG_IMAP|$_PG_RESET")
IDLE_TARGETS+=("postern|127.0.0.1|$_PG_IMAP|--pidfile $_PG_PID|$_PG_RESET")
