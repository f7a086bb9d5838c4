"""Who still holds a replaced class object where rebinding by name could not reach.

``references.rebind`` points module attributes, one-level container entries, defaults and
closure cells of module-level functions at the new class. Everything else that still refers
to the old class object -- an instance attribute (``self.kind = Thing``), a closure cell of
an inner function, a container inside a container, a library's table -- keeps making or
checking against the old class. The heap pass finds those referrers (``heap.scan``); this
module names them: by the variable or module attribute they hang from where one level of
looking finds it, else by what they are ("an attribute 'kind' of a Job instance", "a dict
held elsewhere"). The old class's own machinery (its ``__mro__``, subclasses' bases, the
``__class__`` cells of its methods) and the engine's bookkeeping are not holders.

``except OldError:`` clauses need nothing here: the name is looked up when the clause runs,
and the module attribute it names has been rebound.
"""

from __future__ import annotations

import gc
import re
import sys
import types
from typing import Any, Iterable

from .references import MAX_INSIDE, namespaces
from .values import is_lru_wrapper

# IPython's output history and its own names in the user namespace: not the user's references
_HISTORY = re.compile(r"_\d*|__|___|_i+\d*|_oh|_dh|_ih|In|Out|exit|quit|get_ipython")


def _quiet_key(owner: str, key: object) -> bool:
    """A namespace key whose value is not a reference the user made."""
    if not isinstance(key, str):
        return False
    if owner:
        return key.startswith("__") and key.endswith("__")
    return _HISTORY.fullmatch(key) is not None


def _attrs_of(obj: Any) -> dict[str, Any] | None:
    """The instance dict of ``obj`` without running user code (no ``__getattr__``)."""
    try:
        d = object.__getattribute__(obj, "__dict__")
    except Exception:  # noqa: BLE001 - no dict, or a descriptor that refuses
        return None
    return d if type(d) is dict else None


def _cells(fn: Any) -> Iterable[tuple[types.CellType, str]]:
    """Closure cells of a function, method or cache wrapper (no attribute lookups on other objects)."""
    if isinstance(fn, (types.MethodType, staticmethod, classmethod)):
        fn = fn.__func__
    elif is_lru_wrapper(fn):
        fn = fn.__wrapped__
    if isinstance(fn, types.FunctionType):
        yield from zip(fn.__closure__ or (), fn.__code__.co_freevars)


class Index:
    """Where objects hang from, one level below every loaded user module and the namespace.

    ``places[id(x)] = label`` for values and container entries; ``attrs[id(d)] = label`` for
    the instance dict of such a value; ``cells[id(cell)] = label`` for closure cells of
    functions found there; ``quiet`` holds ids of containers that are not user references
    (IPython's output history).
    """

    def __init__(self, ns: dict[str, Any] | None) -> None:
        self.places: dict[int, str] = {}
        self.attrs: dict[int, str] = {}
        self.cells: dict[int, str] = {}
        self.quiet: set[int] = set()
        self.namespaces: dict[int, str] = {}
        self.user_ns_id = id(ns) if ns is not None else 0
        spaces = namespaces(ns)
        for mname, mod in list(sys.modules.items()):  # a library's module attributes are named too
            d = getattr(mod, "__dict__", None)
            if type(d) is dict:
                self.namespaces.setdefault(id(d), mname)
        for owner, d in spaces:
            self.namespaces[id(d)] = owner
            prefix = f"{owner}." if owner else ""
            for key, value in list(d.items()):
                if isinstance(value, types.ModuleType):
                    continue
                if _quiet_key(owner, key):
                    if type(value) in (list, dict):
                        self.quiet.add(id(value))
                    continue
                label = f"{prefix}{key}"
                self._place(value, label)
                t = type(value)
                if t in (list, tuple):
                    for i, x in enumerate(value[:MAX_INSIDE]):
                        self._place(x, f"{label}[{i}]")
                elif t is dict:
                    for i, (k, x) in enumerate(list(value.items())):
                        if i >= MAX_INSIDE:
                            break
                        self._place(x, f"{label}[{k!r}]")

    def _place(self, value: Any, label: str) -> None:
        self.places.setdefault(id(value), label)
        if isinstance(value, type):
            # a class attribute lives in the dict behind the class's mappingproxy
            for d in gc.get_referents(value.__dict__):
                if type(d) is dict:
                    self.attrs.setdefault(id(d), label)
            return
        d = _attrs_of(value)
        if d is not None:
            self.attrs.setdefault(id(d), label)
        for cell, _name in _cells(value):
            self.cells.setdefault(id(cell), label)


