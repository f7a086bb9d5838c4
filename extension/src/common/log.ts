/**
 * The logging interface every module takes, so logic can be tested without VS Code. In the
 * extension it is the "Hotswap" LogOutputChannel, which honours the user's chosen log level.
 */
export interface Logger {
    trace(message: string, ...args: unknown[]): void;
    debug(message: string, ...args: unknown[]): void;
    info(message: string, ...args: unknown[]): void;
    warn(message: string, ...args: unknown[]): void;
    error(message: string | Error, ...args: unknown[]): void;
}

/** A logger that keeps lines in memory: used by tests and before the channel exists. */
export class MemoryLogger implements Logger {
    readonly lines: string[] = [];
    trace(message: string): void {
        this.lines.push(`trace ${message}`);
    }
    debug(message: string): void {
        this.lines.push(`debug ${message}`);
    }
    info(message: string): void {
        this.lines.push(`info ${message}`);
    }
    warn(message: string): void {
        this.lines.push(`warn ${message}`);
    }
    error(message: string | Error): void {
        this.lines.push(`error ${message instanceof Error ? message.message : message}`);
    }
}

/** The message of anything thrown, for logs and notifications. */
export function errorText(err: unknown): string {
    if (err instanceof Error) {
        return err.message;
    }
    return String(err);
}
