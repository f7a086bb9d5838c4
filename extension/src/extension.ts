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
import { KernelsView } from './ui/kernelsView';
import { Logger, errorText } from './common/log';
import { layoutOf } from './client/layout';
import { HotswapServer, showServerMessage } from './client/server';
import { ServerSupervisor } from './client/serverSupervisor';
import { HotswapSettings, readSettings } from './client/settings';
import { STATUS_ITEM_ID, STATUS_ITEM_NAME, StatusBar, serverSummary, staleInProblems } from './ui/statusBar';
import { ReloadTargets } from './kernels/targets';
import { KernelTransport } from './kernels/transport';
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

    // Language server on the chosen interpreter: it drives every reload; the transport
    // carries its requests to the kernels only VS Code can reach.
    let supervisor: ServerSupervisor | undefined;
    let transport: KernelTransport | undefined;
    const server = new HotswapServer(layout, channel, {
        kernelRequest: (p) =>
            transport ? transport.handle(p) : Promise.resolve({ error: { type: 'gone' as const, message: 'Hotswap is starting' } }),
        started: () => void transport?.announce(true),
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

    // Kernels only VS Code can reach, announced to the server whenever they may have changed.
    const targets = new ReloadTargets(
        { notebooks: vsapi.notebookDocuments, jupyterApi: vsapi.jupyterApi, activeDebugSession: vsapi.activeDebugSession },
        layout.helperDir,
        vsapi.tokens,
        log,
        () => void transport?.announce(),
    );
    const activeTransport = new KernelTransport(targets, () => server, log, (message) =>
        void offerManageAccess(message, { warn: vsapi.showWarningMessage, executeCommand: vsapi.executeCommand }),
    );
    transport = activeTransport;
    subs.push(
        targets,
        ...vsapi.trackDebugMessages(
            PYTHON_DEBUG_TYPES,
            (id, m) => targets.debugStates.fromAdapter(id, m),
            (id, m) => targets.debugStates.toAdapter(id, m),
        ),
        vsapi.onDidChangeActiveDebugSession(() => void activeTransport.announce()),
        vsapi.onDidTerminateDebugSession((session) => targets.sessionEnded(session.id)),
        vsapi.onDidOpenNotebookDocument(() => void activeTransport.announce()),
        vsapi.onDidCloseNotebookDocument(() => void activeTransport.announce()),
        // Code ran in a notebook or Interactive Window: its kernel may just have started (the
        // Jupyter extension only hands it out then), and objects may have been recreated.
        vsapi.onDidChangeNotebookDocument((e) => {
            if (e.cellChanges.some((c) => c.executionSummary?.timing?.endTime !== undefined)) {
                const key = `jupyter:${e.notebook.uri.toString()}`;
                void activeTransport.announce().then(() => activeTransport.userExecuted(key));
            }
        }),
    );

    // The "Hot Reload" view.
    const activeView = new KernelsView(
        () => viewKernels(server.knownKernels, vsapi.asRelativePath),
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
        server: () => server,
        python: () => activeSupervisor.python,
        helperDir: layout.helperDir,
        consoles,
        refreshView: () => void activeTransport.announce().then(() => activeView.refresh()),
        restartServer: () => activeSupervisor.restart('Restart requested'),
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
    // ensure(): if the Python extension's first announcement already started the server, nothing more.
    await activeSupervisor.ensure('Starting');
}
