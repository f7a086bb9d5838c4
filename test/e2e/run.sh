#!/usr/bin/env bash
# End-to-end tests in a real VS Code (`make test-e2e`): installs code-server and Chromium if
# needed, builds and installs our .vsix into a private code-server, then runs the tests with
# node's test runner. Every process started here is stopped on exit, even after a failure.
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

export HOTSWAP_VSIX
export HOTSWAP_E2E_TMP="$TMP_ROOT"
export HOTSWAP_E2E_EXTENSIONS="$TMP_ROOT/extensions"
export HOTSWAP_E2E_PIDFILE="$PIDFILE"
# Chromium's profile and anything else temporary lands in our folder, so cleanup finds it.
export TMPDIR="$TMP_ROOT/tmp"

cd "$E2E_DIR"
node --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 tests/
