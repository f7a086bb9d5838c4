import { describe, expect, it } from 'vitest';
import { chooseInterpreter, installCommand, interpreterProblem, probeInterpreter } from '../../../extension/src/client/interpreter';
import { testPython } from '../fakes/paths';

describe('interpreter choice', () => {
    it('prefers the Python extension, then the setting, then python3', async () => {
        const ext = { activeExecutable: async () => '/envs/a/bin/python' };
        const none = { activeExecutable: async () => undefined };
        expect(await chooseInterpreter(ext, '/opt/py')).toEqual({ path: '/envs/a/bin/python', source: 'python-extension' });
        expect(await chooseInterpreter(none, '/opt/py')).toEqual({ path: '/opt/py', source: 'setting' });
        expect(await chooseInterpreter(undefined, '')).toEqual({ path: 'python3', source: 'default' });
    });

    it('finds jupyter_client in the dev interpreter', async () => {
        const probe = await probeInterpreter(testPython());
        expect(probe).toMatchObject({ runs: true, jupyterClient: true, supported: true });
        expect(interpreterProblem(testPython(), probe)).toBeUndefined();
    });

    it('explains an interpreter that does not exist, with where to change it', async () => {
        const probe = await probeInterpreter('/nonexistent/python3');
        expect(probe.runs).toBe(false);
        expect(interpreterProblem('/nonexistent/python3', probe)).toMatch(/could not run.*hotswap.pythonPath/);
    });

    it('gives the install command for a missing jupyter_client', () => {
        const message = interpreterProblem('/my envs/py', { runs: true, jupyterClient: false, supported: true, version: '3.11.7', detail: '' });
        expect(message).toContain('jupyter_client is not installed');
        expect(message).toContain('"/my envs/py" -m pip install jupyter_client');
        expect(installCommand('/usr/bin/python3')).toBe('/usr/bin/python3 -m pip install jupyter_client');
    });
});
