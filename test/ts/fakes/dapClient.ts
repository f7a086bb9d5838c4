/**
 * A minimal Debug Adapter Protocol client for debugpy's adapter (`python -m debugpy.adapter`
 * over stdio), standing in for VS Code's DebugSession: `customRequest` sends a real DAP request
 * to a real debuggee, and every message is shown to the same tracker callbacks VS Code calls.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { testPython } from './paths';
import { FrameReader, writeFrame } from './framing';

interface DapResponse {
    seq: number;
    type: 'response';
    request_seq: number;
    success: boolean;
    command: string;
    message?: string;
    body?: unknown;
}

interface DapEvent {
    seq: number;
    type: 'event';
    event: string;
    body?: Record<string, unknown>;
}

type DapMessage = DapResponse | DapEvent | { seq: number; type: 'request'; command: string; arguments?: unknown };

export interface Tracker {
    fromAdapter(message: unknown): void;
    toAdapter(message: unknown): void;
}

export class DapSession {
    readonly id = `dap-${process.pid}-${Date.now()}`;
    readonly name = 'test debuggee';
    readonly type = 'debugpy';
    private seq = 1;
    private readonly frames = new FrameReader();
    private readonly pending = new Map<number, (r: DapResponse) => void>();
    private readonly events: DapEvent[] = [];
    private readonly eventWaiters: { match: (e: DapEvent) => boolean; resolve: (e: DapEvent) => void }[] = [];
    private stderr = '';
    readonly output: string[] = [];

    private constructor(
        private readonly child: ChildProcess,
        private readonly tracker: Tracker,
    ) {
        child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
        child.stderr!.on('data', (d: Buffer) => {
            this.stderr = (this.stderr + d.toString()).slice(-4000);
        });
    }

    static start(tracker: Tracker, env: NodeJS.ProcessEnv = process.env): DapSession {
        const child = spawn(testPython(), ['-m', 'debugpy.adapter'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        return new DapSession(child, tracker);
    }

    private receive(chunk: Buffer): void {
        for (const message of this.frames.push(chunk) as DapMessage[]) {
            this.handle(message);
        }
    }

    private handle(message: DapMessage): void {
        this.tracker.fromAdapter(message);
        if (message.type === 'response') {
            const resolve = this.pending.get(message.request_seq);
            this.pending.delete(message.request_seq);
            resolve?.(message);
        } else if (message.type === 'event') {
            if (message.event === 'output' && typeof message.body?.output === 'string') {
                this.output.push(message.body.output);
            }
            this.events.push(message);
            for (const waiter of [...this.eventWaiters]) {
                if (waiter.match(message)) {
                    this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
                    waiter.resolve(message);
                }
            }
        } else if (message.type === 'request') {
            // Reverse requests (runInTerminal, startDebugging) are not used with internalConsole.
            this.write({ seq: this.seq++, type: 'response', request_seq: message.seq, success: false, command: message.command });
        }
    }

    private write(message: object): void {
        this.tracker.toAdapter(message);
        writeFrame(this.child.stdin!, message);
    }

    /** Sends a request and waits for its response (rejecting with the adapter's message). */
    send(command: string, args?: unknown): Promise<DapResponse> {
        const seq = this.seq++;
        return new Promise((resolve) => {
            this.pending.set(seq, resolve);
            this.write({ seq, type: 'request', command, arguments: args });
        });
    }

    /** vscode.DebugSession.customRequest: the response body, or a thrown error. */
    async customRequest(command: string, args?: unknown): Promise<unknown> {
        const response = await this.send(command, args);
        if (!response.success) {
            throw new Error(response.message ?? `${command} failed`);
        }
        return response.body;
    }

    /** Resolves with the first event (already seen or future) that matches. */
    waitForEvent(match: (e: DapEvent) => boolean, timeoutMs = 60000): Promise<DapEvent> {
        const seen = this.events.find(match);
        if (seen) {
            return Promise.resolve(seen);
        }
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching DAP event; adapter stderr: ${this.stderr}`)), timeoutMs);
            this.eventWaiters.push({
                match,
                resolve: (e) => {
                    clearTimeout(timer);
                    resolve(e);
                },
            });
        });
    }

    /** Ends the debuggee and the adapter. */
    async close(): Promise<void> {
        if (this.child.exitCode !== null) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        await Promise.race([this.send('disconnect', { terminateDebuggee: true }), exited]);
        this.child.stdin!.end();
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
    }
}
