/**
 * Kernel connection files a user can attach to: the `kernel-*.json` files in the Jupyter
 * runtime directory of the chosen interpreter, newest first.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ConnectionFile {
    path: string;
    modified: Date;
}

const RUNTIME_DIR_CODE = [
    'try:',
    '    from jupyter_core.paths import jupyter_runtime_dir',
    '    print(jupyter_runtime_dir())',
    'except Exception:',
    '    pass',
].join('\n');

/** The interpreter's Jupyter runtime directory, the same lookup hotswap's registry makes. */
export function runtimeDir(python: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const fallback = env.JUPYTER_RUNTIME_DIR || path.join(os.homedir(), '.local', 'share', 'jupyter', 'runtime');
    return new Promise((resolve) => {
        execFile(python, ['-c', RUNTIME_DIR_CODE], { timeout: 15000, env }, (err, stdout) => {
            const dir = stdout?.trim();
            resolve(!err && dir ? dir : fallback);
        });
    });
}

/** Connection files in `dir`, newest first; an unreadable or missing folder gives none. */
export async function listConnectionFiles(dir: string): Promise<ConnectionFile[]> {
    let names: string[];
    try {
        names = await fs.readdir(dir);
    } catch {
        return [];
    }
    const files: ConnectionFile[] = [];
    for (const name of names) {
        if (!/^kernel-.*\.json$/.test(name)) {
            continue;
        }
        const file = path.join(dir, name);
        try {
            const stat = await fs.stat(file);
            if (stat.isFile()) {
                files.push({ path: file, modified: stat.mtime });
            }
        } catch {
            // removed while listing: a kernel that just ended
        }
    }
    return files.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}
