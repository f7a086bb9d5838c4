// Stand-in for the Python extension (id ms-python.python) in the end-to-end tests, as unkind as
// the real one: its environments API reports `python.defaultInterpreterPath` as the active
// interpreter and announces that SAME path again through onDidChangeActiveEnvironmentPath
// 400 ms after activation (the real extension does so 0.4-2 s after activation) and again the
// moment a Hotswap language server process appears, while that server is still starting.
// Every announcement is appended to $HOTSWAP_STANDIN_LOG so the test can prove it happened.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

function record(entry) {
  const file = process.env.HOTSWAP_STANDIN_LOG;
  if (file) fs.appendFileSync(file, JSON.stringify({ from: 'python', at: Date.now(), ...entry }) + '\n');
}

/** Pids of language server processes started by this extension host. */
function serverChildren() {
  const found = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(path.join('/proc', name, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = fs.readFileSync(path.join('/proc', name, 'cmdline'), 'utf8');
      if (cmdline.includes('launch_server.py')) found.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function activate(context) {
  const emitter = new vscode.EventEmitter();
  const active = () => String(vscode.workspace.getConfiguration('python').get('defaultInterpreterPath') || 'python3');
  const announce = (why) => {
    const p = active();
    record({ event: 'same-path', why, path: p });
    emitter.fire({ id: p, path: p, resource: vscode.workspace.workspaceFolders?.[0] });
  };
  const timers = [setTimeout(() => announce('after activation'), 400)];
  const seen = new Set();
  const poll = setInterval(() => {
    for (const pid of serverChildren()) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      announce(`language server ${pid} starting`);
    }
  }, 20);
  context.subscriptions.push(emitter, { dispose: () => { timers.forEach(clearTimeout); clearInterval(poll); } });
  const environments = {
    getActiveEnvironmentPath: () => ({ id: active(), path: active() }),
    resolveEnvironment: async (env) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const p = typeof env === 'string' ? env : env.path;
      return { id: p, path: p, executable: { uri: vscode.Uri.file(p), bitness: '64-bit', sysPrefix: '' } };
    },
    onDidChangeActiveEnvironmentPath: emitter.event,
    known: [],
    onDidChangeEnvironments: new vscode.EventEmitter().event,
    refreshEnvironments: async () => undefined,
    updateActiveEnvironmentPath: async () => undefined,
    getEnvironmentVariables: () => ({}),
    onDidEnvironmentVariablesChange: new vscode.EventEmitter().event,
  };
  record({ event: 'activated', path: active() });
  return { ready: Promise.resolve(), environments, debug: {} };
}

module.exports = { activate, deactivate() {} };
