"""What a reload tells its caller: per-module results plus LSP-shaped diagnostics.

The shape is the contract editors rely on (docs/protocol.md), so everything here converts to
plain JSON data through ``to_dict``.
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "information"]
Status = Literal["reloaded", "unchanged", "failed", "skipped"]

REPORT_VERSION = 1


@dataclass
class Diagnostic:
    """One problem at a place in a file; lines and characters are 0-based like LSP."""

    file: str
    line: int
    character: int
    end_line: int
    end_character: int
    severity: Severity
    code: str
    message: str
    names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "range": {
                "start": {"line": self.line, "character": self.character},
                "end": {"line": self.end_line, "character": self.end_character},
            },
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "names": list(self.names),
        }


def at_line(
    file: str,
    lineno: int | None,
    severity: Severity,
    code: str,
    message: str,
    names: list[str] | None = None,
    col: int | None = None,
    end_col: int | None = None,
    text: str | None = None,
) -> Diagnostic:
    """Build a diagnostic covering a 1-based source line (the whole line's text by default).

    ``text`` is the file's current source when the caller has it; otherwise linecache is used so
    the range ends where the line's text ends, which is what editors underline.
    """
    line0 = max((lineno or 1) - 1, 0)
    line_text = ""
    if text is not None:
        lines = text.splitlines()
        if line0 < len(lines):
            line_text = lines[line0]
    else:
        line_text = linecache.getline(file, line0 + 1).rstrip("\r\n")
    start = col if col is not None else len(line_text) - len(line_text.lstrip())
    end = end_col if end_col is not None and end_col > start else max(len(line_text), start)
    return Diagnostic(file, line0, max(start, 0), line0, end, severity, code, message, list(names or []))


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' for a diagnostic's message ("" for none)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class ModuleResult:
    """The outcome for one module (or one file no loaded module comes from)."""

    name: str
    file: str
    status: Status
    strategy: str = "patch"
    duration_ms: float = 0.0
    patched: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "status": self.status,
            "strategy": self.strategy,
            "duration_ms": round(self.duration_ms, 3),
            "patched": list(self.patched),
            "added": list(self.added),
            "removed": list(self.removed),
            "executed": list(self.executed),
            "error": self.error,
        }


@dataclass
class Report:
    """Result of ``hotswap.reload`` / ``hotswap.stale``.

    ``diagnostics`` holds the errors of this call plus every stale object currently known, so
    an editor can replace its list with this one.
    """

    modules: list[ModuleResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    duration_ms: float = 0.0
    interrupted: bool = False  # the user interrupted the kernel during this reload (KeyboardInterrupt)

    def module(self, name: str) -> ModuleResult | None:
        """The result for module ``name``, if it was part of this call."""
        for m in self.modules:
            if m.name == name:
                return m
        return None

    def by_code(self, code: str) -> list[Diagnostic]:
        """Diagnostics with the given code (handy in tests and adapters)."""
        return [d for d in self.diagnostics if d.code == code]

    @property
    def ok(self) -> bool:
        """True when no module failed."""
        return all(m.status != "failed" for m in self.modules)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": REPORT_VERSION,
            "duration_ms": round(self.duration_ms, 3),
            "modules": [m.to_dict() for m in self.modules],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
        if self.interrupted:
            out["interrupted"] = True
        return out
