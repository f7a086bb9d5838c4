/** Where the extension sends reloads itself: Jupyter kernels of open notebooks and the debugpy session. */
import type { Kernel, KernelStatus } from '@vscode/jupyter-extension';
import type { Uri } from 'vscode';
import { describe, expect, it } from 'vitest';
import type { DebugSessionLike } from '../../../extension/src/kernels/debugSession';
import type { JupyterApi } from '../../../extension/src/kernels/jupyterKernels';
import { MemoryLogger } from '../../../extension/src/common/log';
import { ReloadTargets } from '../../../extension/src/kernels/targets';
import { Emitter, testTokens } from '../fakes/fakeJupyterKernel';

const IW = { toString: () => 'vscode-interactive:/Interactive-1.interactive', path: '/Interactive-1.interactive' } as Uri;
const NB = { toString: () => 'file:///ws/analysis.ipynb', path: '/ws/analysis.ipynb' } as Uri;

/** A kernel the tests never run code in: only its identity and status matter here. */
function idleKernel(language = 'python') {
    const status = new Emitter<KernelStatus>();
    const kernel = {
        language,
        status: 'idle' as KernelStatus,
        onDidChangeStatus: status.event,
        executeCode: () => {
            throw new Error('not used');
        },
    } as unknown as Kernel;
    return { kernel, status };
}

function setup(opts: { notebooks?: { uri: Uri; notebookType: string }[]; kernels?: Map<Uri, Kernel>; session?: DebugSessionLike } = {}) {
    let activations = 0;
    const resets: string[] = [];
    const api: JupyterApi = { kernels: { getKernel: async (uri) => opts.kernels?.get(uri) } };
    const targets = new ReloadTargets(
        {
            notebooks: () => opts.notebooks ?? [],
            jupyterApi: async () => {
                activations++;
                return api;
            },
            activeDebugSession: () => opts.session,
        },
        '/ext/python_helper',
        testTokens,
        new MemoryLogger(),
        (key) => resets.push(key),
    );
    return { targets, resets, activations: () => activations };
}

const session = (type: string): DebugSessionLike => ({ id: '7', name: 'app.py', type, customRequest: async () => ({}) });

describe('reload targets', () => {
    it('does not wake the Jupyter extension when no notebook or Interactive Window is open', async () => {
        const { targets, activations } = setup();
        expect(await targets.all()).toEqual([]);
        expect(activations()).toBe(0);
    });

    it('finds the Python kernels of the Interactive Window and notebooks the user has started', async () => {
        const py = idleKernel();
        const r = idleKernel('r');
        const { targets } = setup({
            notebooks: [
                { uri: IW, notebookType: 'interactive' },
                { uri: NB, notebookType: 'jupyter-notebook' },
                { uri: { toString: () => 'file:///ws/other.ipynb', path: '/ws/other.ipynb' } as Uri, notebookType: 'jupyter-notebook' },
            ],
            kernels: new Map([
                [IW, py.kernel],
                [NB, r.kernel],
            ]),
        });
        const found = await targets.all();
        expect(found.map((t) => [t.key, t.label])).toEqual([['jupyter:vscode-interactive:/Interactive-1.interactive', 'Interactive-1']]);
        expect(targets.last).toEqual(found);
    });

    it('forgets what a kernel was sent when it restarts or its window closes', async () => {
        const py = idleKernel();
        const notebooks = [{ uri: IW, notebookType: 'interactive' }];
        const { targets, resets } = setup({ notebooks, kernels: new Map([[IW, py.kernel]]) });
        await targets.all();
        py.status.fire('restarting');
        expect(resets).toEqual(['jupyter:vscode-interactive:/Interactive-1.interactive']);
        notebooks.pop();
        await targets.all();
        expect(resets).toHaveLength(2);
    });

    it('includes the active debugpy session, and only a Python one', async () => {
        expect((await setup({ session: session('debugpy') }).targets.all()).map((t) => t.key)).toEqual(['debug:7']);
        expect((await setup({ session: session('python') }).targets.all()).map((t) => t.key)).toEqual(['debug:7']);
        expect(await setup({ session: session('node') }).targets.all()).toEqual([]);
    });

    it('clears a debug session’s problems when it ends', () => {
        const { targets, resets } = setup();
        targets.debugStates.fromAdapter('7', { type: 'event', event: 'stopped', body: { threadId: 1 } });
        targets.sessionEnded('7');
        expect(targets.debugStates.stoppedThread('7')).toBeUndefined();
        expect(resets).toEqual(['debug:7']);
    });
});
