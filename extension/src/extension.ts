/**
 * Entry point: wires the small modules together. Nothing starts in an untrusted workspace;
 * the work begins when the user trusts it.
 */
import * as vscode from 'vscode';
import { MessageType } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { DebugStates, DebugTarget, PYTHON_DEBUG_TYPES } from './debugSession';
import type { ConsoleKernel } from './hotConsole';
import { refreshedPath } from './interactiveWindow';
import { chooseInterpreter, interpreterProblem, probeInterpreter } from './interpreter';
import type { ServiceTarget } from './jupyterKernel';
import { JupyterKernels } from './jupyterKernels';
import { summarize } from './kernelCode';
import type { Report } from './kernelCode';
import { KernelsView, ViewKernel } from './kernelsView';
import { errorText } from './log';
import { Reloader } from './reloader';
import { layoutOf } from './layout';
import { HotswapServer, showServerMessage } from './server';
import { HotswapSettings, fileSelected, readSettings, serverSettings } from './settings';
import { STATUS_ITEM_ID, STATUS_ITEM_NAME, StatusBar } from './statusBar';
import * as vsapi from './vscodeapi';

let stopAll: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
    const channel = vsapi.createLogChannel();
    context.subscriptions.push(channel);
    if (!vsapi.isTrusted()) {
        channel.info('Workspace is not trusted: Hotswap stays off until you trust it.');
        context.subscriptions.push(
            vscode.workspace.onDidGrantWorkspaceTrust(() => {
                start(context, channel).catch((err) => channel.error(`Hotswap failed to start: ${errorText(err)}`));
            }),
        );
        return;
    }
    start(context, channel).catch((err) => channel.error(`Hotswap failed to start: ${errorText(err)}`));
}

export async function deactivate(): Promise<void> {
    await stopAll?.();
}

