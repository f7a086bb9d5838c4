/** Where the tests find the repository, its Python helper and the interpreter with ipykernel. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const HELPER_DIR = path.join(REPO_ROOT, 'python_helper');

/** $HOTSWAP_TEST_PYTHON, else the dev virtualenv, else python3. */
export function testPython(): string {
    if (process.env.HOTSWAP_TEST_PYTHON) {
        return process.env.HOTSWAP_TEST_PYTHON;
    }
    const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python');
    return existsSync(venv) ? venv : 'python3';
}
