/** The manifest and the code agree: every command shown to users is implemented, every setting is read. */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandContext, commandHandlers } from '../../../extension/src/ui/commands';
import { DEFAULT_SETTINGS } from '../../../extension/src/client/settings';
import { REPO_ROOT } from '../fakes/paths';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes: {
        commands: { command: string; title: string; category: string }[];
        menus: Record<string, { command: string; when?: string }[]>;
        configuration: { properties: Record<string, { description?: string; default?: unknown }> };
    };
    capabilities: { untrustedWorkspaces: { supported: boolean } };
};
const sourceDir = path.join(REPO_ROOT, 'extension', 'src');
const sources = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(sourceDir, f), 'utf8'))
    .join('\n');

describe('manifest', () => {
    it('registers every contributed command, all in the Hotswap category', () => {
        const handled = Object.keys(commandHandlers({} as CommandContext)).sort();
        expect(manifest.contributes.commands.map((c) => c.command).sort()).toEqual(handled);
        for (const { category } of manifest.contributes.commands) {
            expect(category).toBe('Hotswap');
        }
    });

    it('documents every setting, with the defaults the code uses', () => {
        const properties = manifest.contributes.configuration.properties;
        for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
            const property = properties[`hotswap.${key}`];
            expect(property?.description, key).toBeTruthy();
            expect(property.default, key).toEqual(value);
        }
    });

    it('offers Reload Current File in the editor title and the explorer context menu of .py files', () => {
        for (const where of ['editor/title', 'explorer/context']) {
            const entry = manifest.contributes.menus[where]?.find((m) => m.command === 'hotswap.reloadCurrentFile');
            expect(entry?.when, where).toContain('resourceLangId == python');
        }
    });

    it('reads every setting it documents (the trace setting belongs to the language client)', () => {
        const documented = Object.keys(manifest.contributes.configuration.properties).map((k) => k.replace(/^hotswap\./, ''));
        expect(documented.filter((k) => k !== 'trace.server').sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    });

    it('leaves diagnostics to the language server: the extension creates no diagnostic collection', () => {
        // One publisher, so the same stale object never shows twice in Problems.
        expect(sources).not.toMatch(/createDiagnosticCollection/);
    });

    it('does not run in untrusted workspaces', () => {
        expect(manifest.capabilities.untrustedWorkspaces.supported).toBe(false);
    });
});
