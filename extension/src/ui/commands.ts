/**
 * The "Hotswap:" commands. Each handler is small and delegates to the language server (which
 * reloads every kernel, direct or through the editor) or the console; all user-facing text is here. Editor calls go through `CommandUi`
 * (vscodeapi implements it), so the handlers run in tests against a recording fake.
 */
import * as path from 'node:path';
import { listConnectionFiles, runtimeDir } from '../kernels/connectionFiles';
import { ConsoleKernel, planConsole } from '../kernels/hotConsole';
import { withHotswap } from '../kernels/interactiveWindow';
import { MANAGE_ACCESS_COMMAND_TITLE } from '../kernels/jupyterKernel';
import { installCommand, probeInterpreter } from '../client/interpreter';
import type { Report } from '../kernels/kernelCode';
import { Logger, errorText } from '../common/log';
import type { ServerKernel } from '../client/protocol';
import { waitFor } from '../common/wait';

/** A file URI as VS Code passes it to menu commands (a slice of vscode.Uri). */
export interface FileUri {
    readonly scheme: string;
    readonly fsPath: string;
    toString(): string;
}

export interface PickItem {
    label: string;
    description?: string;
    detail?: string;
}

export interface TerminalSpec {
    name: string;
    shellPath: string;
    shellArgs: string[];
    cwd?: string;
    /** Codicon name shown on the terminal tab. */
    icon?: string;
}

/** The editor calls the commands make. */
export interface CommandUi {
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
    quickPick<T extends PickItem>(items: T[], options: { title: string; placeHolder: string; matchOnDescription?: boolean }): Thenable<T | undefined>;
    /** Runs `work` with a progress indicator in the status bar (`window`) or as a notification. */
    withProgress<T>(title: string, where: 'window' | 'notification', work: () => Promise<T>): Thenable<T>;
    /** The active editor's file when it is a Python file on disk. */
    activePythonFile(): FileUri | undefined;
    /** Saves the open document of `uri` if it has unsaved changes. */
    saveIfDirty(uri: FileUri): Promise<void>;
    relativePath(file: string): string;
    workspaceFolder(): string | undefined;
    /** An open-file dialog for a kernel connection file. */
    pickConnectionFile(): Thenable<string | undefined>;
    /** Opens and shows a terminal; `onClose` runs when the user closes it. */
    openTerminal(spec: TerminalSpec, onClose: () => void): { dispose(): unknown };
    openLocation(uri: unknown, range: unknown): Thenable<void>;
    showLog(): void;
    jupyterStartupCommands(): unknown[] | undefined;
    setJupyterStartupCommands(commands: string[]): Thenable<void>;
}

/** The language server calls the commands make (HotswapServer in the extension). */
export interface CommandServer {
    readonly running: boolean;
    readonly knownKernels: readonly ServerKernel[];
    listModules(): Promise<{ kernel: string; name: string; file: string }[]>;
    reloadModule(args: { module?: string; uri?: string }): Promise<{ reports: { kernel: string; report: Report | null }[] }>;
    attachKernel(connectionFile: string): Promise<unknown>;
}

/** One module a user can pick in "Reload Module", with every kernel that has it loaded. */
export interface PickableModule {
    name: string;
    file: string;
    kernels: string[];
}

export interface CommandContext {
    log: Logger;
    ui: CommandUi;
    server: () => CommandServer | undefined;
    python: () => string;
    helperDir: string;
    consoles: Set<ConsoleKernel>;
    refreshView(): void;
    restartServer(): Promise<void>;
}

function isFileUri(arg: unknown): arg is FileUri {
    return typeof arg === 'object' && arg !== null && typeof (arg as FileUri).fsPath === 'string' && typeof (arg as FileUri).scheme === 'string';
}

/** The running server, or undefined after telling the user it is not running. */
function runningServer(ctx: CommandContext): CommandServer | undefined {
    const server = ctx.server();
    if (!server?.running) {
        ctx.ui.error('Hotswap: the language server is not running; see "Hotswap: Show Log".');
        return undefined;
    }
    return server;
}

/** Asks the server to reload; a failure is logged (and shown by the server) and gives undefined. */
async function serverReload(ctx: CommandContext, server: CommandServer, args: { module?: string; uri?: string }, what: string) {
    return server.reloadModule(args).catch((err: unknown) => {
        ctx.log.error(`Reload of ${what} through the language server failed: ${errorText(err)}`);
        return undefined;
    });
}

/** Whether any kernel has the module (its report names it). */
function anyLoaded(reports: { report: Report | null }[]): boolean {
    return reports.some((r) => r.report?.modules.some((m) => m.status !== 'skipped') ?? false);
}

