/**
 * The language server process (`python -m hotswap.lsp` through the extension's launcher) and
 * the typed calls the rest of the extension makes to it. The server drives every reload and
 * owns diagnostics; the extension shows what it announces and carries its kernel requests.
 */
import type { ChildProcess } from 'node:child_process';
import {
    CloseAction,
    ErrorAction,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    MessageType,
    ServerOptions,
    RevealOutputChannelOn,
    ShowMessageNotification,
    State,
} from 'vscode-languageclient/node';
import type { Disposable, LogOutputChannel, WorkspaceFolder } from 'vscode';
import * as vsapi from '../common/vscodeapi';
import type { Report } from '../kernels/kernelCode';
import { ExtensionLayout, serverArgs } from './layout';
import {
    DidReloadParams,
    KERNEL_EVENT,
    KERNEL_REQUEST,
    KernelEventParams,
    KernelRequestParams,
    KernelRequestResult,
    KernelsChangedParams,
    ServerKernel,
    WillReloadParams,
} from './protocol';
import type { ServerSettings } from './settings';
import { endProcess, spawnServer } from './serverProcess';

/** How long the server may take to answer `initialize` before the start counts as failed. */
const START_TIMEOUT_MS = 60_000;

export interface ServerEvents {
    willReload(params: WillReloadParams): void;
    didReload(params: DidReloadParams): void;
    kernelsChanged(params: KernelsChangedParams): void;
    /** A kernel died, restarted, or has no hotswap (after a restart): the status bar says so. */
    kernelEvent?(params: KernelEventParams): void;
    /** The server asks for a kernel only the editor can reach (kernels/transport.ts answers). */
    kernelRequest(params: KernelRequestParams): Promise<KernelRequestResult>;
    /** The server is up (again): it needs the editor's kernels. */
    started(): void;
    /** A server message about jupyter_client; the extension already told the user, so it may drop it. */
    showMessage(type: MessageType, message: string): void;
    /** The server went away without being stopped (it crashed or its connection broke). */
    exited?(reason: string): void;
}

/**
 * A client that does not turn the server's commands into VS Code commands: the extension
 * contributes its own `hotswap.*` commands (with pickers) and calls the server's directly.
 */
class HotswapLanguageClient extends LanguageClient {
    override registerFeature(feature: Parameters<LanguageClient['registerFeature']>[0]): void {
        const type = (feature as { registrationType?: { method?: string } }).registrationType;
        if (type?.method === ExecuteCommandRequest.method) {
            return;
        }
        super.registerFeature(feature);
    }

    /**
     * The client's own error toasts ("Sending notification … failed", "couldn't create
     * connection") go to the log only: the supervisor tells the user once, with Retry.
     */
    override error(message: string, data?: unknown): void {
        super.error(message, data, false);
    }
}

export class HotswapServer implements Disposable {
    private client: LanguageClient | undefined;
    private process: ChildProcess | undefined;
    private kernels: ServerKernel[] = [];

    constructor(
        private readonly layout: ExtensionLayout,
        private readonly channel: LogOutputChannel,
        private readonly events: ServerEvents,
    ) {}

    get running(): boolean {
        return this.client?.state === State.Running;
    }

    /** Kernels the server reported in its latest `hotswap/kernelsChanged`. */
    get knownKernels(): readonly ServerKernel[] {
        return this.kernels;
    }

