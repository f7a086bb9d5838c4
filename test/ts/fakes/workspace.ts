/**
 * A throw-away workspace with user modules, and a copy of the Python helper laid out as in the
 * installed extension (so the tests prove the kernel imports the helper from there).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HELPER_DIR } from './paths';

export interface TestWorkspace {
    root: string;
    /** `<fake extension>/python_helper`, what the extension injects into kernels. */
    helperDir: string;
    file(name: string): string;
    write(name: string, text: string): string;
    remove(): void;
}

export function makeWorkspace(files: Record<string, string>): TestWorkspace {
    const base = mkdtempSync(path.join(os.tmpdir(), 'hotswap-ts-'));
    const root = path.join(base, 'workspace');
    const helperDir = path.join(base, 'extension', 'python_helper');
    cpSync(path.join(HELPER_DIR, 'hotswap'), path.join(helperDir, 'hotswap'), {
        recursive: true,
        filter: (src) => !src.includes('__pycache__'),
    });
    const ws: TestWorkspace = {
        root,
        helperDir,
        file: (name) => path.join(root, name),
        write: (name, text) => {
            const file = path.join(root, name);
            writeFileSync(file, text);
            return file;
        },
        remove: () => rmSync(base, { recursive: true, force: true }),
    };
    mkdirSync(root, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
        writeFileSync(path.join(root, name), text, { flag: 'w' });
    }
    return ws;
}
