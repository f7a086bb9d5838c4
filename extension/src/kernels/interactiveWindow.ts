/**
 * "Enable in Interactive Window": adds two lines to `jupyter.runStartupCommands` (which the
 * Jupyter extension only honours in user settings): one makes this extension's helper
 * importable without binding a name, the other loads hotswap. Kept current across updates.
 */
import { pyString } from './kernelCode';

export const LOAD_EXT = '%load_ext hotswap';
const PATH_LINE_MARK = '# hotswap helper';

/** The startup line that makes `helperDir` importable (appended: an installed hotswap wins). */
export function pathLine(helperDir: string): string {
    const dir = pyString(helperDir);
    return `None if ${dir} in __import__('sys').path else __import__('sys').path.append(${dir})  ${PATH_LINE_MARK}`;
}

/**
 * The new startup command list: our lines present exactly once, an older helper path
 * replaced, the user's own commands kept in order. Returns undefined when nothing changes.
 */
export function withHotswap(current: readonly unknown[] | undefined, helperDir: string): string[] | undefined {
    const commands = (current ?? []).filter((c): c is string => typeof c === 'string');
    const kept = commands.filter((c) => !c.endsWith(PATH_LINE_MARK) && c.trim() !== LOAD_EXT);
    const next = [...kept, pathLine(helperDir), LOAD_EXT];
    const same = next.length === commands.length && next.every((c, i) => c === commands[i]);
    return same ? undefined : next;
}

/** Only refreshes the helper path of a user who already enabled it (after an extension update). */
export function refreshedPath(current: readonly unknown[] | undefined, helperDir: string): string[] | undefined {
    const commands = (current ?? []).filter((c): c is string => typeof c === 'string');
    const index = commands.findIndex((c) => c.endsWith(PATH_LINE_MARK));
    if (index < 0 || commands[index] === pathLine(helperDir)) {
        return undefined;
    }
    const next = [...commands];
    next[index] = pathLine(helperDir);
    return next;
}