async function start(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Promise<void> {
    const log = channel;
    const layout = layoutOf(context.extensionPath);
    const subs = context.subscriptions;

    let settings: HotswapSettings = loadSettings();
    function loadSettings(): HotswapSettings {
        const { settings: read, problems } = readSettings(vsapi.readHotswapSetting);
        for (const problem of problems) {
            log.warn(problem);
            void vsapi.showWarningMessage(`Hotswap: ${problem}`);
        }
        return read;
    }

    // Status bar.
    const item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, -100);
    item.name = STATUS_ITEM_NAME;
    subs.push(item);
    const status = new StatusBar(item);

    // Interpreter and language server.
    const warnedInterpreters = new Set<string>();
    let python = 'python3';
    let view: KernelsView | undefined;
    const server = new HotswapServer(layout, channel, {
        willReload: (p) => status.willReload(p.files?.length ? p.files : (p.modules ?? [])),
        didReload: (p) =>
            status.didReload({
                modules: (p.modules ?? []).filter((m) => m.status === 'reloaded' || m.status === 'failed').map((m) => m.name),
                reloaded: p.reloaded ?? 0,
                failed: p.failed ?? 0,
                stale: p.stale ?? 0,
                durationMs: p.durationMs ?? 0,
                kernel: p.kernel,
            }),
        kernelsChanged: () => {
            status.settle();
            view?.refresh();
        },
        showMessage: (type, message) => {
            if (type === MessageType.Error) {
                status.settle(); // a reload that failed to reach its kernel sends no didReload
            }
            if (/jupyter[_-]client/i.test(message) && warnedInterpreters.has(python)) {
                log.warn(message); // the user was already told, with the fix
            } else {
                showServerMessage(type, message);
            }
        },
    });
    subs.push(server);

    const pythonEnv = await vsapi.pythonEnvironments().catch((err) => {
        log.warn(`The Python extension's API is unavailable (${errorText(err)}); using hotswap.pythonPath.`);
        return undefined;
    });
    let startSerial = 0;
    async function startServer(reason: string): Promise<void> {
        const serial = ++startSerial;
        const chosen = await chooseInterpreter(pythonEnv, settings.pythonPath);
        const probe = await probeInterpreter(chosen.path);
        if (serial !== startSerial) {
            return; // a newer change superseded this one
        }
        python = chosen.path;
        log.info(`${reason}: interpreter ${chosen.path} (from ${chosen.source})${probe.version ? `, Python ${probe.version}` : ''}`);
        if (chosen.source === 'python-extension' && settings.pythonPath) {
            log.info('hotswap.pythonPath is not used while the Python extension selects the interpreter.');
        }
        const problem = interpreterProblem(chosen.path, probe);
        if (problem && !warnedInterpreters.has(chosen.path)) {
            warnedInterpreters.add(chosen.path);
            log.warn(problem);
            const install = probe.runs && probe.supported && !probe.jupyterClient ? ['Install jupyter_client'] : [];
            void vsapi.showWarningMessage(problem, ...install).then((choice) => {
                if (choice) {
                    // pip runs as the terminal's process; when the terminal closes the server restarts with it.
                    const terminal = vscode.window.createTerminal({
                        name: 'Hotswap: install jupyter_client',
                        shellPath: chosen.path,
                        shellArgs: ['-m', 'pip', 'install', 'jupyter_client'],
                    });
                    terminal.show();
                    const closed = vscode.window.onDidCloseTerminal((t) => {
                        if (t === terminal) {
                            closed.dispose();
                            warnedInterpreters.delete(chosen.path);
                            void startServer('jupyter_client installed');
                        }
                    });
                    subs.push(closed);
                }
            });
        }
        if (!probe.runs || !probe.supported) {
            await server.stop();
            return;
        }
        try {
            await server.start(chosen.path, serverSettings(settings), vsapi.firstWorkspaceFolder());
            view?.refresh();
        } catch (err) {
            log.error(`The Hotswap language server did not start: ${errorText(err)}`);
        }
    }
    if (pythonEnv) {
        subs.push(pythonEnv.onDidChange(() => void startServer('Python interpreter changed')));
    }
    subs.push(
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (!e.affectsConfiguration('hotswap')) {
                return;
            }
            const before = settings.pythonPath;
            settings = loadSettings();
            if (settings.pythonPath !== before) {
                void startServer('hotswap.pythonPath changed');
            }
        }),
    );

    // Kernels the extension reaches itself: Jupyter extension kernels and the debug session.
    const debugStates = new DebugStates();
    let jupyter: JupyterKernels | undefined;
    let reloader: Reloader | undefined = undefined;
    const resetTarget = (key: string): void => reloader?.reset(key);
    async function jupyterKernels(): Promise<JupyterKernels | undefined> {
        if (!jupyter) {
            const api = await vsapi.jupyterApi().catch((err) => {
                log.debug(`Jupyter extension API unavailable: ${errorText(err)}`);
                return undefined;
            });
            if (api) {
                jupyter = new JupyterKernels(api, vsapi.notebookDocuments, layout.helperDir, vsapi.tokens, log, resetTarget);
                subs.push(jupyter);
            }
        }
        return jupyter;
    }
    let lastTargets: ServiceTarget[] = [];
    async function targets(): Promise<ServiceTarget[]> {
        const found: ServiceTarget[] = [];
        if (vsapi.notebookDocuments().length > 0) {
            found.push(...((await (await jupyterKernels())?.targets()) ?? []));
        }
        const session = vscode.debug.activeDebugSession;
        if (session && PYTHON_DEBUG_TYPES.includes(session.type)) {
            found.push(new DebugTarget(session, debugStates, layout.helperDir));
        }
        lastTargets = found;
        return found;
    }
    for (const type of PYTHON_DEBUG_TYPES) {
        subs.push(
            vscode.debug.registerDebugAdapterTrackerFactory(type, {
                createDebugAdapterTracker: (session) => ({
                    onDidSendMessage: (m: unknown) => debugStates.fromAdapter(session.id, m),
                    onWillReceiveMessage: (m: unknown) => debugStates.toAdapter(session.id, m),
                }),
            }),
        );
    }
    subs.push(
        vscode.debug.onDidTerminateDebugSession((session) => {
            debugStates.forget(session.id);
            resetTarget(`debug:${session.id}`);
        }),
    );

    reloader = new Reloader({
        targets,
        server: () => (server.running ? server : undefined),
        readFile: async (file) => vscode.workspace.fs.readFile(vscode.Uri.file(file)),
        settings: () => settings,
        log,
        listener: {
            willReload: (_target, files) => status.willReload(files),
            didReload: (target, report) => status.didReload({ ...summarize(report), durationMs: report.duration_ms, kernel: target }),
            failed: (target, message) => status.failed(target, message),
        },
        accessDenied: (message) => {
            void vsapi.showWarningMessage(message, 'Manage Access').then((choice) => {
                if (choice) {
                    void vsapi.executeCommand('workbench.action.quickOpen', '>Jupyter: Manage Access To Jupyter Kernels');
                }
            });
        },
    });
    const activeReloader = reloader;

    subs.push(
        vscode.workspace.onDidSaveTextDocument((doc) => {
            if (doc.languageId !== 'python' || doc.uri.scheme !== 'file' || !settings.reloadOnSave || !vsapi.isTrusted()) {
                return;
            }
            if (!fileSelected(settings, (glob) => vsapi.globMatches(doc, glob))) {
                log.debug(`${doc.uri.fsPath} is excluded by hotswap.include/exclude.`);
                return;
            }
            activeReloader.reloadFile(doc.uri.fsPath).catch((err) => log.error(`Reload of ${doc.uri.fsPath} failed: ${errorText(err)}`));
        }),
        // Code ran in a notebook or Interactive Window: objects may have been recreated.
        vscode.workspace.onDidChangeNotebookDocument((e) => {
            if (e.cellChanges.some((c) => c.executionSummary?.timing?.endTime !== undefined)) {
                void activeReloader.recheckStale(`jupyter:${e.notebook.uri.toString()}`);
            }
        }),
    );

    // The "Hot Reload" view.
    const viewKernels = (): ViewKernel[] => [
        ...server.knownKernels.map((k) => ({
            id: k.id,
            label: `Kernel ${k.pid}`,
            description: `${k.status} · ${vscode.workspace.asRelativePath(k.cwd)}`,
        })),
        ...lastTargets.map((t) => ({ id: t.key, label: t.label, description: 'via VS Code' })),
    ];
    view = new KernelsView(viewKernels);
    subs.push(view, vscode.window.createTreeView('hotswap.kernels', { treeDataProvider: view, showCollapseAll: false }));

    const consoles = new Set<ConsoleKernel>();
    subs.push(
        ...registerCommands({
            log,
            channel,
            reloader,
            server: () => server,
            python: () => python,
            helperDir: layout.helperDir,
            consoles,
            refreshView: () => {
                void targets().then(() => view?.refresh());
            },
            onServerReports: (reports: { kernel: string; report: Report }[]) => {
                for (const { kernel, report } of reports) {
                    status.didReload({ ...summarize(report), durationMs: report.duration_ms, kernel });
                }
            },
        }),
    );

    subs.push(vscode.commands.registerCommand('hotswap.restartServer', () => startServer('Restart requested')));

    // Keep the Interactive Window startup line pointing at this version's helper.
    const jupyterConfig = vscode.workspace.getConfiguration('jupyter');
    const refreshed = refreshedPath(jupyterConfig.inspect<unknown[]>('runStartupCommands')?.globalValue, layout.helperDir);
    if (refreshed) {
        void jupyterConfig.update('runStartupCommands', refreshed, vscode.ConfigurationTarget.Global);
    }

    stopAll = async () => {
        for (const kernel of consoles) {
            kernel.stop();
        }
        consoles.clear();
        await server.stop();
    };
    await startServer('Starting');
}
