// A real ipykernel with hotswap loaded, driven through kernel_driver.py's JSON-lines protocol,
// so tests can run code in it and read what the user would see.
import { createInterface } from 'node:readline';
import { KERNEL_DRIVER, VENV_PYTHON } from './paths.mjs';
import { recordGroup, startOwned } from './processes.mjs';

const REQUEST_TIMEOUT_MS = 90_000;

export class Kernel {
  /** @param {import('./processes.mjs').Owned} owned @param {{connection_file: string, kernel_pid: number}} ready */
  constructor(owned, ready, lines) {
    this.owned = owned;
    this.connectionFile = ready.connection_file;
    this.pid = ready.kernel_pid;
    this.nextId = 1;
    /** @type {Map<string, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    lines.on('line', (line) => this.onLine(line));
    owned.proc.once('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`kernel driver exited:\n${owned.output().slice(-2000)}`));
      this.pending.clear();
    });
  }

  /**
   * Start the driver in `workspace` with `env` (JUPYTER_RUNTIME_DIR!) and wait until the kernel
   * has run its setup (`%load_ext hotswap`, the demo imports).
   */
  static async start(workspace, env) {
    const owned = startOwned('kernel', VENV_PYTHON, [KERNEL_DRIVER, '--cwd', workspace], {
      cwd: workspace,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: owned.proc.stdout });
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kernel not ready in 90 s:\n${owned.output()}`)), REQUEST_TIMEOUT_MS);
      const onLine = (line) => {
        const message = JSON.parse(line);
        if (message.event === 'ready') {
          clearTimeout(timer);
          lines.off('line', onLine);
          resolve(message);
        }
      };
      lines.on('line', onLine);
      owned.proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kernel driver exited (${code}) before the kernel was ready:\n${owned.output()}`));
      });
    });
    if (ready.kernel_pid) recordGroup(ready.kernel_pid);
    return new Kernel(owned, ready, lines);
  }

  onLine(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    const waiter = this.pending.get(message.id);
    if (waiter) {
      this.pending.delete(message.id);
      waiter.resolve(message);
    }
  }

  request(body) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`kernel request ${JSON.stringify(body)} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.owned.proc.stdin.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  /** Run a cell as the user would (history, hooks, IOPub output). */
  async execute(code) {
    return this.request({ op: 'execute', code });
  }

  /** Evaluate an expression silently (no cell, no pre_run_cell hooks) and return its repr. */
  async eval(expr) {
    const reply = await this.request({ op: 'eval', expr });
    if (!reply.ok) throw new Error(`eval ${expr} failed: ${reply.error}`);
    return reply.result;
  }

  /** Ask the kernel service (docs/protocol.md) directly; returns its `result`. */
  async hotswap(command, args = {}) {
    const reply = await this.request({ op: 'hotswap', command, args });
    if (!reply.ok || !reply.response.ok) {
      throw new Error(`hotswap ${command} failed: ${JSON.stringify(reply)}`);
    }
    return reply.response.result;
  }

  async stop() {
    if (this.owned.proc.exitCode === null) {
      // A clean shutdown first (the driver removes the connection file), then the safety net.
      this.owned.proc.stdin.write(JSON.stringify({ id: 'shutdown', op: 'shutdown' }) + '\n');
      this.owned.proc.stdin.end();
      await Promise.race([this.owned.exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    }
    await this.owned.stop();
    // The kernel leads its own session; make sure it is gone too.
    if (this.pid) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already shut down by the driver
      }
    }
  }
}
