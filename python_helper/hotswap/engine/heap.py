"""The one heap traversal a reload may make.

Closures made from old code and instances of changed classes are reachable only through the
heap. ``gc.get_referrers`` walks the whole heap on every call, so the engine gathers every
target first and walks ``gc.get_objects()`` once, whatever the number of changed objects.
"""

from __future__ import annotations

import gc
import types
from dataclasses import dataclass, field

#: how many traversals happened in this process (tests use it to check the one-pass rule)
passes = 0


@dataclass
class HeapResult:
    """Functions whose ``__code__`` is one of the wanted code objects, instances by class."""

    functions: dict[int, list[types.FunctionType]] = field(default_factory=dict)
    instances: dict[type, list[object]] = field(default_factory=dict)


def scan(code_ids: set[int], classes: set[type]) -> HeapResult:
    """Walk the heap once, collecting functions by code identity and instances by exact type."""
    global passes
    passes += 1
    result = HeapResult()
    if not code_ids and not classes:
        return result
    functions = result.functions
    instances = result.instances
    fn_type = types.FunctionType
    # type(obj) is looked up by identity, so a metaclass with __eq__ but no __hash__ cannot
    # make the set lookup raise
    class_ids = {id(c): c for c in classes}
    for obj in gc.get_objects():
        t = type(obj)
        if t is fn_type:
            if code_ids:
                cid = id(obj.__code__)  # type: ignore[attr-defined]
                if cid in code_ids:
                    functions.setdefault(cid, []).append(obj)  # type: ignore[arg-type]
        elif id(t) in class_ids:
            instances.setdefault(t, []).append(obj)
    return result
