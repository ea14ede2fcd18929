#!/usr/bin/env bash
# Proves a broker needs no root: as the unprivileged user nobody, with a fresh
# HOME (so an empty per-user cache), test-broker fetches RabbitMQ from the apt
# archive into that cache, starts an isolated node from it, checks it answers,
# and stops it. Run by .ci/run as root.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "--- unprivileged broker: needs root to switch to nobody" >&2; exit 1; }
if dpkg -s rabbitmq-server >/dev/null 2>&1; then
  echo "--- unprivileged broker: rabbitmq-server is installed system-wide, so the cache would not be used" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH="$PATH" HOME="$work/home" "$@"; }
# nobody may not be able to read the clone (under root's HOME, say): give it a copy.
if ! as_nobody test -r "$repo/packages/test-broker/bin/test-broker.mjs"; then
  cp -a "$repo" "$work/repo"
  repo="$work/repo"
fi
mkdir "$work/home"
chown nobody:nogroup "$work/home"
as_nobody node "$repo/packages/test-broker/bin/test-broker.mjs" run -- \
  node "$repo/scripts/check-broker.mjs"
find "$work/home/.cache/rabbitmq-by-example" -maxdepth 1 -mindepth 1 -printf '%f\n' | grep -qx rabbitmq-server
owner=$(stat -c %U "$work/home/.cache/rabbitmq-by-example/rabbitmq-server/root/usr/lib/erlang/bin/erl")
[ "$owner" = nobody ] || { echo "--- the cached install belongs to $owner, not nobody" >&2; exit 1; }
echo "--- unprivileged broker: fetched and started as nobody, nothing installed system-wide"
