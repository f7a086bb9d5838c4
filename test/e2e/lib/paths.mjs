// Where things are: the repository, its virtualenv, the built extension and the results folder.
// One place, so tests and the demo agree.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(E2E_DIR, '..', '..');
export const VENV_PYTHON = process.env.HOTSWAP_PYTHON ?? path.join(REPO_DIR, '.venv', 'bin', 'python');
export const CODE_SERVER_ENTRY = path.join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const KERNEL_DRIVER = path.join(E2E_DIR, 'kernel_driver.py');
export const DEMO_DIR = path.join(REPO_DIR, 'examples', 'demo');
export const CHROMIUM = process.env.HOTSWAP_CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(REPO_DIR, 'test-results');
export const DOCS_IMAGES_DIR = path.join(REPO_DIR, 'docs', 'images');

/** The .vsix that `make vsix` produced; run.sh passes its path, else the default output. */
export function vsixPath() {
  const candidate = process.env.HOTSWAP_VSIX ?? path.join(REPO_DIR, 'hotswap.vsix');
  if (!existsSync(candidate)) {
    throw new Error(`extension package not found at ${candidate}: run \`make vsix\` first`);
  }
  return candidate;
}

/**
 * The packaged stand-ins of the Python and Jupyter extensions (standins/), which run.sh builds
 * and passes in $HOTSWAP_E2E_STANDINS (paths separated by ':').
 */
export function standinPaths() {
  const paths = (process.env.HOTSWAP_E2E_STANDINS ?? '').split(':').filter(Boolean);
  if (paths.length !== 2 || !paths.every((p) => existsSync(p))) {
    throw new Error('stand-in extensions not built: run the tests through test/e2e/run.sh (it packages test/e2e/standins/*)');
  }
  return paths;
}

export function resultsDir() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return RESULTS_DIR;
}
