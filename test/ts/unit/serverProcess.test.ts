/** The server's process is always gone when a stop returns, even one that ignores SIGTERM. */
import * as readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { endProcess, hasExited, spawnServer } from '../../../extension/src/client/serverProcess';
import { testPython } from '../fakes/paths';

function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** A Python process that prints "ready" once its signal handling is set up. */
async function startPython(code: string) {
    const child = spawnServer(testPython(), ['-c', code], {});
    const lines = readline.createInterface({ input: child.stdout! });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    return child;
}

describe('language server process', () => {
    it('is ended by SIGKILL when it ignores SIGTERM (a server stuck in a kernel call)', async () => {
        const child = await startPython(
            'import signal, sys, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(600)',
        );
        const pid = child.pid!;
        await endProcess(child, 300);
        expect(hasExited(child)).toBe(true);
        expect(child.signalCode).toBe('SIGKILL');
        expect(pidAlive(pid)).toBe(false);
    });

    it('is ended politely when it honours SIGTERM', async () => {
        const child = await startPython('import time\nprint("ready", flush=True)\ntime.sleep(600)');
        await endProcess(child, 300);
        expect(child.signalCode).toBe('SIGTERM');
    });

    it('is left alone when it already exited by itself within the grace period', async () => {
        const child = await startPython('print("ready", flush=True)');
        await endProcess(child, 5000);
        expect(child.exitCode).toBe(0);
        expect(child.signalCode).toBeNull();
    });
});
