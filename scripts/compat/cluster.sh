#!/usr/bin/env bash
# The cluster test: three local RabbitMQ nodes (the machine's rabbitmq-server)
# form a cluster; kit producers and consumers on quorum work and delay queues
# lose a node to SIGKILL mid-stream, then get it back. The test starts and
# stops the cluster itself: `pnpm --filter retry-kit test:cluster`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
LEG="cluster leg"
source "$repo/scripts/compat/leg.sh"
command -v rabbitmq-server >/dev/null || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] ||
  unable "it needs a local rabbitmq-server installation"
cd "$repo"
version=$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo unknown)
run_tests "3-node cluster (rabbitmq $version)" pnpm --filter retry-kit test:cluster
