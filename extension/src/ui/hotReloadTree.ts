/**
 * What the "Hot Reload" view shows, without VS Code types: each kernel with the hotswap
 * problems the language server published for it, the rest in one group, and for each
 * problem the command that opens its line. kernelsView.ts turns this into TreeItems.
 */
import type { ServerState } from '../client/serverSupervisor';
import { isStale, ownerOf } from './staleOwner';

export interface ViewKernel {
    /** Id the server uses (`hotswap.listKernels`). */
    id: string;
    label: string;
    description: string;
}

/** The fields of a vscode.Diagnostic the view reads. */
export interface ProblemLike {
    message: string;
    source?: string;
    /** A string, or `{ value, target }` as vscode.Diagnostic allows. */
    code?: unknown;
    range: { start: { line: number } };
}

/** One published problem and the file it is in. */
export interface Entry<U, D extends ProblemLike> {
    uri: U;
    diagnostic: D;
}

export type TreeNode<E> =
    | { kind: 'kernel'; kernel: ViewKernel; stale: E[] }
    | { kind: 'group'; label: string; stale: E[] }
    | { kind: 'stale'; entry: E }
    | { kind: 'empty'; label: string }
    /** The language server is not running: shown first, with what to do. */
    | { kind: 'server'; label: string; description: string };

export const OPEN_LOCATION_COMMAND = 'hotswap.openLocation';
export const UNCLAIMED_LABEL = 'Stale objects and reload errors';
export const NO_KERNEL_LABEL = 'No kernel yet: run code in the Interactive Window, or "Hotswap: Start Hot Reload Console"';

/** The kernel the server attached to a diagnostic: `data.kernel` (its id), else the `data.source` label. */
function ownerIn(diagnostic: ProblemLike, ids: readonly string[]): string | undefined {
    const data = (diagnostic as ProblemLike & { data?: { source?: unknown; kernel?: unknown } }).data;
    if (typeof data?.kernel === 'string' && ids.includes(data.kernel)) {
        return data.kernel;
    }
    return ownerOf(data?.source, ids);
}

/**
 * A kernel row's description: its state, then how many stale objects (`stale-*` problems, the
 * count the status bar shows) and how many other problems are listed under it.
 */
export function kernelDescription(base: string, problems: readonly ProblemLike[]): string {
    const stale = problems.filter((d) => isStale(d)).length;
    const other = problems.length - stale;
    const parts = [base];
    if (stale > 0) {
        parts.push(`${stale} stale`);
    }
    if (other > 0) {
        parts.push(`${other} other problem${other === 1 ? '' : 's'}`);
    }
    return parts.join(' · ');
}

export const SERVER_STARTING_LABEL = 'Starting the language server…';
export const SERVER_DOWN_LABEL = 'Language server not running';

/** The row that says the server is not up, or undefined while it runs. */
export function serverNode(state: ServerState | undefined): { kind: 'server'; label: string; description: string } | undefined {
    if (!state || state.kind === 'running') {
        return undefined;
    }
    if (state.kind === 'starting') {
        return { kind: 'server', label: SERVER_STARTING_LABEL, description: state.python };
    }
    return { kind: 'server', label: SERVER_DOWN_LABEL, description: state.kind === 'down' ? state.reason : 'stopped' };
}

/**
 * The top level: the server's state when it is not running, kernels with their problems,
 * unattributed problems, or a hint when empty.
 */
export function rootNodes<U, D extends ProblemLike>(
    kernels: readonly ViewKernel[],
    all: readonly Entry<U, D>[],
    server?: ServerState,
): TreeNode<Entry<U, D>>[] {
    const entries = all.filter((e) => e.diagnostic.source === 'hotswap');
    const claimed = new Set<Entry<U, D>>();
    const ids = kernels.map((k) => k.id);
    const nodes: TreeNode<Entry<U, D>>[] = kernels.map((kernel) => {
        const stale = entries.filter((e) => ownerIn(e.diagnostic, ids) === kernel.id);
        stale.forEach((e) => claimed.add(e));
        return { kind: 'kernel', kernel, stale };
    });
    const rest = entries.filter((e) => !claimed.has(e));
    if (rest.length > 0) {
        nodes.push({ kind: 'group', label: UNCLAIMED_LABEL, stale: rest });
    }
    if (nodes.length === 0) {
        nodes.push({ kind: 'empty', label: NO_KERNEL_LABEL });
    }
    const down = serverNode(server);
    return down ? [down, ...nodes] : nodes;
}

/** Clicking a problem: open its file with the problem's range selected. */
export function openCommand<U, D extends ProblemLike & { range: unknown }>(entry: Entry<U, D>): { command: string; title: string; arguments: [U, D['range']] } {
    return { command: OPEN_LOCATION_COMMAND, title: 'Go to line', arguments: [entry.uri, entry.diagnostic.range] };
}

/** A kernel the language server reloads, as `hotswap/kernelsChanged` lists it. */
export interface ServerKernelLike {
    id: string;
    pid: number | null;
    cwd: string | null;
    status: string;
    label?: string;
    kind?: string;
}

/** The view's kernel rows: the server's list, one row per kernel, whichever way it is reached. */
export function viewKernels(serverKernels: readonly ServerKernelLike[], relative: (file: string) => string): ViewKernel[] {
    return serverKernels.map((k) => {
        const via = k.kind === 'jupyter' || k.kind === 'debug' ? ' · via VS Code' : '';
        const where = k.cwd ? ` · ${relative(k.cwd)}` : '';
        return { id: k.id, label: k.label && k.label !== k.id ? k.label : `Kernel ${k.pid ?? k.id}`, description: `${k.status}${where}${via}` };
    });
}
