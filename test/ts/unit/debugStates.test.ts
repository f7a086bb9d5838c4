import { describe, expect, it } from 'vitest';
import { DebugStates } from '../../../extension/src/kernels/debugSession';

describe('which thread is stopped', () => {
    it('follows stopped events and the requests that resume without a continued event', () => {
        const states = new DebugStates();
        states.fromAdapter('s', { type: 'event', event: 'stopped', body: { threadId: 3, reason: 'breakpoint' } });
        expect(states.stoppedThread('s')).toBe(3);
        states.toAdapter('s', { type: 'request', command: 'stackTrace', arguments: { threadId: 3 } });
        expect(states.stoppedThread('s')).toBe(3);
        states.toAdapter('s', { type: 'request', command: 'next', arguments: { threadId: 3 } });
        expect(states.stoppedThread('s')).toBeUndefined();
        states.fromAdapter('s', { type: 'event', event: 'stopped', body: { threadId: 3, reason: 'step' } });
        states.fromAdapter('s', { type: 'event', event: 'continued', body: { threadId: 3, allThreadsContinued: true } });
        expect(states.stoppedThread('s')).toBeUndefined();
    });

    it('keeps sessions apart and forgets an ended one', () => {
        const states = new DebugStates();
        states.fromAdapter('a', { type: 'event', event: 'stopped', body: { threadId: 1 } });
        states.fromAdapter('b', { type: 'event', event: 'stopped', body: { threadId: 2 } });
        states.fromAdapter('a', { type: 'event', event: 'terminated' });
        expect(states.stoppedThread('a')).toBeUndefined();
        expect(states.stoppedThread('b')).toBe(2);
    });
});
