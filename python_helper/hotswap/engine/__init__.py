"""Placeholder engine: same API as the real one, built on importlib.reload (replaced soon)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass
class Report:
    modules: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "modules": self.modules, "diagnostics": self.diagnostics, "duration_ms": self.duration_ms}


def reload(paths: Iterable[str] = (), modules: Iterable[str] = (), *, dependents: bool = False, namespace: dict[str, Any] | None = None) -> Report:
    start = time.perf_counter()
    report = Report()
    wanted = {os.path.realpath(p) for p in paths}
    names = set(modules)
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if name in names or (f and os.path.realpath(f) in wanted):
            importlib.reload(mod)
            report.modules.append({"name": name, "file": f, "status": "reloaded", "strategy": "importlib", "duration_ms": 0.0, "patched": [], "added": [], "removed": []})
    report.duration_ms = (time.perf_counter() - start) * 1000
    return report


def stale(namespace: dict[str, Any] | None = None) -> Report:
    return Report()
