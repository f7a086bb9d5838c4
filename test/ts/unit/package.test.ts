/**
 * What the .vsix carries, as vsce itself lists it under .vscodeignore: the bundle, the Python
 * helper, the bundled pure-Python libraries and the launcher; no sources, tests or caches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../fakes/paths';

const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
const packaged = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Every .py file of the helper package on disk, relative to the repository. */
function helperSources(dir = path.join(REPO_ROOT, 'python_helper', 'hotswap')): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            return e.name === '__pycache__' ? [] : helperSources(full);
        }
        return e.name.endsWith('.py') ? [path.relative(REPO_ROOT, full)] : [];
    });
}

describe('the .vsix contents', () => {
    it('carries the whole Python helper and the server launcher', () => {
        expect(packaged).toEqual(expect.arrayContaining([...helperSources(), 'bundled/tool/launch_server.py', 'package.json']));
    });

    it('keeps sources, tests, caches and the dev environment out', () => {
        const leaked = packaged.filter((f) =>
            /(^|\/)(__pycache__|node_modules|\.venv|test|tests|extension)\/|\.(ts|pyc|map)$|^(tsconfig|package-lock)\.json$/.test(f),
        );
        expect(leaked).toEqual([]);
    });

    it.skipIf(!existsSync(path.join(REPO_ROOT, 'bundled', 'libs')))('carries pygls, lsprotocol and their pure-Python dependencies', () => {
        for (const lib of ['pygls', 'lsprotocol', 'cattrs', 'attrs']) {
            expect(packaged.some((f) => f.startsWith(`bundled/libs/${lib}/`)), lib).toBe(true);
        }
    });

    it.skipIf(!existsSync(path.join(REPO_ROOT, 'out', 'extension.js')))('carries the esbuild bundle as the entry point', () => {
        expect(packaged).toContain('out/extension.js');
    });
});
