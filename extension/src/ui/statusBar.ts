/**
 * The status bar item: a spinner while a reload runs, then the last reload (module, time,
 * stale count). Text always begins with "Hotswap" and the item id is `hotswap.status`, so
 * users and tests can find it. It never says "ready" while the language server is down, and
 * its stale count is the one the Problems panel shows (it drops when a warning goes away).
 */
import type { ServerState } from '../client/serverSupervisor';
import { isStale } from './staleOwner';

export const STATUS_ITEM_ID = 'hotswap.status';
export const STATUS_ITEM_NAME = 'Hotswap';

/** The fields of vscode.StatusBarItem we set. */
export interface StatusItem {
    text: string;
    tooltip: string | object | undefined;
    command: string | object | undefined;
    accessibilityInformation: { label: string } | undefined;
    show(): void;
}

export interface ReloadSummary {
    modules: string[];
    reloaded: number;
    failed: number;
    stale: number;
    durationMs: number;
    kernel: string;
}

function clock(at: Date): string {
    return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function moduleList(modules: string[]): string {
    if (modules.length === 0) {
        return 'no change';
    }
    return modules.length <= 2 ? modules.join(', ') : `${modules.slice(0, 2).join(', ')} +${modules.length - 2}`;
}

/** The last reload that changed something, shown until the next one. */
interface LastReload {
    what: string;
    at: string;
    failed: boolean;
    kernel: string;
    durationMs: number;
    stale: number;
}

export class StatusBar {
    private running = 0;
    private last: LastReload | undefined;
    /** A failure without a report (the kernel could not be reached). */
    private failure: { kernel: string; message: string } | undefined;
    private serverState: ServerState = { kind: 'starting', python: '' };
    /** Stale objects in the Problems panel, once it has been read. */
    private problemsStale: number | undefined;

    constructor(
        private readonly item: StatusItem,
        private readonly now: () => Date = () => new Date(),
    ) {
        item.command = 'hotswap.showLog';
        this.render();
        item.show();
    }

    /** The language server's state, from the supervisor. */
    server(state: ServerState): void {
        this.serverState = state;
        this.render();
    }

    /** How many stale objects the Problems panel lists now (hotswap `stale-*` diagnostics). */
    problems(stale: number): void {
        this.problemsStale = stale;
        this.render();
    }

    /** A reload started; `names` are files (shown by base name) or module names. */
    willReload(names: string[]): void {
        this.running += 1;
        const short = names.map((f) => f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1));
        this.set(`Hotswap $(sync~spin) ${short.length > 0 ? moduleList(short) : 'reloading'}`, `Hotswap: reloading ${short.join(', ') || 'modules'}…`);
    }

    didReload(summary: ReloadSummary): void {
        this.running = Math.max(0, this.running - 1);
        if (summary.modules.length > 0 || summary.stale > 0) {
            this.failure = undefined;
            this.last = {
                what: moduleList(summary.modules),
                at: clock(this.now()),
                failed: summary.failed > 0,
                kernel: summary.kernel,
                durationMs: summary.durationMs,
                stale: summary.stale,
            };
        }
        // A saved file not loaded there keeps showing the last real reload.
        if (this.running === 0) {
            this.render();
        }
    }

    failed(kernel: string, message: string): void {
        this.running = Math.max(0, this.running - 1);
        this.failure = { kernel, message };
        this.render();
    }

    /** A kernel died, restarted or lost hotswap: shown until the next reload that changes something. */
    kernelEvent(label: string, message: string): void {
        this.running = 0; // a reload in flight there has ended with the kernel
        this.failure = { kernel: label, message };
        this.render();
    }

    /** A reload ended without a report (its kernel failed or went away): stop the spinner. */
    settle(): void {
        if (this.running > 0) {
            this.running = 0;
            this.render();
        }
    }

    /** True while at least one reload is running. */
    get busy(): boolean {
        return this.running > 0;
    }

    private render(): void {
        if (this.running > 0) {
            return; // the spinner stays until the reload ends
        }
        const server = this.serverState;
        if (server.kind === 'starting') {
            this.set('Hotswap $(loading~spin)', `Hotswap: starting the language server${server.python ? ` on ${server.python}` : ''}…`);
            return;
        }
        if (server.kind === 'down' || server.kind === 'stopped') {
            const why = server.kind === 'down' ? `: ${server.reason}` : '';
            this.set('Hotswap $(circle-slash) server down', `Hotswap: the language server is not running${why}. Run "Hotswap: Restart Language Server" to try again.`);
            return;
        }
        if (this.failure) {
            this.set('Hotswap $(error)', `Hotswap: ${this.failure.kernel}: ${this.failure.message}`);
            return;
        }
        const last = this.last;
        if (!last) {
            this.set('Hotswap $(zap)', 'Hotswap: ready. Save a Python file to reload it in your kernels.');
            return;
        }
        const stale = this.problemsStale ?? last.stale;
        const icon = last.failed ? '$(error)' : stale > 0 ? '$(warning)' : '$(check)';
        const staleText = stale > 0 ? ` · ${stale} stale` : '';
        const label =
            `Hotswap: ${last.failed ? 'reload failed for' : 'reloaded'} ${last.what} at ${last.at}` +
            ` in ${last.kernel} (${last.durationMs.toFixed(0)} ms), ${stale} stale object${stale === 1 ? '' : 's'}`;
        this.set(`Hotswap ${icon} ${last.what} ${last.at}${staleText}`, label);
    }

    private set(text: string, label: string): void {
        this.item.text = text;
        this.item.tooltip = `${label}\nClick to show the Hotswap log.`;
        this.item.accessibilityInformation = { label };
    }
}

/** Stale objects among published problems: hotswap diagnostics whose code starts with `stale-`. */
export function staleInProblems(all: readonly (readonly { source?: string; code?: unknown }[])[]): number {
    let count = 0;
    for (const diagnostics of all) {
        for (const d of diagnostics) {
            if (d.source === 'hotswap' && isStale(d)) {
                count += 1;
            }
        }
    }
    return count;
}

/** What the language server announces after a reload it performed (`hotswap/didReload`). */
export interface ServerReloadNotice {
    kernel: string;
    /** The name users know the kernel by ("Interactive-1"); the id is for matching only. */
    label?: string;
    modules?: { name: string; status: string }[];
    reloaded?: number;
    failed?: number;
    stale?: number;
    durationMs?: number | null;
}

/** The status bar summary of a server reload: only modules that changed or failed are named. */
export function serverSummary(p: ServerReloadNotice): ReloadSummary {
    return {
        modules: (p.modules ?? []).filter((m) => m.status === 'reloaded' || m.status === 'failed').map((m) => m.name),
        reloaded: p.reloaded ?? 0,
        failed: p.failed ?? 0,
        stale: p.stale ?? 0,
        durationMs: p.durationMs ?? 0,
        kernel: p.label || p.kernel,
    };
}
