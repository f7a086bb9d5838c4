// The product in a real VS Code: saves in the editor reach a running kernel, stale objects and
// syntax errors show in Problems, "Hotswap: Reload Module" works from the command palette, and a
// reload that loops is shown as still running and can be interrupted.
// One code-server and one kernel serve all these tests, in order (each builds on the last).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { saveEvidence, withEvidence } from '../lib/failures.mjs';
import { DOCS_IMAGES_DIR, resultsDir } from '../lib/paths.mjs';
import { startSession } from '../lib/session.mjs';
import { waitUntil } from '../lib/wait.mjs';
import {
  activeEditorLines,
  hotReloadKernelRow,
  hotswapStatusItem,
  hotswapStatusLabel,
  openFile,
  pickQuickPickItem,
  problemRows,
  replaceEditorText,
  runCommand,
  saveActiveEditor,
  screenshot,
  showProblems,
} from '../lib/workbench.mjs';

/** 1-based line of the first line containing `needle`, as the Problems panel prints it. */
function lineOf(text, needle) {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, `${needle} not in text`);
  return index + 1;
}

/** Number of reloads of `module` the kernel service remembers (status.recent). */
async function reloadCount(kernel, module) {
  const status = await kernel.hotswap('status');
  return status.recent.filter((entry) => entry.module === module && entry.status === 'reloaded').length;
}

/** Number of reload requests for `module` the kernel answered, changed or not. */
async function requestCount(kernel, module) {
  const status = await kernel.hotswap('status');
  return status.recent.filter((entry) => entry.module === module).length;
}

