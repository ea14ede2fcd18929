#!/usr/bin/env bash
# Sums vitest's "Tests  N passed | M skipped" lines in a log (first argument),
# prints "N passed, N failed, N skipped", the tests that failed (vitest's FAIL
# lines) and, from turbo's closing lines, the tasks that failed; fails on any
# failed or skipped test, or on none at all. CI shows only a log's tail: the
# failures' names must be in it.
set -euo pipefail
sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
  /Tests +[0-9]/ {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) passed += $i
      if ($(i + 1) ~ /^failed/) failed += $i
      if ($(i + 1) ~ /^(skipped|todo)/) skipped += $i
    }
  }
  # vitest: " FAIL  test/x.test.ts > suite > name", behind the turbo prefix "pkg:test: "
  / FAIL  .* > / { line = $0; sub(/^.* FAIL  /, "", line); pkg = $1; sub(/:.*/, "", pkg); fails = fails "  " pkg ": " line "\n" }
  # turbo --continue names every failed task at the end: "Failed:    orders-store#test"
  /^ *Failed: +[^ ]+#/ { sub(/^ *Failed: +/, ""); tasks = tasks (tasks ? ", " : "") $0 }
  END {
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
    if (fails) printf "failed tests:\n%s", fails
    if (tasks) print "failed tasks: " tasks
    if (passed == 0 || failed > 0 || skipped > 0 || tasks) { print "failed, skipped or no tests"; exit 1 }
  }'
