/**
 * A minimal LSP client over stdio (Content-Length framing, JSON-RPC 2.0) to drive the real
 * language server exactly as the extension launches it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { FrameReader, writeFrame } from './framing';

interface Message {
    jsonrpc: '2.0';
    id?: number;
    method?: string;
    params?: unknown;
    result?: unknown;
    error?: { code: number; message: string };
}

export class LspClient {
    private seq = 1;
    private readonly frames = new FrameReader();
    private readonly pending = new Map<number, (m: Message) => void>();
    readonly notifications: Message[] = [];
    /** Answers to server requests by method (others get null, like an editor that ignores them). */
    readonly handlers = new Map<string, (params: unknown) => Promise<unknown>>();
    private stderr = '';

    private constructor(private readonly child: ChildProcess) {
        child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
        child.stderr!.on('data', (d: Buffer) => {
            this.stderr = (this.stderr + d.toString()).slice(-4000);
        });
    }

    static start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): LspClient {
        return new LspClient(spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
    }

    get log(): string {
        return this.stderr;
    }

    private receive(chunk: Buffer): void {
        for (const message of this.frames.push(chunk) as Message[]) {
            if (message.id !== undefined && message.method === undefined) {
                this.pending.get(message.id)?.(message);
                this.pending.delete(message.id);
            } else if (message.id !== undefined && message.method !== undefined) {
                const handler = this.handlers.get(message.method);
                const id = message.id;
                if (handler) {
                    handler(message.params).then(
                        (result) => this.write({ jsonrpc: '2.0', id, result }),
                        (err: unknown) => this.write({ jsonrpc: '2.0', id, error: { code: -32603, message: String(err) } }),
                    );
                } else {
                    // A server request (workspace/configuration, window/workDoneProgress/create...): answer null.
                    this.write({ jsonrpc: '2.0', id, result: null });
                }
            } else {
                this.notifications.push(message);
            }
        }
    }

    private write(message: Message): void {
        writeFrame(this.child.stdin!, message);
    }

    async request<T>(method: string, params: unknown): Promise<T> {
        const id = this.seq++;
        const response = await new Promise<Message>((resolve) => {
            this.pending.set(id, resolve);
            this.write({ jsonrpc: '2.0', id, method, params });
        });
        if (response.error) {
            throw new Error(`${method}: ${response.error.message}`);
        }
        return response.result as T;
    }

    notify(method: string, params: unknown): void {
        this.write({ jsonrpc: '2.0', method, params });
    }

    /** Shuts the server down the LSP way and waits for the process to end. */
    async stop(): Promise<void> {
        if (this.child.exitCode !== null) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        await this.request('shutdown', null).catch(() => undefined);
        this.notify('exit', null);
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
    }
}
