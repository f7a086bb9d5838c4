"""What the engine last loaded for each module: the baseline the next edit is compared with.

One entry per module, replaced on every reload, so memory does not grow with the number of
reloads. The entry is tied to the module object: a module imported afresh starts over.
"""

from __future__ import annotations

import types
import weakref
from dataclasses import dataclass

from .incremental import Stmt


@dataclass
class Loaded:
    """The source the module now runs: digest, text and its top-level statements."""

    module: "weakref.ref[types.ModuleType]"
    digest: str
    text: str
    stmts: list[Stmt]  # the top-level statements of ``text``
    classes: dict[str, dict[str, set[str]]]  # class qualname -> data statement text -> names
    flags: int  # __future__ compiler flags


_loaded: dict[str, Loaded] = {}


def get(name: str, module: types.ModuleType) -> Loaded | None:
    entry = _loaded.get(name)
    if entry is None or entry.module() is not module:
        return None
    return entry


def put(name: str, module: types.ModuleType, digest: str, text: str, stmts: list[Stmt],
        classes: dict[str, dict[str, set[str]]], flags: int) -> None:
    try:
        ref = weakref.ref(module)
    except TypeError:
        return
    _loaded[name] = Loaded(ref, digest, text, stmts, classes, flags)


def forget(name: str) -> None:
    _loaded.pop(name, None)
