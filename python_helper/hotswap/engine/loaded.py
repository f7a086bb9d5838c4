"""What the engine last loaded for each module: the baseline the next edit is compared with.

One entry per module, replaced on every reload, so memory does not grow with the number of
reloads. The entry is tied to the module object: a module imported afresh starts over.
"""

from __future__ import annotations

import types
import weakref
from dataclasses import dataclass


@dataclass
class Loaded:
    """Source digest and statement texts of the source the module now runs."""

    module: "weakref.ref[types.ModuleType]"
    digest: str
    keys: dict[str, list[int]]  # statement text -> first lines where it occurs
    names: set[str] | None  # names bound at top level (None: a star import hides them)
    classes: dict[str, dict[str, set[str]]]  # class qualname -> data statement text -> names


_loaded: dict[str, Loaded] = {}


def get(name: str, module: types.ModuleType) -> Loaded | None:
    entry = _loaded.get(name)
    if entry is None or entry.module() is not module:
        return None
    return entry


def put(name: str, module: types.ModuleType, digest: str, keys: dict[str, list[int]], names: set[str] | None,
        classes: dict[str, dict[str, set[str]]]) -> None:
    try:
        ref = weakref.ref(module)
    except TypeError:
        return
    _loaded[name] = Loaded(ref, digest, keys, names, classes)


def forget(name: str) -> None:
    _loaded.pop(name, None)
