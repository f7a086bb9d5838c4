"""The one heap traversal a reload may make.

Closures made from old code and instances of changed classes are reachable only through the
heap. Both ``gc.get_objects()`` and ``gc.get_referrers()`` walk the whole heap on every call,
so the engine gathers every target first and walks the heap once, whatever the number of
changed objects.
"""

from __future__ import annotations

import gc
import sys
import types
from dataclasses import dataclass, field
from typing import Iterable

#: how many traversals happened in this process (tests use it to check the one-pass rule)
passes = 0

# CPython's gc.get_referrers walks the heap in C, several times faster than a Python loop over
# gc.get_objects(). Functions refer to their code object and instances of Python classes to
# their class, so one call finds both. It compares each reference with every target, so with
# very many targets the Python loop is cheaper; other interpreters get the loop too.
_REFERRERS_UP_TO = 128 if sys.implementation.name == "cpython" else 0


@dataclass
class HeapResult:
    """Functions whose ``__code__`` is one of the wanted code objects, instances by class."""

    functions: dict[int, list[types.FunctionType]] = field(default_factory=dict)
    instances: dict[type, list[object]] = field(default_factory=dict)


def scan(codes: dict[int, types.CodeType], classes: set[type]) -> HeapResult:
    """Walk the heap once, collecting functions by code identity and instances by exact type.

    ``codes`` maps id(code) to the code object (kept alive by the caller).
    """
    global passes
    passes += 1
    result = HeapResult()
    if not codes and not classes:
        return result
    functions = result.functions
    instances = result.instances
    fn_type = types.FunctionType
    # type(obj) is looked up by identity, so a metaclass with __eq__ but no __hash__ cannot
    # make the set lookup raise
    class_ids = {id(c): c for c in classes}
    candidates: Iterable[object]
    if len(codes) + len(classes) <= _REFERRERS_UP_TO:
        candidates = gc.get_referrers(*codes.values(), *classes)
    else:
        candidates = gc.get_objects()
    for obj in candidates:
        t = type(obj)
        if t is fn_type:
            if codes:
                cid = id(obj.__code__)
                if cid in codes:
                    functions.setdefault(cid, []).append(obj)
        elif id(t) in class_ids:
            instances.setdefault(t, []).append(obj)
    return result
