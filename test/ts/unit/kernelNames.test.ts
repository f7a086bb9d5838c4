/** Kernels are named as the user knows them: the tab's name, the notebook's file, the launch configuration. */
import { describe, expect, it } from 'vitest';
import type { Uri } from 'vscode';
import { DebugStates, DebugTarget } from '../../../extension/src/kernels/debugSession';
import { labelFor } from '../../../extension/src/kernels/jupyterKernels';

const uri = (text: string, path: string) => ({ toString: () => text, path }) as Uri;

describe('kernel names', () => {
    it('calls an Interactive Window by its tab name, "Interactive-1"', () => {
        expect(labelFor({ uri: uri('untitled:/Interactive-1.interactive', '/Interactive-1.interactive'), notebookType: 'interactive' })).toBe('Interactive-1');
        expect(labelFor({ uri: uri('vscode-interactive:/Interactive-2.interactive', '/Interactive-2.interactive'), notebookType: 'interactive' })).toBe(
            'Interactive-2',
        );
    });

    it('calls a notebook kernel by the notebook’s file name, also with the notebook REPL', () => {
        expect(labelFor({ uri: uri('file:///w/analysis.ipynb', '/w/analysis.ipynb'), notebookType: 'jupyter-notebook' })).toBe('analysis.ipynb');
    });

    it('calls a debug session "debug: <configuration name>"', () => {
        const session = { id: '7', name: 'Python: Current File', type: 'debugpy', customRequest: async () => undefined };
        expect(new DebugTarget(session, new DebugStates(), '/ext/python_helper').label).toBe('debug: Python: Current File');
    });
});
