/**
 * The messages between the extension and the Hotswap language server beyond LSP itself
 * (docs/protocol.md, "Language server messages"). The server drives every reload; these are
 * how it tells the editor what happened and how it reaches the kernels only the editor can.
 */
import type { KernelRequest, KernelResponse } from '../kernels/kernelCode';

/** A kernel the server reloads (`hotswap.listKernels`, `hotswap/kernelsChanged`): one per process. */
export interface ServerKernel {
    id: string;
    pid: number | null;
    connectionFile: string;
    cwd: string | null;
    python: string | null;
    /** starting | idle | busy | restarting | no-hotswap | no-access | dead */
    status: string;
    /** What the user calls it ("Interactive Window", "analysis.ipynb", "kernel-1a2b"). */
    label?: string;
    /** direct (jupyter_client) | jupyter | debug (through the editor) */
    kind?: string;
}

/** server → client notification: a reload request is on its way to `kernel`. */
export interface WillReloadParams {
    kernel: string;
    files: string[];
    modules?: string[];
}

/** server → client notification: the summary of one kernel's reload (computed by the server). */
export interface DidReloadParams {
    kernel: string;
    label?: string;
    modules: { name: string; status: string; duration_ms: number }[];
    durationMs: number | null;
    reloaded: number;
    failed: number;
    stale: number;
    /** Set when the request did not reach the kernel. */
    error?: string;
}

/** server → client notification: the kernel list changed (attached, detached, state). */
export interface KernelsChangedParams {
    kernels: ServerKernel[];
}

/** server → client notification: a kernel died, restarted or has no hotswap; the message is also shown. */
export const KERNEL_EVENT = 'hotswap/kernelEvent';
export interface KernelEventParams {
    kernel: string;
    label: string;
    event: 'died' | 'restarted' | 'no-hotswap';
    message: string;
}

/** client → server notification: the full list of kernels only the editor can reach. */
export const TRANSPORT_KERNELS = 'hotswap/transportKernels';
export interface TransportKernelInfo {
    /** `jupyter:<notebook uri>` or `debug:<session id>`; the server's kernel id. */
    id: string;
    label: string;
    kind: 'jupyter' | 'debug';
    /** Changes when the kernel restarts: its old objects are gone. */
    generation: number;
    /** False while it restarts: saves are held for it. */
    ready: boolean;
}

/** client → server notification: user code ran in one of those kernels (re-check stale objects). */
export const USER_EXECUTED = 'hotswap/userExecuted';

/** server → client request: carry one kernel-service request to a kernel and bring back its answer. */
export const KERNEL_REQUEST = 'hotswap/kernelRequest';
export interface KernelRequestParams {
    kernel: string;
    request: KernelRequest;
}
export type TransportErrorType = 'access-denied' | 'gone' | 'hotswap-missing' | 'unreachable';
export type KernelRequestResult = { response: KernelResponse } | { error: { type: TransportErrorType; message: string } };
