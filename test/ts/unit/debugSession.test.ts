/**
 * The debug-session path against a real debugpy: a tiny DAP client stands in for VS Code's
 * DebugSession (customRequest) and feeds the same tracker callbacks VS Code would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebugStates, DebugTarget } from '../../../extension/src/kernels/debugSession';
import { Report, makeRequest } from '../../../extension/src/kernels/kernelCode';
import { KernelTransport } from '../../../extension/src/kernels/transport';
import { MemoryLogger } from '../../../extension/src/common/log';
import { waitFor } from '../../../extension/src/common/wait';
import { DapSession } from '../fakes/dapClient';
import { testPython } from '../fakes/paths';
import { TestWorkspace, makeWorkspace } from '../fakes/workspace';

const PROGRAM = [
    'import os, sys, time',
    'from math_utils import scale',
    'out = sys.argv[1]',
    "while not os.path.exists(out + '.stop'):",
    "    with open(out + '.tmp', 'w') as f:",
    '        f.write(str(scale(2)))',
    "    os.replace(out + '.tmp', out)",
    '    time.sleep(0.02)',
    '',
].join('\n');

let ws: TestWorkspace;
let session: DapSession;
const states = new DebugStates();
const sent: string[] = [];
let sessionId = '';

function current(): string {
    try {
        return readFileSync(ws.file('out.txt'), 'utf8');
    } catch {
        return '';
    }
}

beforeAll(async () => {
    ws = makeWorkspace({ 'math_utils.py': 'def scale(value):\n    return value * 2\n', 'app.py': PROGRAM });
    session = DapSession.start({
        fromAdapter: (m) => states.fromAdapter(sessionId, m),
        toAdapter: (m) => {
            const msg = m as { type?: string; command?: string };
            if (msg.type === 'request' && msg.command) {
                sent.push(msg.command);
            }
            states.toAdapter(sessionId, m);
        },
    });
    sessionId = session.id;
    await session.customRequest('initialize', {
        clientID: 'vscode',
        adapterID: 'debugpy',
        linesStartAt1: true,
        columnsStartAt1: true,
        pathFormat: 'path',
        supportsRunInTerminalRequest: false,
    });
    const launched = session.customRequest('launch', {
        type: 'debugpy',
        request: 'launch',
        name: 'app',
        program: ws.file('app.py'),
        args: [ws.file('out.txt')],
        cwd: ws.root,
        console: 'internalConsole',
        python: [testPython()],
        justMyCode: true,
    });
    await session.waitForEvent((e) => e.event === 'initialized');
    await session.customRequest('configurationDone');
    await launched;
    await waitFor(() => current() === '4', { timeoutMs: 60000, what: 'debuggee running' });
});

afterAll(async () => {
    await session?.close();
    ws?.remove();
});

describe('debug session target', () => {
    it('reloads while the program runs (evaluate without a frame)', async () => {
        const target = new DebugTarget(session, states, ws.helperDir);
        ws.write('math_utils.py', 'def scale(value):\n    return value * 3\n');
        const report = await target.request<Report>('reload', { paths: [ws.file('math_utils.py')] });
        expect(report.modules.map((m) => [m.name, m.status])).toEqual([['math_utils', 'reloaded']]);
        expect(sent).not.toContain('stackTrace');
        // The loop calls `scale` through the name it imported before the edit.
        await waitFor(() => current() === '6', { timeoutMs: 30000, what: 'debuggee runs the new code' });
    });

    it('reloads in the top frame when stopped, and the program continues with the new code', async () => {
        const threads = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
        const main = threads.threads.find((t) => t.name === 'MainThread') ?? threads.threads[0];
        await session.customRequest('pause', { threadId: main.id });
        await session.waitForEvent((e) => e.event === 'stopped');
        expect(states.stoppedThread(session.id)).toBe(main.id);

        const target = new DebugTarget(session, states, ws.helperDir);
        ws.write('math_utils.py', 'def scale(value):\n    return value * 4\n');
        const report = await target.request<Report>('reload', { paths: [ws.file('math_utils.py')] });
        expect(report.modules[0]).toMatchObject({ name: 'math_utils', status: 'reloaded' });
        expect(sent).toContain('stackTrace');

        await session.customRequest('continue', { threadId: main.id });
        expect(states.stoppedThread(session.id)).toBeUndefined();
        await waitFor(() => current() === '8', { timeoutMs: 30000, what: 'debuggee runs the new code after continue' });
    });

    it('reports what the kernel service refuses, in words', async () => {
        const target = new DebugTarget(session, states, ws.helperDir);
        await expect(target.request('reload', { paths: 'not a list' })).rejects.toThrow(/bad-request/);
    });

    it('carries the language server’s requests to the debuggee unchanged (the transport)', async () => {
        const notes: { method: string; params: unknown }[] = [];
        const transport = new KernelTransport(
            { all: async () => [new DebugTarget(session, states, ws.helperDir)] },
            () => ({ running: true, notify: (method, params) => void notes.push({ method, params }) }),
            new MemoryLogger(),
            () => undefined,
        );
        await transport.announce();
        const key = `debug:${session.id}`;
        expect(notes).toEqual([
            { method: 'hotswap/transportKernels', params: { kernels: [{ id: key, label: `debug: ${session.name}`, kind: 'debug', generation: 1, ready: true }] } },
        ]);
        ws.write('math_utils.py', 'def scale(value):\n    return value * 5\n');
        const request = makeRequest('reload', { paths: [ws.file('math_utils.py')] });
        const answer = await transport.handle({ kernel: key, request });
        expect(answer).toMatchObject({ response: { ok: true, id: request.id } });
        const report = (answer as { response: { result: Report } }).response.result;
        expect(report.modules.map((m) => [m.name, m.status])).toEqual([['math_utils', 'reloaded']]);
        await waitFor(() => current() === '10', { timeoutMs: 30000, what: 'debuggee runs the code the server sent' });
        // A refused request comes back as the kernel's answer, for the server to read.
        const refused = await transport.handle({ kernel: key, request: makeRequest('reload', { paths: 'not a list' }) });
        expect(refused).toMatchObject({ response: { ok: false, error: { type: 'bad-request' } } });
        expect(await transport.handle({ kernel: 'debug:gone', request })).toMatchObject({ error: { type: 'gone' } });
    });
});
