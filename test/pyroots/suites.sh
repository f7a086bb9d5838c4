#!/usr/bin/env bash
# Run the Python suites under every tested version at once: 3.11 from .venv, 3.13 and 3.14 in
# their Debian roots (built first if this machine has none yet, while 3.11 runs). The suites
# mostly wait on kernels and servers, so side by side they take little longer than the slowest.
# Each writes its own log, printed whole when it ends; the run fails if any of them failed.
#
#   test/pyroots/suites.sh [pytest arguments]   # default: -q test/python
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
args=("$@")
((${#args[@]})) || args=(-q test/python)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

declare -A pids names
start=$SECONDS
run() {  # run NAME command...
  local name=$1; shift
  ("$@" >"$logs/$name.log" 2>&1; echo $? >"$logs/$name.rc") &
  pids[$name]=$!
}
run py311 bash -c 'cd "$1" && shift && exec .venv/bin/python -m pytest "$@"' sh "$repo" "${args[@]}"
run py313 bash "$here/run.sh" trixie "${args[@]}"
run py314 bash "$here/run.sh" sid "${args[@]}"
names=([py311]="Python 3.11 (.venv)" [py313]="Python 3.13 (Debian trixie root)" [py314]="Python 3.14 (Debian sid root)")

failed=()
summary=()
left=(py311 py313 py314)
while ((${#left[@]})); do
  wait -n "${pids[@]}" 2>/dev/null || true
  still=()
  for name in "${left[@]}"; do
    if [[ -f $logs/$name.rc ]]; then
      rc=$(cat "$logs/$name.rc")
      line="${names[$name]}: $( ((rc == 0)) && echo passed || echo "FAILED (exit $rc)") after $((SECONDS - start)) s"
      echo "==== $line"
      cat "$logs/$name.log"
      summary+=("$line")
      ((rc == 0)) || failed+=("$name")
      unset "pids[$name]"
    else
      still+=("$name")
    fi
  done
  left=("${still[@]}")
done
echo "==== Python suites:"
printf '  %s\n' "${summary[@]}"
((${#failed[@]} == 0))
