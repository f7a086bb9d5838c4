/**
 * Talks to one kernel owned by the Jupyter extension (Interactive Window or notebook) through
 * its public API, `Kernel.executeCode`. The code sent is kernelCode's; its answer comes back
 * as a marked stdout line. Errors are turned into messages a user can act on.
 */
import type { Kernel } from '@vscode/jupyter-extension';
import type { CancellationToken } from 'vscode';
import {
    KernelCommand,
    KernelRequest,
    KernelResponse,
    ProtocolError,
    jupyterCode,
    makeRequest,
    newMarker,
    parseMarkedOutput,
    resultOf,
} from './kernelCode';

export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
export const ERROR_MIME = 'application/vnd.code.notebook.error';
/** Error name the Jupyter extension throws when the user denied this extension kernel access. */
export const ACCESS_REVOKED = 'vscode.jupyter.apiAccessRevoked';
export const MANAGE_ACCESS_COMMAND_TITLE = 'Jupyter: Manage Access To Jupyter Kernels';
/** The Jupyter extension's command behind that title. */
export const MANAGE_ACCESS_COMMAND = 'jupyter.manageAccessToKernels';
export const MANAGE_ACCESS_ACTION = 'Manage Access';

/** The user said no to kernel access: one clear message naming the command that changes it. */
export class KernelAccessDenied extends Error {
    constructor() {
        super(
            `Hotswap is not allowed to use Jupyter kernels, so saves cannot reload code in the Interactive Window or notebooks. ` +
                `To allow it, run "${MANAGE_ACCESS_COMMAND_TITLE}" from the Command Palette and tick Hotswap.`,
        );
        this.name = 'KernelAccessDenied';
    }
}

/** Editor calls the denial prompt needs (vscodeapi in the extension). */
export interface ConsentUi {
    warn(message: string, ...actions: string[]): Thenable<string | undefined>;
    executeCommand(command: string, ...args: unknown[]): Thenable<unknown>;
}

/**
 * Shows the denial message with a button that opens the Jupyter extension's access manager,
 * falling back to the Command Palette prefilled with its title if that command is missing.
 */
export async function offerManageAccess(message: string, ui: ConsentUi): Promise<void> {
    if ((await ui.warn(message, MANAGE_ACCESS_ACTION)) !== MANAGE_ACCESS_ACTION) {
        return;
    }
    try {
        await ui.executeCommand(MANAGE_ACCESS_COMMAND);
    } catch {
        await ui.executeCommand('workbench.action.quickOpen', `>${MANAGE_ACCESS_COMMAND_TITLE}`);
    }
}

/** The kernel ran our code and it failed (for example the helper could not be imported). */
export class KernelExecutionError extends Error {
    constructor(
        message: string,
        /** The kernel could not import the helper at all. */
        readonly helperMissing = false,
    ) {
        super(message);
        this.name = 'KernelExecutionError';
    }
}

/** A token source the caller owns; the extension passes VS Code's, tests a plain one. */
export type TokenFactory = () => { token: CancellationToken; dispose(): void };

/** A kernel we can send protocol requests to (Jupyter kernels and debug sessions alike). */
export interface ServiceTarget {
    /** Stable id, also the language server's id for this kernel. */
    readonly key: string;
    /** What the user calls it, for logs and pickers. */
    readonly label: string;
    /** Carries one protocol request as given and returns the kernel's response unchanged. */
    exchange(request: KernelRequest): Promise<KernelResponse>;
    request<T>(command: KernelCommand, args?: Record<string, unknown>): Promise<T>;
}

function isAccessRevoked(err: unknown): boolean {
    return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === ACCESS_REVOKED;
}

const decoder = new TextDecoder();

/** Reads the {name, message} that the Jupyter extension puts in an error output item. */
function describeError(data: Uint8Array): string {
    const text = decoder.decode(data);
    try {
        const parsed = JSON.parse(text) as { name?: string; message?: string };
        return [parsed.name, parsed.message].filter(Boolean).join(': ') || text;
    } catch {
        return text;
    }
}

export class JupyterKernelTarget implements ServiceTarget {
    constructor(
        readonly key: string,
        readonly label: string,
        readonly kernel: Kernel,
        private readonly helperDir: string,
        private readonly tokens: TokenFactory,
    ) {}

    async request<T>(command: KernelCommand, args: Record<string, unknown> = {}): Promise<T> {
        return resultOf<T>(await this.exchange(makeRequest(command, args)));
    }

    async exchange(request: KernelRequest): Promise<KernelResponse> {
        const marker = newMarker();
        const code = jupyterCode(this.helperDir, request, marker);
        const source = this.tokens();
        let stdout = '';
        const errors: string[] = [];
        try {
            for await (const output of this.kernel.executeCode(code, source.token)) {
                for (const item of output.items) {
                    if (item.mime === STDOUT_MIME) {
                        stdout += decoder.decode(item.data);
                    } else if (item.mime === ERROR_MIME) {
                        errors.push(describeError(item.data));
                    }
                }
            }
        } catch (err) {
            if (isAccessRevoked(err)) {
                throw new KernelAccessDenied();
            }
            throw this.executionError(errors.length > 0 ? errors.join('; ') : err instanceof Error ? err.message : String(err));
        } finally {
            source.dispose();
        }
        if (errors.length > 0) {
            throw this.executionError(errors.join('; '));
        }
        const response = parseMarkedOutput(stdout, marker);
        if (!response) {
            throw new ProtocolError(`${this.label}: the kernel printed no Hotswap answer`);
        }
        return response;
    }

    /** Says what went wrong in words; a kernel that cannot import the helper is likely remote. */
    private executionError(detail: string): KernelExecutionError {
        if (/No module named '?hotswap/.test(detail)) {
            return new KernelExecutionError(
                `${this.label}: the kernel cannot import Hotswap from ${this.helperDir} (is it running on another machine?). ` +
                    'Install hotswap in the kernel\'s environment to reload code there.',
                true,
            );
        }
        return new KernelExecutionError(`${this.label}: the kernel could not run the Hotswap request (${detail})`);
    }
}
