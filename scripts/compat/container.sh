#!/usr/bin/env bash
# Tests through the harness's container path: testcontainers
# starts RabbitMQ in a container, as it does on a machine with Docker. Here
# that is podman (installed when missing) serving the Docker API on a socket,
# and an image built locally (no registry is reachable): the Debian trixie
# root the 4.0 leg uses, imported, plus scripts/compat/container/Containerfile.
# Needs root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
root=${RABBITMQ4_ROOT:-/var/cache/retry-kit/trixie}
image=localhost/retry-kit/rabbitmq:4.0
LEG="container leg"
source "$repo/scripts/compat/leg.sh"
[ "$(id -u)" = 0 ] || unable "it needs root (podman and a chroot build)"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  command -v apt-get >/dev/null || unable "it needs podman and runc, or apt-get to install them"
  echo "--- installing podman and runc"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
fi
export CONTAINERS_CONF="$repo/scripts/compat/container/containers.conf"

"$repo/scripts/compat/debian-root.sh" trixie "$root"
if ! podman image exists localhost/retry-kit/trixie:base; then
  echo "--- importing $root as localhost/retry-kit/trixie:base"
  # --one-file-system: never /tmp or /proc, should the 4.0 leg have them mounted.
  tar -C "$root" --one-file-system -c . | podman import -q - localhost/retry-kit/trixie:base >/dev/null
fi
podman build -q -t "$image" "$repo/scripts/compat/container" >/dev/null

work=$(mktemp -d)
socket="$work/podman.sock"
podman system service --time=0 "unix://$socket" &
service=$!
cleanup() {
  # Without Ryuk, a run that died leaves its containers: remove them.
  podman ps -aq --filter label=org.testcontainers=true | xargs -r podman rm -f >/dev/null || true
  kill "$service" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done

export DOCKER_HOST="unix://$socket"
# The Ryuk image cannot be pulled here; the trap above does its job.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export TEST_BROKER_IMAGE="$image"
cd "$repo"
source=$(node packages/test-broker/bin/test-broker.mjs probe)
[ "$source" = container ] || { echo "--- $LEG: the harness would use '$source', not a container" >&2; exit 1; }

version=$(chroot "$root" dpkg-query -W -f='${Version}' rabbitmq-server)
# What the container path adds: the harness's start and fault controls
# through the container, and the stream port mapped and advertised.
run_tests "container ($image, rabbitmq $version)" pnpm test --filter=test-broker --filter=streams --filter=publisher-confirms
