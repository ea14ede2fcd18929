# Sourced by every compatibility leg; set LEG (its name) first.

# `unable "<why>"` stops the leg. In CI that is a failure (a leg must not
# vanish from the matrix); elsewhere it is a skip, printed with its reason.
unable() {
  if [ -n "${CI:-}" ]; then
    echo "--- $LEG cannot run here: $1" >&2
    exit 1
  fi
  echo "--- $LEG skipped (outside CI): $1"
  exit 0
}

# `run_tests "<label>" <command...>` runs the tests, then prints their counts
# ("N passed, N failed, N skipped"). Fails when the command fails, or when a
# test failed, was skipped, or none ran.
run_tests() {
  local label=$1
  shift
  local log status=0
  log=$(mktemp)
  echo "--- $label: $*"
  "$@" 2>&1 | tee "$log" || status=$?
  echo "--- $label: summary"
  "$(dirname "${BASH_SOURCE[0]}")/../test-summary.sh" "$log" || [ "$status" != 0 ] || status=1
  rm -f "$log"
  return "$status"
}
