#!/usr/bin/env bash
# Runs `npm test` N times (default 3) while busy loops keep every core loaded, and prints how many
# runs passed: the e2e suite's flake rate on a machine as busy as a shared CI runner. Bounded: the
# busy loops end with the script (and after 2 h at the latest).
#   bash bin/flake-rate.sh [N]        (uses DATABASE_URL / REDIS_URL / CI from the environment)
set -u
cd "$(dirname "$0")/.."
runs="${1:-3}"
cores="$(nproc)"
busy=()
for _ in $(seq 1 "$cores"); do
  timeout 7200 sh -c 'while :; do :; done' &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
passed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if npm test > "/tmp/quiver-flake-run-$i.log" 2>&1; then
    passed=$((passed + 1)); result=passed
  else
    result="FAILED (log: /tmp/quiver-flake-run-$i.log)"
  fi
  echo "run $i of $runs under load ($cores busy loops, load $(cut -d' ' -f1 /proc/loadavg)): $result in $(( $(date +%s) - start )) s"
done
echo "flake rate: $((runs - passed)) of $runs runs failed"
[ "$passed" -eq "$runs" ]
