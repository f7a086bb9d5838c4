"""Snapshot and restore of a module namespace, so a failed reload leaves no trace.

``importlib.reload`` executes into the live dict: an exception half-way leaves a mix of old
and new names. The engine executes only after taking a shallow copy and puts that copy back
exactly (same keys, same objects) when anything goes wrong. Patching of old objects happens
only after execution succeeded, so there is nothing else to undo.
"""

from __future__ import annotations

from typing import Any


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

    def restore(self) -> None:
        """Put every name back to the object it held, and drop names added since."""
        target = self._target
        for key in [k for k in target if k not in self._saved]:
            del target[key]
        for key, value in self._saved.items():
            if target.get(key, _MISSING) is not value:
                target[key] = value
        if list(target) != list(self._saved):
            # a name deleted and put back moved to the end; restore the order as well
            target.clear()
            target.update(self._saved)


_MISSING = object()
