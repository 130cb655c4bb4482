#!/usr/bin/env bash
# bench/run.sh: measure the server on a local PostgreSQL, from the repository root:
#
#   bash bench/run.sh                    # seed once, then dashboard, deep and tiny, 20 s each
#   BENCH_DURATION=10s bash bench/run.sh # shorter runs
#   BENCH_RESEED=1 bash bench/run.sh     # drop and re-create the bench schema first
#   BENCH_SERVER=/tmp/old-server bash bench/run.sh  # measure another build on the same rows
#
# It builds the server and the load driver into $BENCH_WORK, seeds schema $BENCH_SCHEMA of
# $BENCH_PG with bench/seed (once; the key is kept in $BENCH_WORK/env), starts the server on
# 127.0.0.1:$BENCH_PORT with the plans' limits lifted (limits, usage, tenant scope and the
# permission gate stay on the path), and runs bench/load for each query, reporting req/s,
# latency, and the server's CPU per request and RSS. REDIS_URL, when set, is passed on.
# The server's profiles are at http://127.0.0.1:$((BENCH_PORT+1))/debug/pprof/ while it runs.
set -euo pipefail
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/crm_perf?sslmode=disable}
SCHEMA=${BENCH_SCHEMA:-bench}
PORT=${BENCH_PORT:-18500}
WORK=${BENCH_WORK:-/tmp/crm-bench}
DURATION=${BENCH_DURATION:-20s}
CONNS=${BENCH_CONNS:-32}
QUERIES=${BENCH_QUERIES:-dashboard deep tiny page1 page500}
DB_URL="$PG&search_path=$SCHEMA"
mkdir -p "$WORK"
SERVER=${BENCH_SERVER:-$WORK/server} # BENCH_SERVER: measure a binary built elsewhere (another commit)
[ -n "${BENCH_SERVER:-}" ] || go build -o "$WORK/server" .
go build -o "$WORK/load" ./bench/load
if [ ! -f "$WORK/env" ] || [ "${BENCH_RESEED:-0}" = 1 ]; then
  psql "$PG" -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA"
  DATABASE_URL=$DB_URL go run ./bench/seed -contacts "${BENCH_CONTACTS:-10000}" > "$WORK/env.tmp"
  mv "$WORK/env.tmp" "$WORK/env"
fi
# shellcheck disable=SC1091
. "$WORK/env"
LIMITS=starter=100000000/10000000,pro=100000000/10000000,org=100000000/10000000
DATABASE_URL=$DB_URL PLAN_LIMITS=$LIMITS ADDR=127.0.0.1:$PORT PPROF_ADDR=127.0.0.1:$((PORT + 1)) LOG_LEVEL=WARN \
  "$SERVER" 2>"$WORK/server.log" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
# page1 and page500: bench/queries/page.graphql without a cursor, and after walking 499 pages.
walk() {
  KEY=$KEY URL="http://127.0.0.1:$PORT/graphql" PAGES=$1 python3 -c '
import json, os, urllib.request
query = open("bench/queries/page.graphql").read()
after = None
for _ in range(int(os.environ["PAGES"])):
    req = urllib.request.Request(os.environ["URL"], data=json.dumps({"query": query, "variables": {"after": after}}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["KEY"]})
    after = json.load(urllib.request.urlopen(req))["data"]["contacts"]["pageInfo"]["endCursor"]
print(json.dumps(after))'
}
for q in $QUERIES; do
  echo "== $q"
  file="bench/queries/$q.graphql"
  case $q in
  page1) sed 's/first: 20, after: $after/first: 20/; s/^query (\$after: String) //' bench/queries/page.graphql >"$WORK/page1.graphql"; file="$WORK/page1.graphql" ;;
  page500) sed "s/first: 20, after: \$after/first: 20, after: $(walk 499)/; s/^query (\$after: String) //" bench/queries/page.graphql >"$WORK/page500.graphql"; file="$WORK/page500.graphql" ;;
  esac
  "$WORK/load" -url "http://127.0.0.1:$PORT/graphql" -key "$KEY" -query "$file" -c "$CONNS" -d "$DURATION" -pid "$PID"
done
