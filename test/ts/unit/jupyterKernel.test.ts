/**
 * The Jupyter-extension path against a fake of the published Kernel interface whose work is
 * done by a real ipykernel: the code the extension sends really runs and really reloads.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Uri } from 'vscode';
import { JupyterKernelTarget, KernelAccessDenied } from '../../../extension/src/kernels/jupyterKernel';
import { JupyterKernels } from '../../../extension/src/kernels/jupyterKernels';
import { KernelStatusInfo, Report, jupyterCode, makeRequest, newMarker, parseMarkedOutput } from '../../../extension/src/kernels/kernelCode';
import { MemoryLogger } from '../../../extension/src/common/log';
import { Reloader } from '../../../extension/src/kernels/reloader';
import { DEFAULT_SETTINGS } from '../../../extension/src/client/settings';
import { waitFor } from '../../../extension/src/common/wait';
import { FakeJupyterKernel, testTokens } from '../fakes/fakeJupyterKernel';
import { KernelBridge } from '../fakes/kernelBridge';
import { RecordingServer } from '../fakes/recordingServer';
import { TestWorkspace, makeWorkspace } from '../fakes/workspace';
import { readFile } from 'node:fs/promises';

const MATH_V1 = 'def scale(value):\n    return value * 2\n';
const MATH_V2 = 'def scale(value):\n    return value * 3\n';
const GREETER_V1 = [
    'class Greeter:',
    '    def __init__(self, name):',
    '        self.name = name',
    '',
    '    def greet(self):',
    "        return 'Hello ' + self.name",
    '',
].join('\n');
const GREETER_V2 = [
    'class Greeter:',
    '    def __init__(self, name):',
    '        self.name = name',
    "        self.punctuation = '!'",
    '',
    '    def greet(self):',
    "        return 'Hello ' + self.name + self.punctuation",
    '',
].join('\n');

const NOTEBOOK_URI = { toString: () => 'vscode-interactive:/Interactive-1.interactive', path: '/Interactive-1.interactive' } as Uri;
const KEY = `jupyter:${NOTEBOOK_URI.toString()}`;

let ws: TestWorkspace;
let bridge: KernelBridge;
let kernel: FakeJupyterKernel;

/** Everything the user can see in the kernel namespace, read silently. */
async function userNames(): Promise<string> {
    return bridge.evaluate('sorted(k for k in globals())');
}

function reloaderFor(server: RecordingServer, log = new MemoryLogger(), denials: string[] = []) {
    const jupyter = new JupyterKernels(
        { kernels: { getKernel: async (uri) => (uri === NOTEBOOK_URI ? kernel : undefined) } },
        () => [{ uri: NOTEBOOK_URI, notebookType: 'interactive' }],
        ws.helperDir,
        testTokens,
        log,
        (key) => reloader.reset(key),
    );
    const events: string[] = [];
    const reloader: Reloader = new Reloader({
        targets: () => jupyter.targets(),
        server: () => server,
        readFile: (file) => readFile(file),
        settings: () => DEFAULT_SETTINGS,
        log,
        listener: {
            willReload: (target, files) => events.push(`will ${target} ${files.length}`),
            didReload: (target) => events.push(`did ${target}`),
            failed: (target, message) => events.push(`failed ${target} ${message}`),
        },
        accessDenied: (message) => denials.push(message),
    });
    return { reloader, jupyter, events, log, denials };
}

beforeAll(async () => {
    ws = makeWorkspace({ 'math_utils.py': MATH_V1, 'greeter.py': GREETER_V1, 'other.py': 'X = 1\n' });
    bridge = await KernelBridge.start(ws.root);
    kernel = new FakeJupyterKernel(bridge);
    await bridge.run('from math_utils import scale\nimport greeter\ng = greeter.Greeter("Ann")');
});

afterAll(async () => {
    await bridge?.close();
    ws?.remove();
});

afterEach(() => {
    kernel.accessDenied = false;
});

