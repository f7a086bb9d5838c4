/**
 * The language server lifecycle against the unkind doubles: the Python extension that announces
 * the same environment after activation and during a start, and a language client whose stop
 * throws while it is starting. What a user would notice: the server starts and stays up, no
 * second server runs, a failure is told once with Retry, the status bar never says "ready"
 * while the server is down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { activeEnvironment, ProbeResult } from '../../../extension/src/client/interpreter';
import { RETRY_ACTION, ServerState, ServerSupervisor } from '../../../extension/src/client/serverSupervisor';
import { DEFAULT_SETTINGS, HotswapSettings } from '../../../extension/src/client/settings';
import { MemoryLogger } from '../../../extension/src/common/log';
import { waitFor } from '../../../extension/src/common/wait';
import { StatusBar, StatusItem } from '../../../extension/src/ui/statusBar';
import { UnkindPythonExtension } from '../fakes/unkindPythonExtension';
import { UnkindServerProcess } from '../fakes/unkindServer';

const GOOD: ProbeResult = { runs: true, jupyterClient: true, supported: true, version: '3.11.7', detail: '' };

function statusItem(): StatusItem {
    return { text: '', tooltip: undefined, command: undefined, accessibilityInformation: undefined, show: () => undefined };
}

let python: UnkindPythonExtension | undefined;
afterEach(() => python?.dispose());

/** The extension's wiring, with the doubles in place of the editor. */
async function harness(opts: { path?: string; answers?: (string | undefined)[] } = {}) {
    python = new UnkindPythonExtension(opts.path ?? '/envs/ds/bin/python');
    const api = await python.api(); // activation: the same-path echo is already on its way
    const server = new UnkindServerProcess();
    const errors: { message: string; actions: string[] }[] = [];
    const answers = [...(opts.answers ?? [])];
    const states: ServerState[] = [];
    const item = statusItem();
    const status = new StatusBar(item);
    const settings: HotswapSettings = { ...DEFAULT_SETTINGS };
    const log = new MemoryLogger();
    const supervisor = new ServerSupervisor({
        pythonExtension: activeEnvironment(api.environments, () => undefined),
        settings: () => settings,
        probe: async () => GOOD,
        server,
        log,
        warn: async () => undefined,
        error: async (message, ...actions) => {
            errors.push({ message, actions });
            return answers.shift();
        },
        showLog: () => undefined,
        installJupyterClient: async () => undefined,
        stateChanged: (state) => {
            states.push(state);
            status.server(state);
        },
    });
    api.environments.onDidChangeActiveEnvironmentPath(() => void supervisor.ensure('Python interpreter changed'));
    return { python, server, supervisor, errors, states, item, log };
}

