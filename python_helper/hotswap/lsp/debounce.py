"""Merge bursts of work per kernel: editors save several times in a row (format-on-save,
"save all", a formatter rewriting the file), and each reload costs a round trip.

A burst is gathered for a short quiet period, then run as one job; what arrives while a job
runs is gathered into the next one. So a burst of any size costs at most two jobs, and the
last job always sees the latest state (the engine reads the files at reload time).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Generic, Iterable, Optional, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Coalescer(Generic[T]):
    """Collects items and runs ``job(items)`` one at a time after a quiet period."""

    def __init__(self, job: Callable[[list[T]], Awaitable[None]], *, quiet: float = 0.03, max_wait: float = 0.25) -> None:
        self._job = job
        self._quiet = quiet
        self._max_wait = max_wait
        self._pending: list[T] = []
        self._task: Optional[asyncio.Task[None]] = None
        self._last_add = 0.0
        self._first_add = 0.0

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def add(self, items: Iterable[T]) -> None:
        """Queue items (duplicates are merged) and make sure a runner is going."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._pending:
            self._first_add = now
        self._last_add = now
        for item in items:
            if item not in self._pending:
                self._pending.append(item)
        if not self.busy:
            self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            # Wait for the burst to go quiet, but never longer than max_wait after its start.
            while True:
                deadline = min(self._last_add + self._quiet, self._first_add + self._max_wait)
                delay = deadline - loop.time()
                if delay <= 0:
                    break
                await asyncio.sleep(delay)
            items, self._pending = self._pending, []
            try:
                await self._job(items)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job failed")

    def cancel(self) -> None:
        self._pending = []
        if self._task is not None:
            self._task.cancel()