describe('Hotswap in VS Code (trusted workspace)', () => {
  /** @type {Awaited<ReturnType<typeof startSession>>} */
  let session;

  before(async () => {
    session = await startSession({ name: 'editor', trust: true });
    try {
      // The language server finds the kernel through the registry; the Hot Reload view lists it.
      await hotswapStatusItem(session.page).waitFor({ state: 'visible', timeout: 90_000 });
      await (await hotReloadKernelRow(session.page, session.kernel.pid)).waitFor({ state: 'visible', timeout: 90_000 });
    } catch (error) {
      await saveEvidence(session, 'editor-setup');
      throw error;
    }
  });

  after(async () => {
    await session?.stop();
  });

  it('saving scale in the editor updates the function behind an existing `from math_utils import scale`', withEvidence(() => session, async () => {
    const { kernel, workspace } = session;
    assert.equal((await kernel.execute('scale(2)')).result, '4');
    const file = path.join(workspace, 'math_utils.py');
    const edited = readFileSync(file, 'utf8').replace('return value * 2', 'return value * 3');

    await openFile(session.page, 'math_utils.py');
    await replaceEditorText(session.page, edited);
    await saveActiveEditor(session.page);
    assert.equal(readFileSync(file, 'utf8'), edited);

    // Checked silently (no cell runs, so no kernel-side hook could have done the work).
    await waitUntil(() => kernel.eval('scale(2)'), (value) => value === '6', { what: 'scale(2) == 6 in the kernel' });
    assert.equal(await reloadCount(kernel, 'math_utils'), 1);
    // And as the user calls it, through the name imported before the edit.
    assert.equal((await kernel.execute('scale(2)')).result, '6');
    await waitUntil(() => hotswapStatusLabel(session.page), (label) => /reloaded math_utils/.test(label), {
      what: 'the status bar to report the reload of math_utils',
    });
  }));

  it('adding an attribute in __init__ while g exists warns about g in Problems until g is recreated', withEvidence(() => session, async () => {
    const { kernel, workspace } = session;
    const file = path.join(workspace, 'greeter.py');
    const edited = readFileSync(file, 'utf8').replace(
      '        self.name = name\n',
      '        self.name = name\n        self.punctuation = "!"\n',
    );
    const line = lineOf(edited, 'self.punctuation');

    await openFile(session.page, 'greeter.py');
    await replaceEditorText(session.page, edited);
    await saveActiveEditor(session.page);

    await showProblems(session.page);
    const rows = await waitUntil(
      () => problemRows(session.page),
      (found) => found.some((row) => row.severity === 'warning' && /\bg\b/.test(row.text) && row.text.includes(`[Ln ${line},`)),
      { what: `a warning naming g at line ${line} of greeter.py` },
    );
    assert.ok(rows.some((row) => /problems? in file greeter\.py/.test(row.label)), 'the warning is filed under greeter.py');
    assert.equal(await kernel.eval("hasattr(Greeter('x'), 'punctuation')"), 'True');

    const picture = await screenshot(session.page, resultsDir(), 'problems-stale-warning');
    if (process.env.UPDATE_SCREENSHOTS || !existsSync(path.join(DOCS_IMAGES_DIR, 'problems-stale-warning.png'))) {
      mkdirSync(DOCS_IMAGES_DIR, { recursive: true });
      copyFileSync(picture, path.join(DOCS_IMAGES_DIR, 'problems-stale-warning.png'));
    }

    // Recreating g is ordinary kernel activity; the server re-checks and the warning goes.
    assert.ok((await kernel.execute("g = Greeter('Ada')")).ok);
    await waitUntil(
      () => problemRows(session.page),
      (found) => !found.some((row) => row.severity === 'warning' && /\bg\b/.test(row.text)),
      { what: 'the warning about g to go once g is recreated' },
    );
    assert.equal(await kernel.eval('g.punctuation'), "'!'");
  }));

  it('a change made outside the editor reloads by itself, once; "Hotswap: Reload Module" asks again', withEvidence(() => session, async () => {
    const { kernel, workspace } = session;
    const file = path.join(workspace, 'math_utils.py');
    const before = await reloadCount(kernel, 'math_utils');
    // A change made outside the editor (a git pull, another tool): no save involved.
    writeFileSync(file, readFileSync(file, 'utf8').replace('return value * 3', 'return value * 4'));
    await waitUntil(() => kernel.eval('scale(2)'), (value) => value === '8', { what: 'scale(2) == 8 after the change on disk' });
    assert.equal(await reloadCount(kernel, 'math_utils'), before + 1);
    await openFile(session.page, 'math_utils.py');
    await activeEditorLines(session.page).filter({ hasText: 'value * 4' }).waitFor();
    assert.equal(await reloadCount(kernel, 'math_utils'), before + 1); // VS Code reloading the editor sent nothing more

    const asked = await requestCount(kernel, 'math_utils');
    await runCommand(session.page, 'Hotswap: Reload Module');
    await pickQuickPickItem(session.page, 'math_utils');
    await waitUntil(() => requestCount(kernel, 'math_utils'), (count) => count === asked + 1, { what: 'Reload Module reached the kernel' });
    assert.equal(await kernel.eval('scale(2)'), '8');
  }));

  it('saving a syntax error shows it in Problems at its line and keeps the old code running; fixing it clears it', withEvidence(() => session, async () => {
    const { kernel, workspace } = session;
    const file = path.join(workspace, 'math_utils.py');
    const good = readFileSync(file, 'utf8');
    const broken = good.replace('return value * 4', 'return value *');
    const line = lineOf(broken, 'return value *');

    await openFile(session.page, 'math_utils.py');
    await replaceEditorText(session.page, broken);
    await saveActiveEditor(session.page);

    await showProblems(session.page);
    await waitUntil(
      () => problemRows(session.page),
      (found) => found.some((row) => row.severity === 'error' && row.text.includes(`[Ln ${line},`)),
      { what: `a syntax error at line ${line} of math_utils.py in Problems` },
    );
    assert.equal((await kernel.execute('scale(2)')).result, '8', 'the old code still runs');

    const fixed = good.replace('return value * 4', 'return value * 5');
    await replaceEditorText(session.page, fixed);
    await saveActiveEditor(session.page);
    await waitUntil(() => kernel.eval('scale(2)'), (value) => value === '10', { what: 'scale(2) == 10 after the fix' });
    await waitUntil(
      () => problemRows(session.page),
      (found) => !found.some((row) => row.severity === 'error'),
      { what: 'the syntax error to leave Problems' },
    );
  }));

  it('a save whose top-level code loops is shown as still running at its line; Interrupt puts the module back', withEvidence(() => session, async () => {
    const { kernel, workspace, page } = session;
    writeFileSync(path.join(workspace, 'loopy.py'), 'X = 1\n');
    await kernel.execute('import loopy');
    await openFile(page, 'loopy.py');
    await replaceEditorText(page, 'import time\nX = 2\nwhile True:\n    time.sleep(0.01)\n');
    await saveActiveEditor(page);

    // after hotswap.reloadTimeout (10 s by default) a notification offers Interrupt
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'still running' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await toast.innerText(), /still running \S*loopy\.py:4 in /);
    await toast.getByRole('button', { name: 'Interrupt' }).click();

    await showProblems(page);
    await waitUntil(
      () => problemRows(page),
      (found) => found.some((row) => row.severity === 'error' && row.text.includes('Interrupted while running line 4') && row.text.includes('[Ln 4,')),
      { what: 'the interrupted line in Problems' },
    );
    assert.equal(await kernel.eval('loopy.X'), '1', 'the module is as it was before the save');
  }));
});
