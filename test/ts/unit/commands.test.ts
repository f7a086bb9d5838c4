/** The "Hotswap:" commands against a recording editor and language server (which reloads every kernel). */
import { describe, expect, it } from 'vitest';
import {
    CommandContext,
    CommandServer,
    CommandUi,
    FileUri,
    PickItem,
    pickableModules,
    attachKernel,
    enableInInteractiveWindow,
    reloadCurrentFile,
    reloadModule,
} from '../../../extension/src/ui/commands';
import { LOAD_EXT } from '../../../extension/src/kernels/interactiveWindow';
import type { Report } from '../../../extension/src/kernels/kernelCode';
import { MemoryLogger } from '../../../extension/src/common/log';
import type { ServerKernel } from '../../../extension/src/client/protocol';

const report = (name: string, status: 'reloaded' | 'unchanged' = 'reloaded'): Report => ({
    version: 1,
    duration_ms: 3,
    modules: [{ name, file: `/ws/${name}.py`, status }],
    diagnostics: [],
});
const fileUri = (fsPath: string): FileUri => ({ scheme: 'file', fsPath, toString: () => `file://${fsPath}` });
const KERNEL: ServerKernel = { id: 'k1', pid: 4242, connectionFile: '/run/kernel-1.json', cwd: '/ws', python: '', status: 'idle', label: 'k1' };
const WINDOW: ServerKernel = {
    id: 'jupyter:vscode-interactive:/Interactive-1.interactive',
    pid: 77,
    connectionFile: '',
    cwd: '/ws',
    python: '',
    status: 'idle',
    label: 'Interactive Window',
    kind: 'jupyter',
};

type Listed = { kernel: string; name: string; file: string };

function harness(opts: { modules?: Listed[]; pick?: (items: PickItem[]) => PickItem | undefined; loaded?: boolean; serverKernels?: ServerKernel[]; serverFails?: boolean; running?: boolean; unchanged?: boolean } = {}) {
    const events: string[] = [];
    let startup: unknown[] | undefined;
    const picks: { items: PickItem[]; title: string }[] = [];
    const ui: CommandUi = {
        info: (m) => void events.push(`info ${m}`),
        warn: (m) => void events.push(`warn ${m}`),
        error: (m) => void events.push(`error ${m}`),
        quickPick: async <T extends PickItem>(items: T[], options: { title: string }) => {
            picks.push({ items, title: options.title });
            return (opts.pick ?? ((i) => i[0]))(items) as T | undefined;
        },
        withProgress: (_title, _where, work) => work(),
        activePythonFile: () => undefined,
        saveIfDirty: async (uri) => void events.push(`save ${uri.fsPath}`),
        relativePath: (file) => file.replace('/ws/', ''),
        workspaceFolder: () => '/ws',
        pickConnectionFile: async () => undefined,
        openTerminal: () => ({ dispose: () => undefined }),
        openLocation: async () => undefined,
        showLog: () => void events.push('log'),
        jupyterStartupCommands: () => startup,
        setJupyterStartupCommands: async (c) => void (startup = c),
    };
    const server: CommandServer = {
        running: opts.running ?? true,
        knownKernels: opts.serverKernels ?? [KERNEL, WINDOW],
        listModules: async () => opts.modules ?? [],
        reloadModule: async (args) => {
            events.push(`server ${JSON.stringify(args)}`);
            if (opts.serverFails) {
                throw new Error('kernel k1 died');
            }
            const loaded = opts.loaded === false ? { ...report('x'), modules: [] } : report(args.module ?? 'math_utils', opts.unchanged ? 'unchanged' : 'reloaded');
            return { reports: [{ kernel: 'k1', report: loaded }, { kernel: WINDOW.id, report: null }] };
        },
        attachKernel: async (file) => void events.push(`attach ${file}`),
    };
    const ctx: CommandContext = {
        log: new MemoryLogger(),
        ui,
        server: () => server,
        python: () => 'python3',
        helperDir: '/ext/python_helper',
        consoles: new Set(),
        refreshView: () => void events.push('refresh'),
        restartServer: async () => undefined,
    };
    return { ctx, events, picks, server, startup: () => startup };
}

