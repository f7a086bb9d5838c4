// When a test fails, keep what explains it: a screenshot of the workbench and the extension's
// log (which carries the language server traffic), named after the test, in test-results/.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resultsDir } from './paths.mjs';
import { screenshot } from './workbench.mjs';

/** The Hotswap output channel's log files under a code-server user-data dir. */
function hotswapLogs(userDataDir) {
  const logs = path.join(userDataDir, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(`${path.sep}Hotswap.log`))
    .map((file) => path.join(logs, file));
}

/**
 * Save a screenshot and the extension logs as test-results/<name>.*; returns the files.
 * @param {{ page?: import('playwright-core').Page, userDataDir?: string } | undefined} session
 * @param {string} name
 */
export async function saveEvidence(session, name) {
  const base = `FAILED-${name}`.replace(/[^\w.-]+/g, '_').slice(0, 100);
  const files = [];
  if (session?.page) {
    const file = await screenshot(session.page, resultsDir(), base).catch(() => undefined);
    if (file) files.push(file);
  }
  if (session?.userDataDir) {
    hotswapLogs(session.userDataDir).forEach((log, index) => {
      const copy = path.join(resultsDir(), `${base}.Hotswap${index || ''}.log`);
      copyFileSync(log, copy);
      files.push(copy);
    });
  }
  return files;
}

/**
 * Wrap a test body: on failure, save the evidence, then fail as before.
 * @param {() => { page?: import('playwright-core').Page, userDataDir?: string } | undefined} getSession
 * @param {(t: import('node:test').TestContext) => Promise<void>} body
 */
export function withEvidence(getSession, body) {
  return async (t) => {
    try {
      await body(t);
    } catch (error) {
      for (const file of await saveEvidence(getSession(), t.name)) t.diagnostic(`saved ${file}`);
      throw error;
    }
  };
}
