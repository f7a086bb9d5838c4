"""Proof that nothing the user holds changed since the last stale report.

Editors re-check stale objects after every cell. Walking the heap each time costs seconds
with 100,000 stale instances, so the last report is remembered with what it rests on:

- a weak reference (with a callback) to every object it reported, so the death of any of
  them is known at once;
- the namespace entries that held them (name, identity of the value, length of a container);
- the namespace's newest key, so variables bound since then are looked at, and only those.

While none of that changed, the report is still true and is returned as it is: the check
costs a few dictionary lookups per holder name. Otherwise the caller walks the heap again
and re-arms the watch. Objects that cannot be weakly referenced disable the shortcut.
"""

from __future__ import annotations

import types
import weakref
from typing import Any, Iterable

from .report import Diagnostic

_CONTAINERS = (list, tuple, set, frozenset, dict)
_SKIP = ("In", "Out", "exit", "quit", "get_ipython")
_NEW_KEYS_LIMIT = 1000  # more new variables than this since the last check: walk the heap
_INSIDE_LIMIT = 10000  # items of a new container looked at before giving up (walk the heap)
_MISSING = object()


def _user_name(key: object, value: object) -> bool:
    return isinstance(key, str) and not key.startswith("_") and key not in _SKIP and not isinstance(value, types.ModuleType)


class StaleWatch:
    """The last full stale check, held weakly; ``quiet`` gives its diagnostics while still true."""

    def __init__(self) -> None:
        self._armed = False
        self._dirty = False
        self._refs: dict[int, "weakref.ref[Any]"] = {}
        self._names: list[str] = []
        self._ids: list[int] = []
        self._sized: list[tuple[str, int]] = []
        self._ns_id = 0
        self._last_key: object = _MISSING
        self._version = -1
        self._diagnostics: list[Diagnostic] = []
        self.hits = 0  # checks answered without walking the heap (tests and benchmarks read it)

    def _died(self, _ref: "weakref.ref[Any]") -> None:
        self._dirty = True  # any thread, any time: one store

    def disarm(self) -> None:
        self._armed = False

    def arm(self, namespace: dict[str, Any], objects: Iterable[object], holders: Iterable[str],
            diagnostics: list[Diagnostic], version: int) -> None:
        """Remember a full check: the stale ``objects`` it found, the ``holders`` (namespace
        names) that held them, and its ``diagnostics`` (without stale bindings)."""
        self._armed = False
        refs: dict[int, "weakref.ref[Any]"] = {}
        for obj in objects:
            key = id(obj)
            ref = self._refs.get(key)
            if ref is None or ref() is not obj:
                try:
                    ref = weakref.ref(obj, self._died)
                except TypeError:
                    self._refs = {}
                    return  # cannot know when it goes away: no shortcut
            refs[key] = ref
        self._refs = refs
        self._names = list(holders)
        values = [namespace.get(name, _MISSING) for name in self._names]
        if any(v is _MISSING for v in values):
            return
        self._ids = [id(v) for v in values]
        self._sized = [(n, len(v)) for n, v in zip(self._names, values) if type(v) in _CONTAINERS]
        self._ns_id = id(namespace)
        self._last_key = next(reversed(namespace.keys()), _MISSING) if namespace else _MISSING
        self._version = version
        self._diagnostics = list(diagnostics)
        self._dirty = False
        self._armed = True

    def quiet(self, namespace: dict[str, Any], version: int) -> list[Diagnostic] | None:
        """The remembered diagnostics when provably still true, else None (walk the heap)."""
        if not self._armed or self._dirty or version != self._version or id(namespace) != self._ns_id:
            return None
        # C-level loops: 10,000 holder names cost well under a millisecond
        if list(map(id, map(namespace.get, self._names))) != self._ids:
            return None
        for name, length in self._sized:
            if len(namespace[name]) != length:
                return None
        if not self._new_keys_harmless(namespace):
            return None
        if self._dirty:  # an object died while we looked
            return None
        self.hits += 1
        return list(self._diagnostics)

    def _new_keys_harmless(self, namespace: dict[str, Any]) -> bool:
        """Variables bound since the last check hold none of the reported objects (then the
        report's holder names are still complete)."""
        newest = next(reversed(namespace.keys()), _MISSING) if namespace else _MISSING
        if newest is self._last_key or newest == self._last_key:
            return True
        refs = self._refs
        for seen, key in enumerate(reversed(namespace.keys())):
            if key == self._last_key:
                break
            if seen >= _NEW_KEYS_LIMIT:
                return False
            value = namespace.get(key, _MISSING)
            if not _user_name(key, value):
                continue
            if id(value) in refs:
                return False
            if type(value) in _CONTAINERS:
                items: Iterable[object] = value.values() if type(value) is dict else value
                for i, item in enumerate(items):
                    if i >= _INSIDE_LIMIT or id(item) in refs:
                        return False
        else:
            if self._last_key is not _MISSING:
                return False  # the key we knew last is gone: cannot tell what is new
        self._last_key = newest
        return True


WATCH = StaleWatch()
