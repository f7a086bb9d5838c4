// Driving the VS Code workbench in headless Chromium the way a user does: keyboard shortcuts,
// quick open, the command palette, the Problems panel and the status bar.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './paths.mjs';

export const UI_TIMEOUT_MS = 30_000;

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;
const PROBLEMS_PANEL = '.markers-panel';
const PROBLEM_ROWS = `${PROBLEMS_PANEL} .monaco-list-row`;

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-breakpad',
      '--disable-crash-reporter',
      '--no-first-run',
    ],
  });
}

/** Open the workspace folder in a fresh page and wait until the workbench is interactive. */
export async function openWorkbench(browser, url, folder) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  await page.locator('.part.statusbar').waitFor({ timeout: 90_000 });
  // The explorer lists the workspace once the file service is connected.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
  return page;
}

async function openQuickInput(page, shortcut, prefix) {
  await page.keyboard.press('Escape');
  await page.keyboard.press(shortcut);
  const box = page.locator(QUICK_INPUT_BOX);
  await box.waitFor({ state: 'visible' });
  await box.fill(prefix);
  return box;
}

/** Run a command by its palette label, e.g. "Hotswap: Reload Module". */
export async function runCommand(page, label) {
  await openQuickInput(page, 'F1', `>${label}`);
  const row = page.locator(QUICK_INPUT_ROWS).filter({ hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

/** Pick a quick pick row containing `text` in whatever quick pick is open now. */
export async function pickQuickPickItem(page, text) {
  const row = page.locator(QUICK_INPUT_ROWS).filter({ hasText: text }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden' });
}

/** Open a workspace file with Quick Open (ctrl+p) and wait until its editor has focus. */
export async function openFile(page, fileName) {
  // Quick Open closes if something else takes focus meanwhile (an editor VS Code opens by
  // itself after startup, such as a README preview): then it is simply opened again.
  for (let attempt = 1; ; attempt++) {
    await openQuickInput(page, 'Control+P', fileName);
    // Wait for the filtered list: until then the focused row may be another recent file.
    const focused = page.locator(`${QUICK_INPUT_ROWS}.focused`).filter({ hasText: fileName });
    try {
      await focused.waitFor({ state: 'visible', timeout: attempt < 3 ? 10_000 : UI_TIMEOUT_MS });
      await page.keyboard.press('Enter');
      await page.locator(`.tab.active[data-resource-name="${fileName}"]`).waitFor({ state: 'visible' });
      await page.locator('.editor-instance .monaco-editor.focused').waitFor({ state: 'visible' });
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Replace the whole text of the focused editor as a user would: select all, type. */
export async function replaceEditorText(page, text) {
  await page.locator('.editor-instance .monaco-editor.focused').waitFor({ state: 'visible' });
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** The rendered text lines of the focused editor (what the user sees). */
export function activeEditorLines(page) {
  return page.locator('.editor-instance .monaco-editor.focused .view-lines');
}

/** ctrl+s once the edit has registered (tab dirty), then wait until the tab is clean again. */
export async function saveActiveEditor(page) {
  await page.locator('.tab.active.dirty').waitFor({ state: 'visible' });
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
}

/** Show the Problems panel (ctrl+shift+m) and return its row locator. */
export async function showProblems(page) {
  const panel = page.locator(PROBLEMS_PANEL);
  if (!(await panel.isVisible())) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible' });
  }
  return page.locator(PROBLEM_ROWS);
}

/**
 * The Problems rows as the user reads them: text (message, source, code and "[Ln 9, Col 9]")
 * and the accessible label, whose first word is the severity for problem rows ("Warning: ...").
 * @returns {Promise<{ severity: 'error' | 'warning' | 'info' | 'other', text: string, label: string }[]>}
 */
export async function problemRows(page) {
  const rows = await page.locator(PROBLEM_ROWS).evaluateAll((elements) =>
    elements.map((row) => ({ text: row.textContent ?? '', label: row.getAttribute('aria-label') ?? '' })),
  );
  return rows.map(({ text, label }) => {
    const prefix = /^(Error|Warning|Info):/.exec(label)?.[1];
    const severity = prefix === 'Error' ? 'error' : prefix === 'Warning' ? 'warning' : prefix === 'Info' ? 'info' : 'other';
    return { severity, text, label };
  });
}

/** The Hotswap status bar item (last reload, spinner while one runs). */
export function hotswapStatusItem(page) {
  return page.locator('.part.statusbar .statusbar-item[id*="hotswap" i]').first();
}

/** The status item's accessible label ("Hotswap: reloaded math_utils at ..."), '' if absent. */
export async function hotswapStatusLabel(page) {
  const item = hotswapStatusItem(page);
  if ((await item.count()) === 0) return '';
  return item.evaluate((element) =>
    [element, ...element.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label') ?? '').join(' '),
  );
}

/**
 * Expand the extension's "Hot Reload" view in the Explorer and return the row naming the
 * kernel with this pid ("kernel (pid 4242)", "jupyter console (pid 4242)"): the user's sign that
 * Hotswap is connected to their kernel. `pid` may be a pattern (String.raw`\d+`: any kernel).
 */
export async function hotReloadKernelRow(page, pid) {
  const header = page.locator('.pane-header').filter({ hasText: /hot reload/i }).first();
  await header.waitFor({ state: 'visible' });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = page.locator('.pane').filter({ has: header });
  return pane.locator('.monaco-list-row').filter({ hasText: new RegExp(`(Kernel ${pid}|\\(pid ${pid}\\))`) }).first();
}

/** The texts of the Hot Reload view's top-level rows (kernels, the server's state). */
export async function hotReloadRows(page) {
  const header = page.locator('.pane-header').filter({ hasText: /hot reload/i }).first();
  await header.waitFor({ state: 'visible' });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = page.locator('.pane').filter({ has: header });
  return pane.locator('.monaco-list-row[aria-level="1"]').evaluateAll((rows) => rows.map((row) => row.textContent ?? ''));
}

/** VS Code's own Restricted Mode indicator. */
export function restrictedModeIndicator(page) {
  return page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'Restricted Mode' }).first();
}

/** Screenshot into test-results/ (used on failure and for the README picture). */
export async function screenshot(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
