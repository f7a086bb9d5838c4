/**
 * The Jupyter extension's published `Kernel` interface (@vscode/jupyter-extension), with the
 * work done by a real ipykernel. It behaves like the extension: code runs without touching the
 * execution count or history, stdout arrives as `application/vnd.code.notebook.stdout` items,
 * an error arrives as an error item and then a throw, and after the user denied access every
 * call throws an error named `vscode.jupyter.apiAccessRevoked`.
 */
import type { Kernel, KernelStatus } from '@vscode/jupyter-extension';
import type { CancellationToken, Disposable, Event } from 'vscode';
import { KernelBridge } from './kernelBridge';

const encoder = new TextEncoder();

export class Emitter<T> {
    private readonly listeners = new Set<(value: T) => void>();
    readonly event: Event<T> = (listener: (value: T) => unknown): Disposable => {
        const bound = (value: T): void => void listener(value);
        this.listeners.add(bound);
        return { dispose: () => this.listeners.delete(bound) };
    };
    fire(value: T): void {
        for (const listener of [...this.listeners]) {
            listener(value);
        }
    }
}

interface OutputLike {
    items: { mime: string; data: Uint8Array }[];
}

export class FakeJupyterKernel implements Kernel {
    status: KernelStatus = 'idle';
    readonly language = 'python';
    private readonly statusEmitter = new Emitter<KernelStatus>();
    readonly onDidChangeStatus = this.statusEmitter.event;
    /** Set when the user denied this extension access to kernels. */
    accessDenied = false;
    /** Every code string the extension sent. */
    readonly executed: string[] = [];

    constructor(readonly bridge: KernelBridge) {
        bridge.onStatus((state) => {
            this.status = state as KernelStatus;
            this.statusEmitter.fire(this.status);
        });
    }

    async *executeCode(code: string, _token: CancellationToken): AsyncIterable<OutputLike> {
        if (this.accessDenied) {
            const err = new Error('Access to Jupyter Kernels has been revoked');
            err.name = 'vscode.jupyter.apiAccessRevoked';
            throw err;
        }
        this.executed.push(code);
        const queue: OutputLike[] = [];
        let failure: { ename: string; evalue: string } | undefined;
        let wake: (() => void) | undefined;
        let finished = false;
        const done = this.bridge
            .request('execute', { code, store_history: false }, (m) => {
                if (m.type === 'stream') {
                    const mime = m.name === 'stderr' ? 'application/vnd.code.notebook.stderr' : 'application/vnd.code.notebook.stdout';
                    queue.push({ items: [{ mime, data: encoder.encode(m.text ?? '') }] });
                } else if (m.type === 'error') {
                    failure = { ename: m.ename ?? 'Error', evalue: m.evalue ?? '' };
                    const payload = JSON.stringify({ name: failure.ename, message: failure.evalue, stack: '' });
                    queue.push({ items: [{ mime: 'application/vnd.code.notebook.error', data: encoder.encode(payload) }] });
                }
                wake?.();
            })
            .finally(() => {
                finished = true;
                wake?.();
            });
        for (;;) {
            while (queue.length > 0) {
                yield queue.shift()!;
            }
            if (finished) {
                break;
            }
            await new Promise<void>((resolve) => {
                wake = resolve;
            });
            wake = undefined;
        }
        await done;
        if (failure) {
            throw new Error(`${failure.ename}: ${failure.evalue}`);
        }
    }
}

/** A CancellationTokenSource stand-in (the tests never cancel). */
export const testTokens = (): { token: CancellationToken; dispose(): void } => ({
    token: { isCancellationRequested: false, onCancellationRequested: new Emitter<unknown>().event } as CancellationToken,
    dispose: () => undefined,
});
