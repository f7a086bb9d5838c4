/**
 * Every direct VS Code API call the extension makes goes through here, so the logic modules
 * take plain functions and interfaces and can be tested without an editor.
 */
import * as vscode from 'vscode';
import type { Jupyter } from '@vscode/jupyter-extension';
import { PythonExtension } from '@vscode/python-extension';
import { ActiveEnvironment, activeEnvironment } from '../client/interpreter';
import type { HotswapSettings } from '../client/settings';
import type { TokenFactory } from '../kernels/jupyterKernel';
import type { CommandUi, FileUri } from '../ui/commands';

export const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
export const PYTHON_EXTENSION_ID = 'ms-python.python';

export function createLogChannel(): vscode.LogOutputChannel {
    return vscode.window.createOutputChannel('Hotswap', { log: true });
}

/** Command arguments come from menus, keybindings and other extensions: each handler checks its own. */
export function registerCommand<A extends unknown[]>(command: string, callback: (...args: A) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(command, callback as (...args: unknown[]) => unknown);
}

export function executeCommand<T>(command: string, ...args: unknown[]): Thenable<T> {
    return vscode.commands.executeCommand<T>(command, ...args);
}

export function showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showInformationMessage(message, ...items);
}

export function showWarningMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showWarningMessage(message, ...items);
}

export function showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return vscode.window.showErrorMessage(message, ...items);
}

/** Reads one `hotswap.*` setting (the reader settings.ts takes). */
export function readHotswapSetting(key: keyof HotswapSettings): unknown {
    return vscode.workspace.getConfiguration('hotswap').get(key);
}

export function isTrusted(): boolean {
    return vscode.workspace.isTrusted;
}

/** Workspace trust as trust.ts reads it. */
export const workspaceTrust = {
    isTrusted,
    onDidGrant: (listener: () => void): vscode.Disposable => vscode.workspace.onDidGrantWorkspaceTrust(listener),
};

export function onDidOpenNotebookDocument(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidOpenNotebookDocument(listener);
}

export function onDidCloseNotebookDocument(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidCloseNotebookDocument(listener);
}

export function onDidChangeNotebookDocument(listener: (e: vscode.NotebookDocumentChangeEvent) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeNotebookDocument(listener);
}

/** Fires when any `hotswap.*` setting changes. */
export function onDidChangeHotswapSettings(listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('hotswap')) {
            listener();
        }
    });
}

export function asRelativePath(file: string): string {
    return vscode.workspace.asRelativePath(file);
}

export function createStatusItem(id: string, name: string): vscode.StatusBarItem {
    const item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, -100);
    item.name = name;
    return item;
}

export function createTreeView<T>(id: string, provider: vscode.TreeDataProvider<T>): vscode.TreeView<T> {
    return vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: false });
}

export function activeDebugSession(): vscode.DebugSession | undefined {
    return vscode.debug.activeDebugSession;
}

export function onDidChangeActiveDebugSession(listener: () => void): vscode.Disposable {
    return vscode.debug.onDidChangeActiveDebugSession(listener);
}

export function onDidTerminateDebugSession(listener: (session: vscode.DebugSession) => void): vscode.Disposable {
    return vscode.debug.onDidTerminateDebugSession(listener);
}

/** Lets `fromAdapter`/`toAdapter` see every DAP message of sessions of these debug types. */
export function trackDebugMessages(
    types: readonly string[],
    fromAdapter: (sessionId: string, message: unknown) => void,
    toAdapter: (sessionId: string, message: unknown) => void,
): vscode.Disposable[] {
    return types.map((type) =>
        vscode.debug.registerDebugAdapterTrackerFactory(type, {
            createDebugAdapterTracker: (session) => ({
                onDidSendMessage: (m: unknown) => fromAdapter(session.id, m),
                onWillReceiveMessage: (m: unknown) => toAdapter(session.id, m),
            }),
        }),
    );
}

/**
 * Runs `python -m pip install jupyter_client` as a terminal's own process, so the user sees
 * pip's output; resolves when that terminal closes (pip finished or the user closed it).
 */
export function installJupyterClient(python: string): Promise<void> {
    const terminal = vscode.window.createTerminal({
        name: 'Hotswap: install jupyter_client',
        shellPath: python,
        shellArgs: ['-m', 'pip', 'install', 'jupyter_client'],
    });
    terminal.show();
    return new Promise((resolve) => {
        const closed = vscode.window.onDidCloseTerminal((t) => {
            if (t === terminal) {
                closed.dispose();
                resolve();
            }
        });
    });
}

