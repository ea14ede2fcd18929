#!/usr/bin/env bash
# The cluster test: three local RabbitMQ nodes (the machine's rabbitmq-server,
# or the one test-broker fetched into the per-user cache) form a cluster; kit
# producers and consumers on quorum work and delay queues lose a node to
# SIGKILL mid-stream, then get it back. The test starts and stops the cluster
# itself: `pnpm --filter retry-kit test:cluster`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
LEG="cluster leg"
source "$repo/scripts/compat/leg.sh"
cd "$repo"
server=$(pnpm --silent exec test-broker installation) || unable "no rabbitmq-server installed, and none could be fetched"
version=$(basename "$(dirname "$(dirname "$(readlink -f "$server")")")")
run_tests "3-node cluster (${version#rabbitmq_server-})" pnpm --filter retry-kit test:cluster
