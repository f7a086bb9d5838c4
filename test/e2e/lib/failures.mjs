// A screenshot of the workbench when a test fails, named after the test, in test-results/.
import { resultsDir } from './paths.mjs';
import { screenshot } from './workbench.mjs';

/**
 * Wrap a test body: on failure, save what the user would have seen, then fail as before.
 * @param {() => import('playwright-core').Page | undefined} getPage
 * @param {(t: import('node:test').TestContext) => Promise<void>} body
 */
export function withScreenshot(getPage, body) {
  return async (t) => {
    try {
      await body(t);
    } catch (error) {
      const page = getPage();
      if (page) {
        const name = `FAILED-${t.fullName ?? t.name}`.replace(/[^\w.-]+/g, '_').slice(0, 120);
        const file = await screenshot(page, resultsDir(), name).catch(() => undefined);
        if (file) t.diagnostic(`screenshot: ${file}`);
      }
      throw error;
    }
  };
}
