/**
 * "Start Hot Reload Console": a kernel with hotswap loaded, started in the workspace folder,
 * and `jupyter console --existing` in a terminal — the whole workflow without the Jupyter
 * extension. The connection file (it holds the kernel's key) lives in a private 0700 folder.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../common/log';
import { waitFor } from '../common/wait';

export interface ConsolePlan {
    dir: string;
    connectionFile: string;
    kernelArgs: string[];
    consoleArgs: string[];
    env: NodeJS.ProcessEnv;
}

/** What the console's kernel is called in Problems, the status bar, the Hot Reload view and the log. */
export const CONSOLE_LABEL = 'Hot Reload Console';

/** Makes the private folder and the command lines for the kernel and the console. */
export async function planConsole(
    helperDir: string,
    baseEnv: NodeJS.ProcessEnv = process.env,
    baseDir = os.tmpdir(),
    platform: NodeJS.Platform = process.platform,
): Promise<ConsolePlan> {
    const dir = await fs.mkdtemp(path.join(baseDir, 'hotswap-console-'));
    await fs.chmod(dir, 0o700);
    const connectionFile = path.join(dir, 'kernel.json');
    const pythonPath = [helperDir, baseEnv.PYTHONPATH].filter((p): p is string => !!p).join(path.delimiter);
    // IPC sockets (files in the private folder) where the platform has them: no TCP port at all.
    const transport = platform === 'win32' ? [] : ['--transport=ipc', `--ip=${path.join(dir, 'kernel-ipc')}`];
    return {
        dir,
        connectionFile,
        kernelArgs: ['-m', 'ipykernel_launcher', '-f', connectionFile, ...transport, '--IPKernelApp.extra_extensions=hotswap'],
        consoleArgs: ['-m', 'jupyter_console', '--existing', connectionFile],
        // JPY_PARENT_PID: ipykernel exits by itself if the editor's extension host goes away.
        // HOTSWAP_KERNEL_LABEL: the name its registry entry gives it, shown wherever it is named.
        env: { ...baseEnv, PYTHONPATH: pythonPath, JPY_PARENT_PID: String(process.pid), HOTSWAP_KERNEL_LABEL: CONSOLE_LABEL },
    };
}

/** Modules the console needs in the user's interpreter, with the command that installs them. */
export const CONSOLE_REQUIREMENTS = ['ipykernel', 'jupyter_console'];

export class ConsoleKernel {
    private exitMessage: string | undefined;

    private constructor(
        readonly plan: ConsolePlan,
        readonly process: ChildProcess,
    ) {
        process.once('exit', (code, signal) => {
            this.exitMessage = `the kernel exited (${signal ?? `code ${code}`})`;
        });
    }

    /** Starts the kernel and waits until it has written its connection file. */
    static async start(python: string, plan: ConsolePlan, cwd: string | undefined, log: Logger): Promise<ConsoleKernel> {
        const child = spawn(python, plan.kernelArgs, { cwd, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
        const kernel = new ConsoleKernel(plan, child);
        let stderr = '';
        child.stdout?.on('data', (d: Buffer) => log.debug(`console kernel: ${d.toString().trimEnd()}`));
        child.stderr?.on('data', (d: Buffer) => {
            stderr = (stderr + d.toString()).slice(-2000);
            log.debug(`console kernel: ${d.toString().trimEnd()}`);
        });
        child.once('error', (err) => {
            kernel.exitMessage = err.message;
        });
        try {
            await waitFor(
                async () => {
                    try {
                        const text = await fs.readFile(plan.connectionFile, 'utf8');
                        return text.includes('"key"');
                    } catch {
                        return false;
                    }
                },
                {
                    timeoutMs: 60000,
                    what: 'Starting the Hot Reload Console kernel',
                    abort: () => (kernel.exitMessage ? `${kernel.exitMessage}. ${stderr.trim()}` : undefined),
                },
            );
        } catch (err) {
            kernel.stop();
            throw err;
        }
        log.info(`Hot Reload Console kernel ${child.pid} started; connection file ${plan.connectionFile}`);
        return kernel;
    }

    get alive(): boolean {
        return this.exitMessage === undefined && this.process.exitCode === null;
    }

    /** Stops the kernel and removes its private folder. */
    stop(): void {
        if (this.alive) {
            this.process.kill('SIGTERM');
        }
        void fs.rm(this.plan.dir, { recursive: true, force: true });
    }
}
