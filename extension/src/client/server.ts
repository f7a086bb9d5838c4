/**
 * The language server process (`python -m hotswap.lsp` through the extension's launcher) and
 * the typed calls the rest of the extension makes to it. The server owns diagnostics; the
 * extension only hands it reports and shows what it announces.
 */
import {
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    MessageType,
    ServerOptions,
    ShowMessageNotification,
    State,
} from 'vscode-languageclient/node';
import type { Disposable, LogOutputChannel, WorkspaceFolder } from 'vscode';
import * as vsapi from '../common/vscodeapi';
import type { Report } from '../kernels/kernelCode';
import { ExtensionLayout, serverArgs } from './layout';
import type { ReportKind, ServerApi, ServerKernel } from '../kernels/reloader';
import type { ServerSettings } from './settings';

export interface WillReloadParams {
    kernel: string;
    files: string[];
    modules?: string[];
}

export interface DidReloadParams {
    kernel: string;
    modules: { name: string; status: string; duration_ms: number }[];
    durationMs: number;
    reloaded: number;
    failed: number;
    stale: number;
}

export interface KernelsChangedParams {
    kernels: ServerKernel[];
}

export interface ServerEvents {
    willReload(params: WillReloadParams): void;
    didReload(params: DidReloadParams): void;
    kernelsChanged(params: KernelsChangedParams): void;
    /** A server message about jupyter_client; the extension already told the user, so it may drop it. */
    showMessage(type: MessageType, message: string): void;
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
}

export class HotswapServer implements ServerApi, Disposable {
    private client: LanguageClient | undefined;
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

    /** Starts (or restarts) the server with `python` and these settings. */
    async start(python: string, settings: ServerSettings, folder: WorkspaceFolder | undefined): Promise<void> {
        await this.stop();
        const serverOptions: ServerOptions = {
            command: python,
            args: serverArgs(this.layout),
            options: {
                cwd: folder?.uri.fsPath,
                env: { ...process.env, PYTHONUNBUFFERED: '1' },
            },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: [{ scheme: 'file', language: 'python' }],
            outputChannel: this.channel,
            traceOutputChannel: this.channel,
            initializationOptions: { hotswap: settings },
            synchronize: { configurationSection: 'hotswap' },
            workspaceFolder: folder,
        };
        const client = new HotswapLanguageClient('hotswap', 'Hotswap', serverOptions, clientOptions);
        client.onNotification('hotswap/willReload', (p: WillReloadParams) => this.events.willReload(p));
        client.onNotification('hotswap/didReload', (p: DidReloadParams) => this.events.didReload(p));
        client.onNotification('hotswap/kernelsChanged', (p: KernelsChangedParams) => {
            this.kernels = p.kernels ?? [];
            this.events.kernelsChanged(p);
        });
        // Replaces the client's default handler so one message is never shown twice.
        client.onNotification(ShowMessageNotification.type, (p) => this.events.showMessage(p.type, p.message));
        this.client = client;
        this.channel.info(`Starting the Hotswap language server with ${python}`);
        await client.start();
        this.kernels = await this.listKernels().catch(() => []);
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        this.kernels = [];
        if (client) {
            try {
                await client.stop(5000);
            } catch (err) {
                this.channel.debug(`stopping the language server: ${String(err)}`);
            }
            await client.dispose();
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

    reloadModule(args: { module?: string; uri?: string }): Promise<{ reports: { kernel: string; report: Report }[] }> {
        return this.command<{ reports: { kernel: string; report: Report }[] } | null>('hotswap.reloadModule', args).then(
            (r) => r ?? { reports: [] },
        );
    }

    async publishReport(source: string, report: Report, kind: ReportKind): Promise<void> {
        await this.command<unknown>('hotswap.publishReport', { source, report, kind });
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
