// Child processes the tests own: each in its own process group so that stopping it also stops
// what it started (code-server's extension host and the language server, the kernel), and each
// recorded in a pid file so run.sh can clean up even if a test process dies hard.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** @typedef {{ proc: import('node:child_process').ChildProcess, name: string, output: () => string, exited: Promise<unknown>, stop: () => Promise<void> }} Owned */

const LOG_LIMIT = 200_000;

/**
 * Start a command in a new process group and keep its recent output for error messages.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Owned}
 */
export function startOwned(name, command, args, options = {}) {
  const proc = spawn(command, args, { ...options, detached: true, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-LOG_LIMIT);
    if (process.env.HOTSWAP_E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  if (proc.pid !== undefined && process.env.HOTSWAP_E2E_PIDFILE) {
    appendFileSync(process.env.HOTSWAP_E2E_PIDFILE, `${proc.pid}\n`);
  }
  const exited = new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(undefined);
    else proc.once('exit', () => resolve(undefined));
  });
  return {
    proc,
    name,
    output: () => log,
    exited,
    stop: async () => {
      await stopGroup(proc, exited);
    },
  };
}

/** SIGTERM the whole group, give it a few seconds, then SIGKILL what is left. */
async function stopGroup(proc, exited) {
  if (proc.pid === undefined) return;
  const signalGroup = (signal) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      // group already gone
    }
  };
  signalGroup('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  // Children may outlive the leader: once it has gone (or the grace time is over) nothing in
  // the group is wanted any more.
  signalGroup('SIGKILL');
}

/** Record a process group started by someone else (the kernel) for run.sh's safety net. */
export function recordGroup(pid) {
  if (process.env.HOTSWAP_E2E_PIDFILE) appendFileSync(process.env.HOTSWAP_E2E_PIDFILE, `${pid}\n`);
}

/**
 * Resolve with the first match of `pattern` in the process output; reject on exit or timeout.
 * @param {Owned} owned
 * @param {RegExp} pattern
 * @param {number} timeoutMs
 */
export function waitForOutput(owned, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = owned.output().match(pattern);
      if (match) {
        cleanup();
        resolve(match);
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`${owned.name} exited (${code ?? signal}) before printing ${pattern}:\n${owned.output().slice(-4000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${owned.name} did not print ${pattern} within ${timeoutMs} ms:\n${owned.output().slice(-4000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      owned.proc.stdout?.off('data', check);
      owned.proc.stderr?.off('data', check);
      owned.proc.off('exit', onExit);
    };
    owned.proc.stdout?.on('data', check);
    owned.proc.stderr?.on('data', check);
    owned.proc.once('exit', onExit);
    check();
  });
}
