import { describe, expect, it } from 'vitest';
import { StatusBar, StatusItem, serverSummary, staleInProblems } from '../../../extension/src/ui/statusBar';

function item(): StatusItem & { shown: boolean } {
    return {
        text: '',
        tooltip: undefined,
        command: undefined,
        accessibilityInformation: undefined,
        shown: false,
        show() {
            this.shown = true;
        },
    };
}

describe('status bar', () => {
    const at = new Date(2026, 10, 24, 9, 5, 7);

    it('names a kernel that died, restarted or lost hotswap until the next reload', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.willReload(['/w/slow.py']);
        bar.kernelEvent('kernel k1 (pid 42)', 'kernel k1 (pid 42) stopped; it is no longer reloaded.');
        expect(it_.text).toBe('Hotswap $(error)');
        expect(String(it_.tooltip)).toContain('kernel k1 (pid 42) stopped');
        bar.didReload({ modules: ['m'], reloaded: 1, failed: 0, stale: 0, durationMs: 3, kernel: 'k2' });
        expect(it_.text).toContain('m 09:05:07');
    });

    it('is visible from the start and begins with Hotswap', () => {
        const it_ = item();
        new StatusBar(it_, () => at);
        expect(it_.shown).toBe(true);
        expect(it_.text.startsWith('Hotswap')).toBe(true);
        expect(it_.command).toBe('hotswap.showLog');
    });

    it('spins while reloading, then shows module, time and stale count', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.willReload(['/w/math_utils.py']);
        expect(it_.text).toBe('Hotswap $(sync~spin) math_utils.py');
        expect(bar.busy).toBe(true);
        bar.didReload({ modules: ['greeter'], reloaded: 1, failed: 0, stale: 1, durationMs: 3.2, kernel: 'Interactive Window' });
        expect(it_.text).toBe('Hotswap $(warning) greeter 09:05:07 · 1 stale');
        expect(it_.accessibilityInformation?.label).toBe(
            'Hotswap: reloaded greeter at 09:05:07 in Interactive Window (3 ms), 1 stale object',
        );
        expect(bar.busy).toBe(false);
    });

    it('shows a failure with the error icon', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.didReload({ modules: ['m'], reloaded: 0, failed: 1, stale: 0, durationMs: 1, kernel: 'k' });
        expect(it_.text).toBe('Hotswap $(error) m 09:05:07');
        expect(String(it_.tooltip)).toMatch(/reload failed for m/);
    });
});

describe('status bar across several saves', () => {
    const at = new Date(2026, 10, 24, 9, 5, 7);

    it('keeps the last real reload when a save touched nothing, and stops spinning when a reload dies', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.willReload(['/w/math_utils.py']);
        bar.didReload({ modules: ['math_utils'], reloaded: 1, failed: 0, stale: 0, durationMs: 2, kernel: 'k' });
        const shown = it_.text;
        bar.willReload(['/w/notes.py']);
        bar.didReload({ modules: [], reloaded: 0, failed: 0, stale: 0, durationMs: 1, kernel: 'k' });
        expect(it_.text).toBe(shown);
        bar.willReload(['/w/math_utils.py']);
        expect(it_.text).toContain('$(sync~spin)');
        bar.settle();
        expect(it_.text).toBe(shown);
        expect(bar.busy).toBe(false);
    });

    it('follows the Problems panel: the stale count drops when the warning goes away', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.didReload({ modules: ['greeter'], reloaded: 1, failed: 0, stale: 1, durationMs: 3, kernel: 'Interactive-1' });
        bar.problems(1);
        expect(it_.text).toBe('Hotswap $(warning) greeter 09:05:07 · 1 stale');
        bar.problems(0); // the user recreated g: Problems is empty
        expect(it_.text).toBe('Hotswap $(check) greeter 09:05:07');
        expect(String(it_.tooltip)).toContain('0 stale objects');
    });

    it('counts only hotswap stale-* problems, as the Problems panel shows them', () => {
        const problems = [
            [
                { source: 'hotswap', code: 'stale-instance' },
                { source: 'hotswap', code: { value: 'stale-binding', target: {} } },
                { source: 'hotswap', code: 'syntax-error' },
                { source: 'Pylance', code: 'stale-instance' },
            ],
            [{ source: 'hotswap', code: 'stale-closure' }],
        ];
        expect(staleInProblems(problems)).toBe(3);
    });

    it('does not say ready before the language server runs', () => {
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        expect(String(it_.tooltip)).not.toMatch(/ready/);
        bar.server({ kind: 'down', python: 'python3', reason: 'spawn python3 ENOENT' });
        expect(it_.text).toBe('Hotswap $(circle-slash) server down');
        expect(String(it_.tooltip)).toContain('spawn python3 ENOENT');
        bar.server({ kind: 'running', python: 'python3' });
        expect(String(it_.tooltip)).toMatch(/ready/);
    });

    it('names the kernel of a server reload as the user knows it, not by its id', () => {
        const summary = serverSummary({ kernel: 'jupyter:untitled:/Interactive-1.interactive', label: 'Interactive-1', modules: [{ name: 'greeter', status: 'reloaded' }], stale: 1 });
        expect(summary.kernel).toBe('Interactive-1');
        const it_ = item();
        const bar = new StatusBar(it_, () => at);
        bar.server({ kind: 'running', python: 'python3' });
        bar.didReload(summary);
        expect(String(it_.tooltip)).toContain('in Interactive-1 (');
        expect(String(it_.tooltip)).not.toContain('jupyter:untitled');
    });
});
