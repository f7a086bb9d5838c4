#!/usr/bin/env bash
# `make demo`: a private VS Code (code-server) in your browser with Hotswap installed, a copy of
# this folder as its workspace and a running kernel with hotswap loaded. Stays in the
# foreground; Ctrl-C stops everything it started and removes the temporary folder.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_DIR="$REPO_DIR/test/e2e"
VENV="$REPO_DIR/.venv"
PORT="${HOTSWAP_DEMO_PORT:-0}"
cd "$REPO_DIR"

say() { printf '\033[1m[demo]\033[0m %s\n' "$*"; }

bash "$E2E_DIR/setup.sh"
if [[ -z ${HOTSWAP_VSIX:-} ]]; then
  say "building the extension (make vsix)"
  make --no-print-directory vsix
  HOTSWAP_VSIX="$REPO_DIR/hotswap.vsix"
fi

DEMO_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/hotswap-demo.XXXXXX")"
WORKSPACE="$DEMO_ROOT/workspace"
RUNTIME="$DEMO_ROOT/runtime"
USER_DATA="$DEMO_ROOT/user-data"
EXTENSIONS="$DEMO_ROOT/extensions"
PIDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  say "stopping"
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # Give the kernel driver time to shut its kernel down cleanly, then make sure.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$DEMO_ROOT"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

mkdir -p "$WORKSPACE" "$USER_DATA/User" "$EXTENSIONS"
install -d -m 0700 "$RUNTIME"
cp "$REPO_DIR/examples/demo/"{math_utils.py,greeter.py,README.md} "$WORKSPACE/"

# Everything started from here on (the kernel, code-server, its terminals and the language
# server) uses the same private Jupyter runtime dir and finds `jupyter` in the virtualenv.
export JUPYTER_RUNTIME_DIR="$RUNTIME"
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"

cat >"$USER_DATA/User/settings.json" <<EOF
{
  "hotswap.pythonPath": "$VENV/bin/python",
  "workbench.startupEditor": "readme",
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "terminal.integrated.cwd": "$WORKSPACE",
  "terminal.integrated.env.linux": {
    "PATH": "$VENV/bin:\${env:PATH}",
    "VIRTUAL_ENV": "$VENV",
    "JUPYTER_RUNTIME_DIR": "$RUNTIME"
  }
}
EOF
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" >"$USER_DATA/config.yaml"
chmod 0600 "$USER_DATA/config.yaml"

CODE_SERVER=(node "$E2E_DIR/node_modules/code-server/out/node/entry.js"
  --config "$USER_DATA/config.yaml" --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS")

say "installing the extension into a private code-server"
"${CODE_SERVER[@]}" --install-extension "$HOTSWAP_VSIX" --force >/dev/null

say "starting a kernel with hotswap loaded in $WORKSPACE"
setsid "$VENV/bin/python" "$E2E_DIR/kernel_driver.py" --cwd "$WORKSPACE" --serve \
  >"$DEMO_ROOT/kernel.log" 2>&1 </dev/null &
PIDS+=($!)
CONNECTION_FILE=""
for _ in $(seq 600); do
  CONNECTION_FILE="$(sed -n 's/.*"connection_file": "\([^"]*\)".*/\1/p' "$DEMO_ROOT/kernel.log")"
  [[ -n $CONNECTION_FILE ]] && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$DEMO_ROOT/kernel.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $CONNECTION_FILE ]] || { say "the kernel did not start:"; cat "$DEMO_ROOT/kernel.log" >&2; exit 1; }

say "starting VS Code (code-server) on 127.0.0.1"
setsid "${CODE_SERVER[@]}" --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-getting-started-override \
  "$WORKSPACE" >"$DEMO_ROOT/code-server.log" 2>&1 </dev/null &
PIDS+=($!)
ADDRESS=""
for _ in $(seq 600); do
  ADDRESS="$(sed -n 's/.*HTTP server listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)\/.*/\1/p' "$DEMO_ROOT/code-server.log")"
  [[ -n $ADDRESS ]] && break
  kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$DEMO_ROOT/code-server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $ADDRESS ]] || { say "code-server did not start:"; cat "$DEMO_ROOT/code-server.log" >&2; exit 1; }

cat <<EOF

  Hotswap demo is running.

  1. Open  $ADDRESS/?folder=$WORKSPACE
     and answer "Yes, I trust the authors" (Hotswap runs only in trusted workspaces).
  2. Open a terminal in VS Code (Ctrl+\`) and attach to the kernel:
       $VENV/bin/jupyter console --existing $CONNECTION_FILE
     It already ran:  from math_utils import scale;  from greeter import Greeter;  g = Greeter("Ada")
  3. Follow README.md in the workspace: edit math_utils.py, save, call scale(2) again.

  Ctrl-C here stops the kernel and VS Code and deletes $DEMO_ROOT.

EOF
wait "${PIDS[-1]}"
