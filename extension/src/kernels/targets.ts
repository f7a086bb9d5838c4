/**
 * The kernels only the extension can reach, found afresh whenever something may have changed:
 * the Jupyter extension's kernels of open notebooks and Interactive Windows, and the active
 * debugpy session. The language server reloads them through kernels/transport.ts.
 */
import { DebugSessionLike, DebugStates, DebugTarget, PYTHON_DEBUG_TYPES } from './debugSession';
import type { ServiceTarget, TokenFactory } from './jupyterKernel';
import { JupyterApi, JupyterKernels, NotebookRef } from './jupyterKernels';
import { Logger, errorText } from '../common/log';

export interface TargetSources {
    notebooks(): readonly NotebookRef[];
    /** The Jupyter extension's API, activating it on first use; undefined when not installed. */
    jupyterApi(): Promise<JupyterApi | undefined>;
    activeDebugSession(): DebugSessionLike | undefined;
}

export class ReloadTargets {
    /** Which debug thread is stopped; fed by the debug adapter trackers. */
    readonly debugStates = new DebugStates();
    private jupyter: JupyterKernels | undefined;
    private latest: ServiceTarget[] = [];

    constructor(
        private readonly sources: TargetSources,
        private readonly helperDir: string,
        private readonly tokens: TokenFactory,
        private readonly log: Logger,
        /** Told a target's key when its kernel changed status, restarted or went away. */
        private readonly onChange: (key: string) => void,
    ) {}

    /** The targets found by the last call to {@link all} (for the Hot Reload view). */
    get last(): readonly ServiceTarget[] {
        return this.latest;
    }

    async all(): Promise<ServiceTarget[]> {
        const found: ServiceTarget[] = [];
        // The Jupyter extension is only woken when a notebook-like document is open; once
        // awake it is always asked, so kernels of closed windows are forgotten and cleared.
        if (this.jupyter || this.sources.notebooks().length > 0) {
            found.push(...((await (await this.jupyterKernels())?.targets()) ?? []));
        }
        const session = this.sources.activeDebugSession();
        if (session && PYTHON_DEBUG_TYPES.includes(session.type)) {
            found.push(new DebugTarget(session, this.debugStates, this.helperDir));
        }
        this.latest = found;
        return found;
    }

    /** A debug session ended: forget its state and clear its problems. */
    sessionEnded(sessionId: string): void {
        this.debugStates.forget(sessionId);
        this.onChange(`debug:${sessionId}`);
    }

    private async jupyterKernels(): Promise<JupyterKernels | undefined> {
        if (!this.jupyter) {
            const api = await this.sources.jupyterApi().catch((err: unknown) => {
                this.log.debug(`Jupyter extension API unavailable: ${errorText(err)}`);
                return undefined;
            });
            if (api) {
                this.jupyter = new JupyterKernels(api, () => this.sources.notebooks(), this.helperDir, this.tokens, this.log, this.onChange);
            }
        }
        return this.jupyter;
    }

    dispose(): void {
        this.jupyter?.dispose();
    }
}
