// `make demo` as a newcomer meets it: the script prints an address and a connection file, the
// folder asks for trust, Hotswap finds the kernel, a save reloads; Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withEvidence } from '../lib/failures.mjs';
import { REPO_DIR } from '../lib/paths.mjs';
import { startOwned, waitForOutput } from '../lib/processes.mjs';
import { waitUntil } from '../lib/wait.mjs';
import {
  hotReloadKernelRow,
  hotswapStatusLabel,
  launchBrowser,
  openFile,
} from '../lib/workbench.mjs';

/** Command lines of running processes that mention `text` (our temporary folder). */
function processesMentioning(text) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (line.includes(text)) found.push(line);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

describe('make demo', () => {
  /** @type {import('../lib/processes.mjs').Owned} */
  let demo;
  /** @type {import('playwright-core').Browser} */
  let browser;
  const session = { page: undefined, userDataDir: undefined };
  let demoRoot = '';

  before(async () => {
    demo = startOwned('demo', 'bash', [path.join(REPO_DIR, 'examples', 'demo', 'run.sh')], {
      cwd: REPO_DIR,
      env: { ...process.env, HOTSWAP_DEMO_PORT: '0' },
    });
    await waitForOutput(demo, /Ctrl-C here stops/, 120_000);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await demo?.stop();
  });

  it('prints an address on 127.0.0.1 where the demo folder asks for trust and then reloads on save', withEvidence(() => session, async () => {
    const [, address, workspace] = demo.output().match(/Open\s+(http:\/\/127\.0\.0\.1:\d+)\/\?folder=(\S+)/) ?? [];
    const [, connectionFile] = demo.output().match(/jupyter console --existing (\S+)/) ?? [];
    assert.ok(address && workspace && connectionFile, `demo output lacks the address or connection file:\n${demo.output()}`);
    demoRoot = path.dirname(workspace);
    session.userDataDir = path.join(demoRoot, 'user-data');
    assert.equal(statSync(connectionFile).mode & 0o777, 0o600, 'the kernel key file is private');
    for (const name of ['math_utils.py', 'greeter.py', 'README.md']) {
      assert.ok(existsSync(path.join(workspace, name)), `${name} is in the demo workspace`);
    }

    const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
    session.page = page;
    page.setDefaultTimeout(30_000);
    await page.goto(`${address}/?folder=${encodeURIComponent(workspace)}`);
    await page.getByRole('button', { name: /Yes, I trust/ }).click({ timeout: 90_000 });
    await (await hotReloadKernelRow(page, String.raw`\d+`)).waitFor({ timeout: 90_000 }); // "kernel (pid 4242)"

    // The edit a newcomer makes, with VS Code's own editor settings (auto-indent, and auto save,
    // which VS Code in the browser turns on by default): go to the line, change one character.
    const file = path.join(workspace, 'math_utils.py');
    const line = readFileSync(file, 'utf8').split('\n').findIndex((text) => text.includes('return value * 2')) + 1;
    await openFile(page, 'math_utils.py');
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.type('3');
    await page.keyboard.press('Control+S');
    await waitUntil(async () => readFileSync(file, 'utf8'), (text) => text.includes('return value * 3\n'), {
      what: 'the edit to be saved',
    });
    await waitUntil(() => hotswapStatusLabel(page), (label) => /reloaded math_utils/.test(label), {
      what: 'the status bar to report the reload of math_utils',
    });
  }));

  it('Ctrl-C stops the kernel and VS Code and removes the demo folder', withEvidence(() => session, async () => {
    assert.ok(demoRoot, 'the first test found the demo folder');
    await browser.close();
    session.page = undefined;
    process.kill(-demo.proc.pid, 'SIGINT');
    await waitForOutput(demo, /stopping/, 30_000);
    await demo.exited;
    await waitUntil(async () => processesMentioning(demoRoot), (left) => left.length === 0, {
      timeout: 15_000,
      what: `no process left running from ${demoRoot}`,
    });
    assert.equal(existsSync(demoRoot), false, 'the demo folder is removed');
  }));
});
