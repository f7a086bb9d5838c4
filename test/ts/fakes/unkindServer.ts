/**
 * The language server process as vscode-languageclient runs it, with its unkind rules: a start
 * takes a while (a test can hold it open), `stop()` during a start throws "Client is not
 * running and can't be stopped. It's current state is: starting" and leaves the process
 * running, a start can fail, and a stop can throw. It counts live processes so a test can
 * prove an old one always ended before a new one began.
 */

export interface StartRecord {
    python: string;
    settings: unknown;
}

export class UnkindServerProcess {
    state: 'stopped' | 'starting' | 'running' = 'stopped';
    readonly starts: StartRecord[] = [];
    /** Processes alive now, and the most ever alive at once. */
    alive = 0;
    maxAlive = 0;
    /** Starts begun while a process was still alive. */
    overlaps = 0;
    /** Stops that threw because a start was in progress. */
    stopsWhileStarting = 0;
    stops = 0;
    /** Called while each start is in progress (the Python extension fires its echo here). */
    onStarting: (() => void) | undefined;
    private failures: string[] = [];
    private stopFailures: string[] = [];
    private held: Promise<void> | undefined;
    private release: (() => void) | undefined;
    private waitingStarts: (() => void)[] = [];

    /** Keeps every start open until {@link releaseStarts}. */
    holdStarts(): void {
        this.held ??= new Promise((resolve) => {
            this.release = resolve;
        });
    }

    releaseStarts(): void {
        this.release?.();
        this.held = undefined;
        this.release = undefined;
    }

    /** Resolves once `count` starts have begun. */
    whenStarted(count: number): Promise<void> {
        if (this.starts.length >= count) {
            return Promise.resolve();
        }
        return new Promise((resolve) => {
            const check = (): void => (this.starts.length >= count ? resolve() : void this.waitingStarts.push(check));
            this.waitingStarts.push(check);
        });
    }

    failNextStart(reason: string): void {
        this.failures.push(reason);
    }

    failNextStop(reason: string): void {
        this.stopFailures.push(reason);
    }

    async start(python: string, settings: unknown): Promise<void> {
        if (this.state !== 'stopped') {
            throw new Error(`start while ${this.state}`);
        }
        this.state = 'starting';
        if (this.alive > 0) {
            this.overlaps += 1;
        }
        this.alive += 1;
        this.maxAlive = Math.max(this.maxAlive, this.alive);
        this.starts.push({ python, settings });
        this.waitingStarts.splice(0).forEach((check) => check());
        this.onStarting?.();
        await new Promise((resolve) => setImmediate(resolve));
        await this.held;
        const failure = this.failures.shift();
        if (failure !== undefined) {
            this.alive -= 1; // the process exited: that is why the start failed
            this.state = 'stopped';
            throw new Error(failure);
        }
        this.state = 'running';
    }

    async stop(): Promise<void> {
        this.stops += 1;
        if (this.state === 'starting') {
            this.stopsWhileStarting += 1;
            throw new Error("Client is not running and can't be stopped. It's current state is: starting");
        }
        await new Promise((resolve) => setImmediate(resolve));
        if (this.state === 'running') {
            this.alive -= 1;
            this.state = 'stopped';
        }
        const failure = this.stopFailures.shift();
        if (failure !== undefined) {
            throw new Error(failure);
        }
    }
}
