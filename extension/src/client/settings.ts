/**
 * The `hotswap.*` settings: read once per change, checked, and turned into the object the
 * language server expects (initializationOptions and didChangeConfiguration, key `hotswap`).
 */

export type StaleSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface HotswapSettings {
    reloadOnSave: boolean;
    pythonPath: string;
    include: string[];
    exclude: string[];
    staleSeverity: StaleSeverity;
    preserveModuleState: boolean;
    reloadDependents: boolean;
    /** Seconds before a reload still running is shown with an Interrupt action. */
    reloadTimeout: number;
}

/** What the language server receives under `hotswap` (docs: Language server contract). */
export type ServerSettings = Omit<HotswapSettings, 'pythonPath'>;

/** The same defaults as the language server (hotswap/lsp/settings.py) and the manifest. */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.py'];
export const DEFAULT_EXCLUDE: readonly string[] = ['**/site-packages/**', '**/.venv/**', '**/.git/**'];

export const DEFAULT_SETTINGS: HotswapSettings = {
    reloadOnSave: true,
    pythonPath: '',
    include: [...DEFAULT_INCLUDE],
    exclude: [...DEFAULT_EXCLUDE],
    staleSeverity: 'warning',
    preserveModuleState: true,
    reloadDependents: false,
    reloadTimeout: 10,
};

const SEVERITIES: readonly StaleSeverity[] = ['error', 'warning', 'information', 'hint'];

/** Reads one setting by its key under `hotswap` (e.g. `reloadOnSave`). */
export type SettingReader = (key: keyof HotswapSettings) => unknown;

/**
 * Reads and checks every setting. A value of the wrong type falls back to the default and
 * is reported in `problems`, so a typo in settings.json is explained instead of ignored.
 */
export function readSettings(read: SettingReader): { settings: HotswapSettings; problems: string[] } {
    const problems: string[] = [];
    const bool = (key: 'reloadOnSave' | 'preserveModuleState' | 'reloadDependents'): boolean => {
        const value = read(key);
        if (value === undefined || value === null) {
            return DEFAULT_SETTINGS[key];
        }
        if (typeof value !== 'boolean') {
            problems.push(`hotswap.${key} must be true or false; using ${String(DEFAULT_SETTINGS[key])}.`);
            return DEFAULT_SETTINGS[key];
        }
        return value;
    };
    const globs = (key: 'include' | 'exclude'): string[] => {
        const value = read(key);
        if (value === undefined || value === null) {
            return [...DEFAULT_SETTINGS[key]];
        }
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
            problems.push(`hotswap.${key} must be a list of glob patterns (strings); using the default.`);
            return [...DEFAULT_SETTINGS[key]];
        }
        const list = value.filter((v: string) => v.trim() !== '');
        // An empty include list would turn every reload off; it means "the default" instead.
        return key === 'include' && list.length === 0 ? [...DEFAULT_INCLUDE] : list;
    };
    const severity = read('staleSeverity');
    let staleSeverity: StaleSeverity = DEFAULT_SETTINGS.staleSeverity;
    if (severity !== undefined && severity !== null) {
        if (typeof severity === 'string' && (SEVERITIES as readonly string[]).includes(severity)) {
            staleSeverity = severity as StaleSeverity;
        } else {
            problems.push(`hotswap.staleSeverity must be one of ${SEVERITIES.join(', ')}; using warning.`);
        }
    }
    const timeout = read('reloadTimeout');
    let reloadTimeout = DEFAULT_SETTINGS.reloadTimeout;
    if (timeout !== undefined && timeout !== null) {
        if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 && timeout <= 3600) {
            reloadTimeout = timeout;
        } else {
            problems.push('hotswap.reloadTimeout must be a number of seconds between 0 and 3600; using 10.');
        }
    }
    const python = read('pythonPath');
    let pythonPath = '';
    if (typeof python === 'string') {
        pythonPath = python.trim();
    } else if (python !== undefined && python !== null) {
        problems.push('hotswap.pythonPath must be a path to a Python executable; ignoring it.');
    }
    return {
        settings: {
            reloadOnSave: bool('reloadOnSave'),
            pythonPath,
            include: globs('include'),
            exclude: globs('exclude'),
            staleSeverity,
            preserveModuleState: bool('preserveModuleState'),
            reloadDependents: bool('reloadDependents'),
            reloadTimeout,
        },
        problems,
    };
}

/** The settings object the language server reads (everything but the interpreter). */
export function serverSettings(settings: HotswapSettings): ServerSettings {
    const { pythonPath: _unused, ...rest } = settings;
    void _unused;
    return rest;
}
