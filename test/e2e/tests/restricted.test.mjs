// Safe by default: in a workspace VS Code has not been told to trust (Restricted Mode), saving a
// file sends nothing to the kernels, even one that announced itself with %load_ext hotswap.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withEvidence } from '../lib/failures.mjs';
import { startSession } from '../lib/session.mjs';
import { holdsFor, waitUntil } from '../lib/wait.mjs';
import {
  hotReloadKernelRow,
  hotswapStatusItem,
  openFile,
  replaceEditorText,
  restrictedModeIndicator,
  runCommand,
  saveActiveEditor,
} from '../lib/workbench.mjs';

/** Longer than a save-to-reload round trip takes in the trusted tests (well under 2 s). */
const OBSERVATION_MS = 8_000;

/** Command lines of the processes in a process group (the code-server and what it started). */
function groupCommandLines(pgid) {
  const lines = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the ")" closing the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) {
        lines.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return lines;
}

describe('Hotswap in VS Code (Restricted Mode)', () => {
  /** @type {Awaited<ReturnType<typeof startSession>>} */
  let session;

  before(async () => {
    session = await startSession({ name: 'restricted', trust: false });
  });

  after(async () => {
    await session?.stop();
  });

  it('a save in an untrusted workspace sends nothing to the kernel', withEvidence(() => session, async () => {
    const { kernel, workspace, page: workbench } = session;
    await restrictedModeIndicator(workbench).waitFor({ state: 'visible' });
    assert.equal((await kernel.execute('scale(2)')).result, '4');

    const file = path.join(workspace, 'math_utils.py');
    const edited = readFileSync(file, 'utf8').replace('return value * 2', 'return value * 3');
    await openFile(workbench, 'math_utils.py');
    await replaceEditorText(workbench, edited);
    await saveActiveEditor(workbench);
    assert.equal(readFileSync(file, 'utf8'), edited, 'the save itself works');

    // Observed silently: a cell run here could trigger the kernel's own hooks, which are not
    // what this test is about.
    await holdsFor(
      async () => ({
        scale: await kernel.eval('scale(2)'),
        recent: (await kernel.hotswap('status')).recent.length,
      }),
      (seen) => seen.scale === '4' && seen.recent === 0,
      { duration: OBSERVATION_MS, what: 'the kernel to keep the old scale and see no reload' },
    );
    assert.equal(await hotswapStatusItem(workbench).count(), 0, 'no Hotswap status bar item in Restricted Mode');
    const pgid = session.codeServer.owned.proc.pid;
    assert.deepEqual(
      groupCommandLines(pgid).filter((line) => /hotswap\.lsp|launch_server\.py/.test(line)),
      [],
      'the language server was not started',
    );
  }));

  it('once the folder is trusted, the same setup reloads on save (the silence above was Restricted Mode)', withEvidence(() => session, async () => {
    const { kernel, workspace, page: workbench } = session;
    await runCommand(workbench, 'Workspaces: Manage Workspace Trust');
    await workbench.locator('.workspace-trust-editor').getByRole('button', { name: 'Trust', exact: true }).first().click();
    await restrictedModeIndicator(workbench).waitFor({ state: 'detached' });
    await (await hotReloadKernelRow(workbench, kernel.pid)).waitFor({ state: 'visible', timeout: 90_000 });

    const file = path.join(workspace, 'math_utils.py');
    await openFile(workbench, 'math_utils.py');
    await replaceEditorText(workbench, readFileSync(file, 'utf8').replace('return value * 3', 'return value * 5'));
    await saveActiveEditor(workbench);
    await waitUntil(() => kernel.eval('scale(2)'), (value) => value === '10', { what: 'scale(2) == 10 after trusting the folder' });
  }));
});
