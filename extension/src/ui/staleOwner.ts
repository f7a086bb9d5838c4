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
