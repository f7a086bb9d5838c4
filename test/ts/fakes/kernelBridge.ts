/**
 * A real ipykernel driven through fakes/kernel_bridge.py (jupyter_client). The fakes of the
 * Jupyter extension's Kernel and of debug sessions do their work here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { testPython } from './paths';

export interface BridgeMessage {
    id?: number;
    type: string;
    name?: string;
    text?: string;
    ename?: string;
    evalue?: string;
    status?: string;
    state?: string;
    pid?: number;
    data?: Record<string, string>;
    user_expressions?: Record<string, { status: string; data?: Record<string, string>; ename?: string; evalue?: string }>;
}

type Listener = (message: BridgeMessage) => void;

export class KernelBridge {
    private nextId = 1;
    private readonly listeners = new Map<number, Listener>();
    private readonly statusListeners = new Set<(state: string) => void>();
    private stderr = '';
    private exited = false;
    pid: number | undefined;

    private constructor(private readonly child: ChildProcess) {
        const lines = readline.createInterface({ input: child.stdout! });
        lines.on('line', (line) => this.dispatch(JSON.parse(line) as BridgeMessage));
        child.stderr!.on('data', (d: Buffer) => {
            this.stderr = (this.stderr + d.toString()).slice(-4000);
        });
        child.once('exit', () => {
            this.exited = true;
            for (const listener of this.listeners.values()) {
                listener({ type: 'done', status: 'error', evalue: `bridge exited: ${this.stderr}` });
            }
            this.listeners.clear();
        });
    }

    /** Starts a kernel whose working directory is `cwd`; resolves when it is ready. */
    static start(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<KernelBridge> {
        const script = path.join(__dirname, 'kernel_bridge.py');
        const child = spawn(testPython(), [script, cwd], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
        const bridge = new KernelBridge(child);
        return new Promise((resolve, reject) => {
            const onReady = (m: BridgeMessage): void => {
                if (m.type === 'ready') {
                    bridge.pid = m.pid;
                    resolve(bridge);
                }
            };
            bridge.readyListener = onReady;
            child.once('exit', (code) => reject(new Error(`kernel bridge exited with ${code}: ${bridge.stderr}`)));
        });
    }

    private readyListener: Listener | undefined;

    private dispatch(message: BridgeMessage): void {
        if (message.type === 'ready') {
            this.readyListener?.(message);
            return;
        }
        if (message.type === 'status' && message.state) {
            for (const listener of this.statusListeners) {
                listener(message.state);
            }
            return;
        }
        if (message.id !== undefined) {
            this.listeners.get(message.id)?.(message);
        }
    }

    onStatus(listener: (state: string) => void): () => void {
        this.statusListeners.add(listener);
        return () => this.statusListeners.delete(listener);
    }

    /** Sends one request; `onMessage` gets every message for it, the promise resolves on "done". */
    request(op: string, fields: Record<string, unknown>, onMessage: Listener = () => undefined): Promise<BridgeMessage> {
        if (this.exited) {
            return Promise.reject(new Error(`kernel bridge is gone: ${this.stderr}`));
        }
        const id = this.nextId++;
        return new Promise((resolve) => {
            this.listeners.set(id, (m) => {
                onMessage(m);
                if (m.type === 'done') {
                    this.listeners.delete(id);
                    resolve(m);
                }
            });
            this.child.stdin!.write(JSON.stringify({ id, op, ...fields }) + '\n');
        });
    }

    /** Runs a cell as the user would (history stored) and returns its stdout; throws on error. */
    async run(code: string): Promise<string> {
        let stdout = '';
        const errors: string[] = [];
        const done = await this.request('execute', { code, store_history: true }, (m) => {
            if (m.type === 'stream' && m.name === 'stdout') {
                stdout += m.text ?? '';
            } else if (m.type === 'error') {
                errors.push(`${m.ename}: ${m.evalue}`);
            }
        });
        if (done.status !== 'ok') {
            throw new Error(`cell failed: ${errors.join('; ') || done.evalue}`);
        }
        return stdout;
    }

    /** Evaluates an expression silently (no history, no output) and returns its repr. */
    async evaluate(expression: string): Promise<string> {
        const done = await this.request('execute', { code: '', silent: true, store_history: false, user_expressions: { v: expression } });
        const value = done.user_expressions?.v;
        if (!value || value.status !== 'ok') {
            throw new Error(`expression failed: ${value?.ename}: ${value?.evalue}`);
        }
        return value.data?.['text/plain'] ?? '';
    }

    restart(): Promise<BridgeMessage> {
        return this.request('restart', {});
    }

    /** Shuts the kernel down and waits for the bridge to exit. */
    async close(): Promise<void> {
        if (this.exited) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        this.child.stdin!.write(JSON.stringify({ op: 'shutdown' }) + '\n');
        this.child.stdin!.end();
        await exited;
    }
}
