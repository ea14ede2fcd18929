#!/usr/bin/env bash
# Tests again on Node 24, the current LTS (the main run uses
# the machine's Node, 20 here). Node 24 comes from the npm registry's "node"
# package; the suite runs in a fresh clone of HEAD, so the main checkout's
# node_modules stay as they are.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
LEG="node 24 leg"
source "$root/scripts/compat/leg.sh"
node24=$(npx --yes node@24 -p 'process.execPath' 2>/dev/null) || unable "npx could not fetch node@24 from the npm registry"
node24_bin=$(dirname "$node24")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/repo"
cd "$work/repo"
export PATH="$node24_bin:$PATH"
echo "--- node $(node --version): pnpm install"
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
# The kit and the shop (native SQLite, Fastify): what a Node major can break.
# The step programs run on the same amqplib and tsx. Left out, to keep CI
# under 30 minutes: what the main run covers and Node does not change (the
# CLI's usage texts, the delay topologies' broker-side timing, the page as
# Chromium renders it).
run_tests "node $(node --version)" pnpm test --filter=retry-kit --filter=orders-store -- \
  --exclude '**/cli-usage.test.ts' --exclude '**/delays.test.ts' --exclude '**/page.test.ts'
