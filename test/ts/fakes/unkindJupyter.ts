/**
 * The Jupyter extension's kernels API (`exports.kernels`) as unkind as the real 2025.4.1:
 * - the first `executeCode` from another extension opens a modal asking for kernel access
 *   (Allow / Deny / dismissed); calls made while it is open wait for the same answer; Allow is
 *   remembered, Deny is remembered and every call throws `vscode.jupyter.apiAccessRevoked`, a
 *   dismissed modal fails that kernel's calls the same way while a new kernel asks again;
 * - `getKernel(uri)` is undefined until the user ran code in that document;
 * - a kernel can restart in the middle of a request: the status goes `restarting`, the request
 *   ends with the `Canceled` error @jupyterlab/services raises, and the kernel comes back empty.
 * The kernels themselves are real ipykernels (FakeJupyterKernel over the kernel bridge).
 */
import type { Kernel } from '@vscode/jupyter-extension';
import type { CancellationToken, Uri } from 'vscode';
import { FakeJupyterKernel } from './fakeJupyterKernel';
import type { KernelBridge } from './kernelBridge';

export type ConsentAnswer = 'allow' | 'deny' | 'dismiss';

/** What @jupyterlab/services rejects a pending request with when its kernel restarts. */
export const CANCELED_MESSAGE = 'Canceled future for execute_request message before replies were done';

/** The extension-wide access store and its modal (one per VS Code window, like the real one). */
export class KernelAccessConsent {
    /** How many times the modal was shown. */
    shown = 0;
    private stored: boolean | undefined;
    private open: Promise<ConsentAnswer> | undefined;
    private click: ((answer: ConsentAnswer) => void) | undefined;
    private opened: (() => void)[] = [];

    /** `answer` clicks the modal at once; without it the modal stays open until {@link answer}. */
    constructor(private readonly preset?: ConsentAnswer) {}

    /** Resolves when the modal is on screen. */
    whenShown(): Promise<void> {
        return this.open ? Promise.resolve() : new Promise((resolve) => this.opened.push(resolve));
    }

    /** The user clicks a button of the open modal (or presses Escape: 'dismiss'). */
    answer(choice: ConsentAnswer): void {
        if (!this.click) {
            throw new Error('no kernel-access modal is open');
        }
        this.click(choice);
    }

    /** Resolves true when access is allowed; shows the modal when nothing was decided yet. */
    async request(): Promise<boolean> {
        if (this.stored !== undefined) {
            return this.stored;
        }
        if (!this.open) {
            this.shown += 1;
            this.open = new Promise<ConsentAnswer>((resolve) => {
                this.click = resolve;
            });
            this.opened.splice(0).forEach((resolve) => resolve());
            if (this.preset) {
                const preset = this.preset;
                setImmediate(() => this.click?.(preset));
            }
        }
        const choice = await this.open;
        this.open = undefined;
        this.click = undefined;
        if (choice !== 'dismiss') {
            this.stored = choice === 'allow';
        }
        return choice === 'allow';
    }

    /** "Jupyter: Manage Access To Jupyter Kernels": the user changes the stored answer. */
    set(allowed: boolean | undefined): void {
        this.stored = allowed;
    }
}

function revoked(): Error {
    const err = new Error('Access to Jupyter Kernel has been revoked');
    err.name = 'vscode.jupyter.apiAccessRevoked';
    return err;
}

/** One kernel as another extension sees it: consent first, then the real kernel. */
export class UnkindJupyterKernel extends FakeJupyterKernel implements Kernel {
    /** Each wrapper keeps its first answer (a dismissed modal fails it until a new kernel). */
    private access: Promise<boolean> | undefined;
    private restartNext = false;
    /** The restart started by {@link restartDuringNextRequest}, once it began. */
    restarted: Promise<unknown> | undefined;
    /** How many requests were cancelled by a restart. */
    cancelled = 0;

    constructor(
        bridge: KernelBridge,
        private readonly consent: KernelAccessConsent,
    ) {
        super(bridge);
    }

    /** The next request reaches the kernel, which then restarts before it answers. */
    restartDuringNextRequest(): void {
        this.restartNext = true;
    }

    override async *executeCode(code: string, token: CancellationToken): AsyncIterable<{ items: { mime: string; data: Uint8Array }[] }> {
        this.access ??= this.consent.request();
        if (!(await this.access)) {
            throw revoked();
        }
        if (this.restartNext) {
            this.restartNext = false;
            this.executed.push(code);
            // The code reached the kernel; the kernel restarts before its answer arrives.
            await this.bridge.request('execute', { code, store_history: false });
            const restarting = new Promise<void>((resolve) => {
                const off = this.bridge.onStatus((state) => {
                    if (state === 'restarting') {
                        off();
                        resolve();
                    }
                });
            });
            this.restarted = this.bridge.restart();
            await restarting;
            this.cancelled += 1;
            throw new Error(CANCELED_MESSAGE);
        }
        yield* super.executeCode(code, token);
    }

    /** The user restarts the kernel (Restart button); resolves when it is back. */
    async restart(): Promise<void> {
        await this.bridge.restart();
    }
}

/** `exports.kernels` of the Jupyter extension, with documents the test opens and runs code in. */
export class UnkindJupyterApi {
    private readonly byUri = new Map<string, { kernel: Kernel; ran: boolean }>();

    readonly kernels = {
        getKernel: async (uri: Uri): Promise<Kernel | undefined> => {
            await new Promise((resolve) => setImmediate(resolve));
            const entry = this.byUri.get(uri.toString());
            return entry?.ran ? entry.kernel : undefined;
        },
    };

    /** A document with a kernel; getKernel finds it only after {@link userRanCode}. */
    open(uri: Uri, kernel: Kernel): void {
        this.byUri.set(uri.toString(), { kernel, ran: false });
    }

    userRanCode(uri: Uri): void {
        const entry = this.byUri.get(uri.toString());
        if (!entry) {
            throw new Error(`no document ${uri.toString()}`);
        }
        entry.ran = true;
    }

    close(uri: Uri): void {
        this.byUri.delete(uri.toString());
    }
}
