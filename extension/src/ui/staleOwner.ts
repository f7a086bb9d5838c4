/**
 * Which kernel a hotswap diagnostic belongs to, from the `data.source` the language server
 * attaches: the report source the extension used (a target key) or the server's own label
 * for an attached kernel, "kernel <id> (pid <n>)".
 */
export function ownerOf(source: unknown, kernelIds: readonly string[]): string | undefined {
    if (typeof source !== 'string') {
        return undefined;
    }
    for (const id of kernelIds) {
        if (source === id || source === `kernel ${id}` || source.startsWith(`kernel ${id} (`)) {
            return id;
        }
    }
    return undefined;
}

/**
 * Whether a diagnostic names stale objects (a `stale-*` code; VS Code may wrap the code with
 * its link). The status bar and the Hot Reload view count the same ones.
 */
export function isStale(diagnostic: { code?: unknown }): boolean {
    const code = diagnostic.code;
    const value = typeof code === 'object' && code !== null ? (code as { value?: unknown }).value : code;
    return typeof value === 'string' && value.startsWith('stale-');
}
