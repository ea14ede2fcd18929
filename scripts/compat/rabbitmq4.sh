#!/usr/bin/env bash
# Tests against RabbitMQ 4.0. This machine's Debian (bookworm)
# ships 3.10, so 4.0 comes from Debian trixie, installed in a chroot (about
# 500 MB, built once and kept in $RABBITMQ4_ROOT). The harness starts it like
# a local install, through wrapper scripts (server, rabbitmqctl, epmd: this
# machine may have no Erlang of its own); /tmp is shared with the
# chroot, so its temporary config, data and certificates are where it looks.
# Needs root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
root=${RABBITMQ4_ROOT:-/var/cache/retry-kit/trixie}
LEG="rabbitmq 4.0 leg"
source "$repo/scripts/compat/leg.sh"
[ "$(id -u)" = 0 ] || unable "it needs root (a chroot and bind mounts)"
[ -x "$root/usr/lib/rabbitmq/bin/rabbitmq-server" ] || command -v debootstrap >/dev/null ||
  command -v apt-get >/dev/null || unable "it needs debootstrap, or apt-get to install it"

"$repo/scripts/compat/debian-root.sh" trixie "$root"

mount --bind /tmp "$root/tmp"
mount -t proc proc "$root/proc"
wrappers=$(mktemp -d)
cleanup() {
  umount "$root/tmp" "$root/proc" || true
  rm -rf "$wrappers"
}
trap cleanup EXIT
for tool in rabbitmq/bin/rabbitmq-server rabbitmq/bin/rabbitmqctl erlang/bin/epmd; do
  printf '#!/bin/sh\nexec chroot %s /usr/lib/%s "$@"\n' "$root" "$tool" >"$wrappers/${tool##*/}"
  chmod +x "$wrappers/${tool##*/}"
done
export RABBITMQ_SERVER_BIN="$wrappers/rabbitmq-server"

version=$(chroot "$root" dpkg-query -W -f='${Version}' rabbitmq-server)
cd "$repo"
# Every step (streams for real: they need 3.11) and the kit, on the next
# major; not the harness's own tests, nor the shop, which only uses the kit,
# nor the pages' checks, which re-run the same steps, nor the CLI's usage
# texts (CI's time is bounded).
run_tests "rabbitmq $version" pnpm test --filter='!test-broker' --filter='!orders-store' --filter='!docs-check' -- \
  --exclude '**/cli-usage.test.ts'
