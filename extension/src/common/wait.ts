/** Waiting on a condition with a deadline (never a fixed sleep). */

export async function waitFor(
    condition: () => boolean | Promise<boolean>,
    options: { timeoutMs: number; intervalMs?: number; what: string; abort?: () => string | undefined },
): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const interval = options.intervalMs ?? 50;
    for (;;) {
        if (await condition()) {
            return;
        }
        const aborted = options.abort?.();
        if (aborted) {
            throw new Error(`${options.what}: ${aborted}`);
        }
        if (Date.now() > deadline) {
            throw new Error(`${options.what}: not done after ${Math.round(options.timeoutMs / 1000)} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, interval));
    }
}
