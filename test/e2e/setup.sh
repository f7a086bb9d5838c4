#!/usr/bin/env bash
# Installs what a real VS Code needs here, idempotently: Debian's chromium/libkrb5-dev/ripgrep,
# then code-server 4.100.3 and playwright-core from npm with code-server's install steps done by
# hand (its own postinstall downloads ripgrep from GitHub and refuses to run as root).
# A stamp holding the lockfile's hash makes a repeated run a no-op.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$E2E_DIR"

log() { printf '[setup] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  local pkg
  for pkg in chromium libkrb5-dev ripgrep; do
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return
  fi
  if ! command -v apt-get >/dev/null; then
    log "missing packages ${missing[*]} and no apt-get: install them with your package manager"
    exit 1
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}"
}

install_code_server() {
  local stamp="node_modules/.hotswap-setup-stamp"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return
  fi
  log "installing code-server and playwright-core (first run takes about a minute)"
  # npm refuses `npx` installs on this machine unless told yes; node-pty's rebuild uses one.
  export npm_config_yes=true npm_config_audit=false npm_config_fund=false
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  npm rebuild argon2 --loglevel=error
  (
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog \
      --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    (cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  )
  node node_modules/code-server/out/node/entry.js --version >/dev/null
  printf '%s' "$want" >"$stamp"
  log "code-server ready: $(node node_modules/code-server/out/node/entry.js --version | head -1)"
}

install_debian_packages
install_code_server
