/**
 * Records what the extension hands the language server (`hotswap.publishReport`) and answers
 * its list commands from fixed data. The language server itself is tested over stdio by the
 * Python tests; here the question is what the extension sends it.
 */
import type { Report } from '../../../extension/src/kernelCode';
import type { ServerApi, ServerKernel } from '../../../extension/src/reloader';

export class RecordingServer implements ServerApi {
    readonly published: { source: string; report: Report }[] = [];
    kernels: ServerKernel[] = [];
    modules: { kernel: string; name: string; file: string }[] = [];

    async listKernels(): Promise<ServerKernel[]> {
        return this.kernels;
    }
    async listModules(): Promise<{ kernel: string; name: string; file: string }[]> {
        return this.modules;
    }
    async reloadModule(): Promise<{ reports: { kernel: string; report: Report }[] }> {
        return { reports: [] };
    }
    async publishReport(source: string, report: Report): Promise<void> {
        this.published.push({ source, report });
    }
    /** The latest report published for `source`. */
    latest(source: string): Report | undefined {
        return [...this.published].reverse().find((p) => p.source === source)?.report;
    }
}
