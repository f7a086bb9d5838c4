/**
 * The language server's OS process, owned by the extension rather than left to the language
 * client: whatever state the client is in when it is stopped (starting, failed, running), the
 * process is ended — asked politely, then killed — before a new one is started, so two servers
 * never run side by side. No VS Code import.
 */
import { ChildProcess, SpawnOptions, spawn } from 'node:child_process';

/** Starts `command args` with pipes for stdio (the language client talks over them). */
export function spawnServer(command: string, args: string[], options: SpawnOptions): ChildProcess {
    return spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
}

/** True once the process has exited (or never started). */
export function hasExited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    if (hasExited(child)) {
        return Promise.resolve(true);
    }
    return new Promise((resolve) => {
        const timer = setTimeout(() => {
            child.off('exit', onExit);
            resolve(hasExited(child));
        }, timeoutMs);
        const onExit = (): void => {
            clearTimeout(timer);
            resolve(true);
        };
        child.once('exit', onExit);
    });
}

/**
 * Ends the process: waits `graceMs` for it to exit by itself (the client asked it to), then
 * sends SIGTERM, then SIGKILL. Resolves when it is gone.
 */
export async function endProcess(child: ChildProcess, graceMs = 2000): Promise<void> {
    if (await exited(child, graceMs)) {
        return;
    }
    child.kill('SIGTERM');
    if (await exited(child, graceMs)) {
        return;
    }
    child.kill('SIGKILL');
    await exited(child, 10_000);
}
