/** No code runs in an untrusted workspace: the manifest says so, and the runtime checks again. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../extension/src/common/log';
import { startWhenTrusted } from '../../../extension/src/common/trust';
import { waitFor } from '../../../extension/src/common/wait';
import { REPO_ROOT } from '../fakes/paths';

function trustState(trusted: boolean) {
    const listeners = new Set<() => void>();
    return {
        trusted,
        isTrusted(): boolean {
            return this.trusted;
        },
        onDidGrant(listener: () => void) {
            listeners.add(listener);
            return { dispose: () => listeners.delete(listener) };
        },
        grant(): void {
            this.trusted = true;
            for (const l of [...listeners]) {
                l();
            }
        },
    };
}


describe('untrusted workspace', () => {
    it('starts nothing until the user trusts the workspace, then starts once', async () => {
        const trust = trustState(false);
        const log = new MemoryLogger();
        let starts = 0;
        const waiting = startWhenTrusted(trust, async () => void starts++, log);
        expect(starts).toBe(0);
        expect(waiting).toBeDefined();
        expect(log.lines.join('\n')).toContain('not trusted');
        trust.grant();
        trust.grant();
        expect(starts).toBe(1);
    });

    it('starts at once in a trusted workspace', () => {
        let starts = 0;
        expect(startWhenTrusted(trustState(true), async () => void starts++, new MemoryLogger())).toBeUndefined();
        expect(starts).toBe(1);
    });

    it('logs a start that fails instead of losing it', async () => {
        const log = new MemoryLogger();
        startWhenTrusted(trustState(true), async () => Promise.reject(new Error('boom')), log);
        await waitFor(() => log.lines.includes('error Hotswap failed to start: boom'), { timeoutMs: 2000, what: 'failure logged' });
    });

    it('is declared unsupported in the manifest, and the menus and view need trust', () => {
        const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
        expect(manifest.capabilities.untrustedWorkspaces.supported).toBe(false);
        expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/trusted/);
        for (const where of ['editor/title', 'explorer/context']) {
            for (const entry of manifest.contributes.menus[where]) {
                expect(entry.when, where).toContain('isWorkspaceTrusted');
            }
        }
        expect(manifest.contributes.views.explorer[0].when).toContain('isWorkspaceTrusted');
    });
});
