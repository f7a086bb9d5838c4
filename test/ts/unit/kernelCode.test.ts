import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
    ProtocolError,
    debugExpression,
    jupyterCode,
    makeRequest,
    newMarker,
    parseDebugResult,
    parseMarkedOutput,
    pyString,
    resultOf,
} from '../../../extension/src/kernels/kernelCode';
import { testPython } from '../fakes/paths';

describe('kernel code text', () => {
    it('quotes any path or JSON so Python reads back the same string', () => {
        const samples = ['/home/ann/my project/python_helper', 'C:\\Users\\Zoë\\ext', `it's "quoted"\n\ttab`, '日本語 \u2028 \u007f', '{"a": [1, "\\u00e9"]}', '/home/ann/📁 data'];
        const program = 'import json,sys\nprint(json.dumps([' + samples.map(pyString).join(', ') + '], ensure_ascii=False))';
        const out = execFileSync(testPython(), ['-c', program], { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
        expect(JSON.parse(out)).toEqual(samples);
    });

    it('produces one expression statement for Jupyter and one expression for the debugger', () => {
        const request = makeRequest('status');
        const code = jupyterCode('/ext/python_helper', request, '@@m@@');
        expect(code.split('\n')).toHaveLength(1);
        // Both compile as Python (the cell as a statement, the debugger text as an expression).
        const check = `compile(${pyString(code)}, 'c', 'exec'); compile(${pyString(debugExpression('/x', request))}, 'e', 'eval')`;
        execFileSync(testPython(), ['-c', check]);
    });

    it('gives each request a distinct id and the protocol version', () => {
        const a = makeRequest('reload', { paths: ['/w/m.py'] });
        const b = makeRequest('reload');
        expect(a.protocol).toBe(1);
        expect(a.id).not.toBe(b.id);
        expect(a.args).toEqual({ paths: ['/w/m.py'] });
    });
});

describe('answers', () => {
    it('finds the marked line among the kernel output', () => {
        const marker = newMarker();
        const stdout = `user print\n${marker}{"protocol": 1, "id": "1", "ok": true, "result": {"x": 1}}\nmore\n`;
        expect(resultOf(parseMarkedOutput(stdout, marker)!)).toEqual({ x: 1 });
        expect(parseMarkedOutput('no marker here\n', marker)).toBeUndefined();
    });

    it('does not accept a line carrying another call’s marker', () => {
        const mine = newMarker();
        const other = newMarker();
        expect(mine).not.toBe(other);
        expect(parseMarkedOutput(`${other}{"ok": true}`, mine)).toBeUndefined();
    });

    it('turns an error response into a message naming the kernel’s error', () => {
        const response = { protocol: 1, id: '1', ok: false as const, error: { type: 'bad-request', message: 'paths must be a list' } };
        expect(() => resultOf(response)).toThrowError(/bad-request.*paths must be a list/);
    });

    it('rejects text that is not a response', () => {
        expect(() => parseMarkedOutput('@@x@@not json', '@@x@@')).toThrow(ProtocolError);
    });

    it('decodes the debugger value and notices a shortened one', () => {
        const json = JSON.stringify({ protocol: 1, id: '1', ok: true, result: { pid: 7 } });
        const b64 = Buffer.from(json).toString('base64');
        expect(resultOf(parseDebugResult(`'${b64.length}:${b64}'`))).toEqual({ pid: 7 });
        expect(() => parseDebugResult(`'${b64.length}:${b64.slice(0, 10)}...'`)).toThrow(/incomplete/);
    });
});
