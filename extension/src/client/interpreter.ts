/**
 * Which Python runs the language server and the console kernel: the Python extension's active
 * interpreter when that extension is installed, else `hotswap.pythonPath`, else `python3`.
 * Also checks the interpreter can reach kernels (`jupyter_client`), so a missing package is
 * explained once with its fix instead of surfacing as a failed attach.
 */
import { execFile } from 'node:child_process';
import type { PythonExtension } from '@vscode/python-extension';

export type InterpreterSource = 'python-extension' | 'setting' | 'default';

export interface Interpreter {
    path: string;
    source: InterpreterSource;
}

/** The Python extension's view of the active environment (a slice of @vscode/python-extension). */
export interface ActiveEnvironment {
    /** Executable of the active environment for the workspace, undefined when it has none. */
    activeExecutable(): Promise<string | undefined>;
}

/** The part of the Python extension's `environments` API that Hotswap reads. */
export type PythonEnvironments = Pick<PythonExtension['environments'], 'getActiveEnvironmentPath' | 'resolveEnvironment'>;

/**
 * The active environment of `resource` through the Python extension's API: the path it has
 * selected, resolved to its executable (undefined while it has none or cannot resolve it).
 */
export function activeEnvironment(environments: PythonEnvironments, resource: () => Parameters<PythonEnvironments['getActiveEnvironmentPath']>[0]): ActiveEnvironment {
    return {
        async activeExecutable(): Promise<string | undefined> {
            const active = environments.getActiveEnvironmentPath(resource());
            const resolved = await environments.resolveEnvironment(active);
            return resolved?.executable.uri?.fsPath;
        },
    };
}

/** Picks the interpreter in the documented order. */
export async function chooseInterpreter(
    pythonExtension: ActiveEnvironment | undefined,
    settingPath: string,
): Promise<Interpreter> {
    if (pythonExtension) {
        const fromExtension = await pythonExtension.activeExecutable().catch(() => undefined);
        if (fromExtension) {
            return { path: fromExtension, source: 'python-extension' };
        }
    }
    if (settingPath.trim() !== '') {
        return { path: settingPath.trim(), source: 'setting' };
    }
    return { path: 'python3', source: 'default' };
}

export interface ProbeResult {
    /** The interpreter ran. */
    runs: boolean;
    /** `jupyter_client` imports. */
    jupyterClient: boolean;
    /** `sys.version_info >= (3, 11)`. */
    supported: boolean;
    version: string;
    detail: string;
}

const PROBE = [
    'import sys',
    'ok = True',
    'try:',
    '    import jupyter_client',
    'except Exception:',
    '    ok = False',
    "print('%d.%d.%d' % sys.version_info[:3], int(ok), int(sys.version_info >= (3, 11)))",
].join('\n');

/** Runs the interpreter once to learn whether it can host the language server. */
export function probeInterpreter(python: string, timeoutMs = 20000): Promise<ProbeResult> {
    return new Promise((resolve) => {
        execFile(python, ['-c', PROBE], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
            if (err) {
                resolve({ runs: false, jupyterClient: false, supported: false, version: '', detail: (stderr || err.message).trim() });
                return;
            }
            const [version = '', jc = '0', sup = '0'] = stdout.trim().split(/\s+/);
            resolve({ runs: true, jupyterClient: jc === '1', supported: sup === '1', version, detail: stderr.trim() });
        });
    });
}

/** The one message a user sees about an interpreter that cannot serve, with the fix; undefined when fine. */
export function interpreterProblem(python: string, probe: ProbeResult): string | undefined {
    if (!probe.runs) {
        return `Hotswap could not run the Python interpreter "${python}" (${probe.detail || 'no output'}). Select an interpreter with "Python: Select Interpreter" or set hotswap.pythonPath.`;
    }
    if (!probe.supported) {
        return `Hotswap needs Python 3.11 or newer; "${python}" is ${probe.version}. Select another interpreter or set hotswap.pythonPath.`;
    }
    if (!probe.jupyterClient) {
        return `Hotswap cannot reach kernels: jupyter_client is not installed for "${python}". Install it with: ${installCommand(python)}`;
    }
    return undefined;
}

/** The shell command that installs jupyter_client into `python`. */
export function installCommand(python: string): string {
    const quoted = /[\s"'$`\\]/.test(python) ? `"${python.replace(/(["$`\\])/g, '\\$1')}"` : python;
    return `${quoted} -m pip install jupyter_client`;
}

/** A server message about the missing jupyter_client, which the extension may already have explained. */
export function isJupyterClientMessage(message: string): boolean {
    return /jupyter[_-]client/i.test(message);
}
