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
    """Functions whose ``__code__`` is one of the wanted code objects, instances by class, and
    what else refers to a wanted class object (by id of the class)."""

    functions: dict[int, list[types.FunctionType]] = field(default_factory=dict)
    instances: dict[type, list[object]] = field(default_factory=dict)
    referrers: dict[int, list[object]] = field(default_factory=dict)


def scan(codes: dict[int, types.CodeType], classes: set[type], held: Iterable[type] = ()) -> HeapResult:
    """Walk the heap once, collecting functions by code identity and instances by exact type.

    ``codes`` maps id(code) to the code object (kept alive by the caller). For each class in
    ``held`` (a subset of ``classes``), whatever else refers to it -- a dict, list, tuple, set,
    cell or object holding it as an attribute -- is collected too, so that holders of a
    replaced class are found in the same pass.
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
    held_ids = {id(c) for c in held if id(c) in class_ids}
    own = {id(class_ids), id(held), id(classes), id(codes)}  # this call's arguments and tables
    referrers = result.referrers
    candidates: Iterable[object]
    every = len(codes) + len(classes) > _REFERRERS_UP_TO
    if not every:
        candidates = gc.get_referrers(*codes.values(), *classes)
    else:
        candidates = gc.get_objects()
        own.add(id(candidates))
    for obj in candidates:
        t = type(obj)
        if t is fn_type:
            if codes:
                cid = id(obj.__code__)
                if cid in codes:
                    functions.setdefault(cid, []).append(obj)
        elif id(t) in class_ids:
            instances.setdefault(t, []).append(obj)
        elif held_ids and not every and id(obj) not in own:
            _add_referrer(obj, held_ids, referrers)
    if held_ids and every:
        # Looking into every object from Python costs ~15x the walk itself; one more sweep in
        # C for the few held classes costs about a third of it.
        for obj in gc.get_referrers(*(class_ids[i] for i in held_ids)):
            if type(obj) is not fn_type and id(type(obj)) not in class_ids and id(obj) not in own:
                _add_referrer(obj, held_ids, referrers)
    return result


def _add_referrer(obj: object, held_ids: set[int], referrers: dict[int, list[object]]) -> None:
    for rid in {id(ref) for ref in gc.get_referents(obj)} & held_ids:
        referrers.setdefault(rid, []).append(obj)
