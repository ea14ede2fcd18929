# Sourced by a compatibility leg: `unable "<why>"` stops the leg. In CI that
# is a failure (a leg must not vanish from the matrix); elsewhere it is a
# skip, printed with its reason.
unable() {
  if [ -n "${CI:-}" ]; then
    echo "--- $LEG cannot run here: $1" >&2
    exit 1
  fi
  echo "--- $LEG skipped (outside CI): $1"
  exit 0
}