/** `jupyter.runStartupCommands` as the user set it (only user settings are honoured). */
export function jupyterStartupCommands(): unknown[] | undefined {
    return vscode.workspace.getConfiguration('jupyter').inspect<unknown[]>('runStartupCommands')?.globalValue;
}

export function setJupyterStartupCommands(commands: string[]): Thenable<void> {
    return vscode.workspace.getConfiguration('jupyter').update('runStartupCommands', commands, vscode.ConfigurationTarget.Global);
}

export function firstWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
}

export function notebookDocuments(): readonly vscode.NotebookDocument[] {
    return vscode.workspace.notebookDocuments;
}

export const tokens: TokenFactory = () => new vscode.CancellationTokenSource();

/** The Jupyter extension's API when installed, activating it if needed. */
export async function jupyterApi(): Promise<Jupyter | undefined> {
    const extension = vscode.extensions.getExtension<Jupyter>(JUPYTER_EXTENSION_ID);
    if (!extension) {
        return undefined;
    }
    const exports = extension.isActive ? extension.exports : await extension.activate();
    return exports?.kernels ? exports : undefined;
}

export function hasPythonExtension(): boolean {
    return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

/**
 * The Python extension's active environment and its change event, when that extension is
 * installed; undefined otherwise.
 */
export async function pythonEnvironments(): Promise<(ActiveEnvironment & { onDidChange: vscode.Event<unknown> }) | undefined> {
    if (!hasPythonExtension()) {
        return undefined;
    }
    const api = await PythonExtension.api();
    return {
        ...activeEnvironment(api.environments, () => firstWorkspaceFolder()?.uri),
        onDidChange: api.environments.onDidChangeActiveEnvironmentPath,
    };
}

/** The editor side of the commands (commands.ts). */
export function commandUi(channel: vscode.LogOutputChannel): CommandUi {
    return {
        info: (message) => void vscode.window.showInformationMessage(message),
        warn: (message) => void vscode.window.showWarningMessage(message),
        error: (message) => void vscode.window.showErrorMessage(message),
        quickPick: (items, options) => vscode.window.showQuickPick(items, options),
        withProgress: (title, where, work) =>
            vscode.window.withProgress(
                { location: where === 'window' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title },
                work,
            ),
        activePythonFile: () => {
            const doc = vscode.window.activeTextEditor?.document;
            return doc && doc.languageId === 'python' && doc.uri.scheme === 'file' ? doc.uri : undefined;
        },
        saveIfDirty: async (uri: FileUri) => {
            const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
            if (doc?.isDirty) {
                await doc.save();
            }
        },
        relativePath: asRelativePath,
        workspaceFolder: () => firstWorkspaceFolder()?.uri.fsPath,
        pickConnectionFile: async () => {
            const picked = await vscode.window.showOpenDialog({
                title: 'Hotswap: Attach to Kernel — pick a kernel connection file',
                canSelectMany: false,
                filters: { 'Kernel connection file': ['json'] },
                openLabel: 'Attach',
            });
            return picked?.[0]?.fsPath;
        },
        openTerminal: (spec, onClose) => {
            const terminal = vscode.window.createTerminal({
                name: spec.name,
                shellPath: spec.shellPath,
                shellArgs: spec.shellArgs,
                cwd: spec.cwd,
                iconPath: spec.icon ? new vscode.ThemeIcon(spec.icon) : undefined,
            });
            terminal.show();
            const closed = vscode.window.onDidCloseTerminal((t) => {
                if (t === terminal) {
                    closed.dispose();
                    onClose();
                }
            });
            return closed;
        },
        openLocation: async (uri, range) => {
            if (!(uri instanceof vscode.Uri) || !(range instanceof vscode.Range)) {
                return;
            }
            const editor = await vscode.window.showTextDocument(uri, { preview: true });
            editor.selection = new vscode.Selection(range.start, range.end);
            editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        },
        showLog: () => channel.show(true),
        jupyterStartupCommands,
        setJupyterStartupCommands,
    };
}

/** Every published diagnostic, and the event that says they changed (for the Hot Reload view). */
export const diagnostics = {
    all: (): [vscode.Uri, vscode.Diagnostic[]][] => vscode.languages.getDiagnostics(),
    onDidChange: (listener: () => void): vscode.Disposable => vscode.languages.onDidChangeDiagnostics(listener),
};
