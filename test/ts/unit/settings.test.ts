import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, serverSettings } from '../../../extension/src/client/settings';

describe('settings', () => {
    it('uses the documented defaults when nothing is set', () => {
        const { settings, problems } = readSettings(() => undefined);
        expect(settings).toEqual(DEFAULT_SETTINGS);
        expect(problems).toEqual([]);
    });

    it('explains a wrong value and keeps the default instead', () => {
        const values: Record<string, unknown> = { reloadOnSave: 'yes', staleSeverity: 'loud', include: 'src/**', pythonPath: ' /usr/bin/python3 ' };
        const { settings, problems } = readSettings((k) => values[k]);
        expect(settings.reloadOnSave).toBe(true);
        expect(settings.staleSeverity).toBe('warning');
        expect(settings.include).toEqual(['**/*.py']);
        expect(settings.pythonPath).toBe('/usr/bin/python3');
        expect(problems.join('\n')).toMatch(/hotswap.reloadOnSave must be true or false/);
        expect(problems.join('\n')).toMatch(/hotswap.staleSeverity must be one of error, warning, information, hint/);
        expect(problems.join('\n')).toMatch(/hotswap.include must be a list/);
    });

    it('checks the reload timeout', () => {
        expect(readSettings((k) => (k === 'reloadTimeout' ? 2.5 : undefined)).settings.reloadTimeout).toBe(2.5);
        const { settings, problems } = readSettings((k) => (k === 'reloadTimeout' ? -1 : undefined));
        expect(settings.reloadTimeout).toBe(10);
        expect(problems.join('\n')).toMatch(/hotswap.reloadTimeout must be a number of seconds/);
    });

    it('sends the server every setting but the interpreter', () => {
        const { settings } = readSettings((k) => ({ reloadDependents: true, exclude: ['**/migrations/**'] })[k as string]);
        const sent = serverSettings(settings);
        expect(sent).toEqual({
            reloadOnSave: true,
            include: ['**/*.py'],
            exclude: ['**/migrations/**'],
            staleSeverity: 'warning',
            preserveModuleState: true,
            reloadDependents: true,
            reloadTimeout: 10,
        });
        expect('pythonPath' in sent).toBe(false);
    });

    it('treats an empty include list as the default, so saving never silently stops reloading', () => {
        const { settings } = readSettings((k) => (k === 'include' ? [] : undefined));
        expect(settings.include).toEqual(['**/*.py']);
        expect(settings.exclude).toEqual(['**/site-packages/**', '**/.venv/**', '**/.git/**']);
    });
});
