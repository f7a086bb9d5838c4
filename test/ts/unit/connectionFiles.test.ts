import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listConnectionFiles, runtimeDir } from '../../../extension/src/kernels/connectionFiles';
import { testPython } from '../fakes/paths';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hotswap-conn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Attach to Kernel… choices', () => {
    it('asks the interpreter for its Jupyter runtime directory', async () => {
        expect(await runtimeDir(testPython(), { ...process.env, JUPYTER_RUNTIME_DIR: dir })).toBe(dir);
    });

    it('lists kernel connection files newest first, and nothing else', async () => {
        writeFileSync(path.join(dir, 'kernel-old.json'), '{}');
        writeFileSync(path.join(dir, 'kernel-new.json'), '{}');
        writeFileSync(path.join(dir, 'jpserver-1.json'), '{}');
        utimesSync(path.join(dir, 'kernel-old.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
        const files = await listConnectionFiles(dir);
        expect(files.map((f) => path.basename(f.path))).toEqual(['kernel-new.json', 'kernel-old.json']);
        expect(await listConnectionFiles(path.join(dir, 'missing'))).toEqual([]);
    });
});
