/**
 * The Jupyter-extension path against a fake of the published Kernel interface whose work is
 * done by a real ipykernel: the code the extension sends really runs and really reloads. The
 * reloads are driven by the real language server, which reaches the kernel through the
 * extension's transport (hotswap/kernelRequest), exactly as in VS Code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Uri } from 'vscode';
import { JupyterKernelTarget, KernelAccessDenied } from '../../../extension/src/kernels/jupyterKernel';
import { JupyterKernels } from '../../../extension/src/kernels/jupyterKernels';
import { KernelStatusInfo, Report, jupyterCode, makeRequest, newMarker, parseMarkedOutput } from '../../../extension/src/kernels/kernelCode';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryLogger } from '../../../extension/src/common/log';
import { layoutOf, serverArgs } from '../../../extension/src/client/layout';
import type { KernelRequestParams } from '../../../extension/src/client/protocol';
import { KernelTransport } from '../../../extension/src/kernels/transport';
import { waitFor } from '../../../extension/src/common/wait';
import { FakeJupyterKernel, testTokens } from '../fakes/fakeJupyterKernel';
import { KernelBridge } from '../fakes/kernelBridge';
import { LspClient } from '../fakes/lspClient';
import { REPO_ROOT, testPython } from '../fakes/paths';
import { TestWorkspace, makeWorkspace } from '../fakes/workspace';

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

beforeAll(async () => {
    ws = makeWorkspace({ 'math_utils.py': MATH_V1, 'greeter.py': GREETER_V1, 'other.py': 'X = 1\n' });
    bridge = await KernelBridge.start(ws.root);
    kernel = new FakeJupyterKernel(bridge);
    await bridge.run('from math_utils import scale\nimport greeter\ng = greeter.Greeter("Ann")');
});

afterAll(async () => {
    await server?.stop();
    await bridge?.close();
    ws?.remove();
    if (runtime) {
        rmSync(runtime, { recursive: true, force: true });
    }
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


// ------------------------------------------------------------------------------------------
// The one path: the real language server drives, the extension's transport carries.

let server: LspClient | undefined;
let runtime = '';

interface Published {
    uri: string;
    diagnostics: { code: string; data?: { names?: string[]; kernel?: string } }[];
}

function published(file: string): Published['diagnostics'] | undefined {
    const uri = pathToFileURL(file).toString();
    const all = server!.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri);
    return (all.at(-1)?.params as Published | undefined)?.diagnostics;
}

function notified(method: string): Record<string, unknown>[] {
    return server!.notifications.filter((n) => n.method === method).map((n) => n.params as Record<string, unknown>);
}

function didReloads(): { kernel: string; reloaded: number; error?: string; modules: { name: string; status: string }[] }[] {
    return notified('hotswap/didReload') as never;
}

async function startServer(): Promise<{ transport: KernelTransport; denials: string[]; requests: string[]; log: MemoryLogger }> {
    runtime = mkdtempSync(path.join(os.tmpdir(), 'hotswap-transport-runtime-'));
    server = LspClient.start(testPython(), serverArgs(layoutOf(REPO_ROOT)), { ...process.env, JUPYTER_RUNTIME_DIR: runtime }, ws.root);
    await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(ws.root).toString(), capabilities: {}, initializationOptions: { hotswap: {} } });
    server.notify('initialized', {});
    const log = new MemoryLogger();
    const denials: string[] = [];
    const requests: string[] = [];
    const jupyter = new JupyterKernels(
        { kernels: { getKernel: async (uri) => (uri === NOTEBOOK_URI ? kernel : undefined) } },
        () => [{ uri: NOTEBOOK_URI, notebookType: 'interactive' }],
        ws.helperDir,
        testTokens,
        log,
        () => void transport.announce(),
    );
    const client = server;
    const transport: KernelTransport = new KernelTransport(
        { all: () => jupyter.targets() },
        () => ({ running: true, notify: (method, params) => client.notify(method, params) }),
        log,
        (message) => denials.push(message),
    );
    server.handlers.set('hotswap/kernelRequest', async (params) => {
        requests.push((params as KernelRequestParams).request.command);
        return transport.handle(params as KernelRequestParams);
    });
    return { transport, denials, requests, log };
}

function saved(file: string): void {
    server!.notify('textDocument/didSave', { textDocument: { uri: pathToFileURL(file).toString() } });
}

describe('the language server reaches a Jupyter-extension kernel through the transport', () => {
    let transport: KernelTransport;
    let denials: string[];
    let requests: string[];

    beforeAll(async () => {
        ({ transport, denials, requests } = await startServer());
        await bridge.run('import greeter\ng = greeter.Greeter("Ann")');
        ws.write('greeter.py', GREETER_V1);
    });

    it('announces the kernel with the name the user knows; the server attaches it and catches up', async () => {
        await transport.announce();
        await waitFor(() => requests.includes('outdated'), { timeoutMs: 60000, what: 'catch-up request' });
        const lists = notified('hotswap/kernelsChanged') as { kernels: { id: string; label: string; kind: string; pid: number | null }[] }[];
        const mine = lists.flatMap((l) => l.kernels).filter((k) => k.id === KEY && k.pid !== null);
        expect(mine.at(-1)).toMatchObject({ label: 'Interactive-1', kind: 'jupyter', pid: Number(await bridge.evaluate('__import__("os").getpid()')) });
    });

    it('reloads a save in the kernel and shows its stale object in Problems, from the server', async () => {
        ws.write('greeter.py', GREETER_V2);
        saved(ws.file('greeter.py'));
        await waitFor(() => didReloads().some((d) => d.kernel === KEY && d.reloaded === 1), { timeoutMs: 60000, what: 'didReload from the server' });
        expect(await bridge.run('print(greeter.Greeter("Bo").greet())')).toBe('Hello Bo!\n');
        await waitFor(() => (published(ws.file('greeter.py')) ?? []).some((d) => d.code === 'stale-instance' && d.data?.names?.includes('g')), {
            timeoutMs: 30000,
            what: 'stale warning for g',
        });
        expect(published(ws.file('greeter.py'))!.find((d) => d.code === 'stale-instance')?.data?.kernel).toBe(KEY);
    });

    it('clears the warning once the user recreates the object', async () => {
        await bridge.run('g = greeter.Greeter("Ann")');
        transport.userExecuted(KEY);
        await waitFor(() => published(ws.file('greeter.py'))?.length === 0, { timeoutMs: 30000, what: 'warning cleared' });
    });

    it('leaves the kernel untouched for a file it does not have loaded', async () => {
        const before = kernel.executed.filter((c) => c.includes('\\"reload\\"')).length;
        const reloadsBefore = didReloads().length;
        saved(ws.file('other.py'));
        await waitFor(() => didReloads().length > reloadsBefore, { timeoutMs: 30000, what: 'didReload for other.py' });
        expect(didReloads().at(-1)!.modules.every((m) => m.status === 'skipped')).toBe(true);
        expect(kernel.executed.filter((c) => c.includes('\\"reload\\"')).length - before).toBe(1);
    });

    it('tells the user once when kernel access is denied, and works again once allowed', async () => {
        kernel.accessDenied = true;
        const before = didReloads().length;
        ws.write('math_utils.py', 'def scale(value):\n    return value * 8\n');
        saved(ws.file('math_utils.py'));
        await waitFor(() => didReloads().length > before && didReloads().at(-1)!.error !== undefined, { timeoutMs: 30000, what: 'denied reload' });
        saved(ws.file('math_utils.py'));
        await waitFor(() => didReloads().length > before + 1, { timeoutMs: 30000, what: 'second denied reload' });
        expect(denials).toHaveLength(1);
        expect(denials[0]).toContain('Jupyter: Manage Access To Jupyter Kernels');

        kernel.accessDenied = false; // the user allowed it with the command named in the message
        ws.write('math_utils.py', 'def scale(value):\n    return value * 11\n');
        saved(ws.file('math_utils.py'));
        await waitFor(() => didReloads().some((d) => d.kernel === KEY && d.modules.some((m) => m.name === 'math_utils' && m.status === 'reloaded')), {
            timeoutMs: 30000,
            what: 'reload after access was allowed',
        });
        expect(await bridge.run('print(scale(2))')).toBe('22\n');
    });

    it('still reloads on the next save after the kernel restarts, announced as a new generation', async () => {
        await bridge.restart();
        await bridge.run('import sys, os\nsys.path.insert(0, os.getcwd())\nfrom math_utils import scale');
        ws.write('math_utils.py', 'def scale(value):\n    return value * 13\n');
        saved(ws.file('math_utils.py'));
        await waitFor(async () => (await bridge.run('print(scale(2))')) === '26\n', { timeoutMs: 60000, what: 'restarted kernel reloaded', intervalMs: 200 });
    });
});
