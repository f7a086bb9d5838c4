import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../../extension/src/ui/staleOwner';

describe('Hot Reload view: which kernel holds a stale object', () => {
    const ids = ['kernel-1234', 'kernel-12', 'jupyter:vscode-interactive:/Interactive-1.interactive'];

    it('matches the server label of an attached kernel exactly, not by prefix', () => {
        expect(ownerOf('kernel kernel-12 (pid 77)', ids)).toBe('kernel-12');
        expect(ownerOf('kernel kernel-1234 (pid 5)', ids)).toBe('kernel-1234');
        expect(ownerOf('kernel kernel-12', ids)).toBe('kernel-12');
    });

    it('matches reports the extension handed over by their source key', () => {
        expect(ownerOf('jupyter:vscode-interactive:/Interactive-1.interactive', ids)).toBe(ids[2]);
    });

    it('leaves unknown sources unattributed', () => {
        expect(ownerOf('kernel other (pid 1)', ids)).toBeUndefined();
        expect(ownerOf(undefined, ids)).toBeUndefined();
    });
});
