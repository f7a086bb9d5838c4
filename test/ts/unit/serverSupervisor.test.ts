/** Interpreter choice, the one message about a missing jupyter_client, and restarts on change. */
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../extension/src/client/interpreter';
import { MemoryLogger } from '../../../extension/src/common/log';
import { INSTALL_ACTION, ServerSupervisor, SupervisorDeps } from '../../../extension/src/client/serverSupervisor';
import { DEFAULT_SETTINGS, HotswapSettings, ServerSettings } from '../../../extension/src/client/settings';
import { waitFor } from '../../../extension/src/common/wait';

const GOOD: ProbeResult = { runs: true, jupyterClient: true, supported: true, version: '3.11.7', detail: '' };
const NO_JC: ProbeResult = { ...GOOD, jupyterClient: false };

function harness(opts: { active?: string; probes?: Record<string, ProbeResult>; answer?: string } = {}) {
    let settings: HotswapSettings = { ...DEFAULT_SETTINGS };
    let active = opts.active;
    const probes: Record<string, ProbeResult> = { ...(opts.probes ?? {}) };
    const started: { python: string; settings: ServerSettings }[] = [];
    const warnings: { message: string; actions: string[] }[] = [];
    const installs: string[] = [];
    let stops = 0;
    const deps: SupervisorDeps = {
        pythonExtension: opts.active === undefined ? undefined : { activeExecutable: async () => active },
        settings: () => settings,
        probe: async (python) => probes[python] ?? GOOD,
        server: {
            start: async (python, s) => void started.push({ python, settings: s }),
            stop: async () => void stops++,
        },
        log: new MemoryLogger(),
        warn: async (message, ...actions) => {
            warnings.push({ message, actions });
            return opts.answer;
        },
        error: async () => undefined,
        showLog: () => undefined,
        installJupyterClient: async (python) => {
            installs.push(python);
            probes[python] = GOOD; // pip did its job
        },
    };
    const supervisor = new ServerSupervisor(deps);
    return {
        supervisor,
        started,
        warnings,
        installs,
        stops: () => stops,
        setActive: (p: string) => (active = p),
        setSettings: (s: Partial<HotswapSettings>) => {
            const before = settings;
            settings = { ...settings, ...s };
            return supervisor.settingsChanged(before, settings);
        },
    };
}

describe('language server interpreter', () => {
    it('runs the server on the Python extension interpreter even when hotswap.pythonPath is set', async () => {
        const h = harness({ active: '/envs/ds/bin/python' });
        await h.setSettings({ pythonPath: '/opt/other/python' });
        await h.supervisor.restart('Starting');
        expect(h.started.at(-1)?.python).toBe('/envs/ds/bin/python');
        expect(h.supervisor.python).toBe('/envs/ds/bin/python');
    });

    it('passes every setting but the interpreter to the server', async () => {
        const h = harness();
        await h.setSettings({ staleSeverity: 'error', reloadDependents: true, exclude: ['**/migrations/**'] });
        await h.supervisor.restart('Starting');
        expect(h.started.at(-1)?.settings).toMatchObject({ staleSeverity: 'error', reloadDependents: true, exclude: ['**/migrations/**'] });
        expect(h.started.at(-1)?.settings).not.toHaveProperty('pythonPath');
    });

    it('restarts when the Python extension switches interpreter', async () => {
        const h = harness({ active: '/envs/a/bin/python' });
        await h.supervisor.restart('Starting');
        h.setActive('/envs/b/bin/python');
        await h.supervisor.restart('Python interpreter changed');
        expect(h.started.map((s) => s.python)).toEqual(['/envs/a/bin/python', '/envs/b/bin/python']);
    });

    it('restarts when hotswap.pythonPath changes, and not for other settings', async () => {
        const h = harness();
        await h.supervisor.restart('Starting');
        expect(h.started.map((s) => s.python)).toEqual(['python3']);
        expect(h.setSettings({ staleSeverity: 'error' })).toBeUndefined();
        await h.setSettings({ pythonPath: '/opt/py/bin/python3' });
        expect(h.started.map((s) => s.python)).toEqual(['python3', '/opt/py/bin/python3']);
    });

    it('keeps only the latest of two quick changes', async () => {
        const h = harness({ active: '/envs/a/bin/python' });
        const first = h.supervisor.restart('first');
        h.setActive('/envs/b/bin/python');
        await Promise.all([first, h.supervisor.restart('second')]);
        expect(h.started.map((s) => s.python)).toEqual(['/envs/b/bin/python']);
    });
});

describe('missing jupyter_client', () => {
    it('is explained once per interpreter, with the install command and a button', async () => {
        const h = harness({ active: '/envs/a/bin/python', probes: { '/envs/a/bin/python': NO_JC } });
        await h.supervisor.restart('Starting');
        await h.supervisor.restart('Restart requested');
        expect(h.warnings).toHaveLength(1);
        expect(h.warnings[0].message).toContain('jupyter_client is not installed');
        expect(h.warnings[0].message).toContain('/envs/a/bin/python -m pip install jupyter_client');
        expect(h.warnings[0].actions).toEqual([INSTALL_ACTION]);
        expect(h.supervisor.alreadyWarned()).toBe(true); // the server's own message goes to the log only
    });

    it('installs on request and restarts the server with the fixed interpreter', async () => {
        const h = harness({ active: '/envs/a/bin/python', probes: { '/envs/a/bin/python': NO_JC }, answer: INSTALL_ACTION });
        await h.supervisor.restart('Starting');
        await waitFor(() => h.started.length === 2, { timeoutMs: 5000, what: 'restart after install' });
        expect(h.installs).toEqual(['/envs/a/bin/python']);
        expect(h.warnings).toHaveLength(1);
    });

    it('does not start the server on an interpreter that cannot run, and says where to change it', async () => {
        const h = harness({ probes: { python3: { runs: false, jupyterClient: false, supported: false, version: '', detail: 'not found' } } });
        await h.supervisor.restart('Starting');
        expect(h.started).toEqual([]);
        expect(h.stops()).toBe(1);
        expect(h.warnings[0].message).toMatch(/could not run.*Python: Select Interpreter.*hotswap.pythonPath/);
        expect(h.warnings[0].actions).toEqual([]);
    });
});
