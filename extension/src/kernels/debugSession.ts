/**
 * Reloads code inside a program run under debugpy, through DAP `evaluate`. When the program is
 * stopped the expression runs in the top frame of the stopped thread (debugpy requires a
 * frame then); while it runs, without a frame. A tracker follows stopped/continued so we know
 * which case applies.
 */
import { KernelCommand, KernelRequest, KernelResponse, debugExpression, makeRequest, parseDebugResult, resultOf } from './kernelCode';
import type { ServiceTarget } from './jupyterKernel';

/** The part of vscode.DebugSession we use. */
export interface DebugSessionLike {
    readonly id: string;
    readonly name: string;
    readonly type: string;
    customRequest(command: string, args?: unknown): Thenable<unknown>;
}

/** Debug types whose adapter is debugpy. */
export const PYTHON_DEBUG_TYPES: readonly string[] = ['debugpy', 'python'];

/** Requests after which the debuggee runs again (adapters need not send `continued` for these). */
const RESUMING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restartFrame']);

interface DapMessage {
    type?: string;
    event?: string;
    command?: string;
    body?: { threadId?: number; allThreadsContinued?: boolean };
}

/** Which thread of each session is stopped, learned from the DAP messages a tracker sees. */
export class DebugStates {
    private readonly stopped = new Map<string, number>();

    /** A message from the debug adapter to VS Code. */
    fromAdapter(sessionId: string, message: unknown): void {
        const msg = message as DapMessage;
        if (msg.type !== 'event') {
            return;
        }
        if (msg.event === 'stopped' && typeof msg.body?.threadId === 'number') {
            this.stopped.set(sessionId, msg.body.threadId);
        } else if (msg.event === 'continued') {
            const current = this.stopped.get(sessionId);
            if (msg.body?.allThreadsContinued !== false || msg.body?.threadId === current) {
                this.stopped.delete(sessionId);
            }
        } else if (msg.event === 'terminated' || msg.event === 'exited') {
            this.stopped.delete(sessionId);
        }
    }

    /** A message from VS Code to the debug adapter. */
    toAdapter(sessionId: string, message: unknown): void {
        const msg = message as DapMessage;
        if (msg.type === 'request' && msg.command !== undefined && RESUMING_REQUESTS.has(msg.command)) {
            this.stopped.delete(sessionId);
        }
    }

    stoppedThread(sessionId: string): number | undefined {
        return this.stopped.get(sessionId);
    }

    forget(sessionId: string): void {
        this.stopped.delete(sessionId);
    }
}

interface StackTraceResponse {
    stackFrames?: { id: number }[];
}

interface EvaluateResponse {
    result?: string;
}

export class DebugTarget implements ServiceTarget {
    readonly key: string;
    readonly label: string;

    constructor(
        readonly session: DebugSessionLike,
        private readonly states: DebugStates,
        private readonly helperDir: string,
    ) {
        this.key = `debug:${session.id}`;
        this.label = `debug: ${session.name}`; // the launch configuration's name, as in the Run and Debug view
    }

    async request<T>(command: KernelCommand, args: Record<string, unknown> = {}): Promise<T> {
        return resultOf<T>(await this.exchange(makeRequest(command, args)));
    }

    async exchange(request: KernelRequest): Promise<KernelResponse> {
        const expression = debugExpression(this.helperDir, request);
        const frameId = await this.topFrame();
        let response: EvaluateResponse;
        try {
            response = (await this.session.customRequest('evaluate', {
                expression,
                context: 'repl',
                ...(frameId === undefined ? {} : { frameId }),
            })) as EvaluateResponse;
        } catch (err) {
            if (frameId === undefined) {
                throw err;
            }
            // The thread resumed between stackTrace and evaluate: evaluate as a running program.
            this.states.forget(this.session.id);
            response = (await this.session.customRequest('evaluate', { expression, context: 'repl' })) as EvaluateResponse;
        }
        if (typeof response?.result !== 'string') {
            throw new Error(`${this.label}: the debugger returned no value (debugpy 1.8.21 or newer is needed)`);
        }
        return parseDebugResult(response.result);
    }

    private async topFrame(): Promise<number | undefined> {
        const threadId = this.states.stoppedThread(this.session.id);
        if (threadId === undefined) {
            return undefined;
        }
        try {
            const trace = (await this.session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 })) as StackTraceResponse;
            return trace?.stackFrames?.[0]?.id;
        } catch {
            this.states.forget(this.session.id);
            return undefined;
        }
    }
}
