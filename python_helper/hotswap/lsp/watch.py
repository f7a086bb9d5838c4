"""The server's own watcher of the workspace's Python files, for clients that cannot watch
files for it (no dynamic registration of ``workspace/didChangeWatchedFiles``).

watchdog reports created, modified and moved-in ``.py`` files in the workspace folders; the
server filters them with the same include/exclude settings as saves. Each folder is watched on
its own (not one recursive watch), skipping the ones that never hold the user's modules
(``.git``, virtual environments, ``node_modules``, hidden folders), and at most MAX_DIRS of
them: a huge checkout must not exhaust the system's file watches. A folder created later is
not watched, which costs nothing here: the modules a kernel has loaded live in folders that
existed when it imported them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from typing import Any, Callable, Iterable, Iterator

log = logging.getLogger(__name__)

_SKIP_PARTS = ("/.git/", "/.venv/", "/site-packages/", "/__pycache__/", "/node_modules/")
_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"}
MAX_DIRS = 2000


def watched_dirs(roots: Iterable[str], limit: int = MAX_DIRS) -> Iterator[str]:
    """The folders to watch, breadth first, at most ``limit``."""
    seen = 0
    queue = deque(roots)
    while queue and seen < limit:
        top = queue.popleft()
        seen += 1
        yield top
        try:
            with os.scandir(top) as entries:
                subdirs = sorted(e.path for e in entries if e.is_dir(follow_symlinks=False)
                                 and not e.name.startswith(".") and e.name not in _SKIP_DIRS
                                 and not os.path.exists(os.path.join(e.path, "pyvenv.cfg")))
        except OSError:
            continue
        queue.extend(subdirs)


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
        handler = Handler()
        for folder in watched_dirs(self.roots):
            try:
                observer.schedule(handler, folder, recursive=False)
                watched += 1
            except OSError as exc:
                log.warning("cannot watch %s: %s", folder, exc)
        if watched >= MAX_DIRS:
            log.warning("watching the first %d folders of %s for changes made outside the editor", MAX_DIRS,
                        ", ".join(self.roots))
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
