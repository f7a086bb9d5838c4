/**
 * Keeps the language server running on the right interpreter, and cannot be broken by events
 * arriving at bad moments: picks the interpreter (Python extension, else hotswap.pythonPath,
 * else python3), checks it once, tells the user once per interpreter what is missing with the
 * fix, and starts, stops and restarts the server one operation at a time. Requests that arrive
 * while one runs are merged and only the latest is carried out; an announcement of the same
 * interpreter (the Python extension sends those after activation) restarts nothing; an error
 * while stopping never prevents the next start; a failed start is told once, with its reason and
 * a Retry button. Everything that shows the server's state reads it from here.
 * No VS Code import: the editor parts come in as functions, so the tests drive it directly.
 */
import { ActiveEnvironment, Interpreter, ProbeResult, chooseInterpreter, interpreterProblem } from './interpreter';
import { Logger, errorText } from '../common/log';
import { HotswapSettings, ServerSettings, serverSettings } from './settings';

export const INSTALL_ACTION = 'Install jupyter_client';
export const RETRY_ACTION = 'Retry';
export const SHOW_LOG_ACTION = 'Show Log';

/** The server process as the supervisor sees it (HotswapServer in the extension). */
export interface ServerProcess {
    start(python: string, settings: ServerSettings): Promise<void>;
    /** Ends the server; when it resolves (or throws) its process is gone. */
    stop(): Promise<void>;
}

/** What the status bar and the Hot Reload view show about the server. */
export type ServerState =
    | { kind: 'starting'; python: string }
    | { kind: 'running'; python: string }
    | { kind: 'stopped' }
    /** Not running, and why: the start failed, the process exited, or the interpreter cannot host it. */
    | { kind: 'down'; python: string; reason: string };

export interface SupervisorDeps {
    /** The Python extension's active environment, undefined when that extension is absent. */
    pythonExtension: ActiveEnvironment | undefined;
    settings(): HotswapSettings;
    probe(python: string): Promise<ProbeResult>;
    server: ServerProcess;
    log: Logger;
    /** A warning notification with buttons; resolves to the button pressed. */
    warn(message: string, ...actions: string[]): Thenable<string | undefined>;
    /** An error notification with buttons; resolves to the button pressed. */
    error(message: string, ...actions: string[]): Thenable<string | undefined>;
    /** Opens the Hotswap log. */
    showLog(): void;
    /** Installs jupyter_client into `python` where the user sees it; resolves when that ends. */
    installJupyterClient(python: string): Promise<void>;
    /** Called after each successful start (the view refreshes its kernel list). */
    started?(): void;
    /** Called whenever the server's state changes. */
    stateChanged?(state: ServerState): void;
}

interface Request {
    reason: string;
    /** Restart even when the interpreter is the one the server already runs on. */
    force: boolean;
}

export class ServerSupervisor {
    private readonly warned = new Set<string>();
    private current: Interpreter = { path: 'python3', source: 'default' };
    private pending: Request | undefined;
    private worker: Promise<void> | undefined;
    /** The interpreter of the last start attempt, whatever came of it. */
    private attempted: string | undefined;
    private closed = false;
    private failureShown = false;
    /** A stop or start of the server is in progress (its exit is then expected). */
    private touching = false;
    private shownState: ServerState = { kind: 'stopped' };

    constructor(private readonly deps: SupervisorDeps) {}

    /** The interpreter the server runs on (also used for the console and Attach to Kernel). */
    get python(): string {
        return this.current.path;
    }

    get state(): ServerState {
        return this.shownState;
    }

    /**
     * The user was already told that this interpreter lacks something, so the server's own
     * message about the same problem goes to the log only (one message, not two).
     */
    alreadyWarned(): boolean {
        return this.warned.has(this.current.path);
    }

    /** Resolves when no start, stop or restart is running or waiting. */
    async settled(): Promise<void> {
        while (this.worker) {
            await this.worker;
        }
    }

    /** (Re)starts the server on the interpreter chosen now, even if it is the same one. */
    restart(reason: string): Promise<void> {
        return this.request({ reason, force: true });
    }

    /**
     * Something that may change the interpreter happened (the Python extension announced an
     * environment, hotswap.pythonPath changed): restart only if the interpreter really changed.
     */
    ensure(reason: string): Promise<void> {
        return this.request({ reason, force: false });
    }

    /** Settings changed: only a new hotswap.pythonPath can matter (the rest reaches the server live). */
    settingsChanged(before: HotswapSettings, after: HotswapSettings): Promise<void> | undefined {
        return before.pythonPath !== after.pythonPath ? this.ensure('hotswap.pythonPath changed') : undefined;
    }

    /** The server process ended without being asked to: say so, with Retry. */
    serverExited(reason: string): void {
        if (this.closed || this.touching || this.shownState.kind !== 'running') {
            return; // a stop or start in progress explains it
        }
        const python = this.shownState.python;
        this.deps.log.error(`The Hotswap language server stopped: ${reason}`);
        this.setState({ kind: 'down', python, reason });
        this.offerRetry(`the language server stopped (${reason})`);
    }

