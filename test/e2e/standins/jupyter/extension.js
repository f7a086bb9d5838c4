// Stand-in for the Jupyter extension (id ms-toolsai.jupyter) in the end-to-end tests, as unkind
// as the real 2025.4.1: `kernels.getKernel(uri)` gives a kernel for an open notebook, and the
// first `executeCode` opens the same modal the real extension shows ("Do you want to grant
// Kernel access ...?" Allow / Learn More / Deny); calls made while it is open wait for it, Deny or
// dismissing it makes every call throw `vscode.jupyter.apiAccessRevoked`. Code runs in the real
// kernel of $HOTSWAP_STANDIN_CONNECTION_FILE through kernel_client.py. What happens is appended
// to $HOTSWAP_STANDIN_LOG.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const vscode = require('vscode');

function record(entry) {
  const file = process.env.HOTSWAP_STANDIN_LOG;
  if (file) fs.appendFileSync(file, JSON.stringify({ from: 'jupyter', at: Date.now(), ...entry }) + '\n');
}

function revoked() {
  const err = new Error('Access to Jupyter Kernel has been revoked');
  err.name = 'vscode.jupyter.apiAccessRevoked';
  return err;
}

let access; // one answer per window, like the real access store

function requestAccess() {
  access ??= vscode.window
    .showInformationMessage(
      'Do you want to grant Kernel access to the extension Hotswap: Hot Reload for Python (hotswap-dev.hotswap)?',
      { modal: true, detail: 'This allows the extension to execute code against Jupyter Kernels.' },
      'Allow',
      'Learn More',
      'Deny',
    )
    .then((choice) => {
      record({ event: 'consent', choice: choice ?? 'dismissed' });
      return choice === 'Allow';
    });
  return access;
}

class Kernel {
  constructor(connectionFile, python, context) {
    this.language = 'python';
    this.status = 'idle';
    this.statusEmitter = new vscode.EventEmitter();
    this.onDidChangeStatus = this.statusEmitter.event;
    this.nextId = 1;
    this.pending = new Map();
    this.child = spawn(python, [path.join(__dirname, 'kernel_client.py'), connectionFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      this.pending.get(message.id)?.(message);
    });
    this.child.stderr.on('data', (d) => record({ event: 'client-stderr', text: String(d) }));
    context.subscriptions.push({ dispose: () => this.child.kill() });
  }

  setStatus(status) {
    this.status = status;
    this.statusEmitter.fire(status);
  }

  async *executeCode(code) {
    if (!(await requestAccess())) throw revoked();
    const id = this.nextId++;
    const queue = [];
    let wake;
    let done = false;
    this.pending.set(id, (message) => {
      queue.push(message);
      if (message.type === 'done') done = true;
      wake?.();
    });
    this.setStatus('busy');
    record({ event: 'executeCode', id });
    this.child.stdin.write(JSON.stringify({ id, code }) + '\n');
    const encoder = new TextEncoder();
    let failure;
    try {
      for (;;) {
        while (queue.length > 0) {
          const message = queue.shift();
          if (message.type === 'stream') {
            const mime = message.name === 'stderr' ? 'application/vnd.code.notebook.stderr' : 'application/vnd.code.notebook.stdout';
            yield { items: [{ mime, data: encoder.encode(message.text) }], metadata: {} };
          } else if (message.type === 'error') {
            failure = message;
            const payload = JSON.stringify({ name: message.ename, message: message.evalue, stack: '' });
            yield { items: [{ mime: 'application/vnd.code.notebook.error', data: encoder.encode(payload) }], metadata: {} };
          }
        }
        if (done) break;
        await new Promise((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.pending.delete(id);
      this.setStatus('idle');
    }
    if (failure) throw new Error(`${failure.ename}: ${failure.evalue}`);
  }
}

function activate(context) {
  const connectionFile = process.env.HOTSWAP_STANDIN_CONNECTION_FILE;
  const python = String(vscode.workspace.getConfiguration('python').get('defaultInterpreterPath') || 'python3');
  let kernel;
  record({ event: 'activated', connectionFile });
  return {
    kernels: {
      async getKernel(uri) {
        const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
        if (!connectionFile || !doc) return undefined;
        kernel ??= new Kernel(connectionFile, python, context);
        return kernel;
      },
    },
  };
}

module.exports = { activate, deactivate() {} };
