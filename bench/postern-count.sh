#!/usr/bin/env bash
# postern-count.sh - prints how many messages Postern has durably committed to mailboxes
# (the postern_deliveries_total counter of GET /metrics). Used as the delivery counter of
# bench/targets.postern.sh. Usage: postern-count.sh [HTTP_PORT]  (loopback only)
set -euo pipefail
port=${1:-${PB_HTTP_PORT:-2680}}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
awk '/^postern_deliveries_total/ { s += $NF } END { printf "%d\n", s }' <&3
