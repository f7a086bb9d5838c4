"""What happened in this kernel: recent reloads, the stale objects last reported, and which
front end (the IPython extension) is active.

The service's ``status`` command and the ``%hotswap`` magic both read this, whichever door a
reload came through. Standard library only.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any, Callable, Deque, Optional

RECENT = 20

lock = threading.RLock()
"""Held around every engine call: reloads may come from the main thread (cells, silent
``user_expressions``) and from a debug adapter's thread."""

recent: Deque[dict[str, Any]] = collections.deque(maxlen=RECENT)
"""Per-module results, newest last: ``{"module", "status", "duration_ms", "time", "source", "error"}``."""

diagnostics: list[dict[str, Any]] = []
"""The diagnostics of the latest report (the engine repeats every known stale object)."""

listeners: list[Callable[[dict[str, Any], str], None]] = []
"""Called with ``(report, source)`` after every reload, e.g. so the IPython watcher learns
that a module an editor reloaded is up to date."""


class FrontEnd:
    """What the IPython extension tells the service about itself."""

    def mode(self) -> Optional[int]:
        return None

    def watched(self) -> int:
        return 0


front_end: Optional[FrontEnd] = None


def record(report: dict[str, Any], source: str) -> None:
    """Remember a reload report and tell the listeners."""
    now = time.time()
    for m in report.get("modules", []):
        recent.append({"module": m.get("name"), "status": m.get("status"), "duration_ms": m.get("duration_ms"),
                       "time": now, "source": source, "error": m.get("error")})
    record_stale(report)
    for listener in list(listeners):
        try:
            listener(report, source)
        except Exception:
            pass  # a broken listener must not break a reload


def record_stale(report: dict[str, Any]) -> None:
    """Keep the diagnostics of the latest report."""
    diagnostics[:] = list(report.get("diagnostics", []))


def stale_diagnostics() -> list[dict[str, Any]]:
    """The stale-object diagnostics last reported."""
    return [d for d in diagnostics if is_stale(d)]


def is_stale(diagnostic: dict[str, Any]) -> bool:
    """An object the user should recreate: every ``stale-`` code, as the language server and
    the extension count them, so a new kind is never left out of one of the counts."""
    return str(diagnostic.get("code") or "").startswith("stale-")
