/**
 * A double of the Python extension's environments API (@vscode/python-extension) that is as
 * unkind as the real one: shortly after activation it announces the active environment again
 * with the SAME path (the real extension does so 0.4–2 s after activation and after a window
 * reload), and it can be made to announce it once more while the language server is starting.
 * `resolveEnvironment` answers asynchronously, as the real one does after a discovery refresh.
 */
import type { PythonExtension } from '@vscode/python-extension';
import type { Disposable } from 'vscode';
import { Emitter } from './fakeJupyterKernel';

type Environments = PythonExtension['environments'];
type ChangeEvent = Parameters<Parameters<Environments['onDidChangeActiveEnvironmentPath']>[0]>[0];

/** The part of `PythonExtension['environments']` Hotswap reads. */
export type EnvironmentsSlice = Pick<Environments, 'getActiveEnvironmentPath' | 'resolveEnvironment' | 'onDidChangeActiveEnvironmentPath'>;

export class UnkindPythonExtension {
    private readonly changed = new Emitter<ChangeEvent>();
    /** Every path announced through onDidChangeActiveEnvironmentPath, in order. */
    readonly announced: string[] = [];
    /** How many times Hotswap resolved the active environment. */
    resolves = 0;
    private echoes: ReturnType<typeof setTimeout>[] = [];

    readonly environments: EnvironmentsSlice = {
        getActiveEnvironmentPath: () => ({ id: this.activePath, path: this.activePath }),
        resolveEnvironment: async (environment) => {
            this.resolves += 1;
            await new Promise((resolve) => setImmediate(resolve)); // never synchronous
            const path = typeof environment === 'string' ? environment : environment.path;
            return { executable: { uri: { fsPath: path } } } as unknown as Awaited<ReturnType<Environments['resolveEnvironment']>>;
        },
        onDidChangeActiveEnvironmentPath: (listener: (e: ChangeEvent) => unknown): Disposable => this.changed.event(listener),
    };

    constructor(
        public activePath: string,
        /** Delay of the same-path announcement after activation (the real one: 400–2000 ms). */
        private readonly echoAfterMs = 5,
    ) {}

    /** `PythonExtension.api()`: activates and, like the real one, echoes the same environment soon after. */
    async api(): Promise<{ environments: EnvironmentsSlice }> {
        this.echoes.push(setTimeout(() => this.announceSame(), this.echoAfterMs));
        return { environments: this.environments };
    }

    /** Announces the active environment again with the path it already had. */
    announceSame(): void {
        this.announce(this.activePath);
    }

    /** The user picked another interpreter. */
    select(path: string): void {
        this.activePath = path;
        this.announce(path);
    }

    private announce(path: string): void {
        this.announced.push(path);
        this.changed.fire({ id: path, path, resource: undefined } as ChangeEvent);
    }

    dispose(): void {
        this.echoes.forEach(clearTimeout);
        this.echoes = [];
    }
}
