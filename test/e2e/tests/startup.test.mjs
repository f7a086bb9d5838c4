// The start-up race in a real VS Code: the user opens the folder and saves at once, before the
// language server has found their kernel. The save must not be lost: once the kernel is
// attached it gets the reload, and the stale object shows in Problems.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withEvidence } from '../lib/failures.mjs';
import { startSession } from '../lib/session.mjs';
import { waitUntil } from '../lib/wait.mjs';
import { openFile, problemRows, replaceEditorText, saveActiveEditor, showProblems } from '../lib/workbench.mjs';

describe('Hotswap right after the folder opens', () => {
  /** @type {Awaited<ReturnType<typeof startSession>>} */
  let session;

  before(async () => {
    session = await startSession({ name: 'startup', trust: true });
  });

  after(async () => {
    await session?.stop();
  });

  it('a save made as soon as the workbench shows is applied once the kernel is attached', withEvidence(() => session, async () => {
    const { kernel, workspace, page } = session;
    const opened = Date.now();
    const file = path.join(workspace, 'greeter.py');
    const edited = readFileSync(file, 'utf8').replace('        self.name = name\n', '        self.name = name\n        self.punctuation = "!"\n');
    // No waiting for the status bar or the Hot Reload view: straight to the file, as fast as a user.
    await openFile(page, 'greeter.py');
    await replaceEditorText(page, edited);
    await saveActiveEditor(page);
    const savedAfter = Date.now() - opened;
    assert.equal(readFileSync(file, 'utf8'), edited);

    await waitUntil(() => kernel.eval("hasattr(Greeter('x'), 'punctuation')"), (value) => value === 'True', {
      timeout: 90_000,
      what: `the kernel to run the saved code (saved ${savedAfter} ms after the workbench showed)`,
    });
    await showProblems(page);
    const line = edited.split('\n').findIndex((text) => text.includes('self.punctuation')) + 1;
    await waitUntil(
      () => problemRows(page),
      (found) => found.some((row) => row.severity === 'warning' && /\bg\b/.test(row.text) && row.text.includes(`[Ln ${line},`)),
      { timeout: 90_000, what: `a warning naming g at line ${line} of greeter.py` },
    );
    const status = await kernel.hotswap('status');
    assert.equal(status.recent.filter((entry) => entry.module === 'greeter' && entry.status === 'reloaded').length, 1, 'reloaded once');
  }));
});
