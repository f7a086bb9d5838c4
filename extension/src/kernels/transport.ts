/**
 * The extension's whole part in a reload: a transport. It tells the language server which
 * kernels only VS Code can reach (Jupyter-extension kernels, the debug session), carries the
 * server's `hotswap/kernelRequest` to them unchanged (`Kernel.executeCode`, DAP `evaluate`)
 * and brings the kernel's answer back. It decides nothing: what to reload, when, and what a
 * report means are the server's (docs/architecture.md, "One path for every reload").
 */
import type { KernelRequestParams, KernelRequestResult, TransportKernelInfo } from '../client/protocol';
import { Logger, errorText } from '../common/log';
import { DebugTarget } from './debugSession';
import { JupyterKernelTarget, KernelAccessDenied, KernelExecutionError, ServiceTarget } from './jupyterKernel';
import { RESTART_STATES } from './jupyterKernels';

/** Where the kernels come from (ReloadTargets in the extension). */
export interface TargetSource {
    all(): Promise<ServiceTarget[]>;
}

/** The server end (HotswapServer in the extension). */
export interface TransportServer {
    readonly running: boolean;
    notify(method: string, params: unknown): void;
}

export class KernelTransport {
    private known = new Map<string, ServiceTarget>();
    private readonly generations = new Map<string, { generation: number; ready: boolean; kernel?: unknown }>();
    private lastSent = '';
    private denialShown = false;
    private announcing: Promise<void> = Promise.resolve();

    constructor(
        private readonly targets: TargetSource,
        private readonly server: () => TransportServer | undefined,
        private readonly log: Logger,
        /** Shown to the user once per denial (the message names the command that changes it). */
        private readonly accessDenied: (message: string) => void,
    ) {}

    /** Finds the kernels now and sends the list when it changed (or always, when `force`). */
    announce(force = false): Promise<void> {
        const run = async (): Promise<void> => {
            const infos = this.describe(await this.targets.all());
            const server = this.server();
            const text = JSON.stringify(infos);
            if (!server?.running || (!force && text === this.lastSent)) {
                return;
            }
            this.lastSent = text;
            server.notify('hotswap/transportKernels', { kernels: infos });
        };
        this.announcing = this.announcing.then(run, run).catch((err: unknown) => this.log.warn(`Could not list kernels: ${errorText(err)}`));
        return this.announcing;
    }

    /** What the server is told about each kernel; a restart changes the generation. */
    private describe(targets: ServiceTarget[]): TransportKernelInfo[] {
        const next = new Map<string, ServiceTarget>();
        const infos: TransportKernelInfo[] = [];
        for (const target of targets) {
            next.set(target.key, target);
            const kernel = target instanceof JupyterKernelTarget ? target.kernel : undefined;
            const ready = kernel === undefined || !RESTART_STATES.includes(kernel.status);
            const before = this.generations.get(target.key);
            let generation = before?.generation ?? 1;
            if (before && ((before.ready && !ready) || before.kernel !== kernel)) {
                generation += 1; // it went down (or is a new kernel object): its old objects are gone
            }
            this.generations.set(target.key, { generation, ready, kernel });
            infos.push({
                id: target.key,
                label: target.label,
                kind: target instanceof DebugTarget ? 'debug' : 'jupyter',
                generation,
                ready,
            });
        }
        for (const key of this.generations.keys()) {
            if (!next.has(key)) {
                this.generations.delete(key);
            }
        }
        this.known = next;
        return infos;
    }

    /** User code ran in a kernel: the server re-checks its stale objects. */
    userExecuted(key: string): void {
        const server = this.server();
        if (server?.running && this.known.has(key)) {
            server.notify('hotswap/userExecuted', { kernel: key });
        }
    }

    /** The server's request for one kernel: run it there and return the answer as it came. */
    async handle(params: KernelRequestParams): Promise<KernelRequestResult> {
        let target = this.known.get(params.kernel);
        if (!target) {
            await this.announce();
            target = this.known.get(params.kernel);
        }
        if (!target) {
            return { error: { type: 'gone', message: `${params.kernel} is no longer open` } };
        }
        try {
            const response = await target.exchange(params.request);
            this.denialShown = false; // access works (again): a later denial is news
            return { response };
        } catch (err) {
            if (err instanceof KernelAccessDenied) {
                if (!this.denialShown) {
                    this.denialShown = true;
                    this.accessDenied(err.message);
                }
                return { error: { type: 'access-denied', message: err.message } };
            }
            const message = errorText(err);
            this.log.debug(`${target.label}: ${message}`);
            if (err instanceof KernelExecutionError && err.helperMissing) {
                return { error: { type: 'hotswap-missing', message } };
            }
            return { error: { type: 'unreachable', message } };
        }
    }
}
