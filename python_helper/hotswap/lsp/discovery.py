"""Find kernels that announced themselves in the hotswap registry, and notice changes.

The registry (``<jupyter runtime dir>/hotswap/kernel-<pid>.json``, written by
``%load_ext hotswap``) is watched with watchdog when it is installed, and polled otherwise.
An entry is only trusted when both it and the connection file it names belong to the
current user and nobody else can write them: the connection file holds the key that signs
code sent to the kernel.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One live, trusted registry entry."""

    path: str
    pid: int
    connection_file: str
    cwd: Optional[str]
    python: Optional[str]
    hotswap: Optional[str]
    #: What the kernel is called ("jupyter console (pid 4242)"), written by the kernel side.
    label: Optional[str] = None


def registry_dir() -> Path:
    """The registry directory, as the kernel side defines it."""
    from hotswap.kernel import registry

    return Path(registry.registry_dir())


def read_entries(directory: Path) -> tuple[list[Entry], list[str]]:
    """Live trusted entries (the registry's own reader does the checks), and the reasons
    others were skipped (for the log)."""
    from hotswap.kernel import registry

    skipped: list[str] = []
    entries = []
    for raw in registry.read_entries(str(directory), skipped=skipped):
        entries.append(Entry(path=raw["path"], pid=raw["pid"], connection_file=os.path.realpath(raw["connection_file"]),
                             cwd=raw.get("cwd"), python=raw.get("python"), hotswap=raw.get("hotswap"),
                             label=raw["label"] if isinstance(raw.get("label"), str) and raw["label"] else None))
    return entries, skipped


class RegistryWatcher:
    """Calls ``on_change`` (in the event loop) whenever the registry may have changed."""

    POLL_WITH_WATCHDOG = 5.0  # safety net: pid deaths leave files untouched
    POLL_WITHOUT = 1.0

    def __init__(self, directory: Path, on_change: Callable[[], None]) -> None:
        self.directory = directory
        self._on_change = on_change
        self._observer: Any = None
        self._poll_task: Optional[asyncio.Task[None]] = None
        self.using_watchdog = False

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            from hotswap.kernel import registry

            registry.ensure_dir(str(self.directory))  # watchdog needs the folder to exist
        except OSError as exc:
            log.warning("cannot create registry directory %s: %s", self.directory, exc)
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            log.info("watchdog is not installed; polling %s", self.directory)
        else:
            on_change = self._on_change

            class Handler(FileSystemEventHandler):
                def on_any_event(self, event: Any) -> None:
                    loop.call_soon_threadsafe(on_change)

            try:
                observer = Observer()
                observer.schedule(Handler(), str(self.directory), recursive=False)
                observer.daemon = True
                observer.start()
                self._observer = observer
                self.using_watchdog = True
            except OSError as exc:
                log.warning("cannot watch %s (%s); polling instead", self.directory, exc)
        interval = self.POLL_WITH_WATCHDOG if self.using_watchdog else self.POLL_WITHOUT
        self._poll_task = loop.create_task(self._poll(interval))

    async def _poll(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self._on_change()

    def stop(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._observer = None
