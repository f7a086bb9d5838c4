"""Small questions about values that every step of a reload asks.

Kept apart from the patching and diffing modules so they can all use them without importing
each other. None of these run user code: no ``==`` on arbitrary objects, no ``hasattr`` on
objects whose attribute access may do anything.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any

MISSING: Any = object()  # "no such entry", distinct from every value a module can hold
_SIMPLE = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))


def is_live_module(obj: Any) -> bool:
    """A module that is still the one imported under its name: whoever holds it (``import b``,
    ``from pkg import b``) sees every reload of it, since reloads update it in place."""
    if not isinstance(obj, types.ModuleType):
        return False
    name = obj.__dict__.get("__name__")
    return isinstance(name, str) and sys.modules.get(name) is obj


def safe_same(a: Any, b: Any) -> bool:
    """Identity, or equality of plain literals only.

    Never calls ``==`` on arbitrary objects: numpy arrays and pydantic models answer with
    arrays or raise, which broke other reloaders (IPython #12870, #14841).
    """
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta in _SIMPLE:
        try:
            return bool(a == b)
        except Exception:
            return False
    if ta is tuple:
        return len(a) == len(b) and all(safe_same(x, y) for x, y in zip(a, b))
    if ta is frozenset:
        return all(type(x) in _SIMPLE for x in a) and all(type(x) in _SIMPLE for x in b) and a == b
    return False


def dict_same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Same keys and ``safe_same`` values (None only equals None)."""
    if a is None or b is None:
        return a is b
    if a.keys() != b.keys():
        return False
    return all(safe_same(a[k], b[k]) for k in a)


_LRU_TYPES: tuple[type, ...] = tuple(
    t for t in (getattr(functools, "_lru_cache_wrapper", None),) if isinstance(t, type)
)


def is_lru_wrapper(obj: Any) -> bool:
    """functools.lru_cache / cache wrappers (C objects with a fixed inner function).

    Decided by type, never by ``hasattr`` on arbitrary objects: proxies and lazy objects run
    code (and may raise anything) on attribute access.
    """
    return isinstance(obj, _LRU_TYPES)


def is_singledispatch(obj: Any) -> bool:
    return isinstance(obj, types.FunctionType) and all(hasattr(obj, a) for a in ("register", "dispatch", "registry"))


def functions_in(obj: Any, depth: int = 0) -> list[types.FunctionType]:
    """Every plain function behind a value's usual wrappers (decorators, descriptors, caches)."""
    if depth > 8 or obj is None:
        return []
    if isinstance(obj, types.FunctionType):
        out = [obj]
        w = obj.__dict__.get("__wrapped__")
        if w is not None:
            out += functions_in(w, depth + 1)
        return out
    if isinstance(obj, (staticmethod, classmethod)):
        return functions_in(obj.__func__, depth + 1)
    if isinstance(obj, property):
        return [f for a in (obj.fget, obj.fset, obj.fdel) for f in functions_in(a, depth + 1)]
    w = getattr(obj, "__wrapped__", None) if is_lru_wrapper(obj) else None
    return functions_in(w, depth + 1) if w is not None else []


def unwrap_function(obj: Any) -> types.FunctionType | None:
    """The innermost plain function behind decorators, if any."""
    fns = functions_in(obj)
    return fns[-1] if fns else None
