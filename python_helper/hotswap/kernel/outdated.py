"""Which loaded user modules no longer match their files on disk.

An editor that attaches to a kernel late (at start-up, after a restart, a kernel that just
appeared) asks this before anything else, so edits saved while nobody was listening are not
lost. Each module is compared with the source it runs, known in this order of trust:

1. the text the engine last loaded it from (after a reload by hotswap);
2. the text the import hook saw it imported from (imported after hotswap was imported);
3. the stamp in its ``.pyc``: the source's mtime and size (or hash) when it was compiled,
   which is what the import used.

A module none of these describe is listed as ``unknown``: it may or may not differ, and
reloading it without a baseline would re-run all of its code, so the caller decides.
Standard library only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import types
from typing import Any, Optional

from ..engine import importhook, loaded
from ..engine.modules import user_module_objects


def _running_digest(name: str, module: types.ModuleType) -> Optional[str]:
    entry = loaded.get(name, module)
    if entry is not None:
        return entry.digest
    hit = importhook.imported_source(name)
    return hit[0] if hit is not None else None


def _pyc_says_changed(module: types.ModuleType, data: bytes, st: os.stat_result) -> Optional[bool]:
    """True/False when the module's bytecode cache tells what source it was compiled from,
    None when there is no usable cache."""
    spec = getattr(module, "__spec__", None)
    cached = getattr(spec, "cached", None) if spec is not None else None
    if not isinstance(cached, str):
        return None
    try:
        with open(cached, "rb") as f:
            header = f.read(16)
    except OSError:
        return None
    if len(header) < 16 or header[:4] != importlib.util.MAGIC_NUMBER:
        return None
    flags = int.from_bytes(header[4:8], "little")
    if flags & 0b1:  # hash-based pyc
        return bool(importlib.util.source_hash(data) != header[8:16])
    mtime = int.from_bytes(header[8:12], "little")
    size = int.from_bytes(header[12:16], "little")
    return bool(mtime != (int(st.st_mtime) & 0xFFFFFFFF) or size != (st.st_size & 0xFFFFFFFF))


def outdated_modules() -> dict[str, Any]:
    """``{"modules": [{"name", "file"}], "unknown": [{"name", "file"}]}``, sorted by name."""
    changed: list[dict[str, str]] = []
    unknown: list[dict[str, str]] = []
    for name, module, real in sorted(user_module_objects(), key=lambda t: t[0]):
        try:
            with open(real, "rb") as f:
                data = f.read()
            st = os.stat(real)
        except OSError:
            continue  # deleted or unreadable: a reload would only report that; a save will
        digest = _running_digest(name, module)
        if digest is not None:
            differs: Optional[bool] = digest != hashlib.sha1(data).hexdigest()
        else:
            differs = _pyc_says_changed(module, data, st)
        if differs is None:
            unknown.append({"name": name, "file": real})
        elif differs:
            changed.append({"name": name, "file": real})
    return {"modules": changed, "unknown": unknown}