describe('Jupyter kernel target', () => {
    it('reloads a saved module in the kernel, leaving no name behind', async () => {
        const before = await userNames();
        const target = new JupyterKernelTarget(KEY, 'Interactive Window', kernel, ws.helperDir, testTokens);
        ws.write('math_utils.py', MATH_V2);
        const report = await target.request<Report>('reload', { paths: [ws.file('math_utils.py')] });
        expect(report.modules.map((m) => [m.name, m.status])).toEqual([['math_utils', 'reloaded']]);
        expect(await userNames()).toBe(before); // no variable, no history entry (_i2) left behind
        // The name the user imported before the edit runs the new code.
        expect(await bridge.run('print(scale(2))')).toBe('6\n');
    });

    it('binds no result name (_, Out) even when the front end stores history', async () => {
        await bridge.run('41 + 1'); // the user's last result, which `_` must keep
        const visible = "sorted(k for k in globals() if not __import__('re').fullmatch(r'_i+\\d*', k))";
        const before = [await bridge.evaluate(visible), await bridge.evaluate('len(Out)')];
        const marker = newMarker();
        const stdout = await bridge.run(jupyterCode(ws.helperDir, makeRequest('status'), marker)); // store_history=True
        expect(parseMarkedOutput(stdout, marker)?.ok).toBe(true);
        expect(await bridge.evaluate('_')).toBe('42');
        expect([await bridge.evaluate(visible), await bridge.evaluate('len(Out)')]).toEqual(before);
    });

    it('imports the helper from the extension folder, adding it to sys.path only once', async () => {
        const target = new JupyterKernelTarget(KEY, 'Interactive Window', kernel, ws.helperDir, testTokens);
        const status = await target.request<KernelStatusInfo>('status');
        await target.request<KernelStatusInfo>('status');
        expect(status.pid).toBe(Number(await bridge.evaluate('__import__("os").getpid()')));
        expect(await bridge.evaluate(`__import__('sys').path.count(${JSON.stringify(ws.helperDir)})`)).toBe('1');
        const origin = await bridge.evaluate("__import__('hotswap').__file__");
        expect(origin).toContain(ws.helperDir);
    });

    it('gives a clear message naming the command when the user denied kernel access', async () => {
        kernel.accessDenied = true;
        const target = new JupyterKernelTarget(KEY, 'Interactive Window', kernel, ws.helperDir, testTokens);
        const error = await target.request('status').catch((err: unknown) => err);
        expect(error).toBeInstanceOf(KernelAccessDenied);
        expect((error as Error).message).toContain('"Jupyter: Manage Access To Jupyter Kernels"');
    });
    it('says the helper cannot be imported when the kernel cannot reach the extension folder', async () => {
        // A kernel on another machine cannot import from the extension folder: simulate it.
        await bridge.run(
            [
                'import sys, importlib.abc',
                'class _NoHotswap(importlib.abc.MetaPathFinder):',
                '    def find_spec(self, name, path=None, target=None):',
                "        if name == 'hotswap' or name.startswith('hotswap.'):",
                "            raise ModuleNotFoundError(f'No module named {name!r}')",
                "_saved = {k: sys.modules.pop(k) for k in list(sys.modules) if k == 'hotswap' or k.startswith('hotswap.')}",
                'sys.meta_path.insert(0, _NoHotswap())',
            ].join('\n'),
        );
        try {
            const target = new JupyterKernelTarget(KEY, 'Interactive Window', kernel, '/remote/ext/python_helper', testTokens);
            await expect(target.request('status')).rejects.toThrow(/cannot import Hotswap from \/remote\/ext\/python_helper/);
        } finally {
            await bridge.run('del sys.meta_path[0]\nsys.modules.update(_saved)\ndel _saved, _NoHotswap');
        }
    });
});

