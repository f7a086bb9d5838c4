"""Remembering the source text user modules are imported from.

The first reload of a module has to know which top-level statements the edit touched, which
needs the text the module was imported from -- by then the file on disk already holds the
edit. A meta path finder placed first asks the other finders (so the import system behaves
exactly as before), and when the answer is a plain source file of the user's, records its
text. Library and standard library imports are passed through untouched.
"""

from __future__ import annotations

import importlib.machinery
import sys
import threading
from typing import Any, Sequence

from .modules import is_user_file, library_roots

# module name -> (digest, text); one entry per module name, replaced on re-import
_sources: dict[str, tuple[str, str]] = {}


# Set while this thread is inside the recorder: imports made by the recorder's own work (the
# standard library loading on first use, e.g. sysconfig's data module) are not looked at again.
_busy = threading.local()


class SourceRecorder:
    """Meta path finder that records user sources and otherwise defers to the others."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        """Ask the other finders in order; record the source when the answer is a user file."""
        if getattr(_busy, "active", False):
            return None  # the other finders answer as if the recorder were not there
        _busy.active = True
        try:
            return self._find_spec(fullname, path, target)
        finally:
            _busy.active = False

    def _find_spec(self, fullname: str, path: Sequence[str] | None, target: Any) -> Any:
        for finder in list(sys.meta_path):
            if finder is self or type(finder).__name__ == "SourceRecorder":
                continue  # (also another copy of hotswap's recorder)
            find = getattr(finder, "find_spec", None)
            if find is None:
                return None  # a legacy finder comes first: let the import system ask it
            spec = find(fullname, path, target)
            if spec is None:
                continue
            loader = getattr(spec, "loader", None)
            origin = getattr(spec, "origin", None)
            if isinstance(loader, importlib.machinery.SourceFileLoader) and isinstance(origin, str) and is_user_file(origin):
                _record(fullname, origin)
            return spec
        return None

    def invalidate_caches(self) -> None:
        return None


def _record(name: str, path: str) -> None:
    """Keep the text a user module is imported from: the first reload diffs against it."""
    from .source import SourceProblem, read_source

    try:
        src = read_source(path)
    except SourceProblem:
        return
    _sources[name] = (src.digest, src.text)
    # the module is being (re)imported by someone else (importlib.reload, a fresh import):
    # what the engine loaded before no longer describes it
    from . import loaded

    loaded.forget(name)


def imported_source(name: str) -> tuple[str, str] | None:
    """(digest, text) the module was last imported from, if it was imported after install()."""
    return _sources.get(name)


def forget(name: str) -> None:
    _sources.pop(name, None)


def install() -> None:
    """Put the recorder first on ``sys.meta_path`` (idempotent)."""
    library_roots()  # before the hook exists: computing them imports (sysconfig's data module)
    if not any(isinstance(f, SourceRecorder) for f in sys.meta_path):
        sys.meta_path.insert(0, SourceRecorder())

