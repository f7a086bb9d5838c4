// Installs the language server's pure-Python libraries into bundled/libs for the .vsix.
// Versions match requirements-dev.txt; jupyter_client is not bundled (it needs pyzmq, a
// compiled package), so it comes from the user's interpreter.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TARGET = 'bundled/libs';
const FROM_REQUIREMENTS = ['pygls', 'lsprotocol', 'cattrs', 'attrs', 'typing_extensions'];
// Needed by cattrs on Python 3.10 only; not in requirements-dev.txt because the dev env is 3.11.
const EXTRA = ['exceptiongroup==1.3.1'];

function pinned(name) {
    const norm = (s) => s.toLowerCase().replace(/[-_.]+/g, '-');
    for (const line of readFileSync('requirements-dev.txt', 'utf8').split('\n')) {
        const m = line.trim().match(/^([A-Za-z0-9_.-]+)==(\S+)$/);
        if (m && norm(m[1]) === norm(name)) {
            return `${m[1]}==${m[2]}`;
        }
    }
    throw new Error(`${name} is not pinned in requirements-dev.txt`);
}

const python = process.env.HOTSWAP_BUILD_PYTHON || (existsSync('.venv/bin/python') ? '.venv/bin/python' : 'python3');
const specs = [...FROM_REQUIREMENTS.map(pinned), ...EXTRA];
rmSync(TARGET, { recursive: true, force: true });
execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-compile', '--no-deps', '--only-binary=:all:', '--target', TARGET, ...specs],
    { stdio: 'inherit' },
);
// Entry-point scripts and caches are of no use inside the extension.
for (const entry of readdirSync(TARGET)) {
    if (entry === 'bin' || entry === '__pycache__') {
        rmSync(join(TARGET, entry), { recursive: true, force: true });
    }
}
console.log(`bundled ${specs.join(' ')} into ${TARGET}`);
