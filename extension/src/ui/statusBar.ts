/**
 * The status bar item: a spinner while a reload runs, then the last reload (module, time,
 * stale count). Text always begins with "Hotswap" and the item id is `hotswap.status`, so
 * users and tests can find it.
 */

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

export class StatusBar {
    private running = 0;
    /** What the item showed after the last reload that changed something. */
    private shown: { text: string; label: string } | undefined;

    constructor(
        private readonly item: StatusItem,
        private readonly now: () => Date = () => new Date(),
    ) {
        this.idle();
        item.command = 'hotswap.showLog';
        item.show();
    }

    /** Nothing reloaded yet in this window. */
    idle(): void {
        this.set('Hotswap $(zap)', 'Hotswap: ready. Save a Python file to reload it in your kernels.');
    }

    /** A reload started; `names` are files (shown by base name) or module names. */
    willReload(names: string[]): void {
        this.running += 1;
        const short = names.map((f) => f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1));
        this.set(`Hotswap $(sync~spin) ${short.length > 0 ? moduleList(short) : 'reloading'}`, `Hotswap: reloading ${short.join(', ') || 'modules'}…`);
    }

    didReload(summary: ReloadSummary): void {
        this.running = Math.max(0, this.running - 1);
        if (summary.modules.length === 0 && summary.stale === 0) {
            // The saved file was not loaded there: keep showing the last real reload.
            if (this.running === 0) {
                this.restore();
            }
            return;
        }
        const at = clock(this.now());
        const icon = summary.failed > 0 ? '$(error)' : summary.stale > 0 ? '$(warning)' : '$(check)';
        const staleText = summary.stale > 0 ? ` · ${summary.stale} stale` : '';
        const what = moduleList(summary.modules);
        const label =
            `Hotswap: ${summary.failed > 0 ? 'reload failed for' : 'reloaded'} ${what} at ${at}` +
            ` in ${summary.kernel} (${summary.durationMs.toFixed(0)} ms), ${summary.stale} stale object${summary.stale === 1 ? '' : 's'}`;
        this.shown = { text: `Hotswap ${icon} ${what} ${at}${staleText}`, label };
        this.set(this.shown.text, label);
    }

    failed(kernel: string, message: string): void {
        this.running = Math.max(0, this.running - 1);
        this.shown = { text: 'Hotswap $(error)', label: `Hotswap: ${kernel}: ${message}` };
        this.set(this.shown.text, this.shown.label);
    }

    /** A reload ended without a report (its kernel failed or went away): stop the spinner. */
    settle(): void {
        if (this.running > 0) {
            this.running = 0;
            this.restore();
        }
    }

    private restore(): void {
        if (this.shown) {
            this.set(this.shown.text, this.shown.label);
        } else {
            this.idle();
        }
    }

    /** True while at least one reload is running. */
    get busy(): boolean {
        return this.running > 0;
    }

    private set(text: string, label: string): void {
        this.item.text = text;
        this.item.tooltip = `${label}\nClick to show the Hotswap log.`;
        this.item.accessibilityInformation = { label };
    }
}

/** What the language server announces after a reload it performed (`hotswap/didReload`). */
export interface ServerReloadNotice {
    kernel: string;
    modules?: { name: string; status: string }[];
    reloaded?: number;
    failed?: number;
    stale?: number;
    durationMs?: number;
}

/** The status bar summary of a server reload: only modules that changed or failed are named. */
export function serverSummary(p: ServerReloadNotice): ReloadSummary {
    return {
        modules: (p.modules ?? []).filter((m) => m.status === 'reloaded' || m.status === 'failed').map((m) => m.name),
        reloaded: p.reloaded ?? 0,
        failed: p.failed ?? 0,
        stale: p.stale ?? 0,
        durationMs: p.durationMs ?? 0,
        kernel: p.kernel,
    };
}
