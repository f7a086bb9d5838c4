/**
 * The exact Python text the extension sends to kernels (Jupyter `executeCode`) and debuggees
 * (DAP `evaluate`), and the parsing of what comes back. Pure: no VS Code import, so the code
 * a kernel runs is unit-tested against a real kernel. The wire format is docs/protocol.md.
 */

/** Protocol major version we speak (docs/protocol.md). */
export const PROTOCOL_VERSION = 1;

export type KernelCommand = 'reload' | 'modules' | 'stale' | 'status' | 'outdated';

export interface KernelRequest {
    protocol: number;
    id: string;
    command: KernelCommand;
    args: Record<string, unknown>;
}

export interface KernelError {
    type: string;
    message: string;
}

export type KernelResponse =
    | { protocol: number; id: string; ok: true; result: unknown }
    | { protocol: number; id: string; ok: false; error: KernelError };

/** One module entry of an engine report (`Report.to_dict()["modules"]`). */
export interface ReportModule {
    name: string;
    file: string | null;
    status: 'reloaded' | 'unchanged' | 'failed' | 'skipped';
    strategy?: string;
    duration_ms?: number;
    patched?: string[];
    added?: string[];
    removed?: string[];
    executed?: string[];
    error?: string | null;
}

export interface ReportPosition {
    line: number;
    character: number;
}

export interface ReportDiagnostic {
    file: string;
    range: { start: ReportPosition; end: ReportPosition };
    severity: 'error' | 'warning' | 'information';
    code: string;
    message: string;
    names: string[];
}

/** The engine report (`hotswap.Report.to_dict()`), shared by every path a reload takes. */
export interface Report {
    version: number;
    duration_ms: number;
    modules: ReportModule[];
    diagnostics: ReportDiagnostic[];
}

export interface ModuleInfo {
    name: string;
    file: string;
}

export interface KernelStatusInfo {
    hotswap: string;
    python: string;
    pid: number;
    cwd: string;
    mode: number | null;
    watched: number;
    stale: number;
}

let counter = 0;

/** Builds one protocol request; ids only need to be unique per caller. */
export function makeRequest(command: KernelCommand, args: Record<string, unknown> = {}): KernelRequest {
    counter += 1;
    return { protocol: PROTOCOL_VERSION, id: `vscode-${counter}`, command, args };
}

/**
 * A Python string literal for `text`. JSON string syntax is a subset of Python's for the
 * characters JSON.stringify emits once non-ASCII is escaped, so the result evaluates to `text`.
 */
export function pyString(text: string): string {
    const json = JSON.stringify(text);
    // Escape by code point: a character outside the BMP must become one `\U` escape, since
    // Python would read two `\u` surrogate escapes as two lone surrogates.
    return json.replace(/[\u007f-\u{10ffff}]/gu, (ch) => {
        const code = ch.codePointAt(0) ?? 0;
        return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

/**
 * A Python *expression* that makes `helperDir` importable (only if it is missing from
 * `sys.path`), calls the kernel service and evaluates to its JSON response. It binds no name
 * in the user namespace: everything goes through `__import__`.
 */
export function serviceExpression(helperDir: string, request: KernelRequest): string {
    const dir = pyString(helperDir);
    const req = pyString(JSON.stringify(request));
    const sysPath = "__import__('sys').path";
    return (
        `((${sysPath}.insert(0, ${dir}) if ${dir} not in ${sysPath} else None), ` +
        `__import__('hotswap.kernel').kernel.handle(${req}))[1]`
    );
}

/**
 * The cell text for Jupyter's `Kernel.executeCode`: the service response is printed on one
 * stdout line after `marker`, so it can be told apart from whatever else the kernel prints.
 * The statement's value is None, so no `Out[]` is produced.
 */
export function jupyterCode(helperDir: string, request: KernelRequest, marker: string): string {
    return `__import__('builtins').print(${pyString(marker)} + ${serviceExpression(helperDir, request)}, flush=True)`;
}

/**
 * The DAP `evaluate` expression for a debuggee. debugpy answers with the `repr` of the value
 * and may shorten long strings with an ellipsis, so the response travels base64-encoded
 * (no quotes or escapes to undo) and its length is checked on arrival.
 */
export function debugExpression(helperDir: string, request: KernelRequest): string {
    const inner = serviceExpression(helperDir, request);
    return `(lambda s: str(len(s)) + ':' + s)(__import__('base64').b64encode((${inner}).encode()).decode())`;
}

/** A fresh marker for one execution: response lines carry it so stray output cannot mimic one. */
export function newMarker(): string {
    const rand = Math.random().toString(36).slice(2, 10);
    return `@@hotswap-${Date.now().toString(36)}-${rand}@@`;
}

/** Finds the response printed after `marker` in a kernel's stdout; undefined when absent. */
export function parseMarkedOutput(stdout: string, marker: string): KernelResponse | undefined {
    for (const line of stdout.split(/\r?\n/)) {
        const at = line.indexOf(marker);
        if (at >= 0) {
            return parseResponse(line.slice(at + marker.length));
        }
    }
    return undefined;
}

/** Decodes the value of a DAP `evaluate` of {@link debugExpression}. */
export function parseDebugResult(result: string): KernelResponse {
    let text = result.trim();
    const quote = text[0];
    if ((quote === "'" || quote === '"') && text.endsWith(quote)) {
        text = text.slice(1, -1);
    }
    const colon = text.indexOf(':');
    const declared = Number(text.slice(0, colon));
    const payload = text.slice(colon + 1);
    if (colon < 0 || !Number.isInteger(declared) || declared !== payload.length) {
        throw new ProtocolError(`the debugger returned an incomplete answer (${text.length} characters)`);
    }
    return parseResponse(Buffer.from(payload, 'base64').toString('utf8'));
}

/** A malformed answer from the kernel side: a bug or a version mismatch, never user error. */
export class ProtocolError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ProtocolError';
    }
}

/** Parses and shape-checks one service response. */
export function parseResponse(text: string): KernelResponse {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new ProtocolError(`the kernel service answered with something that is not JSON: ${text.slice(0, 200)}`);
    }
    if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') {
        throw new ProtocolError(`the kernel service answered without an "ok" field: ${text.slice(0, 200)}`);
    }
    return value as KernelResponse;
}

/** The result of a successful response, or an error that says what the kernel reported. */
export function resultOf<T>(response: KernelResponse): T {
    if (response.ok) {
        return response.result as T;
    }
    throw new ProtocolError(`the kernel service refused the request (${response.error.type}): ${response.error.message}`);
}
