/**
 * Sends a saved file (or a chosen module) to every kernel the extension reaches itself —
 * Jupyter extension kernels and the debug session — once per content, and hands each report
 * to the language server, which owns all diagnostics. Kernels the server is attached to are
 * left to the server (matched by pid), so no kernel reloads twice and no problem shows twice.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { KernelAccessDenied, ServiceTarget } from './jupyterKernel';
import type { KernelStatusInfo, ModuleInfo, Report } from './kernelCode';
import { Logger, errorText } from '../common/log';
import type { HotswapSettings } from '../client/settings';

/** How the server merges a report (`hotswap.publishReport` `kind`). */
export type ReportKind = 'reload' | 'stale';

/** A kernel the language server is attached to (`hotswap.listKernels`). */
export interface ServerKernel {
    id: string;
    pid: number;
    connectionFile: string;
    cwd: string;
    python: string;
    status: string;
}

/** The language server commands the reloader needs (implemented by server.ts). */
export interface ServerApi {
    listKernels(): Promise<ServerKernel[]>;
    listModules(): Promise<{ kernel: string; name: string; file: string }[]>;
    reloadModule(args: { module?: string; uri?: string }): Promise<{ reports: { kernel: string; report: Report }[] }>;
    publishReport(source: string, report: Report, kind: ReportKind): Promise<void>;
}

/** What the UI (status bar, view, log) hears about reloads the extension itself performs. */
export interface ReloadListener {
    willReload(target: string, files: string[]): void;
    didReload(target: string, report: Report): void;
    failed(target: string, message: string): void;
}

/** One module a user can pick in "Reload Module", with every kernel that has it loaded. */
export interface PickableModule {
    name: string;
    file: string;
    kernels: string[];
}

export interface ReloaderDeps {
    targets(): Promise<ServiceTarget[]>;
    /** The running language server, or undefined when it is not up. */
    server(): ServerApi | undefined;
    readFile(file: string): Promise<Uint8Array>;
    settings(): HotswapSettings;
    log: Logger;
    listener: ReloadListener;
    /** Shown to the user once per denial (the message names the command that changes it). */
    accessDenied(message: string): void;
}

const EMPTY_REPORT: Report = { version: 1, duration_ms: 0, modules: [], diagnostics: [] };

