/**
 * Finds the kernels the Jupyter extension runs for open notebooks and Interactive Windows,
 * and follows their status (`Kernel.onDidChangeStatus`: restarts, a kernel ending) so the
 * language server hears at once when one restarts or comes back.
 */
import type { Kernel, KernelStatus } from '@vscode/jupyter-extension';
import type { Disposable, Uri } from 'vscode';
import { JupyterKernelTarget, TokenFactory } from './jupyterKernel';
import { Logger, errorText } from '../common/log';

/** The part of the Jupyter extension's exported API we use. */
export interface JupyterApi {
    kernels: { getKernel(uri: Uri): Thenable<Kernel | undefined> };
}

/** An open notebook-like document (a slice of vscode.NotebookDocument). */
export interface NotebookRef {
    readonly uri: Uri;
    readonly notebookType: string;
}

/** States in which a kernel cannot run a request now (it is restarting or going away). */
export const RESTART_STATES: readonly KernelStatus[] = ['restarting', 'autorestarting', 'starting', 'dead', 'terminating'];
const NOTEBOOK_TYPES = new Set(['jupyter-notebook', 'interactive']);

interface Tracked {
    target: JupyterKernelTarget;
    subscription: Disposable;
}

export class JupyterKernels {
    private readonly tracked = new Map<string, Tracked>();

    constructor(
        private readonly api: JupyterApi,
        private readonly notebooks: () => readonly NotebookRef[],
        private readonly helperDir: string,
        private readonly tokens: TokenFactory,
        private readonly log: Logger,
        /** Called with a target's key when its kernel changes status, is replaced or goes away. */
        private readonly onChange: (key: string) => void,
    ) {}

    /** The Python kernels of open notebooks and Interactive Windows that the user has started. */
    async targets(): Promise<JupyterKernelTarget[]> {
        const found: JupyterKernelTarget[] = [];
        const seen = new Set<string>();
        for (const notebook of this.notebooks()) {
            if (!NOTEBOOK_TYPES.has(notebook.notebookType)) {
                continue;
            }
            let kernel: Kernel | undefined;
            try {
                kernel = await this.api.kernels.getKernel(notebook.uri);
            } catch (err) {
                this.log.warn(`Jupyter did not give the kernel of ${notebook.uri.toString()}: ${errorText(err)}`);
                continue;
            }
            if (!kernel || kernel.language.toLowerCase() !== 'python' || kernel.status === 'dead') {
                continue;
            }
            const key = `jupyter:${notebook.uri.toString()}`;
            seen.add(key);
            found.push(this.track(key, labelFor(notebook), kernel));
        }
        for (const key of [...this.tracked.keys()]) {
            if (!seen.has(key)) {
                this.forget(key);
                this.onChange(key);
            }
        }
        return found;
    }

    private track(key: string, label: string, kernel: Kernel): JupyterKernelTarget {
        const existing = this.tracked.get(key);
        if (existing && existing.target.kernel === kernel) {
            return existing.target;
        }
        if (existing) {
            this.forget(key);
            this.onChange(key);
        }
        const target = new JupyterKernelTarget(key, label, kernel, this.helperDir, this.tokens);
        const subscription = kernel.onDidChangeStatus((status) => {
            if (RESTART_STATES.includes(status)) {
                this.log.info(`${label}: kernel ${status}; saves are kept for it until it is back.`);
            }
            this.onChange(key);
        });
        this.tracked.set(key, { target, subscription });
        return target;
    }

    private forget(key: string): void {
        this.tracked.get(key)?.subscription.dispose();
        this.tracked.delete(key);
    }

    dispose(): void {
        for (const key of [...this.tracked.keys()]) {
            this.forget(key);
        }
    }
}

/**
 * The name the user sees on the tab: "Interactive-1" for an Interactive Window (its document
 * is `…/Interactive-1.interactive`), else the notebook's file name ("analysis.ipynb").
 */
export function labelFor(notebook: NotebookRef): string {
    const path = notebook.uri.path;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (notebook.notebookType === 'interactive') {
        return base.replace(/\.interactive$/, '') || 'Interactive Window';
    }
    return base || notebook.uri.toString();
}
