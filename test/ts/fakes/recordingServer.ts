/**
 * Records what the extension hands the language server (`hotswap.publishReport`) and answers
 * its list commands from fixed data. The language server itself is tested over stdio by the
 * Python tests; here the question is what the extension sends it.
 */
import type { Report } from '../../../extension/src/kernels/kernelCode';
import type { ReportKind, ServerApi, ServerKernel } from '../../../extension/src/kernels/reloader';

export class RecordingServer implements ServerApi {
    readonly published: { source: string; report: Report; kind: ReportKind }[] = [];
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
    async publishReport(source: string, report: Report, kind: ReportKind): Promise<void> {
        this.published.push({ source, report, kind });
    }
    /** The latest report of this kind published for `source`. */
    latest(source: string, kind: ReportKind): Report | undefined {
        return [...this.published].reverse().find((p) => p.source === source && p.kind === kind)?.report;
    }
}
