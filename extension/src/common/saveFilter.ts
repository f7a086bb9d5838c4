/**
 * Which saves reload: a Python file on disk, reload on save on, the workspace trusted (a
 * second lock behind the manifest), and the file selected by hotswap.include/exclude.
 */

/** The part of a saved TextDocument the save check reads. */
export interface SavedDocument {
    languageId: string;
    uri: { scheme: string; fsPath: string };
}

/**
 * Whether a save should reload: a Python file on disk, reload on save on, the workspace
 * trusted, and the file selected by hotswap.include/exclude. The reason says why not, for the log.
 */
export function saveDecision(
    doc: SavedDocument,
    opts: { reloadOnSave: boolean; trusted: boolean; selected: () => boolean },
): { reload: true } | { reload: false; reason: string } {
    if (doc.languageId !== 'python' || doc.uri.scheme !== 'file') {
        return { reload: false, reason: 'not a Python file on disk' };
    }
    if (!opts.trusted) {
        return { reload: false, reason: 'the workspace is not trusted' };
    }
    if (!opts.reloadOnSave) {
        return { reload: false, reason: 'hotswap.reloadOnSave is off' };
    }
    if (!opts.selected()) {
        return { reload: false, reason: `${doc.uri.fsPath} is excluded by hotswap.include/exclude` };
    }
    return { reload: true };
}