def _own_machinery(old: type) -> set[int]:
    """ids of what the old class and its subclasses hold as part of being classes."""
    out: set[int] = set()
    todo = [old]
    seen: set[int] = set()
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        out.add(id(c.__mro__))
        out.add(id(c.__bases__))
        for member in list(vars(c).values()):
            out.add(id(member))  # slot descriptors and the like refer back to their class
            fns = [member.fget, member.fset, member.fdel] if isinstance(member, property) else [member]
            for fn in fns:
                for cell, _name in _cells(fn):
                    out.add(id(cell))
        try:
            todo.extend(type.__subclasses__(c))
        except TypeError:
            pass
    return out


def _describe(old: type, ref: Any, index: Index, skip: set[int]) -> tuple[str, str] | None:
    """(label, place it hangs from or "") for one referrer of ``old``; None when it is not a
    user's reference."""
    rid = id(ref)
    if rid in skip or rid in index.quiet or isinstance(ref, (type, types.FrameType, types.FunctionType)):
        return None
    t = type(ref)
    if getattr(t, "__module__", "").startswith("hotswap"):
        return None  # the engine's own records of the replacement
    if t is types.CellType:
        where = index.cells.get(rid, "")
        return (f"a variable captured by {where}" if where else "a variable captured by a closure"), where
    if t is dict:
        keys = [k for k, v in list(ref.items())[:MAX_INSIDE] if v is old]
        owner = index.namespaces.get(rid)
        if owner is not None:
            keys = [k for k in keys if not _quiet_key(owner, k)]
            if not keys:
                return None
            prefix = f"{owner}." if owner else ""
            return ", ".join(f"{prefix}{k}" for k in keys), (f"{keys[0]}" if not owner else "")
        where = index.attrs.get(rid, "")
        if where:
            return (", ".join(f"{where}.{k}" for k in keys) if keys else f"{where} (an attribute)"), where
        where = index.places.get(rid, "")
        if where:
            return (", ".join(f"{where}[{k!r}]" for k in keys) if keys else f"{where} (a key)"), where
        return "a dict held elsewhere", ""
    where = index.places.get(rid, "")
    if t is tuple and not where:
        # CPython 3.13+ keeps tuples alive that no user code can reach (a function's replaced
        # __defaults__, interpreter caches); a tuple the user holds is found through its holder.
        return None
    if t in (list, tuple, set, frozenset):
        return (f"{where} (an entry)" if where else f"a {t.__name__} held elsewhere"), where
    attrs = _attrs_of(ref)
    names = [k for k, v in list(attrs.items()) if v is old] if attrs is not None else []
    if names:
        if where:
            return ", ".join(f"{where}.{k}" for k in names), where
        return ", ".join(f"an attribute '{k}' of a {t.__qualname__} instance" for k in names), ""
    return (where or f"a {t.__qualname__} object"), where


def find(old: type, referrers: list[Any], ns: dict[str, Any] | None, index: Index | None = None,
         ignore: set[int] | None = None) -> list[tuple[str, str]]:
    """(label, place) of the user's references to ``old`` among its heap referrers, in heap
    order; the place is the variable or module attribute the reference hangs from, or ""."""
    if not referrers:
        return []
    index = index if index is not None else Index(ns)
    skip = _own_machinery(old) | (ignore or set())
    out: dict[str, str] = {}
    seen: set[int] = set()
    for ref in referrers:
        if id(ref) in seen:
            continue
        seen.add(id(ref))
        found = _describe(old, ref, index, skip)
        if found is not None:
            out.setdefault(found[0], found[1])
    return list(out.items())
