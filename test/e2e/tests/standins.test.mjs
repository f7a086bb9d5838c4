// With the Python and Jupyter extensions present — as stand-ins as unkind as the real ones
// (standins/): the Python extension announces the same interpreter right after activation and
// again while the language server starts, and the Jupyter extension asks for kernel access with
// a modal on the first executeCode. The server still starts (once), a save reloads the kernel
// once, Problems shows the stale warning for g, and no error notification appears.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { saveEvidence, withEvidence } from '../lib/failures.mjs';
import { startSession } from '../lib/session.mjs';
import { waitUntil } from '../lib/wait.mjs';
import {
  hotReloadKernelRow,
  hotReloadRows,
  hotswapStatusItem,
  openFile,
  problemRows,
  replaceEditorText,
  runCommand,
  saveActiveEditor,
  showProblems,
} from '../lib/workbench.mjs';

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['from greeter import Greeter\n', "g = Greeter('Ada')"] }],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
});

/** What the stand-ins recorded (one JSON object per line). */
function standinEvents(session) {
  if (!existsSync(session.standinLog)) return [];
  return readFileSync(session.standinLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Language server processes of this session's extension (its launcher lives in the private extensions folder). */
function serverProcesses(session) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(path.join('/proc', name, 'cmdline'), 'utf8');
      if (cmdline.includes(session.extensionsDir) && cmdline.includes('launch_server.py')) found.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Number of reloads of `module` the kernel service remembers (status.recent). */
async function reloadCount(kernel, module) {
  const status = await kernel.hotswap('status');
  return status.recent.filter((entry) => entry.module === module && entry.status === 'reloaded').length;
}

/** Clicks "Allow" on the Jupyter extension's kernel-access modal if it shows within `timeoutMs`. */
async function allowKernelAccess(page, timeoutMs) {
  const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'grant Kernel access' });
  try {
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    return false;
  }
  await dialog.getByRole('button', { name: 'Allow' }).click();
  await dialog.waitFor({ state: 'detached' });
  return true;
}

/** Error notifications the user got (the notification center keeps every one not dismissed). */
async function errorNotifications(page) {
  await runCommand(page, 'Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible' });
  const rows = await center.locator('.monaco-list-row').evaluateAll((elements) =>
    elements.map((row) => ({ label: row.getAttribute('aria-label') ?? '', error: !!row.querySelector('.codicon-error') })),
  );
  await page.keyboard.press('Escape');
  return rows.filter((row) => row.error).map((row) => row.label);
}

describe('Hotswap beside (stand-ins of) the Python and Jupyter extensions', () => {
  /** @type {Awaited<ReturnType<typeof startSession>>} */
  let session;

  before(async () => {
    session = await startSession({ name: 'standins', trust: true, standins: true, files: { 'analysis.ipynb': NOTEBOOK } });
    try {
      await hotswapStatusItem(session.page).waitFor({ state: 'visible', timeout: 90_000 });
    } catch (error) {
      await saveEvidence(session, 'standins-setup');
      throw error;
    }
  });

  after(async () => {
    await session?.stop();
  });

  it('the language server starts, once, although the same interpreter is announced after activation and during its start', withEvidence(() => session, async () => {
    // The server is up: it found the kernel in the registry and the view lists it.
    await (await hotReloadKernelRow(session.page, session.kernel.pid)).waitFor({ state: 'visible', timeout: 90_000 });
    const events = await waitUntil(
      async () => standinEvents(session),
      (found) =>
        found.some((e) => e.event === 'same-path' && e.why === 'after activation') &&
        found.some((e) => e.event === 'same-path' && /^language server \d+ starting$/.test(e.why)),
      { what: 'the Python stand-in to announce the same interpreter after activation and during the server start' },
    );
    const during = events.find((e) => e.event === 'same-path' && /starting$/.test(e.why));
    assert.ok(during, 'an announcement while the server started');
    // Exactly one server process, the one that was starting when the announcement came.
    const running = serverProcesses(session);
    assert.deepEqual(running, [Number(/(\d+)/.exec(during.why)[1])]);
  }));

  it('after Allow on the kernel-access modal, a save reloads the kernel once and Problems warns about g; no error notification', withEvidence(() => session, async () => {
    const { kernel, workspace, page } = session;
    // A notebook the Jupyter stand-in serves from the same kernel the registry announces.
    await runCommand(page, 'View: Close All Editors');
    await openNotebook(page, 'analysis.ipynb');
    await allowKernelAccess(page, 15_000);

    const file = path.join(workspace, 'greeter.py');
    const edited = readFileSync(file, 'utf8').replace('        self.name = name\n', '        self.name = name\n        self.punctuation = "!"\n');
    const line = edited.split('\n').findIndex((l) => l.includes('self.punctuation')) + 1;
    await openFile(page, 'greeter.py');
    await replaceEditorText(page, edited);
    await saveActiveEditor(page);
    await allowKernelAccess(page, 5_000);

    await waitUntil(() => kernel.eval("hasattr(Greeter('x'), 'punctuation')"), (v) => v === 'True', { what: 'the save to reach the kernel' });
    await showProblems(page);
    await waitUntil(
      () => problemRows(page),
      (rows) => rows.some((row) => row.severity === 'warning' && /\bg\b/.test(row.text) && row.text.includes(`[Ln ${line},`)),
      { what: `a warning naming g at line ${line} of greeter.py` },
    );
    assert.ok(
      standinEvents(session).some((e) => e.event === 'consent' && e.choice === 'Allow'),
      'the Jupyter stand-in asked for kernel access and the user allowed it',
    );
    // One kernel reached two ways (registry and Jupyter API) is reloaded once per save, is one
    // entry in the Hot Reload view, and is called by the name the user knows it by.
    assert.equal(await reloadCount(kernel, 'greeter'), 1);
    await waitUntil(
      () => problemRows(page),
      (rows) => rows.some((row) => row.text.includes('recreate g in analysis.ipynb')),
      { what: 'the warning to say where g lives: "recreate g in analysis.ipynb"' },
    );
    const rows = await waitUntil(
      () => hotReloadRows(page),
      (found) => found.filter((row) => row.includes('analysis.ipynb')).length === 1 && !found.some((row) => /\(pid \d+\)/.test(row)),
      { what: 'one Hot Reload entry for the kernel, named analysis.ipynb' },
    );
    assert.equal(rows.filter((row) => !/Language server/.test(row)).length, 1, `Hot Reload rows: ${JSON.stringify(rows)}`);
    assert.deepEqual(await errorNotifications(page), []);
    assert.equal(serverProcesses(session).length, 1);
  }));
});

/** Opens a notebook with Quick Open and waits for its editor. */
async function openNotebook(page, fileName) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible' });
  await box.fill(fileName);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused').filter({ hasText: fileName }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[data-resource-name="${fileName}"]`).waitFor({ state: 'visible' });
  await page.locator('.code-cell-row').first().waitFor({ state: 'visible' });
}
