/**
 * Keeps the language server running on the right interpreter: picks it (Python extension,
 * else hotswap.pythonPath, else python3), checks it once, tells the user once per interpreter
 * what is missing with the fix, and restarts the server when the interpreter changes.
 * No VS Code import: the editor parts come in as functions, so the tests drive it directly.
 */
import { ActiveEnvironment, Interpreter, ProbeResult, chooseInterpreter, interpreterProblem } from './interpreter';
import { Logger, errorText } from '../common/log';
import { HotswapSettings, ServerSettings, serverSettings } from './settings';

export const INSTALL_ACTION = 'Install jupyter_client';

/** The server process as the supervisor sees it (HotswapServer in the extension). */
export interface ServerProcess {
    start(python: string, settings: ServerSettings): Promise<void>;
    stop(): Promise<void>;
}

export interface SupervisorDeps {
    /** The Python extension's active environment, undefined when that extension is absent. */
    pythonExtension: ActiveEnvironment | undefined;
    settings(): HotswapSettings;
    probe(python: string): Promise<ProbeResult>;
    server: ServerProcess;
    log: Logger;
    /** A warning notification with buttons; resolves to the button pressed. */
    warn(message: string, ...actions: string[]): Thenable<string | undefined>;
    /** Installs jupyter_client into `python` where the user sees it; resolves when that ends. */
    installJupyterClient(python: string): Promise<void>;
    /** Called after each successful start (the view refreshes its kernel list). */
    started?(): void;
}

export class ServerSupervisor {
    private serial = 0;
    private readonly warned = new Set<string>();
    private current: Interpreter = { path: 'python3', source: 'default' };

    constructor(private readonly deps: SupervisorDeps) {}

    /** The interpreter the server runs on (also used for the console and Attach to Kernel). */
    get python(): string {
        return this.current.path;
    }

    /**
     * The user was already told that this interpreter lacks something, so the server's own
     * message about the same problem goes to the log only (one message, not two).
     */
    alreadyWarned(): boolean {
        return this.warned.has(this.current.path);
    }

    /** (Re)starts the server on the interpreter chosen now; a newer call supersedes an older one. */
    async restart(reason: string): Promise<void> {
        const { log } = this.deps;
        const serial = ++this.serial;
        const settings = this.deps.settings();
        const chosen = await chooseInterpreter(this.deps.pythonExtension, settings.pythonPath);
        const probe = await this.deps.probe(chosen.path);
        if (serial !== this.serial) {
            return;
        }
        this.current = chosen;
        log.info(`${reason}: interpreter ${chosen.path} (from ${chosen.source})${probe.version ? `, Python ${probe.version}` : ''}`);
        if (chosen.source === 'python-extension' && settings.pythonPath) {
            log.info('hotswap.pythonPath is not used while the Python extension selects the interpreter.');
        }
        this.explain(chosen.path, probe);
        if (!probe.runs || !probe.supported) {
            await this.deps.server.stop();
            return;
        }
        try {
            await this.deps.server.start(chosen.path, serverSettings(settings));
            this.deps.started?.();
        } catch (err) {
            log.error(`The Hotswap language server did not start: ${errorText(err)}`);
        }
    }

    /** Settings changed: only a new hotswap.pythonPath needs a restart (the rest reaches the server live). */
    settingsChanged(before: HotswapSettings, after: HotswapSettings): Promise<void> | undefined {
        return before.pythonPath !== after.pythonPath ? this.restart('hotswap.pythonPath changed') : undefined;
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
