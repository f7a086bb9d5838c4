/** The "Hot Reload" view: kernels, their stale objects, and a click that opens the line. */
import { describe, expect, it } from 'vitest';
import { NO_KERNEL_LABEL, kernelDescription, OPEN_LOCATION_COMMAND, SERVER_DOWN_LABEL, SERVER_STARTING_LABEL, UNCLAIMED_LABEL, openCommand, rootNodes, viewKernels } from '../../../extension/src/ui/hotReloadTree';

const uri = { path: '/ws/greeter.py' };
const stale = (source: string, line: number, message = 'g is stale') => ({
    uri,
    diagnostic: { message, source: 'hotswap', range: { start: { line, character: 4 }, end: { line, character: 20 } }, data: { source } },
});

describe('Hot Reload view', () => {
    const kernels = viewKernels(
        [
            { id: 'k1', pid: 4242, cwd: '/ws', status: 'idle', label: 'k1', kind: 'direct' },
            {
                id: 'jupyter:vscode-interactive:/Interactive-1.interactive',
                pid: 77,
                cwd: '/ws',
                status: 'idle',
                label: 'Interactive Window',
                kind: 'jupyter',
            },
        ],
        (file) => (file === '/ws' ? 'ws' : file),
    );

    it('lists the server’s kernels, direct and reached through VS Code, one row each', () => {
        expect(kernels).toEqual([
            { id: 'k1', label: 'Kernel 4242', description: 'idle · ws' },
            { id: 'jupyter:vscode-interactive:/Interactive-1.interactive', label: 'Interactive Window', description: 'idle · ws · via VS Code' },
        ]);
    });

    it('puts each stale object under the kernel that holds it; other problems are ignored', () => {
        const entries = [
            stale('kernel k1 (pid 4242)', 8),
            stale('jupyter:vscode-interactive:/Interactive-1.interactive', 3),
            stale('debug:7', 5),
            { uri, diagnostic: { message: 'undefined name', source: 'Pylance', range: { start: { line: 1 } } } },
        ];
        const nodes = rootNodes(kernels, entries);
        expect(nodes.map((n) => (n.kind === 'kernel' ? [n.kernel.label, n.stale.length] : [n.kind, 'stale' in n ? n.stale.length : 0]))).toEqual([
            ['Kernel 4242', 1],
            ['Interactive Window', 1],
            ['group', 1],
        ]);
        expect(nodes[2]).toMatchObject({ kind: 'group', label: UNCLAIMED_LABEL });
    });

    it('opens the stale object’s line when clicked', () => {
        const entry = stale('kernel k1 (pid 4242)', 8);
        expect(openCommand(entry)).toEqual({ command: OPEN_LOCATION_COMMAND, title: 'Go to line', arguments: [uri, entry.diagnostic.range] });
    });

    it('says how to get a kernel when there is none', () => {
        expect(rootNodes([], [])).toEqual([{ kind: 'empty', label: NO_KERNEL_LABEL }]);
    });

    it('shows first that the language server is not running, and why', () => {
        const nodes = rootNodes(kernels, [], { kind: 'down', python: 'python3', reason: 'spawn python3 ENOENT' });
        expect(nodes[0]).toEqual({ kind: 'server', label: SERVER_DOWN_LABEL, description: 'spawn python3 ENOENT' });
        expect(rootNodes(kernels, [], { kind: 'starting', python: '/envs/ds/bin/python' })[0]).toEqual({
            kind: 'server',
            label: SERVER_STARTING_LABEL,
            description: '/envs/ds/bin/python',
        });
        expect(rootNodes(kernels, [], { kind: 'running', python: 'python3' }).some((n) => n.kind === 'server')).toBe(false);
    });

    it('counts stale objects apart from other problems in a kernel’s row, as the status bar does', () => {
        const d = (code: string) => ({ message: code, source: 'hotswap', code, range: { start: { line: 0 } } });
        expect(kernelDescription('idle', [d('stale-instance'), d('no-baseline'), d('no-baseline')])).toBe('idle · 1 stale · 2 other problems');
        expect(kernelDescription('idle', [d('no-baseline')])).toBe('idle · 1 other problem');
        expect(kernelDescription('idle', [])).toBe('idle');
    });
});
