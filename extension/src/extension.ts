/**
 * Entry point: only wires the modules together (editor calls go through vscodeapi). Nothing
 * starts in an untrusted workspace; the work begins when the user trusts it.
 */
import type * as vscode from 'vscode';
import { MessageType } from 'vscode-languageclient/node';
import { commandHandlers } from './ui/commands';
import { PYTHON_DEBUG_TYPES } from './kernels/debugSession';
import type { ConsoleKernel } from './kernels/hotConsole';
import { viewKernels } from './ui/hotReloadTree';
import { refreshedPath } from './kernels/interactiveWindow';
import { isJupyterClientMessage, probeInterpreter } from './client/interpreter';
import { offerManageAccess } from './kernels/jupyterKernel';
import { summarize } from './kernels/kernelCode';
import { KernelsView } from './ui/kernelsView';
import { Logger, errorText } from './common/log';
import { layoutOf } from './client/layout';
import { Reloader } from './kernels/reloader';
import { saveDecision } from './common/saveFilter';
import { HotswapServer, showServerMessage } from './client/server';
import { ServerSupervisor } from './client/serverSupervisor';
import { HotswapSettings, fileSelected, readSettings } from './client/settings';
import { STATUS_ITEM_ID, STATUS_ITEM_NAME, StatusBar, serverSummary, staleInProblems } from './ui/statusBar';
import { ReloadTargets } from './kernels/targets';
import { startWhenTrusted } from './common/trust';
import * as vsapi from './common/vscodeapi';

let stopAll: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
    const channel = vsapi.createLogChannel();
    context.subscriptions.push(channel);
    const waiting = startWhenTrusted(vsapi.workspaceTrust, () => start(context, channel), channel);
    if (waiting) {
        context.subscriptions.push(waiting);
    }
}

export async function deactivate(): Promise<void> {
    await stopAll?.();
}

/** Reads the settings, telling the user about any value that had to be replaced by its default. */
function loadSettings(log: Logger): HotswapSettings {
    const { settings, problems } = readSettings(vsapi.readHotswapSetting);
    for (const problem of problems) {
        log.warn(problem);
        void vsapi.showWarningMessage(`Hotswap: ${problem}`);
    }
    return settings;
}

