#!/usr/bin/env bash
# Usage: debian-root.sh <suite> <dir>
# A Debian <suite> root in <dir> with rabbitmq-server installed (debootstrap,
# then apt inside a chroot), built once: an existing one is left as it is.
# The 4.0 leg runs RabbitMQ from it in a chroot; the container leg imports it
# as its image's base. Needs root; installs debootstrap when missing.
set -euo pipefail
suite=$1
root=$2
[ -x "$root/usr/lib/rabbitmq/bin/rabbitmq-server" ] && exit 0

echo "--- building $root (Debian $suite with rabbitmq-server)"
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
fi
build="$root.partial"
# A build that died half way may have left /proc mounted in it: never delete across a mount.
umount "$build/proc" 2>/dev/null || true
rm -rf --one-file-system "$build"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase "$suite" "$build" >/dev/null
echo '127.0.0.1 localhost' >"$build/etc/hosts"
cp /etc/resolv.conf "$build/etc/resolv.conf"
# Packages must not start services inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
chmod +x "$build/usr/sbin/policy-rc.d"
mount -t proc proc "$build/proc"
trap 'umount "$build/proc" || true' EXIT
chroot "$build" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server' >/dev/null
umount "$build/proc"
trap - EXIT
mv "$build" "$root"
