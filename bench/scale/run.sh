#!/usr/bin/env bash
# bench/scale/run.sh: a 1,000,000-contact workspace beside a 10,000-contact one, from the
# repository root:
#
#   bash bench/scale/run.sh                          # seed once (SQL, minutes), then the table
#   SCALE_SERVER=/tmp/old-server bash bench/scale/run.sh   # another build on the same rows
#   SCALE_ARGS="-n 30 -only totalCount" bash bench/scale/run.sh
#
# It builds the server and bench/scale, seeds database $SCALE_DB (created if missing) with
# `scale seed` when $SCALE_WORK/scale.env is missing, starts the server on 127.0.0.1:$SCALE_PORT
# with the plans' limits lifted, and prints the table of docs/performance.md: each request's
# median latency in both workspaces, requests alternating between them.
set -euo pipefail
PG=${SCALE_PG:-postgres://postgres@127.0.0.1:5432}
DB=${SCALE_DB:-crm_scale}
PORT=${SCALE_PORT:-18700}
WORK=${SCALE_WORK:-/tmp/crm-scale}
URL="$PG/$DB?sslmode=disable"
mkdir -p "$WORK"
SERVER=${SCALE_SERVER:-$WORK/server}
[ -n "${SCALE_SERVER:-}" ] || go build -o "$WORK/server" .
go build -o "$WORK/scale" ./bench/scale
if [ ! -f "$WORK/scale.env" ]; then
  psql "$PG/postgres?sslmode=disable" -qtc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
    psql "$PG/postgres?sslmode=disable" -qc "CREATE DATABASE $DB"
  DATABASE_URL=$URL "$WORK/scale" seed -env "$WORK/scale.env"
fi
LIMITS=starter=100000000/10000000,pro=100000000/10000000,org=100000000/10000000
DATABASE_URL=$URL PLAN_LIMITS=$LIMITS ADDR=127.0.0.1:$PORT LOG_LEVEL=WARN "$SERVER" 2>"$WORK/server.log" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do # a first start migrates: on a seeded database that builds indexes
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.5
done
# shellcheck disable=SC2086
DATABASE_URL=$URL "$WORK/scale" run -env "$WORK/scale.env" -url "http://127.0.0.1:$PORT" ${SCALE_ARGS:-}
