"""Turn hotswap reports into LSP diagnostics, merged over every source that sends reports.

Several sources report on the same files (each kernel, reached directly or through the
editor). Each source owns its
own diagnostics; a file's published list is the union, so one kernel's refresh never wipes
another's warnings.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from lsprotocol import types
from pygls.uris import from_fs_path

DOCS_URL = "https://github.com/hotswap-dev/hotswap/blob/main/docs/diagnostics.md#"
SOURCE = "hotswap"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def is_stale_code(code: str) -> bool:
    """Stale-object codes follow the ``staleSeverity`` setting and a ``stale`` refresh."""
    return code.startswith("stale-")


def _position(raw: Any) -> types.Position:
    if not isinstance(raw, Mapping):
        return types.Position(line=0, character=0)
    line = raw.get("line", 0)
    char = raw.get("character", 0)
    return types.Position(line=max(int(line), 0) if isinstance(line, (int, float)) else 0,
                          character=max(int(char), 0) if isinstance(char, (int, float)) else 0)


def _range(raw: Any) -> types.Range:
    if not isinstance(raw, Mapping):
        return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    start = _position(raw.get("start"))
    end = _position(raw.get("end", raw.get("start")))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def to_lsp(entry: Mapping[str, Any], label: str, stale_severity: str, kernel: str = "") -> types.Diagnostic:
    """One report diagnostic -> one LSP diagnostic.

    The related information points at the changed line in the module's file and says which
    kernel holds the stale names, because the same file can be loaded in several kernels.
    """
    code = str(entry.get("code") or "hotswap")
    severity_name = stale_severity if is_stale_code(code) else str(entry.get("severity") or "warning")
    rng = _range(entry.get("range"))
    names = [str(n) for n in entry.get("names") or [] if isinstance(n, str)]
    file = str(entry.get("file") or "")
    where = f"in {label}" if label else ""
    related_msg = (
        f"changed here; recreate {', '.join(names)} {where}".strip()
        if names else f"changed here {where}".strip()
    )
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(uri=from_fs_path(file) or file, range=rng), message=related_msg)]
    for extra in entry.get("related") or []:
        if isinstance(extra, Mapping) and extra.get("file"):
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=from_fs_path(str(extra["file"])) or str(extra["file"]), range=_range(extra.get("range"))),
                message=str(extra.get("message") or "")))
    return types.Diagnostic(
        range=rng,
        message=str(entry.get("message") or code),
        severity=_SEVERITY.get(severity_name, types.DiagnosticSeverity.Warning),
        code=code,
        code_description=types.CodeDescription(href=DOCS_URL + code),
        source=SOURCE,
        related_information=related,
        data={"source": label, "names": names, "kernel": kernel},
    )


def _norm(path: str) -> str:
    return os.path.normcase(os.path.realpath(path)) if path else path


class DiagnosticStore:
    """Report diagnostics per source and file; hands back which files must be republished."""

    def __init__(self) -> None:
        # source -> file -> raw report diagnostics (dicts)
        self._by_source: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._files: dict[str, str] = {}  # normalised -> path as first reported
        self._published: set[str] = set()

    def apply_reload(self, source: str, report: Mapping[str, Any]) -> set[str]:
        """A reload report replaces the diagnostics of every file it mentions."""
        files = {self._key(m.get("file")) for m in report.get("modules") or [] if isinstance(m, Mapping) and m.get("file")}
        incoming = self._group(report.get("diagnostics"))
        files |= set(incoming)
        per_file = self._by_source.setdefault(source, {})
        for f in files:
            per_file[f] = incoming.get(f, [])
        return files

    def apply_stale(self, source: str, report: Mapping[str, Any]) -> set[str]:
        """A ``stale`` report is the full current list of stale objects: it replaces every
        stale-* diagnostic of the source and leaves reload errors alone."""
        incoming = self._group(report.get("diagnostics"))
        per_file = self._by_source.setdefault(source, {})
        touched: set[str] = set(incoming)
        for f, diags in per_file.items():
            kept = [d for d in diags if not is_stale_code(str(d.get("code") or ""))]
            if len(kept) != len(diags):
                touched.add(f)
            per_file[f] = kept
        for f, diags in incoming.items():
            per_file.setdefault(f, []).extend(diags)
        return touched

    def drop_file(self, file_key: str) -> None:
        """Forget every source's diagnostics for one file (they could not be shown)."""
        for per_file in self._by_source.values():
            per_file.pop(file_key, None)

    def drop_source(self, source: str) -> set[str]:
        """Forget a source (a detached kernel): its files need republishing."""
        return set(self._by_source.pop(source, {}))

    def sources(self) -> list[str]:
        return list(self._by_source)

    def merged(self, file_key: str, labels: Mapping[str, str], stale_severity: str) -> tuple[str, list[types.Diagnostic]]:
        """The union of every source's diagnostics for one file, as (uri, diagnostics)."""
        out: list[types.Diagnostic] = []
        for source, per_file in self._by_source.items():
            for entry in per_file.get(file_key, []):
                kernel = source[len("kernel:"):] if source.startswith("kernel:") else source
                out.append(to_lsp(entry, labels.get(source, source), stale_severity, kernel))
        path = self._files.get(file_key, file_key)
        return from_fs_path(path) or path, out

    def all_files(self) -> set[str]:
        files = set(self._published)
        for per_file in self._by_source.values():
            files |= set(per_file)
        return files

    def mark_published(self, file_key: str, empty: bool) -> None:
        if empty:
            self._published.discard(file_key)
        else:
            self._published.add(file_key)

    def _key(self, path: Any) -> str:
        p = str(path)
        key = _norm(p)
        self._files.setdefault(key, p)
        return key

    def _group(self, diagnostics: Any) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for d in diagnostics or []:
            if isinstance(d, Mapping) and d.get("file"):
                grouped.setdefault(self._key(d["file"]), []).append(dict(d))
        return grouped


def summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """Counts for ``hotswap/didReload``."""
    modules = [m for m in report.get("modules") or [] if isinstance(m, Mapping)]
    diags: Iterable[Mapping[str, Any]] = [d for d in report.get("diagnostics") or [] if isinstance(d, Mapping)]
    return {
        "modules": [{"name": m.get("name"), "status": m.get("status"), "duration_ms": m.get("duration_ms")} for m in modules],
        "durationMs": report.get("duration_ms"),
        "reloaded": sum(1 for m in modules if m.get("status") == "reloaded"),
        "failed": sum(1 for m in modules if m.get("status") == "failed"),
        "stale": sum(1 for d in diags if is_stale_code(str(d.get("code") or ""))),
    }
