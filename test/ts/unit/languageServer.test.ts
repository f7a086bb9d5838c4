/**
 * The language server started the way the extension starts it (interpreter + launcher from the
 * extension layout), and the report hand-over the Jupyter and debug paths rely on: the server
 * turns `hotswap.publishReport` into diagnostics (one owner), and a `stale` report clears them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../extension/src/kernels/kernelCode';
import { layoutOf, serverArgs } from '../../../extension/src/client/layout';
import { waitFor } from '../../../extension/src/common/wait';
import { LspClient } from '../fakes/lspClient';
import { REPO_ROOT, testPython } from '../fakes/paths';

interface Diagnostic {
    range: { start: { line: number } };
    code: string;
    source: string;
    message: string;
    codeDescription?: { href: string };
}

const runtime = mkdtempSync(path.join(os.tmpdir(), 'hotswap-lsp-runtime-'));
const file = path.join(runtime, 'greeter.py');
const uri = pathToFileURL(file).toString();
let client: LspClient;

function diagnosticsFor(target: string): Diagnostic[] | undefined {
    const published = client.notifications.filter(
        (n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === target,
    );
    return (published.at(-1)?.params as { diagnostics: Diagnostic[] } | undefined)?.diagnostics;
}

beforeAll(async () => {
    client = LspClient.start(testPython(), serverArgs(layoutOf(REPO_ROOT)), { ...process.env, JUPYTER_RUNTIME_DIR: runtime });
    const init = await client.request<{ capabilities: { executeCommandProvider?: { commands: string[] } } }>('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(runtime).toString(),
        capabilities: {},
        initializationOptions: { hotswap: { staleSeverity: 'warning' } },
    });
    expect(init.capabilities.executeCommandProvider?.commands).toEqual(
        expect.arrayContaining(['hotswap.publishReport', 'hotswap.listKernels', 'hotswap.reloadModule', 'hotswap.attachKernel']),
    );
    client.notify('initialized', {});
});

afterAll(async () => {
    await client?.stop();
    rmSync(runtime, { recursive: true, force: true });
});

describe('language server as the extension launches it', () => {
    it('shows a report handed over by the extension as diagnostics, and clears them with a stale report', async () => {
        const report: Report = {
            version: 1,
            duration_ms: 2,
            modules: [{ name: 'greeter', file, status: 'reloaded' }],
            diagnostics: [
                {
                    file,
                    range: { start: { line: 8, character: 8 }, end: { line: 8, character: 32 } },
                    severity: 'warning',
                    code: 'stale-instance',
                    message: "g was created before Greeter gained 'punctuation'; recreate it to use the new code.",
                    names: ['g'],
                },
            ],
        };
        const source = 'jupyter:vscode-interactive:/Interactive-1.interactive';
        await client.request('workspace/executeCommand', { command: 'hotswap.publishReport', arguments: [{ source, report, kind: 'reload' }] });
        await waitFor(() => (diagnosticsFor(uri)?.length ?? 0) === 1, { timeoutMs: 30000, what: 'diagnostics published' });
        const [diagnostic] = diagnosticsFor(uri)!;
        expect(diagnostic).toMatchObject({ source: 'hotswap', code: 'stale-instance', range: { start: { line: 8 } } });
        expect(diagnostic.codeDescription?.href).toMatch(/docs\/diagnostics\.md#stale-instance$/);

        const empty: Report = { version: 1, duration_ms: 0, modules: [], diagnostics: [] };
        await client.request('workspace/executeCommand', { command: 'hotswap.publishReport', arguments: [{ source, report: empty, kind: 'stale' }] });
        await waitFor(() => diagnosticsFor(uri)?.length === 0, { timeoutMs: 30000, what: 'diagnostics cleared' });
    });

    it('shows a stale object once when the extension hands over its reload report and then the stale list', async () => {
        // The reloader's sequence after each save: the reload report (its problems plus every
        // stale object known) and then the re-checked stale list, both naming the same object.
        const staleInstance: Report['diagnostics'][number] = {
            file,
            range: { start: { line: 3, character: 0 }, end: { line: 3, character: 10 } },
            severity: 'warning',
            code: 'stale-instance',
            message: 'g was created before Greeter changed; recreate it.',
            names: ['g'],
        };
        const source = 'debug:7';
        const reload: Report = { version: 1, duration_ms: 2, modules: [{ name: 'greeter', file, status: 'reloaded' }], diagnostics: [staleInstance] };
        const stale: Report = { version: 1, duration_ms: 1, modules: [], diagnostics: [staleInstance] };
        const publish = (report: Report, kind: string) =>
            client.request('workspace/executeCommand', { command: 'hotswap.publishReport', arguments: [{ source, report, kind }] });
        const before = client.notifications.length;
        await publish(reload, 'reload');
        await publish(stale, 'stale');
        const published = (): number => client.notifications.slice(before).filter((n) => n.method === 'textDocument/publishDiagnostics').length;
        await waitFor(() => published() >= 2, { timeoutMs: 30000, what: 'both reports published' });
        expect(diagnosticsFor(uri)?.map((d) => d.code)).toEqual(['stale-instance']);
        await publish({ ...stale, diagnostics: [] }, 'stale');
        await waitFor(() => diagnosticsFor(uri)?.length === 0, { timeoutMs: 30000, what: 'stale warning cleared' });
    });

    it('lists no kernels in an empty runtime directory', async () => {
        expect(await client.request('workspace/executeCommand', { command: 'hotswap.listKernels', arguments: [] })).toEqual([]);
    });
});
