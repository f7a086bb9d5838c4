/**
 * The "Hotswap:" commands. Each handler is small and delegates to the reloader, the language
 * server or the console; all user-facing text is here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listConnectionFiles, runtimeDir } from './connectionFiles';
import { ConsoleKernel, planConsole } from './hotConsole';
import { withHotswap } from './interactiveWindow';
import { installCommand, probeInterpreter } from './interpreter';
import type { Report } from './kernelCode';
import { Logger, errorText } from './log';
import type { Reloader } from './reloader';
import type { HotswapServer } from './server';
import { waitFor } from './wait';

export interface CommandContext {
    log: Logger;
    channel: vscode.LogOutputChannel;
    reloader: Reloader;
    server: () => HotswapServer | undefined;
    python: () => string;
    helperDir: string;
    /** The status bar, told about reloads the server performs for a command. */
    onServerReports(reports: { kernel: string; report: Report }[]): void;
    consoles: Set<ConsoleKernel>;
    refreshView(): void;
}

function pythonFileOf(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) {
        return arg;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.languageId === 'python' && editor.document.uri.scheme === 'file') {
        return editor.document.uri;
    }
    return undefined;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
    const { log } = ctx;
    return [
        vscode.commands.registerCommand('hotswap.showLog', () => ctx.channel.show(true)),

        vscode.commands.registerCommand('hotswap.reloadCurrentFile', async (arg?: unknown) => {
            const uri = pythonFileOf(arg);
            if (!uri) {
                void vscode.window.showWarningMessage('Hotswap: open a saved Python file to reload it.');
                return;
            }
            const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
            if (doc?.isDirty) {
                await doc.save(); // the saved file is what kernels load
            }
            const server = ctx.server();
            const [own, fromServer] = await Promise.all([
                ctx.reloader.reloadFile(uri.fsPath, true),
                server?.running && server.knownKernels.length > 0
                    ? server.reloadModule({ uri: uri.toString() }).catch((err) => {
                          log.error(`Reload of ${uri.fsPath} through the language server failed: ${errorText(err)}`);
                          return { reports: [] };
                      })
                    : Promise.resolve({ reports: [] }),
            ]);
            ctx.onServerReports(fromServer.reports);
            if (own.length + fromServer.reports.length === 0) {
                void vscode.window.showInformationMessage(
                    `Hotswap: no kernel has ${path.basename(uri.fsPath)} loaded. Import it in a kernel first.`,
                );
            }
        }),

        vscode.commands.registerCommand('hotswap.reloadModule', async (name?: unknown) => {
            let moduleName = typeof name === 'string' ? name : undefined;
            if (!moduleName) {
                const modules = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Window, title: 'Hotswap: listing modules' },
                    () => ctx.reloader.modules(),
                );
                if (modules.length === 0) {
                    void vscode.window.showInformationMessage(
                        'Hotswap: no kernel has user modules loaded. Run code in the Interactive Window or start "Hotswap: Start Hot Reload Console".',
                    );
                    return;
                }
                const picked = await vscode.window.showQuickPick(
                    modules.map((m) => ({
                        label: m.name,
                        description: vscode.workspace.asRelativePath(m.file),
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
            const server = ctx.server();
            const [own, fromServer] = await Promise.all([
                ctx.reloader.reloadModule(moduleName),
                server?.running && server.knownKernels.length > 0
                    ? server.reloadModule({ module: moduleName }).catch((err) => {
                          log.error(`Reload of ${moduleName} through the language server failed: ${errorText(err)}`);
                          return { reports: [] };
                      })
                    : Promise.resolve({ reports: [] }),
            ]);
            ctx.onServerReports(fromServer.reports);
            log.info(`Reload Module ${moduleName}: ${own.length + fromServer.reports.length} kernel(s).`);
        }),

        vscode.commands.registerCommand('hotswap.attachKernel', async (file?: unknown) => {
            const server = ctx.server();
            if (!server?.running) {
                void vscode.window.showErrorMessage('Hotswap: the language server is not running; see "Hotswap: Show Log".');
                return;
            }
            let connectionFile = typeof file === 'string' ? file : undefined;
            if (!connectionFile) {
                const dir = await runtimeDir(ctx.python());
                const attached = new Set(server.knownKernels.map((k) => path.resolve(k.connectionFile)));
                const files = (await listConnectionFiles(dir)).filter((f) => !attached.has(path.resolve(f.path)));
                const browse = { label: '$(folder-opened) Browse…', description: 'pick a connection file anywhere', path: '' };
                const choice = await vscode.window.showQuickPick(
                    [
                        ...files.map((f) => ({
                            label: path.basename(f.path),
                            description: `started ${f.modified.toLocaleString()}`,
                            path: f.path,
                        })),
                        browse,
                    ],
                    { title: 'Hotswap: Attach to Kernel…', placeHolder: `Kernels in ${dir}` },
                );
                if (!choice) {
                    return;
                }
                connectionFile = choice.path || undefined;
            }
            if (!connectionFile) {
                const picked = await vscode.window.showOpenDialog({
                    title: 'Hotswap: Attach to Kernel — pick a kernel connection file',
                    canSelectMany: false,
                    filters: { 'Kernel connection file': ['json'] },
                    openLabel: 'Attach',
                });
                connectionFile = picked?.[0]?.fsPath;
            }
            if (!connectionFile) {
                return;
            }
            try {
                await server.attachKernel(connectionFile);
                void vscode.window.showInformationMessage(`Hotswap: attached to ${path.basename(connectionFile)}.`);
                ctx.refreshView();
            } catch (err) {
                void vscode.window.showErrorMessage(`Hotswap: could not attach to ${connectionFile}: ${errorText(err)}`);
            }
        }),

        vscode.commands.registerCommand('hotswap.startConsole', async () => {
            const python = ctx.python();
            const probe = await probeInterpreter(python);
            if (!probe.runs) {
                void vscode.window.showErrorMessage(`Hotswap: cannot run ${python}: ${probe.detail}`);
                return;
            }
            const folder = vscode.workspace.workspaceFolders?.[0];
            const plan = await planConsole(ctx.helperDir);
            let kernel: ConsoleKernel;
            try {
                kernel = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Notification, title: 'Hotswap: starting a kernel with hot reload…' },
                    () => ConsoleKernel.start(python, plan, folder?.uri.fsPath, log),
                );
            } catch (err) {
                const hint = `If ipykernel or jupyter_console is missing: ${installCommand(python).replace('jupyter_client', 'ipykernel jupyter_console')}`;
                void vscode.window.showErrorMessage(`Hotswap: ${errorText(err)}. ${hint}`);
                return;
            }
            ctx.consoles.add(kernel);
            const terminal = vscode.window.createTerminal({
                name: 'Hot Reload Console',
                shellPath: python,
                shellArgs: plan.consoleArgs,
                cwd: folder?.uri,
                iconPath: new vscode.ThemeIcon('sync'),
            });
            terminal.show();
            const closed = vscode.window.onDidCloseTerminal((t) => {
                if (t === terminal) {
                    closed.dispose();
                    kernel.stop();
                    ctx.consoles.delete(kernel);
                    ctx.refreshView();
                }
            });
            // The kernel announces itself in the registry; attach directly if the server has not seen it.
            const server = ctx.server();
            if (server?.running) {
                const seen = (): boolean => server.knownKernels.some((k) => k.connectionFile === plan.connectionFile);
                try {
                    await waitFor(seen, { timeoutMs: 10000, what: 'registry', intervalMs: 100 });
                } catch {
                    await server.attachKernel(plan.connectionFile).catch((err) => log.warn(`attach console kernel: ${errorText(err)}`));
                }
                ctx.refreshView();
            }
        }),

        vscode.commands.registerCommand('hotswap.enableInInteractiveWindow', async () => {
            const config = vscode.workspace.getConfiguration('jupyter');
            const current = config.inspect<unknown[]>('runStartupCommands')?.globalValue;
            const next = withHotswap(current, ctx.helperDir);
            if (!next) {
                void vscode.window.showInformationMessage('Hotswap is already enabled for new Interactive Window and notebook kernels.');
                return;
            }
            await config.update('runStartupCommands', next, vscode.ConfigurationTarget.Global);
            void vscode.window.showInformationMessage(
                'Hotswap: added "%load_ext hotswap" to jupyter.runStartupCommands (user settings). It applies to kernels started or restarted from now on.',
            );
        }),

        vscode.commands.registerCommand('hotswap.openLocation', async (uri: vscode.Uri, range: vscode.Range) => {
            const editor = await vscode.window.showTextDocument(uri, { preview: true });
            editor.selection = new vscode.Selection(range.start, range.end);
            editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }),

        vscode.commands.registerCommand('hotswap.refreshView', () => ctx.refreshView()),
    ];
}
