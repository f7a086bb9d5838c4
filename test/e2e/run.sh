#!/usr/bin/env bash
# End-to-end tests in a real VS Code (`make test-e2e`): installs code-server and Chromium if
# needed, builds and installs our .vsix into a private code-server, then runs the tests with
# node's test runner (all of tests/, or the test files given as arguments). Every process
# started here is stopped on exit, even after a failure.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_DIR="$REPO_DIR/test/e2e"
cd "$REPO_DIR"

bash "$E2E_DIR/setup.sh"

if [[ -z ${HOTSWAP_VSIX:-} ]]; then
  make --no-print-directory vsix
  HOTSWAP_VSIX="$REPO_DIR/hotswap.vsix"
fi
if [[ ! -f $HOTSWAP_VSIX ]]; then
  echo "e2e: no extension package at $HOTSWAP_VSIX (\`make vsix\` should have built it)" >&2
  exit 1
fi

TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/hotswap-e2e.XXXXXX")"
PIDFILE="$TMP_ROOT/pids"
: >"$PIDFILE"

cleanup() {
  local status=$?
  # Process groups the tests recorded (code-server, kernel drivers, kernels)...
  local pid
  while read -r pid; do
    [[ -n $pid ]] && kill -TERM -- "-$pid" 2>/dev/null || true
  done <"$PIDFILE"
  # ...and anything else still pointing into our private folder (browser profiles live there).
  local stragglers
  stragglers="$(pgrep -f -- "$TMP_ROOT" || true)"
  if [[ -n $stragglers ]]; then
    kill -TERM $stragglers 2>/dev/null || true
  fi
  while read -r pid; do
    [[ -n $pid ]] && kill -KILL -- "-$pid" 2>/dev/null || true
  done <"$PIDFILE"
  stragglers="$(pgrep -f -- "$TMP_ROOT" || true)"
  if [[ -n $stragglers ]]; then
    kill -KILL $stragglers 2>/dev/null || true
  fi
  rm -rf "$TMP_ROOT"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One installation of the extension, shared by the tests' code-server instances.
mkdir -p "$TMP_ROOT/extensions" "$TMP_ROOT/tmp"
node "$E2E_DIR/node_modules/code-server/out/node/entry.js" \
  --user-data-dir "$TMP_ROOT/install-user-data" --extensions-dir "$TMP_ROOT/extensions" \
  --install-extension "$HOTSWAP_VSIX" --force

# The stand-ins of the Python and Jupyter extensions (ids ms-python.python, ms-toolsai.jupyter),
# packaged for the test that installs them beside our .vsix (tests/standins.test.mjs).
STANDINS=()
for standin in python jupyter; do
  (cd "$E2E_DIR/standins/$standin" &&
    "$REPO_DIR/node_modules/.bin/vsce" package --allow-missing-repository \
      --out "$TMP_ROOT/standin-$standin.vsix" >/dev/null)
  STANDINS+=("$TMP_ROOT/standin-$standin.vsix")
done
export HOTSWAP_E2E_STANDINS="${STANDINS[0]}:${STANDINS[1]}"

export HOTSWAP_VSIX
export HOTSWAP_E2E_TMP="$TMP_ROOT"
export HOTSWAP_E2E_EXTENSIONS="$TMP_ROOT/extensions"
export HOTSWAP_E2E_PIDFILE="$PIDFILE"
# Chromium's profile and anything else temporary lands in our folder, so cleanup finds it.
export TMPDIR="$TMP_ROOT/tmp"

cd "$E2E_DIR"
node --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${@:-tests/}"
