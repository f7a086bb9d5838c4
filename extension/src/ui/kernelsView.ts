/**
 * The "Hot Reload" view: the kernels Hotswap reaches and, under them, the objects left stale
 * (from the diagnostics the language server publishes). Clicking an object opens its line.
 */
import * as vscode from 'vscode';
import type { ServerState } from '../client/serverSupervisor';
import { Entry, TreeNode, ViewKernel, kernelDescription, openCommand, rootNodes } from './hotReloadTree';

export type { ViewKernel } from './hotReloadTree';

type StaleEntry = Entry<vscode.Uri, vscode.Diagnostic>;
type Node = TreeNode<StaleEntry>;

export class KernelsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<Node | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly subscription: vscode.Disposable;

    constructor(
        private readonly kernels: () => ViewKernel[],
        private readonly diagnostics: { all(): [vscode.Uri, vscode.Diagnostic[]][]; onDidChange(listener: () => void): vscode.Disposable },
        private readonly server: () => ServerState | undefined = () => undefined,
    ) {
        this.subscription = diagnostics.onDidChange(() => this.refresh());
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    private staleEntries(): StaleEntry[] {
        const entries: StaleEntry[] = [];
        for (const [uri, diagnostics] of this.diagnostics.all()) {
            for (const diagnostic of diagnostics) {
                entries.push({ uri, diagnostic });
            }
        }
        return entries;
    }

    getChildren(node?: Node): Node[] {
        if (node?.kind === 'kernel' || node?.kind === 'group') {
            return node.stale.map((entry) => ({ kind: 'stale', entry }));
        }
        if (node) {
            return [];
        }
        return rootNodes(this.kernels(), this.staleEntries(), this.server());
    }

    getTreeItem(node: Node): vscode.TreeItem {
        switch (node.kind) {
            case 'kernel': {
                const item = new vscode.TreeItem(
                    node.kernel.label,
                    node.stale.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
                );
                item.description = kernelDescription(node.kernel.description, node.stale.map((e) => e.diagnostic));
                item.iconPath = new vscode.ThemeIcon('vm');
                item.contextValue = 'kernel';
                return item;
            }
            case 'group': {
                const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
                item.iconPath = new vscode.ThemeIcon('warning');
                return item;
            }
            case 'stale': {
                const { uri, diagnostic } = node.entry;
                const item = new vscode.TreeItem(diagnostic.message, vscode.TreeItemCollapsibleState.None);
                const file = uri.path.slice(uri.path.lastIndexOf('/') + 1);
                item.description = `${file}:${diagnostic.range.start.line + 1}`;
                item.tooltip = `${diagnostic.message}\n${uri.fsPath}:${diagnostic.range.start.line + 1}`;
                item.iconPath = new vscode.ThemeIcon(severityIcon(diagnostic.severity));
                item.command = openCommand(node.entry);
                return item;
            }
            case 'empty':
                return new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
            case 'server': {
                const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
                item.description = node.description;
                item.tooltip = `${node.label}: ${node.description}\nClick to restart it.`;
                item.iconPath = new vscode.ThemeIcon(node.label === 'Language server not running' ? 'error' : 'loading~spin');
                item.command = { command: 'hotswap.restartServer', title: 'Restart Language Server' };
                return item;
            }
        }
    }

    dispose(): void {
        this.subscription.dispose();
        this.changed.dispose();
    }
}

/** The icon the Problems panel uses for this severity. */
function severityIcon(severity: vscode.DiagnosticSeverity): string {
    switch (severity) {
        case vscode.DiagnosticSeverity.Error:
            return 'error';
        case vscode.DiagnosticSeverity.Warning:
            return 'warning';
        default:
            return 'info';
    }
}
