"""The text ``%hotswap`` prints: short enough to read at a glance, complete enough to act on."""

from __future__ import annotations

import os
import time
from typing import Any, Optional

MODE_TEXT = {None: "not loaded", 0: "0 (off)", 1: "1 (explicit: %aimport-ed modules only)",
             2: "2 (all changed user modules)", 3: "3 (complete: also new names)"}
SHOW_RECENT = 10
SHOW_MODULES = 15


def format_status(mode: Optional[int], watching: str, recent: list[dict[str, Any]], stale: list[dict[str, Any]],
                  modules: Optional[list[str]] = None) -> str:
    """Status lines: mode, what is watched, recent reloads with timings, stale objects."""
    from .._version import __version__

    lines = [f"hotswap {__version__}: autoreload mode {MODE_TEXT.get(mode, str(mode))}",
             f"Watching {watching}" + (":" if modules else ".")]
    if modules:
        shown = sorted(modules)[:SHOW_MODULES]
        more = len(modules) - len(shown)
        lines.append("  " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    if recent:
        lines.append("Recent reloads:")
        for r in recent[-SHOW_RECENT:]:
            when = time.strftime("%H:%M:%S", time.localtime(r.get("time") or 0))
            ms = r.get("duration_ms")
            took = f"{ms:.1f} ms" if isinstance(ms, (int, float)) else "?"
            line = f"  {when}  {r.get('module')}: {r.get('status')} in {took} ({r.get('source')})"
            if r.get("status") == "failed" and r.get("error"):
                first = str(r["error"]).strip().splitlines()
                line += f" - {first[0] if first else ''}"
            lines.append(line)
    else:
        lines.append("No reloads yet.")
    if stale:
        lines.append(f"Stale objects ({len(stale)}); recreate them to use the new code:")
        for d in stale:
            names = ", ".join(d.get("names") or []) or "(not bound to a name)"
            lines.append(f"  {names}  [{d.get('code')}] {where(d, line=0)}: {d.get('message')}")
    else:
        lines.append("No stale objects.")
    return "\n".join(lines)


def where(d: dict[str, Any], line: Optional[int] = None) -> Optional[str]:
    """``greeter.py:4`` (1-based) for a diagnostic, at ``line`` (0-based) when it has none, else None.

    Without an editor the user finds the spot by the file's name and the line shown here."""
    start = ((d.get("range") or {}).get("start") or {}).get("line")
    at = start if isinstance(start, int) else line
    return f"{os.path.basename(str(d.get('file') or '?'))}:{at + 1}" if at is not None else None
