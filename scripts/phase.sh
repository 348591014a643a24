#!/usr/bin/env bash
# Runs one phase of `make test` and says how long it took ("phase lint: 18 s"), failed or not.
name=$1
shift
start=$(date +%s)
"$@"
status=$?
echo "phase $name: $(($(date +%s) - start)) s$([ "$status" = 0 ] || echo ", failed ($status)")"
exit "$status"
