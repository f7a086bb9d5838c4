"""The server's own watcher of the workspace's Python files, for clients that cannot watch
files for it (no dynamic registration of ``workspace/didChangeWatchedFiles``).

watchdog reports created, modified and moved-in ``.py`` files under each workspace folder;
the server filters them with the same include/exclude settings as saves. Folders the
exclude list names (``.git``, ``.venv``, site-packages) are skipped cheaply on the event
thread before anything reaches the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

_SKIP_PARTS = ("/.git/", "/.venv/", "/site-packages/", "/__pycache__/", "/node_modules/")


class WorkspaceWatcher:
    """Calls ``on_change(path)`` in the event loop for each changed Python file."""

    def __init__(self, roots: Iterable[str], on_change: Callable[[str], None]) -> None:
        self.roots = sorted(set(roots))
        self._on_change = on_change
        self._observer: Any = None

    def start(self) -> bool:
        """Start watching; False when watchdog is not installed or no folder can be watched."""
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            log.info("watchdog is not installed: changes made outside the editor are not seen")
            return False
        loop = asyncio.get_running_loop()
        on_change = self._on_change

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
                    return
                path = str(getattr(event, "dest_path", "") or event.src_path)
                if not path.endswith(".py") or any(part in path.replace("\\", "/") for part in _SKIP_PARTS):
                    return
                loop.call_soon_threadsafe(on_change, path)

        observer = Observer()
        watched = 0
        for root in self.roots:
            try:
                observer.schedule(Handler(), root, recursive=True)
                watched += 1
            except OSError as exc:
                log.warning("cannot watch %s: %s", root, exc)
        if not watched:
            return False
        observer.daemon = True
        observer.start()
        self._observer = observer
        return True

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._observer = None
