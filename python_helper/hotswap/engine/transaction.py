"""Snapshot and precise restore of a module namespace, so a failed reload leaves no trace.

``importlib.reload`` executes into the live dict: an exception half-way leaves a mix of old
and new names. The engine takes a shallow copy first and executes through a ``WriteLog``,
which records every name the reload's own statements bind or delete. On failure only those
names are put back, and only while they still hold what the reload put there: a background
thread that wrote to the module meanwhile keeps its write. Patching of old objects happens
only after execution succeeded, so there is nothing else to undo.
"""

from __future__ import annotations

from typing import Any, Iterable

_MISSING = object()
_DELETED = object()


class WriteLog(dict):  # type: ignore[type-arg]
    """The ``locals`` mapping module code runs with: stores and deletes go straight to the
    module dict (functions see them at once, as in a normal import) and are recorded with the
    value written; reads fall through to the module dict."""

    def __init__(self, target: dict[str, Any]) -> None:
        super().__init__()
        self._target = target
        self.written: dict[str, Any] = {}

    def __missing__(self, key: str) -> Any:
        return self._target[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target[key] = value
        self.written[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target[key]
        self.written[key] = _DELETED

    def __contains__(self, key: object) -> bool:
        return key in self._target

    def cleared(self, keys: Iterable[str]) -> None:
        """Record names the reload itself removed before executing (a full re-run)."""
        for key in keys:
            self.written.setdefault(key, _DELETED)


class Snapshot:
    """A shallow copy of a module dict that can be put back in place."""

    __slots__ = ("_target", "_saved")

    def __init__(self, target: dict[str, Any]) -> None:
        self._target = target
        self._saved = dict(target)

    @property
    def saved(self) -> dict[str, Any]:
        """The namespace as it was when the snapshot was taken (do not mutate)."""
        return self._saved

    def restore(self, log: WriteLog | None = None) -> None:
        """Undo the reload's own writes (all of ``log``), or everything when there is no log."""
        target = self._target
        if log is None:
            keys: Iterable[str] = set(target) | set(self._saved)
        else:
            keys = [k for k, v in log.written.items()
                    if (k not in target if v is _DELETED else target.get(k, _MISSING) is v)]
        for key in keys:
            old = self._saved.get(key, _MISSING)
            if old is _MISSING:
                target.pop(key, None)
            elif target.get(key, _MISSING) is not old:
                target[key] = old
        if list(target) != list(self._saved) and target.keys() == self._saved.keys() and all(
                target[k] is v for k, v in self._saved.items()):
            # a name deleted and put back moved to the end; restore the order as well
            target.clear()
            target.update(self._saved)
