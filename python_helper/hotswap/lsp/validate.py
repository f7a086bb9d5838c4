"""The server's boundary: every report (from a kernel, or handed over with publishReport) is
checked and rebuilt here before the server keeps any of it.

A report is plain JSON from a process we do not control. One bad entry kept in the store used
to break publishing for its file from then on; so each diagnostic is either rebuilt from
values of the right type and size or dropped (and counted), and a report with more entries
than an editor can show is cut, with a note saying how many were left out.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping

MAX_DIAGNOSTICS = 1000  # per report: beyond this the editor's Problems panel is no use anyway
MAX_MODULES = 10000
MAX_MESSAGE = 4000  # characters of one message
MAX_NAMES = 50
MAX_RELATED = 20
MAX_TEXT = 400  # module names, codes, error texts
_UINT = 2**31 - 1  # LSP uinteger
SEVERITIES = ("error", "warning", "information", "info", "hint")
STATUSES = ("reloaded", "unchanged", "failed", "skipped")


class BadReport(ValueError):
    """The report is not an object at all; the message says what was wrong."""


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _path(value: Any) -> str | None:
    """An absolute file path without NUL or lone surrogates (what an editor URI can carry)."""
    if not isinstance(value, str) or not value or "\x00" in value or len(value) > 4096:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value if os.path.isabs(value) else None


def _uint(value: Any) -> int | None:
    number: int
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        return None
    return min(max(number, 0), _UINT)


def _number(value: Any) -> float | None:
    """A JSON number as a float (``true`` is not one), else None."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _position(raw: Any) -> dict[str, int] | None:
    if not isinstance(raw, Mapping):
        return None
    line, char = _uint(raw.get("line")), _uint(raw.get("character", 0))
    if line is None or char is None:
        return None
    return {"line": line, "character": char}


def _range(raw: Any) -> dict[str, dict[str, int]] | None:
    if raw is None:
        return {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    if not isinstance(raw, Mapping):
        return None
    start = _position(raw.get("start"))
    end = _position(raw.get("end")) if raw.get("end") is not None else start
    if start is None or end is None:
        return None
    if (end["line"], end["character"]) < (start["line"], start["character"]):
        end = dict(start)
    return {"start": start, "end": end}


def diagnostic(raw: Any) -> dict[str, Any] | None:
    """One report diagnostic rebuilt from checked values, or None when it cannot be used."""
    if not isinstance(raw, Mapping):
        return None
    file, rng = _path(raw.get("file")), _range(raw.get("range"))
    code = _text(raw.get("code")) if raw.get("code") is not None else "hotswap"
    message = _text(raw.get("message"), MAX_MESSAGE)
    severity = raw.get("severity", "warning")
    if file is None or rng is None or not code or message is None or severity not in SEVERITIES:
        return None
    names_raw = raw.get("names") or []
    if not isinstance(names_raw, list):
        return None
    names = [n for n in (_text(x) for x in names_raw[:MAX_NAMES]) if n]
    out: dict[str, Any] = {"file": file, "range": rng, "severity": severity, "code": code, "message": message,
                           "names": names}
    related_raw = raw.get("related")
    if isinstance(related_raw, list):
        related = []
        for extra in related_raw[:MAX_RELATED]:
            if isinstance(extra, Mapping):
                f, r, m = _path(extra.get("file")), _range(extra.get("range")), _text(extra.get("message") or "", MAX_MESSAGE)
                if f is not None and r is not None and m is not None:
                    related.append({"file": f, "range": r, "message": m})
        out["related"] = related
    return out


def module(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping) or raw.get("status") not in STATUSES:
        return None
    name = _text(raw.get("name") or "")
    file = raw.get("file") or ""
    file = _path(file) if file else ""
    if name is None or file is None:
        return None
    out: dict[str, Any] = {"name": name, "file": file, "status": raw["status"],
                           "error": _text(raw.get("error"), MAX_MESSAGE)}
    out["duration_ms"] = _number(raw.get("duration_ms"))
    return out


def _usable(raws: list[Any], check: Callable[[Any], dict[str, Any] | None]) -> tuple[list[dict[str, Any]], int]:
    """The entries ``check`` accepts (checked copies), and how many it refused."""
    kept = [c for c in map(check, raws) if c is not None]
    return kept, len(raws) - len(kept)


def report(raw: Any) -> tuple[dict[str, Any], int]:
    """A checked copy of a report, and how many entries were dropped as unusable.

    Raises BadReport when ``raw`` is not a report object at all.
    """
    if not isinstance(raw, Mapping):
        raise BadReport(f"a report must be an object, not {type(raw).__name__}")
    modules_raw = raw.get("modules")
    diags_raw = raw.get("diagnostics")
    modules_raw = [] if modules_raw is None else modules_raw
    diags_raw = [] if diags_raw is None else diags_raw
    if not isinstance(modules_raw, list) or not isinstance(diags_raw, list):
        raise BadReport("a report's 'modules' and 'diagnostics' must be lists")
    modules, bad_modules = _usable(modules_raw[:MAX_MODULES], module)
    diagnostics, bad_diagnostics = _usable(diags_raw[:MAX_DIAGNOSTICS], diagnostic)
    dropped = bad_modules + bad_diagnostics
    extra = len(diags_raw) - MAX_DIAGNOSTICS
    if extra > 0 and diagnostics:
        first = diagnostics[0]
        diagnostics.append({
            "file": first["file"], "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "severity": "information", "code": "report-capped", "names": [],
            "message": f"{extra} more diagnostics of this report are not shown: a report is capped at "
                       f"{MAX_DIAGNOSTICS} entries."})
    out: dict[str, Any] = {
        "version": raw.get("version") if isinstance(raw.get("version"), int) else 1,
        "duration_ms": _number(raw.get("duration_ms")),
        "modules": modules,
        "diagnostics": diagnostics,
    }
    if raw.get("interrupted") is True:
        out["interrupted"] = True
    return out, dropped