    /**
     * Starts (or restarts) the server with `python` and these settings. The previous server's
     * process has ended before the new one is spawned.
     */
    async start(python: string, settings: ServerSettings, folder: WorkspaceFolder | undefined): Promise<void> {
        await this.stop();
        let child: ChildProcess | undefined;
        const serverOptions: ServerOptions = async () => {
            child = spawnServer(python, serverArgs(this.layout), {
                cwd: folder?.uri.fsPath,
                env: { ...process.env, PYTHONUNBUFFERED: '1' },
            });
            this.process = child;
            child.stderr?.on('data', (data: Buffer) => this.channel.append(data.toString()));
            return child;
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: [{ scheme: 'file', language: 'python' }],
            outputChannel: this.channel,
            traceOutputChannel: this.channel,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: { hotswap: settings },
            synchronize: { configurationSection: 'hotswap' },
            workspaceFolder: folder,
            // The supervisor decides about restarts; the client never restarts on its own.
            errorHandler: {
                error: () => ({ action: ErrorAction.Shutdown, handled: true }),
                closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
            },
        };
        const client = new HotswapLanguageClient('hotswap', 'Hotswap', serverOptions, clientOptions);
        client.onNotification('hotswap/willReload', (p: WillReloadParams) => this.events.willReload(p));
        client.onNotification('hotswap/didReload', (p: DidReloadParams) => this.events.didReload(p));
        client.onNotification(KERNEL_EVENT, (p: KernelEventParams) => this.events.kernelEvent?.(p));
        client.onNotification('hotswap/kernelsChanged', (p: KernelsChangedParams) => {
            this.kernels = p.kernels ?? [];
            this.events.kernelsChanged(p);
        });
        client.onRequest(KERNEL_REQUEST, (p: KernelRequestParams) => this.events.kernelRequest(p));
        // Replaces the client's default handler so one message is never shown twice.
        client.onNotification(ShowMessageNotification.type, (p) => this.events.showMessage(p.type, p.message));
        client.onDidChangeState((e) => {
            if (e.newState === State.Stopped && e.oldState === State.Running && this.client === client) {
                const code = child?.exitCode;
                this.events.exited?.(code !== null && code !== undefined ? `its process exited with code ${code}` : 'its connection closed');
            }
        });
        this.client = client;
        this.channel.info(`Starting the Hotswap language server with ${python}`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`it did not answer within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
        });
        try {
            await Promise.race([client.start(), timeout]);
        } catch (err) {
            const exit = child?.exitCode;
            const detail = err instanceof Error ? err.message : String(err);
            throw new Error(exit !== null && exit !== undefined ? `${detail}; the process exited with code ${exit}, see "Hotswap: Show Log"` : detail);
        } finally {
            clearTimeout(timer);
        }
        this.kernels = await this.listKernels().catch(() => []);
        this.events.started();
    }

    /**
     * Stops the client in whatever state it is and ends its process; never throws, and when it
     * resolves no server process of this extension is left.
     */
    async stop(): Promise<void> {
        const client = this.client;
        const child = this.process;
        this.client = undefined;
        this.process = undefined;
        this.kernels = [];
        if (client) {
            if (client.state === State.Running) {
                try {
                    await client.stop(3000);
                } catch (err) {
                    this.channel.debug(`stopping the language server: ${String(err)}`);
                }
            }
            try {
                await client.dispose(1000);
            } catch (err) {
                this.channel.debug(`disposing the language client: ${String(err)}`);
            }
        }
        if (child) {
            await endProcess(child, 2000);
        }
    }

    private async command<T>(command: string, arg?: unknown): Promise<T> {
        const client = this.client;
        if (!client || client.state !== State.Running) {
            throw new Error('the Hotswap language server is not running (see "Hotswap: Show Log")');
        }
        const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, {
            command,
            arguments: arg === undefined ? [] : [arg],
        });
        return result as T;
    }

    listKernels(): Promise<ServerKernel[]> {
        return this.command<ServerKernel[] | null>('hotswap.listKernels').then((k) => k ?? []);
    }

    listModules(): Promise<{ kernel: string; name: string; file: string }[]> {
        return this.command<{ kernel: string; name: string; file: string }[] | null>('hotswap.listModules').then((m) => m ?? []);
    }

    reloadModule(args: { module?: string; uri?: string }): Promise<{ reports: { kernel: string; report: Report | null }[] }> {
        return this.command<{ reports: { kernel: string; report: Report | null }[] } | null>('hotswap.reloadModule', args).then(
            (r) => r ?? { reports: [] },
        );
    }

    /** A notification to the server (no answer); dropped when it is not running. */
    notify(method: string, params: unknown): void {
        const client = this.client;
        if (client && client.state === State.Running) {
            void client.sendNotification(method, params).catch((err: unknown) => this.channel.debug(`${method}: ${String(err)}`));
        }
    }

    attachKernel(connectionFile: string): Promise<ServerKernel> {
        return this.command<ServerKernel>('hotswap.attachKernel', { connectionFile });
    }

    detachKernel(id: string): Promise<boolean> {
        return this.command<boolean>('hotswap.detachKernel', { id });
    }

    dispose(): void {
        void this.stop();
    }
}

/** Shows a server message at its level (the replaced default of vscode-languageclient). */
export function showServerMessage(type: MessageType, message: string): void {
    if (type === MessageType.Error) {
        void vsapi.showErrorMessage(message);
    } else if (type === MessageType.Warning) {
        void vsapi.showWarningMessage(message);
    } else {
        void vsapi.showInformationMessage(message);
    }
}