function samePath(a: string, b: string): boolean {
    const na = path.resolve(a);
    const nb = path.resolve(b);
    return process.platform === 'win32' || process.platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

/** Every file a report mentions (its modules and its diagnostics). */
function filesOf(report: Report): string[] {
    const files = new Set<string>();
    for (const m of report.modules) {
        if (m.file) {
            files.add(m.file);
        }
    }
    for (const d of report.diagnostics) {
        files.add(d.file);
    }
    return [...files];
}

/** Per-target memory: what the kernel is and what it last received. */
interface TargetState {
    pid?: number;
    /** sha1 of the content last sent, per file. */
    sent: Map<string, string>;
    /** Files this source has reported on, to clear when the kernel restarts or goes away. */
    files: Set<string>;
    /** Serializes requests to one kernel. */
    queue: Promise<unknown>;
}

export class Reloader {
    private readonly states = new Map<string, TargetState>();
    private denialShown = false;

    constructor(private readonly deps: ReloaderDeps) {}

    private state(key: string): TargetState {
        let state = this.states.get(key);
        if (!state) {
            state = { sent: new Map(), files: new Set(), queue: Promise.resolve() };
            this.states.set(key, state);
        }
        return state;
    }

    /** Runs `work` after everything already queued for this target. */
    private enqueue<T>(key: string, work: () => Promise<T>): Promise<T> {
        const state = this.state(key);
        const next = state.queue.then(work, work);
        state.queue = next.catch(() => undefined);
        return next;
    }

    /**
     * The kernel restarted or went away: forget its pid and what it was sent, and clear the
     * diagnostics its old objects produced.
     */
    reset(key: string): void {
        const files = [...(this.states.get(key)?.files ?? [])];
        this.states.delete(key);
        const server = this.deps.server();
        if (!server) {
            return;
        }
        const clearFiles: Report = {
            ...EMPTY_REPORT,
            modules: files.map((file) => ({ name: '', file, status: 'skipped' as const })),
        };
        const clear = async (): Promise<void> => {
            if (files.length > 0) {
                await server.publishReport(key, clearFiles, 'reload');
            }
            await server.publishReport(key, EMPTY_REPORT, 'stale');
        };
        clear().catch((err) => this.deps.log.debug(`clearing ${key}: ${errorText(err)}`));
    }

    /** Pids of kernels the language server reloads itself. */
    private async serverPids(): Promise<Set<number>> {
        const server = this.deps.server();
        if (!server) {
            return new Set();
        }
        try {
            return new Set((await server.listKernels()).map((k) => k.pid));
        } catch (err) {
            this.deps.log.debug(`listKernels failed: ${errorText(err)}`);
            return new Set();
        }
    }

    /** Targets the extension must serve itself: those the server is not attached to. */
    private async ownTargets(): Promise<ServiceTarget[]> {
        const targets = await this.deps.targets();
        if (targets.length === 0) {
            return [];
        }
        const pids = await this.serverPids();
        const own: ServiceTarget[] = [];
        for (const target of targets) {
            const state = this.state(target.key);
            if (state.pid === undefined) {
                try {
                    const status = await this.enqueue(target.key, () => target.request<KernelStatusInfo>('status'));
                    state.pid = status.pid;
                    this.denialShown = false; // access works (again): a later denial is news
                } catch (err) {
                    this.handleError(target, err);
                    continue;
                }
            }
            if (pids.has(state.pid)) {
                this.deps.log.debug(`${target.label}: the language server is attached to pid ${state.pid}; it reloads this kernel.`);
                continue;
            }
            own.push(target);
        }
        return own;
    }

    private handleError(target: ServiceTarget, err: unknown): void {
        if (err instanceof KernelAccessDenied) {
            this.deps.log.warn(err.message);
            if (!this.denialShown) {
                this.denialShown = true;
                this.deps.accessDenied(err.message);
            }
            return;
        }
        const message = errorText(err);
        this.deps.log.error(`${target.label}: ${message}`);
        this.deps.listener.failed(target.label, message);
    }

    /**
     * A Python file was saved: reload it in every kernel that has it loaded and has not yet
     * received this content. `force` skips the content check (the explicit commands).
     */
    async reloadFile(file: string, force = false): Promise<Report[]> {
        const content = await this.deps.readFile(file);
        const digest = createHash('sha1').update(content).digest('hex');
        const targets = await this.ownTargets();
        const results = await Promise.all(
            targets.map((target) =>
                this.enqueue(target.key, async (): Promise<Report | undefined> => {
                    const state = this.state(target.key);
                    if (!force && state.sent.get(file) === digest) {
                        this.deps.log.debug(`${target.label}: ${file} already has this content.`);
                        return undefined;
                    }
                    try {
                        const loaded = await target.request<{ modules: ModuleInfo[] }>('modules');
                        if (!loaded.modules.some((m) => m.file && samePath(m.file, file))) {
                            this.deps.log.debug(`${target.label}: ${path.basename(file)} is not loaded there.`);
                            return undefined;
                        }
                        return await this.reloadIn(target, { paths: [file] }, [file], () => state.sent.set(file, digest));
                    } catch (err) {
                        this.handleError(target, err);
                        return undefined;
                    }
                }),
            ),
        );
        return results.filter((r): r is Report => r !== undefined);
    }

    /** Reloads a module by name in every own kernel that has it loaded. */
    async reloadModule(name: string): Promise<Report[]> {
        const targets = await this.ownTargets();
        const results = await Promise.all(
            targets.map((target) =>
                this.enqueue(target.key, async (): Promise<Report | undefined> => {
                    try {
                        const loaded = await target.request<{ modules: ModuleInfo[] }>('modules');
                        const module = loaded.modules.find((m) => m.name === name);
                        if (!module) {
                            return undefined;
                        }
                        return await this.reloadIn(target, { modules: [name] }, module.file ? [module.file] : [], () => undefined);
                    } catch (err) {
                        this.handleError(target, err);
                        return undefined;
                    }
                }),
            ),
        );
        return results.filter((r): r is Report => r !== undefined);
    }

    private async reloadIn(
        target: ServiceTarget,
        what: { paths?: string[]; modules?: string[] },
        files: string[],
        onSent: () => void,
    ): Promise<Report> {
        const settings = this.deps.settings();
        this.deps.listener.willReload(target.label, files);
        const report = await target.request<Report>('reload', {
            ...what,
            dependents: settings.reloadDependents,
            preserve_state: settings.preserveModuleState,
        });
        onSent();
        await this.publish(target, report, 'reload');
        // Objects found stale by earlier reloads may have been recreated since: refresh the list.
        try {
            await this.publish(target, await target.request<Report>('stale'), 'stale');
        } catch (err) {
            this.deps.log.debug(`${target.label}: stale check failed: ${errorText(err)}`);
        }
        this.deps.listener.didReload(target.label, report);
        this.logReport(target.label, report);
        return report;
    }

    /**
     * Hands the server a report. A `reload` report replaces the diagnostics of the files it
     * mentions; a `stale` report is the full current list of stale objects for this source
     * (the server merges per source, so another kernel's problems are untouched).
     */
    private async publish(target: ServiceTarget, report: Report, kind: ReportKind): Promise<void> {
        const server = this.deps.server();
        if (!server) {
            this.deps.log.warn(`${target.label}: the language server is not running, so the report cannot be shown in Problems.`);
            return;
        }
        const state = this.state(target.key);
        for (const file of filesOf(report)) {
            state.files.add(file);
        }
        try {
            await server.publishReport(target.key, report, kind);
        } catch (err) {
            this.deps.log.error(`${target.label}: could not hand the report to the language server: ${errorText(err)}`);
        }
    }

    /** After the user ran code in a kernel: re-check its stale objects and republish. */
    async recheckStale(key: string): Promise<void> {
        const targets = await this.deps.targets();
        const target = targets.find((t) => t.key === key);
        const state = this.states.get(key);
        if (!target || !state || state.sent.size === 0) {
            return; // nothing was reloaded there, so nothing can be stale
        }
        await this.enqueue(key, async () => {
            try {
                await this.publish(target, await target.request<Report>('stale'), 'stale');
            } catch (err) {
                this.deps.log.debug(`${target.label}: stale re-check failed: ${errorText(err)}`);
            }
        });
    }

    /** User modules loaded anywhere (server kernels and own kernels), merged by name and file. */
    async modules(): Promise<PickableModule[]> {
        const byKey = new Map<string, PickableModule>();
        const add = (kernel: string, name: string, file: string): void => {
            const key = `${name}\0${file}`;
            const entry = byKey.get(key) ?? { name, file, kernels: [] };
            if (!entry.kernels.includes(kernel)) {
                entry.kernels.push(kernel);
            }
            byKey.set(key, entry);
        };
        const server = this.deps.server();
        if (server) {
            try {
                for (const m of await server.listModules()) {
                    add(m.kernel, m.name, m.file);
                }
            } catch (err) {
                this.deps.log.warn(`Could not list the modules of attached kernels: ${errorText(err)}`);
            }
        }
        for (const target of await this.ownTargets()) {
            try {
                const loaded = await this.enqueue(target.key, () => target.request<{ modules: ModuleInfo[] }>('modules'));
                for (const m of loaded.modules) {
                    add(target.label, m.name, m.file);
                }
            } catch (err) {
                this.handleError(target, err);
            }
        }
        return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
    }

    private logReport(label: string, report: Report): void {
        for (const m of report.modules) {
            const line = `${label}: ${m.name} ${m.status}${m.duration_ms !== undefined ? ` in ${m.duration_ms.toFixed(1)} ms` : ''}`;
            if (m.status === 'failed') {
                this.deps.log.warn(`${line}: ${m.error ?? 'unknown error'}`);
            } else {
                this.deps.log.info(line);
            }
        }
        for (const d of report.diagnostics) {
            this.deps.log.info(`${label}: ${d.code} ${d.file}:${d.range.start.line + 1}: ${d.message}`);
        }
    }
}