async function start(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Promise<void> {
    const log = channel;
    const layout = layoutOf(context.extensionPath);
    const subs = context.subscriptions;
    let settings = loadSettings(log);

    const item = vsapi.createStatusItem(STATUS_ITEM_ID, STATUS_ITEM_NAME);
    const status = new StatusBar(item);
    let view: KernelsView | undefined;

    // Language server on the chosen interpreter.
    let supervisor: ServerSupervisor | undefined;
    const server = new HotswapServer(layout, channel, {
        willReload: (p) => status.willReload(p.files?.length ? p.files : (p.modules ?? [])),
        didReload: (p) => status.didReload(serverSummary(p)),
        kernelsChanged: () => {
            status.settle();
            view?.refresh();
        },
        kernelEvent: (p) => status.kernelEvent(p.label, p.message),
        showMessage: (type, message) => {
            if (type === MessageType.Error) {
                status.settle(); // a reload that failed to reach its kernel sends no didReload
            }
            if (isJupyterClientMessage(message) && supervisor?.alreadyWarned()) {
                log.warn(message); // the user was already told, with the fix
            } else {
                showServerMessage(type, message);
            }
        },
        exited: (reason) => supervisor?.serverExited(reason),
    });
    const pythonEnv = await vsapi.pythonEnvironments().catch((err: unknown) => {
        log.warn(`The Python extension's API is unavailable (${errorText(err)}); using hotswap.pythonPath.`);
        return undefined;
    });
    const activeSupervisor = new ServerSupervisor({
        pythonExtension: pythonEnv,
        settings: () => settings,
        probe: (python) => probeInterpreter(python),
        server: {
            start: (python, serverSettings) => server.start(python, serverSettings, vsapi.firstWorkspaceFolder()),
            stop: () => server.stop(),
        },
        log,
        warn: vsapi.showWarningMessage,
        error: vsapi.showErrorMessage,
        showLog: () => channel.show(true),
        installJupyterClient: vsapi.installJupyterClient,
        started: () => view?.refresh(),
        stateChanged: (state) => {
            log.debug(`Language server: ${state.kind}${'reason' in state ? ` (${state.reason})` : ''}`);
            status.server(state);
            view?.refresh();
        },
    });
    supervisor = activeSupervisor;
    subs.push(item, server);
    if (pythonEnv) {
        // The Python extension also announces an unchanged environment (after activation, after a
        // window reload): ensure() restarts only when the interpreter path really changed.
        subs.push(pythonEnv.onDidChange(() => void activeSupervisor.ensure('Python interpreter changed')));
    }
    subs.push(
        vsapi.onDidChangeHotswapSettings(() => {
            const before = settings;
            settings = loadSettings(log);
            void activeSupervisor.settingsChanged(before, settings);
        }),
    );

    // Kernels the extension reaches itself, and the reloader that serves them.
    let reloader: Reloader | undefined;
    const targets = new ReloadTargets(
        { notebooks: vsapi.notebookDocuments, jupyterApi: vsapi.jupyterApi, activeDebugSession: vsapi.activeDebugSession },
        layout.helperDir,
        vsapi.tokens,
        log,
        (key) => reloader?.reset(key),
    );
    subs.push(
        targets,
        ...vsapi.trackDebugMessages(
            PYTHON_DEBUG_TYPES,
            (id, m) => targets.debugStates.fromAdapter(id, m),
            (id, m) => targets.debugStates.toAdapter(id, m),
        ),
        vsapi.onDidTerminateDebugSession((session) => targets.sessionEnded(session.id)),
    );
    const activeReloader = new Reloader({
        targets: () => targets.all(),
        server: () => (server.running ? server : undefined),
        readFile: vsapi.readFile,
        settings: () => settings,
        log,
        listener: {
            willReload: (_target, files) => status.willReload(files),
            didReload: (target, report) => status.didReload({ ...summarize(report), durationMs: report.duration_ms, kernel: target }),
            failed: (target, message) => status.failed(target, message),
        },
        accessDenied: (message) => void offerManageAccess(message, { warn: vsapi.showWarningMessage, executeCommand: vsapi.executeCommand }),
    });
    reloader = activeReloader;

    subs.push(
        vsapi.onDidSaveTextDocument((doc) => {
            const decision = saveDecision(doc, {
                reloadOnSave: settings.reloadOnSave,
                trusted: vsapi.isTrusted(),
                selected: () => fileSelected(settings, (glob) => vsapi.globMatches(doc, glob)),
            });
            if (!decision.reload) {
                log.debug(`Not reloading ${doc.uri.fsPath}: ${decision.reason}.`);
                return;
            }
            activeReloader.reloadFile(doc.uri.fsPath).catch((err) => log.error(`Reload of ${doc.uri.fsPath} failed: ${errorText(err)}`));
        }),
        // Code ran in a notebook or Interactive Window: objects may have been recreated.
        vsapi.onDidChangeNotebookDocument((e) => {
            if (e.cellChanges.some((c) => c.executionSummary?.timing?.endTime !== undefined)) {
                void activeReloader.recheckStale(`jupyter:${e.notebook.uri.toString()}`);
            }
        }),
    );

    // The "Hot Reload" view.
    const activeView = new KernelsView(
        () => viewKernels(server.knownKernels, targets.last, vsapi.asRelativePath),
        vsapi.diagnostics,
        () => activeSupervisor.state,
    );
    // The status bar's stale count is the Problems panel's: it drops when a warning goes away.
    subs.push(vsapi.diagnostics.onDidChange(() => status.problems(staleInProblems(vsapi.diagnostics.all().map(([, d]) => d)))));
    view = activeView;
    subs.push(activeView, vsapi.createTreeView('hotswap.kernels', activeView));

    const consoles = new Set<ConsoleKernel>();
    const handlers = commandHandlers({
        log,
        ui: vsapi.commandUi(channel),
        reloader: activeReloader,
        server: () => server,
        python: () => activeSupervisor.python,
        helperDir: layout.helperDir,
        consoles,
        refreshView: () => void targets.all().then(() => activeView.refresh()),
        restartServer: () => activeSupervisor.restart('Restart requested'),
        onServerReports: (reports) => {
            for (const { kernel, report } of reports) {
                status.didReload({ ...summarize(report), durationMs: report.duration_ms, kernel });
            }
        },
    });
    subs.push(...Object.entries(handlers).map(([id, handler]) => vsapi.registerCommand(id, handler)));

    // Keep the Interactive Window startup line pointing at this version's helper.
    const refreshed = refreshedPath(vsapi.jupyterStartupCommands(), layout.helperDir);
    if (refreshed) {
        void vsapi.setJupyterStartupCommands(refreshed);
    }

    stopAll = async () => {
        for (const kernel of consoles) {
            kernel.stop();
        }
        consoles.clear();
        await activeSupervisor.close();
    };
    await activeSupervisor.restart('Starting');
}