    /** Extension shutdown: drop pending requests, let the running one finish, stop the server. */
    async close(): Promise<void> {
        this.closed = true;
        this.pending = undefined;
        await this.worker;
        await this.stopServer();
        this.setState({ kind: 'stopped' });
    }

    private request(request: Request): Promise<void> {
        if (this.closed) {
            return Promise.resolve();
        }
        // Latest wins, but a forced restart asked for earlier is not lost to a later echo.
        this.pending = { reason: request.reason, force: request.force || (this.pending?.force ?? false) };
        if (!this.worker) {
            this.worker = this.drain();
        }
        return this.worker;
    }

    /** Runs requests one at a time until none is left. */
    private async drain(): Promise<void> {
        for (;;) {
            const next = this.pending;
            if (!next || this.closed) {
                this.worker = undefined;
                return;
            }
            this.pending = undefined;
            try {
                await this.once(next);
            } catch (err) {
                this.deps.log.error(`${next.reason}: ${errorText(err)}`);
            }
        }
    }

    private async once({ reason, force }: Request): Promise<void> {
        const { log } = this.deps;
        const settings = this.deps.settings();
        const chosen = await chooseInterpreter(this.deps.pythonExtension, settings.pythonPath);
        if (this.pending) {
            return; // a newer request decides
        }
        if (!force && this.attempted === chosen.path) {
            log.debug(`${reason}: still ${chosen.path}, so the language server is not restarted.`);
            return;
        }
        const probe = await this.deps.probe(chosen.path);
        if (this.pending || this.closed) {
            return;
        }
        this.current = chosen;
        log.info(`${reason}: interpreter ${chosen.path} (from ${chosen.source})${probe.version ? `, Python ${probe.version}` : ''}`);
        if (chosen.source === 'python-extension' && settings.pythonPath) {
            log.info('hotswap.pythonPath is not used while the Python extension selects the interpreter.');
        }
        this.explain(chosen.path, probe);
        this.touching = true;
        try {
            await this.replace(chosen, probe, settings);
        } finally {
            this.touching = false;
        }
    }

    /** Stops the running server and starts one on `chosen` (when it can host it). */
    private async replace(chosen: Interpreter, probe: ProbeResult, settings: HotswapSettings): Promise<void> {
        const { log } = this.deps;
        await this.stopServer();
        this.attempted = chosen.path;
        const problem = interpreterProblem(chosen.path, probe);
        if (!probe.runs || !probe.supported) {
            this.setState({ kind: 'down', python: chosen.path, reason: problem ?? 'the interpreter cannot run the server' });
            return;
        }
        this.setState({ kind: 'starting', python: chosen.path });
        try {
            await this.deps.server.start(chosen.path, serverSettings(settings));
        } catch (err) {
            const why = errorText(err);
            log.error(`The Hotswap language server did not start on ${chosen.path}: ${why}`);
            await this.stopServer(); // whatever was left of it
            this.setState({ kind: 'down', python: chosen.path, reason: why });
            // Told even when another request is waiting: an announcement of the same
            // interpreter restarts nothing, so it must not swallow the failure.
            if (!this.closed) {
                this.offerRetry(`the language server did not start on ${chosen.path} (${why})`);
            }
            return;
        }
        this.failureShown = false;
        this.setState({ kind: 'running', python: chosen.path });
        this.deps.started?.();
    }

    /** Stops the server; a failure is logged and never stops what comes next. */
    private async stopServer(): Promise<void> {
        try {
            await this.deps.server.stop();
        } catch (err) {
            this.deps.log.warn(`Stopping the Hotswap language server: ${errorText(err)}`);
        }
    }

    /** One message per failure, never a pile: a second failure while one is shown stays in the log. */
    private offerRetry(what: string): void {
        if (this.failureShown) {
            return;
        }
        this.failureShown = true;
        void this.deps.error(`Hotswap: ${what}. Problems and reloads of attached kernels wait for it.`, RETRY_ACTION, SHOW_LOG_ACTION).then(
            (choice) => {
                this.failureShown = false;
                if (choice === RETRY_ACTION) {
                    void this.restart('Retry');
                } else if (choice === SHOW_LOG_ACTION) {
                    this.deps.showLog();
                }
            },
        );
    }

    private setState(state: ServerState): void {
        this.shownState = state;
        this.deps.stateChanged?.(state);
    }

    /** The one notification per interpreter, with an install button when pip can fix it. */
    private explain(python: string, probe: ProbeResult): void {
        const problem = interpreterProblem(python, probe);
        if (!problem || this.warned.has(python)) {
            return;
        }
        this.warned.add(python);
        this.deps.log.warn(problem);
        const fixable = probe.runs && probe.supported && !probe.jupyterClient;
        void this.deps.warn(problem, ...(fixable ? [INSTALL_ACTION] : [])).then(async (choice) => {
            if (choice !== INSTALL_ACTION) {
                return;
            }
            await this.deps.installJupyterClient(python);
            this.warned.delete(python); // check again: tell the user if the install did not help
            await this.restart('jupyter_client installed');
        });
    }
}