describe('reload on save through the Jupyter extension', () => {
    it('hands the report, with the stale object named, to the language server', async () => {
        const server = new RecordingServer();
        const { reloader, events } = reloaderFor(server);
        ws.write('greeter.py', GREETER_V2);
        const reports = await reloader.reloadFile(ws.file('greeter.py'));
        expect(reports).toHaveLength(1);
        expect(reports[0].modules[0]).toMatchObject({ name: 'greeter', status: 'reloaded' });
        const shown = [...server.latest(KEY, 'reload')!.diagnostics, ...server.latest(KEY, 'stale')!.diagnostics];
        const stale = shown.find((d) => d.code === 'stale-instance');
        expect(stale?.names).toContain('g');
        expect(stale?.file).toBe(ws.file('greeter.py'));
        expect(events).toEqual(['will Interactive-1 1', 'did Interactive-1']);
        expect(await bridge.run('print(greeter.Greeter("Bo").greet())')).toBe('Hello Bo!\n');
    });

    it('sends each content once and skips kernels that do not have the file loaded', async () => {
        const server = new RecordingServer();
        const { reloader } = reloaderFor(server);
        const sentBefore = kernel.executed.filter((c) => c.includes('\\"reload\\"')).length;
        ws.write('math_utils.py', 'def scale(value):\n    return value * 5\n');
        await reloader.reloadFile(ws.file('math_utils.py'));
        await reloader.reloadFile(ws.file('math_utils.py'));
        await reloader.reloadFile(ws.file('other.py'));
        expect(kernel.executed.filter((c) => c.includes('\\"reload\\"')).length - sentBefore).toBe(1);
        expect(server.published.filter((p) => p.kind === 'reload').map((p) => p.source)).toEqual([KEY]);
        expect(await bridge.run('print(scale(2))')).toBe('10\n');
    });

    it('leaves kernels the language server is attached to to the server', async () => {
        const server = new RecordingServer();
        const pid = Number(await bridge.evaluate('__import__("os").getpid()'));
        server.kernels = [{ id: 'k1', pid, connectionFile: '/r/kernel.json', cwd: ws.root, python: '', status: 'idle' }];
        const { reloader } = reloaderFor(server);
        ws.write('math_utils.py', 'def scale(value):\n    return value * 7\n');
        expect(await reloader.reloadFile(ws.file('math_utils.py'))).toEqual([]);
        expect(server.published).toEqual([]);
        expect(await bridge.run('print(scale(2))')).toBe('10\n');
    });

    it('tells the user once when kernel access is denied', async () => {
        kernel.accessDenied = true;
        const server = new RecordingServer();
        const { reloader, denials } = reloaderFor(server);
        ws.write('math_utils.py', 'def scale(value):\n    return value * 8\n');
        await reloader.reloadFile(ws.file('math_utils.py'));
        await reloader.reloadFile(ws.file('math_utils.py'));
        expect(denials).toHaveLength(1);
        expect(denials[0]).toContain('Jupyter: Manage Access To Jupyter Kernels');
        expect(server.published).toEqual([]);

        kernel.accessDenied = false; // the user allowed it with the command named in the message
        ws.write('math_utils.py', 'def scale(value):\n    return value * 11\n');
        expect((await reloader.reloadFile(ws.file('math_utils.py'))).map((r) => r.modules[0]?.status)).toEqual(['reloaded']);
        expect(await bridge.run('print(scale(2))')).toBe('22\n');
    });

    it('lists the modules loaded in kernels and reloads the one picked', async () => {
        const server = new RecordingServer();
        server.modules = [{ kernel: 'kernel-7', name: 'greeter', file: ws.file('greeter.py') }];
        const { reloader } = reloaderFor(server);
        const modules = await reloader.modules();
        const greeter = modules.find((m) => m.name === 'greeter');
        expect(greeter).toEqual({ name: 'greeter', file: ws.file('greeter.py'), kernels: ['kernel-7', 'Interactive-1'] });
        expect(modules.find((m) => m.name === 'math_utils')?.kernels).toEqual(['Interactive-1']);
        expect(modules.some((m) => m.name === 'json' || m.name === 'os')).toBe(false); // user modules only

        ws.write('math_utils.py', 'def scale(value):\n    return value * 9\n');
        const reports = await reloader.reloadModule('math_utils');
        expect(reports.map((r) => r.modules[0]?.status)).toEqual(['reloaded']);
        expect(await bridge.run('print(scale(2))')).toBe('18\n');
    });

    it('clears a stale warning once the user recreates the object', async () => {
        const server = new RecordingServer();
        const { reloader } = reloaderFor(server);
        await bridge.run('g = greeter.Greeter("Ann")');
        ws.write('greeter.py', GREETER_V1);
        await reloader.reloadFile(ws.file('greeter.py'));
        await bridge.run('g_old = greeter.Greeter("Old")');
        ws.write('greeter.py', GREETER_V2);
        await reloader.reloadFile(ws.file('greeter.py'));
        const staleNames = (): string[] => (server.latest(KEY, 'stale')?.diagnostics ?? []).flatMap((d) => d.names);
        expect(staleNames()).toContain('g_old');
        await bridge.run('g_old = greeter.Greeter("New")'); // what the user does after reading the warning
        await reloader.recheckStale(KEY);
        expect(staleNames()).not.toContain('g_old');
    });

    it('still reloads on the next save after the kernel restarts', async () => {
        const server = new RecordingServer();
        const { reloader, jupyter } = reloaderFor(server);
        ws.write('math_utils.py', MATH_V1);
        await bridge.run('import math_utils'); // loaded, and this content is current
        await reloader.reloadFile(ws.file('math_utils.py'));
        await jupyter.targets(); // the tracker subscribes to status changes
        const before = server.published.length;
        await bridge.restart();
        // The restart cleared what the kernel had: the tracker told the reloader, which cleared its problems.
        await waitFor(() => server.published.slice(before).some((p) => p.source === KEY && p.kind === 'stale' && p.report.diagnostics.length === 0), {
            timeoutMs: 30000,
            what: 'diagnostics of the restarted kernel cleared',
        });
        await bridge.run('from math_utils import scale');
        ws.write('math_utils.py', MATH_V2);
        const reports = await reloader.reloadFile(ws.file('math_utils.py'));
        expect(reports.map((r) => r.modules[0]?.status)).toEqual(['reloaded']);
        expect(await bridge.run('print(scale(2))')).toBe('6\n');
    });
});
