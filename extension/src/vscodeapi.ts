/**
 * Every direct VS Code API call the extension makes goes through here, so the logic modules
 * take plain functions and interfaces and can be tested without an editor.
 */
import * as vscode from 'vscode';
import type { Jupyter } from '@vscode/jupyter-extension';
import { PythonExtension } from '@vscode/python-extension';
import type { ActiveEnvironment } from './interpreter';
import type { HotswapSettings } from './settings';
import type { TokenFactory } from './jupyterKernel';

export const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
export const PYTHON_EXTENSION_ID = 'ms-python.python';

export function createLogChannel(): vscode.LogOutputChannel {
    return vscode.window.createOutputChannel('Hotswap', { log: true });
}

export function registerCommand(command: string, callback: (...args: any[]) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(command, callback);
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

export function firstWorkspaceFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
}

export function notebookDocuments(): readonly vscode.NotebookDocument[] {
    return vscode.workspace.notebookDocuments;
}

/** VS Code's own glob matching, the semantics users know from files.exclude. */
export function globMatches(document: vscode.TextDocument, glob: string): boolean {
    return vscode.languages.match({ pattern: glob }, document) > 0;
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
        async activeExecutable(): Promise<string | undefined> {
            const folder = firstWorkspaceFolder();
            const active = api.environments.getActiveEnvironmentPath(folder?.uri);
            const resolved = await api.environments.resolveEnvironment(active);
            return resolved?.executable.uri?.fsPath;
        },
        onDidChange: api.environments.onDidChangeActiveEnvironmentPath,
    };
}
