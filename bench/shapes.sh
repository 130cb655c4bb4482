#!/usr/bin/env bash
# bench/shapes.sh: the query shapes beyond the dashboard, and the write mix beside a bare pgx
# handler, from the repository root:
#
#   bash bench/shapes.sh                         # seed once, two alternating rounds of 10 s each
#   BENCH_SHAPES="a b g" BENCH_ROUNDS=3 bash bench/shapes.sh
#   BENCH_SERVERS="new=/tmp/new old=/tmp/old" bash bench/shapes.sh   # two builds, same rounds
#
# Shapes (bench/queries/shapes/): a the dashboard, b lists with contactCount and members,
# c deals with their contact, d campaigns with their list and its count, e1/e2 fifty contact(id:)
# / node(id:) lookups under aliases (ids of the seeded workspace), f a search with totalCount,
# h GET /v1/contacts?limit=50, i deals -> contact -> lists (counts) and deals; g the write mix
# (createContact, then updateContact of a created contact) against the server and, in the same
# round, against bench/bareins. Each server is started for its round and stopped after it; the
# load driver reports req/s, the server's CPU and PostgreSQL's CPU per request and the objects
# per response; the summary gives server µs per object, its ratio to the dashboard's, PG ms
# per request, and the writes' throughput against the bare handler's.
set -euo pipefail
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/crm_perf?sslmode=disable}
SCHEMA=${BENCH_SCHEMA:-shapes}
PORT=${BENCH_PORT:-18510}
WORK=${BENCH_WORK:-/tmp/crm-shapes}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNS:-32}
ROUNDS=${BENCH_ROUNDS:-2}
SHAPES=${BENCH_SHAPES:-a b c d e1 e2 f h i g}
DB_URL="$PG&search_path=$SCHEMA"
mkdir -p "$WORK"
[ -n "${BENCH_SERVERS:-}" ] || go build -o "$WORK/server" .
SERVERS=${BENCH_SERVERS:-this=$WORK/server}
go build -o "$WORK/load" ./bench/load
go build -o "$WORK/bareins" ./bench/bareins
if [ ! -f "$WORK/env" ] || [ "${BENCH_RESEED:-0}" = 1 ]; then
  psql "$PG" -q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA"
  DATABASE_URL=$DB_URL go run ./bench/seed -contacts "${BENCH_CONTACTS:-10000}" > "$WORK/env.tmp"
  mv "$WORK/env.tmp" "$WORK/env"
fi
# shellcheck disable=SC1091
. "$WORK/env"
# The write mix goes to a workspace of its own: its new contacts would otherwise be the
# newest, the ones the dashboard shows.
if [ -z "${WKEY_W:-}" ]; then
  DATABASE_URL=$DB_URL go run ./bench/seed -contacts 0 -lists 1 -campaigns 0 | sed -n 's/^WS_ID=/WS_W=/p; s/^WKEY=/WKEY_W=/p' >> "$WORK/env"
  # shellcheck disable=SC1091
  . "$WORK/env"
fi
# e1/e2: fifty lookups by id under aliases, of the workspace's newest contacts.
ids=$(psql "$PG" -Atc "SELECT id FROM $SCHEMA.contacts WHERE workspace_id = '$WS_ID' ORDER BY id DESC LIMIT 50")
i=0; e1="{"; e2="{"
for id in $ids; do
  e1="$e1 c$i: contact(id: \"$id\") { id email fullName company title createdAt }"
  e2="$e2 c$i: node(id: \"$id\") { ... on Contact { id email fullName company title createdAt } }"
  i=$((i + 1))
done
echo "$e1 }" > "$WORK/e1.graphql"; echo "$e2 }" > "$WORK/e2.graphql"
LIMITS=starter=100000000/10000000,pro=100000000/10000000,org=100000000/10000000
OUT=$WORK/run-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
PID=
stop() { [ -z "$PID" ] || { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; }; }
trap stop EXIT
wait_up() { for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no server at $1" >&2; exit 1; }
load() { # label, then the driver's flags
  local label=$1; shift
  echo "== $label" | tee -a "$OUT/log"
  "$WORK/load" -c "$CONNS" -d "$DURATION" -pid "$PID" -pg "$DB_URL" "$@" | tee "$OUT/$label.txt" | tee -a "$OUT/log" || true
}
G=http://127.0.0.1:$PORT/graphql
for r in $(seq 1 "$ROUNDS"); do
  order=$SHAPES; [ $((r % 2)) = 0 ] && order=$(echo "$SHAPES" | tr ' ' '\n' | tac | tr '\n' ' ')
  for srv in $SERVERS; do
    name=${srv%%=*}; bin=${srv#*=}
    DATABASE_URL=$DB_URL PLAN_LIMITS=$LIMITS ADDR=127.0.0.1:$PORT LOG_LEVEL=WARN "$bin" 2>>"$OUT/server-$name.log" &
    PID=$!
    wait_up "http://127.0.0.1:$PORT/healthz"
    for s in $order; do
      case $s in
      e1 | e2) load "$name.$s.$r" -url "$G" -key "$KEY" -query "$WORK/$s.graphql" ;;
      h) load "$name.h.$r" -method GET -url "http://127.0.0.1:$PORT/v1/contacts?limit=50" -key "$KEY" ;;
      g) load "$name.g.$r" -writes -url "$G" -key "$WKEY_W" ;;
      *) load "$name.$s.$r" -url "$G" -key "$KEY" -query "$(ls bench/queries/shapes/"$s"_*.graphql)" ;;
      esac
    done
    stop
  done
  if [[ " $SHAPES " == *" g "* ]]; then
    DSN=$DB_URL WS_ID=$WS_W ADDR=127.0.0.1:$PORT "$WORK/bareins" 2>>"$OUT/bareins.log" &
    PID=$!
    wait_up "http://127.0.0.1:$PORT/healthz"
    load "bare.g.$r" -writes -url "$G" -key none
    stop
  fi
done
python3 bench/shapes_report.py "$OUT" | tee "$OUT/report.md"
