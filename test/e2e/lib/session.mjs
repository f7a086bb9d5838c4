// One end-to-end session: a workspace copy of examples/demo, a private Jupyter runtime dir, a
// real kernel with hotswap loaded, code-server with our extension, and a Chromium page on it.
// Everything it starts, it stops (stop() is safe to call after a partial start).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultUserSettings, installExtension, prepareUserData, startCodeServer } from './codeServer.mjs';
import { saveEvidence } from './failures.mjs';
import { Kernel } from './kernel.mjs';
import { DEMO_DIR, VENV_PYTHON, standinPaths, vsixPath } from './paths.mjs';
import { launchBrowser, openWorkbench } from './workbench.mjs';

/**
 * `standins`: also install the stand-ins of the Python and Jupyter extensions (standins/), in a
 * private extensions folder, with the interpreter selected through `python.defaultInterpreterPath`
 * (hotswap.pythonPath left empty) and the stand-in Jupyter extension serving the session's kernel.
 * `files`: extra files written into the workspace before the editor opens.
 * @param {{ name: string, trust: boolean, standins?: boolean, files?: Record<string, string> }} options
 */
export async function startSession({ name, trust, standins = false, files = {} }) {
  const root = mkdtempSync(path.join(process.env.HOTSWAP_E2E_TMP ?? os.tmpdir(), `${name}-`));
  const session = {
    root,
    workspace: path.join(root, 'workspace'),
    runtimeDir: path.join(root, 'runtime'),
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: (!standins && process.env.HOTSWAP_E2E_EXTENSIONS) || path.join(root, 'extensions'),
    /** What the stand-in extensions did, one JSON object per line. */
    standinLog: path.join(root, 'standins.jsonl'),
    /** @type {Kernel | undefined} */ kernel: undefined,
    /** @type {{ owned: import('./processes.mjs').Owned, url: string } | undefined} */ codeServer: undefined,
    /** @type {import('playwright-core').Browser | undefined} */ browser: undefined,
    /** @type {import('playwright-core').Page | undefined} */ page: undefined,
    async stop() {
      await this.browser?.close().catch(() => undefined);
      await this.codeServer?.owned.stop();
      await this.kernel?.stop();
      if (!process.env.HOTSWAP_E2E_KEEP) rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    cpSync(DEMO_DIR, session.workspace, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pyc$|run\.sh$)/.test(src),
    });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(session.workspace, file), text);
    mkdirSync(session.runtimeDir, { recursive: true, mode: 0o700 });
    chmodSync(session.runtimeDir, 0o700);
    prepareUserData(
      session.userDataDir,
      standins ? { ...defaultUserSettings(''), 'python.defaultInterpreterPath': VENV_PYTHON } : defaultUserSettings(),
    );
    if (standins || !process.env.HOTSWAP_E2E_EXTENSIONS) {
      await installExtension(vsixPath(), session);
    }
    if (standins) {
      for (const vsix of standinPaths()) await installExtension(vsix, session);
    }
    const env = { ...process.env, JUPYTER_RUNTIME_DIR: session.runtimeDir };
    session.kernel = await Kernel.start(session.workspace, env);
    const editorEnv = standins
      ? { ...env, HOTSWAP_STANDIN_LOG: session.standinLog, HOTSWAP_STANDIN_CONNECTION_FILE: session.kernel.connectionFile }
      : env;
    session.codeServer = await startCodeServer({ ...session, trust, env: editorEnv, cwd: session.workspace });
    session.browser = await launchBrowser();
    session.page = await openWorkbench(session.browser, session.codeServer.url, session.workspace);
    return session;
  } catch (error) {
    await saveEvidence(session, `${name}-setup`);
    await session.stop();
    throw error;
  }
}
