/**
 * Where the extension's Python parts live inside the installed extension folder, and the
 * command line that starts the language server from there.
 */
import * as path from 'node:path';

export interface ExtensionLayout {
    /** `<ext>/python_helper`: the hotswap package, injected into kernels and the server. */
    helperDir: string;
    /** `<ext>/bundled/tool/launch_server.py`: puts the bundled libraries on sys.path, runs hotswap.lsp. */
    launcher: string;
}

export function layoutOf(extensionPath: string): ExtensionLayout {
    return {
        helperDir: path.join(extensionPath, 'python_helper'),
        launcher: path.join(extensionPath, 'bundled', 'tool', 'launch_server.py'),
    };
}

/** Arguments after the interpreter: UTF-8 mode (stdio is the protocol channel), then the launcher. */
export function serverArgs(layout: ExtensionLayout): string[] {
    return ['-X', 'utf8', layout.launcher];
}
