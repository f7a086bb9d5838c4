"""The first reload of a module the engine did not load itself.

Then nothing records the source the module runs. Two checks still prove that the file holds
exactly what was executed, so an unchanged file executes nothing:

- the file was last written before this process started (whatever imported it read it as it
  is now);
- the bytecode cache (``__pycache__``) holds the code the import system ran, and compiling
  the file now gives the same code.

When neither holds and no other baseline exists, ``kept_statements`` names what the reload
kept as it was (statements that may hold state are never re-run then), and ``kept_values``
the constants whose live value differs from the file (``COUNT = 0`` in the file, 5 in the
module: a counter, or an edit -- nothing tells which), for the information diagnostic that
tells the user what was assumed and how to apply the file's value. Those constants are
remembered and named again at each later reload of the module until the module holds the
file's value (``still_kept``).
"""

from __future__ import annotations

import ast
import os
import reprlib
import time
import types
from dataclasses import dataclass
from typing import Any, Sequence

from .diff import DEF_NODES, bound_names, cached_module_code, code_key, constant_literal, immutable
from .values import safe_same

_MTIME_MARGIN = 2.0  # seconds: file systems with coarse timestamps
_started: float | None = None


def process_start_time() -> float | None:
    """When this process started (seconds since the epoch), where the platform tells it."""
    global _started
    if _started is None:
        try:
            with open("/proc/self/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ticks = int(fields[19])  # field 22 of proc(5): starttime, after pid and (comm)
            with open("/proc/stat", "rb") as fh:
                btime = next(int(line.split()[1]) for line in fh if line.startswith(b"btime"))
            _started = btime + ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, StopIteration, AttributeError):
            return None
    return _started


def written_before_start(filename: str) -> bool:
    """True when the file has not been written since this process started."""
    start = process_start_time()
    if start is None:
        return False
    try:
        st = os.stat(filename)
    except OSError:
        return False
    # ctime too: copies that keep an old mtime (tar, cp -p) still change the inode time
    mtime = max(st.st_mtime, st.st_ctime)
    return mtime < start - _MTIME_MARGIN and mtime < time.time() - _MTIME_MARGIN


def matches_cached_code(module: types.ModuleType, filename: str, new_code: types.CodeType) -> bool:
    """True when the module's bytecode cache holds the same code as ``new_code``."""
    old = cached_module_code(module, filename)
    if old is None:
        return False
    try:
        return code_key(old) == code_key(new_code)
    except Exception:  # noqa: BLE001 - odd constants: no proof, fall back to comparing statements
        return False


@dataclass(frozen=True)
class KeptValue:
    """A constant kept at its live value although the file assigns another."""

    name: str
    live: str  # what the module holds (a shortened repr)
    file: str  # the value as the file writes it
    lineno: int


_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40
_MAX_WRITTEN = 60  # longer values are pointed at by line instead of quoted


def kept_values(kept: list[ast.stmt], module_dict: dict[str, Any], text: str) -> list[KeptValue]:
    """The kept constants (``LIMIT = 20``) whose live value is another, in source order."""
    out: list[KeptValue] = []
    for node in kept:
        constant = constant_literal(node)
        if constant is None or constant[0] not in module_dict:
            continue
        name, value = constant
        live = module_dict[name]
        if safe_same(live, value):
            continue
        expr = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        written = ast.get_source_segment(text, expr) if expr is not None else None
        if written is None or len(written) > _MAX_WRITTEN or "\n" in written:
            written = ""
        # repr runs no user code only on plain data
        shown = _short.repr(live) if immutable(live) else f"a {type(live).__name__} object"
        out.append(KeptValue(name, shown, written, node.lineno))
    return out


# module name -> constants a reload without a baseline kept at a value other than the file's:
# every later reload of the module names them again while that lasts (a reload report replaces
# what an editor shows for the file, so saying it once would let it fall silent)
_kept: dict[str, set[str]] = {}


def remember_kept(module: str, values: Sequence[KeptValue]) -> None:
    if values:
        _kept[module] = {v.name for v in values}


def kept_names(module: str) -> frozenset[str]:
    """The constants of ``module`` remembered as kept at another value than the file's."""
    return frozenset(_kept.get(module, ()))


def still_kept(module: str, module_dict: dict[str, Any], text: str, nodes: list[ast.stmt]) -> list[KeptValue]:
    """The remembered constants of ``module`` whose live value still differs from the file's;
    those whose value now matches (their line was edited and ran, or the user assigned it), or
    that the file no longer assigns as a constant, are forgotten.

    ``nodes``: the file's top-level statements (of ``text``, in source order) that bind one of
    ``kept_names``; the others cannot assign a remembered constant."""
    names = _kept.get(module)
    if not names:
        return []
    first: dict[str, ast.stmt] = {}
    for node in nodes:
        constant = constant_literal(node)
        if constant is not None and constant[0] in names:
            first.setdefault(constant[0], node)
    values = kept_values(list(first.values()), module_dict, text)
    if values:
        _kept[module] = {v.name for v in values}
    else:
        _kept.pop(module, None)
    return values


def kept_statements(kept: list[ast.stmt], values: Sequence[KeptValue] = ()) -> list[str]:
    """Names bound by the module-level statements a reload kept without knowing whether they
    changed (``bound_names`` order per statement, each name once), except the constants
    named with their values."""
    skip = {v.name for v in values}
    out: dict[str, None] = {}
    for node in kept:
        if not isinstance(node, DEF_NODES):
            out.update(dict.fromkeys(n for n in sorted(bound_names([node])) if n not in skip))
    return list(out)
