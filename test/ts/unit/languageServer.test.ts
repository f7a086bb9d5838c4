/**
 * The language server started the way the extension starts it (interpreter + launcher from the
 * extension layout): the commands it offers and no side door for reports (every report comes
 * from a reload the server itself drove; see jupyterKernel.test.ts for the transport).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutOf, serverArgs } from '../../../extension/src/client/layout';
import { LspClient } from '../fakes/lspClient';
import { REPO_ROOT, testPython } from '../fakes/paths';

const runtime = mkdtempSync(path.join(os.tmpdir(), 'hotswap-lsp-runtime-'));
let client: LspClient;

beforeAll(async () => {
    client = LspClient.start(testPython(), serverArgs(layoutOf(REPO_ROOT)), { ...process.env, JUPYTER_RUNTIME_DIR: runtime });
    const init = await client.request<{ capabilities: { executeCommandProvider?: { commands: string[] } } }>('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(runtime).toString(),
        capabilities: {},
        initializationOptions: { hotswap: { staleSeverity: 'warning' } },
    });
    expect(init.capabilities.executeCommandProvider?.commands).toEqual(
        expect.arrayContaining(['hotswap.listKernels', 'hotswap.reloadModule', 'hotswap.attachKernel']),
    );
    expect(init.capabilities.executeCommandProvider?.commands).not.toContain('hotswap.publishReport');
    client.notify('initialized', {});
});

afterAll(async () => {
    await client?.stop();
    rmSync(runtime, { recursive: true, force: true });
});

describe('language server as the extension launches it', () => {
    it('lists no kernels in an empty runtime directory', async () => {
        expect(await client.request('workspace/executeCommand', { command: 'hotswap.listKernels', arguments: [] })).toEqual([]);
    });
});
