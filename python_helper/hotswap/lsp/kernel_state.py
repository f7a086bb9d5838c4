"""A kernel's status: the one place it changes, and the one place that announces the change.

The status bar and the Hot Reload view show what ``hotswap/kernelsChanged`` says, so every
transition must reach them; a status set quietly somewhere stays on screen until an unrelated
event happens to announce it (docs/architecture.md, "Kernel status").

Statuses: ``starting`` (no process known yet, or its process ended and a restart may bring a
new one), ``idle``/``busy`` (it runs, with hotswap), ``restarting`` (the editor says it is
restarting), ``no-hotswap`` (it cannot import hotswap), ``no-access`` (the user refused the
editor extension access to it) and ``dead``. Events come from the kernel connection (IOPub,
heartbeat), the editor (its announcements) and the server (the outcome of each request).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)

RUNNING = ("starting", "idle", "busy")
STATUSES = RUNNING + ("restarting", "no-hotswap", "no-access", "dead")


class KernelState:
    """Holds the kernel's status (in ``facts.status``, which the kernel list reports) and what
    the kernel process itself last said it does (``execution``: starting, idle or busy)."""

    def __init__(self, facts: Any, execution: str = "starting") -> None:
        self._facts = facts
        self.execution = execution
        # set by the server when it registers the kernel: announces the new kernel list
        self.on_change: Optional[Callable[[], None]] = None

    @property
    def status(self) -> str:
        return str(self._facts.status)

    def _set(self, status: str, *, announce: bool = True) -> None:
        if status == self._facts.status or self._facts.status == "dead":
            return  # dead is final: a late answer from a closed kernel changes nothing
        log.debug("%s: %s -> %s", self._facts.id, self._facts.status, status)
        self._facts.status = status
        if announce and self.on_change is not None:
            self.on_change()

    def _working(self) -> str:
        return self.execution if self.execution != "starting" else "idle"

    # ---------------------------------------------------------------- events

    def executing(self, state: str, *, announce: bool = True) -> None:
        """The kernel process says starting/idle/busy (IOPub). Our own requests flip it too;
        those are not news (``announce=False``)."""
        self.execution = state
        if self.status in RUNNING:
            self._set(state, announce=announce)

    def waits_behind_cell(self) -> None:
        """Our first request waits behind a long cell: the kernel is busy."""
        self._set("busy")

    def has_hotswap(self) -> None:
        """The kernel service answered (a probe, a reload): hotswap is loaded and access works,
        whatever was said before (the user ran ``%load_ext hotswap``, or granted access)."""
        self._set(self._working())

    def hotswap_missing(self) -> None:
        """The kernel cannot import hotswap."""
        self._set("no-hotswap")

    def may_have_hotswap(self) -> None:
        """A sign that hotswap was loaded since (the kernel registered itself): show it running
        while the probe that follows confirms it."""
        if self.status == "no-hotswap":
            self._set(self._working())

    def access_denied(self) -> None:
        """The editor says the user refused it access to this kernel."""
        self._set("no-access")

    def restarting(self) -> None:
        """The editor says the kernel is restarting."""
        self._set("restarting")

    def process_ended(self) -> None:
        """The process we knew ended; a new one may come up at the same address."""
        self.execution = "starting"
        self._set("starting")

    def unreachable(self) -> None:
        """A kernel behind the editor could not be reached (yet)."""
        self._set("starting")

    def died(self) -> None:
        """Gone for good (stopped, closed, detached)."""
        self._set("dead")
