#!/usr/bin/env bash
# Every compatibility leg (issue 9), one after the other; .ci/run calls this
# after the main run. Each leg prints its own "N passed, N failed, N skipped".
set -euo pipefail
here=$(dirname "$0")
echo "--- compat: node 24"
"$here/node24.sh"
echo "--- compat: rabbitmq 4.0"
"$here/rabbitmq4.sh"
echo "--- compat: container (testcontainers on podman)"
"$here/container.sh"
echo "--- compat: 3-node cluster"
"$here/cluster.sh"