/** Reload Current File: the file of the menu it was invoked from, else the active editor's. */
export async function reloadCurrentFile(ctx: CommandContext, arg?: unknown): Promise<void> {
    const uri = isFileUri(arg) ? arg : ctx.ui.activePythonFile();
    if (!uri) {
        ctx.ui.warn('Hotswap: open a saved Python file to reload it.');
        return;
    }
    const server = runningServer(ctx);
    if (!server) {
        return;
    }
    await ctx.ui.saveIfDirty(uri); // the saved file is what kernels load
    const result = await serverReload(ctx, server, { uri: uri.toString() }, uri.fsPath);
    if (result && !anyLoaded(result.reports)) {
        ctx.ui.info(`Hotswap: no kernel has ${path.basename(uri.fsPath)} loaded. Import it in a kernel first.`);
    }
}

/** User modules loaded in any kernel, merged by name and file, with the kernels' names. */
export async function pickableModules(server: CommandServer): Promise<PickableModule[]> {
    const names = new Map(server.knownKernels.map((k) => [k.id, k.label ?? k.id]));
    const byKey = new Map<string, PickableModule>();
    for (const m of await server.listModules()) {
        const key = `${m.name}\0${m.file}`;
        const entry = byKey.get(key) ?? { name: m.name, file: m.file, kernels: [] };
        const kernel = names.get(m.kernel) ?? m.kernel;
        if (!entry.kernels.includes(kernel)) {
            entry.kernels.push(kernel);
        }
        byKey.set(key, entry);
    }
    return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Reload Module: pick a loaded user module (or take the name given); reload it everywhere. */
export async function reloadModule(ctx: CommandContext, name?: unknown): Promise<void> {
    const server = runningServer(ctx);
    if (!server) {
        return;
    }
    let moduleName = typeof name === 'string' && name !== '' ? name : undefined;
    if (!moduleName) {
        const modules = await ctx.ui.withProgress('Hotswap: listing modules', 'window', () =>
            pickableModules(server).catch((err: unknown) => {
                ctx.log.warn(`Could not list the modules of your kernels: ${errorText(err)}`);
                return [];
            }),
        );
        const refused = server.knownKernels.filter((k) => k.status === 'no-access').map((k) => k.label ?? k.id);
        if (modules.length === 0 && refused.length > 0) {
            // Not "no modules": the kernel may well have them, Hotswap was not let in.
            ctx.ui.warn(
                `Hotswap cannot see the modules of ${refused.join(', ')}: access to Jupyter kernels was not allowed. ` +
                    `Run "${MANAGE_ACCESS_COMMAND_TITLE}" from the Command Palette and tick Hotswap.`,
            );
            return;
        }
        if (modules.length === 0) {
            ctx.ui.info('Hotswap: no kernel has user modules loaded. Run code in the Interactive Window or start "Hotswap: Start Hot Reload Console".');
            return;
        }
        const picked = await ctx.ui.quickPick(
            modules.map((m) => ({
                label: m.name,
                description: ctx.ui.relativePath(m.file),
                detail: `loaded in ${m.kernels.join(', ')}`,
                name: m.name,
            })),
            { title: 'Hotswap: Reload Module', placeHolder: 'Module to reload everywhere it is loaded', matchOnDescription: true },
        );
        if (!picked) {
            return;
        }
        moduleName = picked.name;
    }
    const result = await serverReload(ctx, server, { module: moduleName }, moduleName);
    if (!result) {
        return;
    }
    const answered = result.reports.map((r) => r.report).filter((r): r is Report => r !== null && r.modules.some((m) => m.status !== 'skipped'));
    ctx.log.info(`Reload Module ${moduleName}: ${answered.length} kernel(s).`);
    const outcome = moduleOutcome(moduleName, answered);
    if (outcome) {
        ctx.ui.info(outcome);
    }
}

/**
 * What an explicit Reload Module tells the user when the status bar has nothing to show: the
 * module is not loaded anywhere, or it was unchanged everywhere (a reload that changed or
 * failed something shows in the status bar and Problems instead).
 */
export function moduleOutcome(name: string, reports: readonly Report[]): string | undefined {
    if (reports.length === 0) {
        return `Hotswap: no kernel has ${name} loaded.`;
    }
    const statuses = reports.flatMap((r) => r.modules.filter((m) => m.name === name).map((m) => m.status));
    if (statuses.length > 0 && statuses.every((s) => s === 'unchanged')) {
        return `Hotswap: ${name} is unchanged since it was last loaded, so there was nothing to reload.`;
    }
    return undefined;
}

/** Attach to Kernel…: a connection file from the runtime folder (newest first) or browsed to. */
export async function attachKernel(ctx: CommandContext, file?: unknown): Promise<void> {
    const server = ctx.server();
    if (!server?.running) {
        ctx.ui.error('Hotswap: the language server is not running; see "Hotswap: Show Log".');
        return;
    }
    let connectionFile = typeof file === 'string' ? file : undefined;
    if (!connectionFile) {
        const dir = await runtimeDir(ctx.python());
        const attached = new Set(server.knownKernels.filter((k) => k.connectionFile).map((k) => path.resolve(k.connectionFile)));
        const files = (await listConnectionFiles(dir)).filter((f) => !attached.has(path.resolve(f.path)));
        const browse = { label: '$(folder-opened) Browse…', description: 'pick a connection file anywhere', path: '' };
        const choice = await ctx.ui.quickPick(
            [...files.map((f) => ({ label: path.basename(f.path), description: `started ${f.modified.toLocaleString()}`, path: f.path })), browse],
            { title: 'Hotswap: Attach to Kernel…', placeHolder: `Kernels in ${dir}` },
        );
        if (!choice) {
            return;
        }
        connectionFile = choice.path || (await ctx.ui.pickConnectionFile());
    }
    if (!connectionFile) {
        return;
    }
    try {
        await server.attachKernel(connectionFile);
        ctx.ui.info(`Hotswap: attached to ${path.basename(connectionFile)}.`);
        ctx.refreshView();
    } catch (err) {
        ctx.ui.error(`Hotswap: could not attach to ${connectionFile}: ${errorText(err)}`);
    }
}

/** Start Hot Reload Console: a kernel with hotswap loaded, and `jupyter console` on it in a terminal. */
export async function startConsole(ctx: CommandContext): Promise<void> {
    const { log, ui } = ctx;
    const python = ctx.python();
    const probe = await probeInterpreter(python);
    if (!probe.runs) {
        ui.error(`Hotswap: cannot run ${python}: ${probe.detail}`);
        return;
    }
    const folder = ui.workspaceFolder();
    const plan = await planConsole(ctx.helperDir);
    let kernel: ConsoleKernel;
    try {
        kernel = await ui.withProgress('Hotswap: starting a kernel with hot reload…', 'notification', () => ConsoleKernel.start(python, plan, folder, log));
    } catch (err) {
        const hint = `If ipykernel or jupyter_console is missing: ${installCommand(python).replace('jupyter_client', 'ipykernel jupyter_console')}`;
        ui.error(`Hotswap: ${errorText(err)}. ${hint}`);
        return;
    }
    ctx.consoles.add(kernel);
    ui.openTerminal({ name: 'Hot Reload Console', shellPath: python, shellArgs: plan.consoleArgs, cwd: folder, icon: 'sync' }, () => {
        kernel.stop();
        ctx.consoles.delete(kernel);
        ctx.refreshView();
    });
    // The kernel announces itself in the registry; attach directly if the server has not seen it.
    const server = ctx.server();
    if (server?.running) {
        const seen = (): boolean => server.knownKernels.some((k) => k.connectionFile === plan.connectionFile);
        try {
            await waitFor(seen, { timeoutMs: 10000, what: 'registry', intervalMs: 100 });
        } catch {
            await server.attachKernel(plan.connectionFile).catch((err: unknown) => log.warn(`attach console kernel: ${errorText(err)}`));
        }
        ctx.refreshView();
    }
}

/** Enable in Interactive Window: `%load_ext hotswap` in the user's jupyter.runStartupCommands. */
export async function enableInInteractiveWindow(ctx: CommandContext): Promise<void> {
    const next = withHotswap(ctx.ui.jupyterStartupCommands(), ctx.helperDir);
    if (!next) {
        ctx.ui.info('Hotswap is already enabled for new Interactive Window and notebook kernels.');
        return;
    }
    await ctx.ui.setJupyterStartupCommands(next);
    ctx.ui.info(
        'Hotswap: added "%load_ext hotswap" to jupyter.runStartupCommands (user settings). It applies to kernels started or restarted from now on.',
    );
}

/** Command id → handler, registered by extension.ts through vscodeapi. */
export function commandHandlers(ctx: CommandContext): Record<string, (...args: unknown[]) => unknown> {
    return {
        'hotswap.showLog': () => ctx.ui.showLog(),
        'hotswap.reloadCurrentFile': (arg?: unknown) => reloadCurrentFile(ctx, arg),
        'hotswap.reloadModule': (name?: unknown) => reloadModule(ctx, name),
        'hotswap.attachKernel': (file?: unknown) => attachKernel(ctx, file),
        'hotswap.startConsole': () => startConsole(ctx),
        'hotswap.enableInInteractiveWindow': () => enableInInteractiveWindow(ctx),
        'hotswap.openLocation': (uri?: unknown, range?: unknown) => ctx.ui.openLocation(uri, range),
        'hotswap.refreshView': () => ctx.refreshView(),
        'hotswap.restartServer': () => ctx.restartServer(),
    };
}