describe('Reload Module', () => {
    const modules: Listed[] = [
        { kernel: WINDOW.id, name: 'greeter', file: '/ws/greeter.py' },
        { kernel: 'k1', name: 'math_utils', file: '/ws/math_utils.py' },
        { kernel: WINDOW.id, name: 'math_utils', file: '/ws/math_utils.py' },
    ];

    it('offers the loaded user modules with their files and kernels, and reloads the pick everywhere', async () => {
        const h = harness({ modules, pick: (items) => items.find((i) => i.label === 'math_utils') });
        await reloadModule(h.ctx);
        expect(h.picks[0].title).toBe('Hotswap: Reload Module');
        expect(h.picks[0].items.map((i) => [i.label, i.description, i.detail])).toEqual([
            ['greeter', 'greeter.py', 'loaded in Interactive Window'],
            ['math_utils', 'math_utils.py', 'loaded in k1, Interactive Window'],
        ]);
        expect(h.events).toEqual(['server {"module":"math_utils"}']); // one request: the server reaches every kernel
    });

    it('merges the server’s list by module and names kernels as the user knows them', async () => {
        const h = harness({ modules });
        expect(await pickableModules(h.server)).toEqual([
            { name: 'greeter', file: '/ws/greeter.py', kernels: ['Interactive Window'] },
            { name: 'math_utils', file: '/ws/math_utils.py', kernels: ['k1', 'Interactive Window'] },
        ]);
    });

    it('reloads nothing when the pick is dismissed', async () => {
        const h = harness({ modules, pick: () => undefined });
        await reloadModule(h.ctx);
        expect(h.events).toEqual([]);
    });

    it('says access was not allowed, not "no modules", when the only kernel refused Hotswap', async () => {
        const h = harness({ serverKernels: [{ ...WINDOW, status: 'no-access', label: 'Interactive-1' }] });
        await reloadModule(h.ctx);
        expect(h.events).toEqual([
            expect.stringMatching(/^warn Hotswap cannot see the modules of Interactive-1: access to Jupyter kernels was not allowed\. Run "Jupyter: Manage Access To Jupyter Kernels"/),
        ]);
    });

    it('says how to get a kernel when no user module is loaded anywhere', async () => {
        const h = harness();
        await reloadModule(h.ctx);
        expect(h.events).toEqual([expect.stringMatching(/^info Hotswap: no kernel has user modules loaded.*Start Hot Reload Console/)]);
    });

    it('says the module was unchanged when no kernel had anything to reload', async () => {
        const h = harness({ unchanged: true });
        await reloadModule(h.ctx, 'greeter');
        expect(h.events.at(-1)).toBe('info Hotswap: greeter is unchanged since it was last loaded, so there was nothing to reload.');
    });

    it('adds no message when the reload changed something (the status bar and Problems show it)', async () => {
        const h = harness();
        await reloadModule(h.ctx, 'greeter');
        expect(h.events.filter((e) => e.startsWith('info'))).toEqual([]);
    });

    it('logs why when the language server fails the reload', async () => {
        const h = harness({ serverFails: true });
        await reloadModule(h.ctx, 'greeter');
        expect(h.events).toEqual(['server {"module":"greeter"}']);
        expect((h.ctx.log as MemoryLogger).lines.join('\n')).toContain('kernel k1 died');
    });

    it('points to the log when the language server is not running', async () => {
        const h = harness({ running: false });
        await reloadModule(h.ctx, 'greeter');
        expect(h.events).toEqual(['error Hotswap: the language server is not running; see "Hotswap: Show Log".']);
    });
});

describe('Reload Current File', () => {
    it('saves the file from the menu first, then has the server reload it in every kernel', async () => {
        const h = harness();
        await reloadCurrentFile(h.ctx, fileUri('/ws/math_utils.py'));
        expect(h.events).toEqual(['save /ws/math_utils.py', 'server {"uri":"file:///ws/math_utils.py"}']);
    });

    it('says when no kernel has the file', async () => {
        const h = harness({ loaded: false });
        await reloadCurrentFile(h.ctx, fileUri('/ws/other.py'));
        expect(h.events.at(-1)).toBe('info Hotswap: no kernel has other.py loaded. Import it in a kernel first.');
    });

    it('asks for a Python file when none is open', async () => {
        const h = harness();
        await reloadCurrentFile(h.ctx);
        expect(h.events).toEqual(['warn Hotswap: open a saved Python file to reload it.']);
    });
});

describe('Attach to Kernel…', () => {
    it('attaches the given connection file and refreshes the view', async () => {
        const h = harness();
        await attachKernel(h.ctx, '/run/kernel-2.json');
        expect(h.events).toEqual(['attach /run/kernel-2.json', 'info Hotswap: attached to kernel-2.json.', 'refresh']);
    });

    it('points to the log when the language server is not running', async () => {
        const h = harness({ running: false });
        await attachKernel(h.ctx, '/run/kernel-2.json');
        expect(h.events).toEqual(['error Hotswap: the language server is not running; see "Hotswap: Show Log".']);
    });
});

describe('Enable in Interactive Window', () => {
    it('adds %load_ext hotswap to the user startup commands once', async () => {
        const h = harness();
        await enableInInteractiveWindow(h.ctx);
        expect(h.startup()).toContain(LOAD_EXT);
        await enableInInteractiveWindow(h.ctx);
        expect(h.events.at(-1)).toBe('info Hotswap is already enabled for new Interactive Window and notebook kernels.');
    });
});
