/**
 * Workspace trust. The manifest declares untrusted workspaces unsupported, so VS Code keeps
 * the extension off there; these checks are the second lock, for editors that activate it
 * anyway (or a workspace that loses trust): nothing starts and no save reaches a kernel.
 */
import { Logger, errorText } from './log';

export interface TrustState {
    isTrusted(): boolean;
    /** Fires once the user trusts the workspace. */
    onDidGrant(listener: () => void): { dispose(): unknown };
}

/**
 * Runs `start` now if the workspace is trusted, else once the user trusts it. Returns the
 * subscription to dispose (undefined when started at once).
 */
export function startWhenTrusted(trust: TrustState, start: () => Promise<void>, log: Logger): { dispose(): unknown } | undefined {
    const run = (): void => {
        start().catch((err: unknown) => log.error(`Hotswap failed to start: ${errorText(err)}`));
    };
    if (trust.isTrusted()) {
        run();
        return undefined;
    }
    log.info('Workspace is not trusted: Hotswap stays off until you trust it.');
    let started = false;
    return trust.onDidGrant(() => {
        if (!started && trust.isTrusted()) {
            started = true;
            run();
        }
    });
}