describe('language server lifecycle with the Python extension’s echoes', () => {
    it('keeps the server running when the same interpreter is announced right after activation', async () => {
        const h = await harness();
        await h.supervisor.ensure('Starting');
        await waitFor(() => h.python.announced.length >= 1, { timeoutMs: 5000, what: 'the same-path announcement' });
        await h.supervisor.settled();
        expect(h.python.announced).toEqual(['/envs/ds/bin/python']);
        expect(h.server.starts.map((s) => s.python)).toEqual(['/envs/ds/bin/python']);
        expect(h.server.state).toBe('running');
        expect(h.supervisor.state).toEqual({ kind: 'running', python: '/envs/ds/bin/python' });
        expect(h.errors).toEqual([]);
    });

    it('never stops a starting server when the same interpreter is announced during the start', async () => {
        const h = await harness();
        h.server.holdStarts();
        h.server.onStarting = () => h.python.announceSame();
        const starting = h.supervisor.ensure('Starting');
        await h.server.whenStarted(1);
        h.server.releaseStarts();
        await starting;
        await h.supervisor.settled();
        expect(h.server.stopsWhileStarting).toBe(0);
        expect(h.server.starts).toHaveLength(1);
        expect(h.server.state).toBe('running');
        expect(h.item.text).not.toMatch(/server down|loading/);
        expect(h.errors).toEqual([]);
    });

    it('switches interpreter after the running start finished, never with two servers alive', async () => {
        const h = await harness({ path: '/envs/a/bin/python' });
        h.server.holdStarts();
        h.server.onStarting = () => {
            h.server.onStarting = undefined;
            h.python.select('/envs/b/bin/python');
        };
        const starting = h.supervisor.ensure('Starting');
        await h.server.whenStarted(1);
        h.server.releaseStarts();
        await starting;
        await h.supervisor.settled();
        expect(h.server.starts.map((s) => s.python)).toEqual(['/envs/a/bin/python', '/envs/b/bin/python']);
        expect(h.server.maxAlive).toBe(1);
        expect(h.server.overlaps).toBe(0);
        expect(h.server.stopsWhileStarting).toBe(0);
        expect(h.supervisor.state).toEqual({ kind: 'running', python: '/envs/b/bin/python' });
    });

    it('carries out only the latest of a burst of interpreter changes', async () => {
        const h = await harness({ path: '/envs/0/bin/python' });
        h.server.holdStarts();
        const first = h.supervisor.ensure('Starting');
        await h.server.whenStarted(1);
        for (let i = 1; i <= 5; i++) {
            h.python.select(`/envs/${i}/bin/python`);
        }
        h.server.releaseStarts();
        await first;
        await h.supervisor.settled();
        expect(h.server.starts.map((s) => s.python)).toEqual(['/envs/0/bin/python', '/envs/5/bin/python']);
        expect(h.server.maxAlive).toBe(1);
    });

    it('starts again after an error while stopping', async () => {
        const h = await harness();
        await h.supervisor.ensure('Starting');
        h.server.failNextStop('the server did not answer shutdown');
        await h.supervisor.restart('Restart requested');
        expect(h.server.starts).toHaveLength(2);
        expect(h.server.state).toBe('running');
        expect(h.log.lines.some((l) => l.includes('the server did not answer shutdown'))).toBe(true);
        expect(h.errors).toEqual([]);
    });

    it('tells a failed start once, with the reason and Retry, and Retry starts it', async () => {
        const h = await harness({ answers: [RETRY_ACTION] });
        h.server.failNextStart('spawn /envs/ds/bin/python ENOENT');
        await h.supervisor.ensure('Starting');
        expect(h.errors).toHaveLength(1);
        expect(h.errors[0].message).toContain('spawn /envs/ds/bin/python ENOENT');
        expect(h.errors[0].actions).toContain(RETRY_ACTION);
        await waitFor(() => h.server.state === 'running', { timeoutMs: 5000, what: `the retried start (${h.log.lines.join(' | ')}; starts ${h.server.starts.length}, stops ${h.server.stops})` });
        await h.supervisor.settled();
        expect(h.server.starts.length, h.log.lines.join('\n')).toBe(2);
        expect(h.errors).toHaveLength(1);
        expect(h.supervisor.state.kind).toBe('running');
    });

    it('still tells a failed start when the same interpreter is announced during it', async () => {
        const h = await harness();
        h.server.holdStarts();
        h.server.failNextStart('initialize failed: No module named pygls');
        h.server.onStarting = () => h.python.announceSame();
        const starting = h.supervisor.ensure('Starting');
        await h.server.whenStarted(1);
        h.server.releaseStarts();
        await starting;
        await h.supervisor.settled();
        expect(h.errors).toHaveLength(1);
        expect(h.errors[0].message).toContain('No module named pygls');
        expect(h.supervisor.state.kind).toBe('down');
        expect(h.server.starts).toHaveLength(1); // the echo restarted nothing
    });

    it('shows one message, not a pile, when starts keep failing while it is open', async () => {
        const h = await harness({ answers: [] });
        let answer: (choice: string | undefined) => void = () => undefined;
        // The first message stays open (the user has not clicked yet).
        const supervisorError = new Promise<string | undefined>((resolve) => (answer = resolve));
        (h.supervisor as unknown as { deps: { error: () => Promise<string | undefined> } }).deps.error = () => {
            h.errors.push({ message: 'open', actions: [] });
            return supervisorError;
        };
        h.server.failNextStart('first failure');
        h.server.failNextStart('second failure');
        await h.supervisor.ensure('Starting');
        await h.supervisor.restart('Restart requested');
        expect(h.errors).toHaveLength(1);
        expect(h.log.lines.some((l) => l.includes('second failure'))).toBe(true);
        answer(undefined);
    });

    it('never says "ready" while the server is starting or down', async () => {
        const h = await harness();
        h.server.holdStarts();
        const starting = h.supervisor.ensure('Starting');
        await h.server.whenStarted(1);
        expect(h.item.text).toBe('Hotswap $(loading~spin)');
        expect(String(h.item.tooltip)).not.toMatch(/ready/);
        h.server.failNextStart('initialize failed: ModuleNotFoundError: No module named pygls');
        h.server.releaseStarts();
        await starting;
        expect(h.item.text).toBe('Hotswap $(circle-slash) server down');
        expect(String(h.item.tooltip)).toContain('No module named pygls');
        expect(String(h.item.tooltip)).not.toMatch(/ready/);
        await h.supervisor.restart('Restart requested');
        expect(String(h.item.tooltip)).toMatch(/ready/);
    });

    it('says so once, with Retry, when the running server exits by itself', async () => {
        const h = await harness();
        await h.supervisor.ensure('Starting');
        await h.supervisor.settled();
        h.supervisor.serverExited('its process exited with code 1');
        expect(h.supervisor.state).toMatchObject({ kind: 'down', reason: 'its process exited with code 1' });
        expect(h.item.text).toBe('Hotswap $(circle-slash) server down');
        expect(h.errors).toHaveLength(1);
        expect(h.errors[0].actions).toContain(RETRY_ACTION);
    });

    it('tells a crash that happens while an announcement of the same interpreter is being checked', async () => {
        const h = await harness();
        await h.supervisor.ensure('Starting');
        await h.supervisor.settled();
        h.python.announceSame(); // the supervisor is now resolving the environment again
        h.supervisor.serverExited('its process exited with code -9');
        await h.supervisor.settled();
        expect(h.errors).toHaveLength(1);
        expect(h.supervisor.state).toMatchObject({ kind: 'down', reason: 'its process exited with code -9' });
        expect(h.server.starts).toHaveLength(1); // the echo restarted nothing; Retry is the user's
    });

    it('stops the server on shutdown, and a late echo starts nothing', async () => {
        const h = await harness();
        await h.supervisor.ensure('Starting');
        await h.supervisor.close();
        h.python.announceSame();
        await h.supervisor.settled();
        expect(h.server.alive).toBe(0);
        expect(h.server.starts).toHaveLength(1);
    });
});
