/**
 * "Start Hot Reload Console" starts a real ipykernel with hotswap loaded, in a private folder,
 * and the kernel announces itself in the registry the language server watches.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleKernel, planConsole } from '../../../extension/src/kernels/hotConsole';
import { MemoryLogger } from '../../../extension/src/common/log';
import { waitFor } from '../../../extension/src/common/wait';
import { testPython } from '../fakes/paths';
import { makeWorkspace } from '../fakes/workspace';

const ws = makeWorkspace({ 'math_utils.py': 'def scale(value):\n    return value * 2\n' });
const runtimeDir = mkdtempSync(path.join(os.tmpdir(), 'hotswap-runtime-'));
const started: ConsoleKernel[] = [];

afterAll(() => {
    for (const kernel of started) {
        kernel.stop();
    }
    ws.remove();
    rmSync(runtimeDir, { recursive: true, force: true });
});

describe('Hot Reload Console', () => {
    it('starts a kernel with hotswap loaded in the workspace, its key in a private folder', async () => {
        const plan = await planConsole(ws.helperDir, { ...process.env, JUPYTER_RUNTIME_DIR: runtimeDir });
        expect(statSync(plan.dir).mode & 0o777).toBe(0o700);
        expect(plan.consoleArgs).toEqual(['-m', 'jupyter_console', '--existing', plan.connectionFile]);

        const kernel = await ConsoleKernel.start(testPython(), plan, ws.root, new MemoryLogger());
        started.push(kernel);
        expect(statSync(plan.connectionFile).mode & 0o077).toBe(0);
        // IPC sockets in the private folder: the kernel opens no TCP port at all
        const connection = JSON.parse(readFileSync(plan.connectionFile, 'utf8')) as { ip: string; transport: string };
        expect(connection.transport).toBe('ipc');
        expect(connection.ip).toBe(path.join(plan.dir, 'kernel-ipc'));

        // hotswap announced the kernel where the language server looks for kernels.
        const entry = path.join(runtimeDir, 'hotswap', `kernel-${kernel.process.pid}.json`);
        await waitFor(() => existsSync(entry), { timeoutMs: 60000, what: 'registry entry of the console kernel' });
        const announced = JSON.parse(readFileSync(entry, 'utf8')) as { connection_file: string; cwd: string; label: string };
        expect(path.resolve(announced.connection_file)).toBe(path.resolve(plan.connectionFile));
        expect(announced.label).toBe('Hot Reload Console'); // the name the user sees for it
        expect(announced.cwd).toBe(ws.root);

        kernel.stop();
        await waitFor(() => !kernel.alive && !existsSync(plan.dir), { timeoutMs: 30000, what: 'console kernel stopped' });
    });

    it('explains a kernel that cannot start', async () => {
        const plan = await planConsole(ws.helperDir);
        const error = await ConsoleKernel.start('/nonexistent/python3', plan, ws.root, new MemoryLogger()).catch((e: unknown) => e);
        expect(String(error)).toMatch(/Starting the Hot Reload Console kernel: .*ENOENT/);
    });
});
