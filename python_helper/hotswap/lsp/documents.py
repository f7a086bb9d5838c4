"""Which open files hold edits the user has not saved.

A file changed on disk (a checkout, a formatter in a terminal) is reloaded at once, unless
the editor holds unsaved edits of it: then the user's next save decides what the module
becomes. An edit counts as unsaved when the editor's text differs from the file on disk at
the time of the edit, so an editor reloading a clean file from disk (which sends the new
text as a change) does not make it "unsaved".
"""

from __future__ import annotations

import os


def _disk_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
            return f.read()
    except OSError:
        return None


class UnsavedEdits:
    """Tracks open documents by file path (normalised)."""

    def __init__(self) -> None:
        self._dirty: dict[str, bool] = {}

    @staticmethod
    def _key(path: str) -> str:
        return os.path.normcase(os.path.realpath(path))

    def changed(self, path: str, text: str) -> None:
        """The editor's text of ``path`` is now ``text`` (opened or edited)."""
        self._dirty[self._key(path)] = text != _disk_text(path)

    opened = changed

    def saved(self, path: str) -> None:
        self._dirty[self._key(path)] = False

    def closed(self, path: str) -> None:
        self._dirty.pop(self._key(path), None)

    def unsaved(self, path: str) -> bool:
        return self._dirty.get(self._key(path), False)
