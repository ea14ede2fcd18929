#!/usr/bin/env bash
# Sums vitest's "Tests  N passed | M skipped" lines in a log (first argument),
# prints "N passed, N failed, N skipped" and, from turbo's closing lines, the
# tasks that failed; fails on any failed or skipped test, or on none at all.
set -euo pipefail
sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
  /Tests +[0-9]/ {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) passed += $i
      if ($(i + 1) ~ /^failed/) failed += $i
      if ($(i + 1) ~ /^(skipped|todo)/) skipped += $i
    }
  }
  # turbo --continue names every failed task at the end: "Failed:    orders-store#test"
  /^ *Failed: +[^ ]+#/ { sub(/^ *Failed: +/, ""); tasks = tasks (tasks ? ", " : "") $0 }
  END {
    printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
    if (tasks) print "failed tasks: " tasks
    if (passed == 0 || failed > 0 || skipped > 0 || tasks) { print "failed, skipped or no tests"; exit 1 }
  }'
