import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LOAD_EXT, pathLine, refreshedPath, withHotswap } from '../../../extension/src/kernels/interactiveWindow';
import { pyString } from '../../../extension/src/kernels/kernelCode';
import { testPython } from '../fakes/paths';

describe('Enable in Interactive Window', () => {
    it('adds the helper line and %load_ext hotswap once, keeping the user’s commands', () => {
        const next = withHotswap(['%matplotlib inline'], '/ext/v1/python_helper')!;
        expect(next[0]).toBe('%matplotlib inline');
        expect(next.slice(1)).toEqual([pathLine('/ext/v1/python_helper'), LOAD_EXT]);
        expect(withHotswap(next, '/ext/v1/python_helper')).toBeUndefined();
    });

    it('points an older helper path at the installed version', () => {
        const old = withHotswap([], '/ext/v1/python_helper')!;
        expect(refreshedPath(old, '/ext/v2/python_helper')).toEqual([pathLine('/ext/v2/python_helper'), LOAD_EXT]);
        expect(refreshedPath(['%load_ext autoreload'], '/ext/v2/python_helper')).toBeUndefined();
    });

    it('the startup line makes the helper importable once and binds no name', () => {
        const line = pathLine('/ext/v1/python_helper');
        const program = [
            'import sys',
            'ns = {}',
            `exec(${pyString(line)}, ns); exec(${pyString(line)}, ns)`,
            "print(sys.path.count('/ext/v1/python_helper'), sorted(k for k in ns if k != '__builtins__'))",
        ].join('\n');
        expect(execFileSync(testPython(), ['-c', program], { encoding: 'utf8' }).trim()).toBe('1 []');
    });
});
