"""Kernels only the editor can reach, driven by this server through the editor.

The VS Code extension announces the Interactive Window / notebook kernels of the Jupyter
extension and the debug session (``hotswap/transportKernels``); the server sends each one
the same protocol request it sends a kernel over jupyter_client, as a server→client request
``hotswap/kernelRequest``, and gets the kernel's JSON response back unchanged. The editor
only carries the request, so every decision (what to reload, when, what it means) stays here.

The editor hands the kernel's output back only with its answer, so a long reload tells where
it runs through a file in a private folder of this server's, and Interrupt is a file there
too (``hotswap.kernel.progress``); these kernels run on this machine, since they import
hotswap from the extension's folder.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Optional

from .kernel_state import KernelState
from .kernels import HotswapMissing, KernelDied, KernelError, KernelFacts, progress_info, service_result

log = logging.getLogger(__name__)

REQUEST_METHOD = "hotswap/kernelRequest"
KINDS = ("jupyter", "debug")

_ids = itertools.count(1)
_control_dir: Optional[str] = None

POLL = 0.5  # seconds between looks at a long reload's progress file
# No word from the kernel this long after the limit (it cannot reach our folder): say that it
# still runs anyway, without a line.
SILENT_GRACE = 3.0


def control_dir() -> str:
    """This server's private folder (0700) for progress and interrupt files."""
    global _control_dir
    if _control_dir is None or not os.path.isdir(_control_dir):
        _control_dir = tempfile.mkdtemp(prefix="hotswap-control-")
        atexit.register(shutil.rmtree, _control_dir, True)
    return _control_dir


class KernelAccessDenied(KernelError):
    """The user refused this editor extension access to the kernel (the editor said so)."""


@dataclass(frozen=True)
class Announced:
    """One kernel as the editor announces it."""

    id: str
    label: str
    kind: str
    generation: int
    ready: bool

    @staticmethod
    def parse(raw: Any) -> Optional["Announced"]:
        if not isinstance(raw, Mapping):
            return None
        kid, label, kind = raw.get("id"), raw.get("label"), raw.get("kind")
        gen, ready = raw.get("generation", 0), raw.get("ready", True)
        if not isinstance(kid, str) or not kid or kind not in KINDS:
            return None
        return Announced(id=kid, label=str(label or kid), kind=str(kind),
                         generation=gen if isinstance(gen, int) and not isinstance(gen, bool) else 0,
                         ready=bool(ready))


Send = Callable[[str, dict[str, Any]], Awaitable[Any]]


def plain(value: Any) -> Any:
    """pygls hands custom messages over as named tuples; make them JSON-like."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class TransportKernel:
    """A kernel behind the editor; the same request interface as ``AttachedKernel``."""

    from_registry = False

    def __init__(self, announced: Announced, send: Send, *,
                 on_progress: Optional[Callable[["TransportKernel", dict[str, Any]], None]] = None) -> None:
        self.announced = announced
        self._on_progress = on_progress
        self._interrupt_file: Optional[str] = None  # of the reload running now
        self.facts = KernelFacts(id=announced.id, connection_file="", status="starting",
                                 label=announced.label, kind=announced.kind)
        self._send = send
        self._lock = asyncio.Lock()  # one request at a time, like a kernel's shell queue
        self.dead = False
        self.hotswap_missing_reported = False
        # The editor does not relay busy/idle: only what our requests learn moves the status.
        self.state = KernelState(self.facts, execution="idle")
        self.last_pid: Optional[int] = None
        self.same_as: Optional[str] = None  # id of a direct connection to the same process

    @property
    def id(self) -> str:
        return self.facts.id

    @property
    def execution_state(self) -> str:
        return self.state.execution

    async def request(self, command: str, args: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Ask the kernel service ``command`` through the editor; returns its ``result``."""
        if self.dead:
            raise KernelDied(f"{self.facts.label} is gone")
        args = dict(args or {})
        req_id = f"t{next(_ids)}"
        watch: Optional[asyncio.Task[None]] = None
        base = ""
        async with self._lock:
            after = args.get("progress_after")
            if command == "reload" and isinstance(after, (int, float)):
                base = os.path.join(control_dir(), f"{os.getpid()}-{req_id}")
                args["progress_file"], args["interrupt_file"] = base + ".progress", base + ".interrupt"
                self._interrupt_file = args["interrupt_file"]
                watch = asyncio.get_running_loop().create_task(self._watch(float(after), args["progress_file"]))
            req = {"protocol": 1, "id": req_id, "command": command, "args": args}
            try:
                answer = plain(await self._send(REQUEST_METHOD, {"kernel": self.id, "request": req}))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the editor failed to answer (its error, or it went away)
                raise KernelError(f"{self.facts.label}: the editor could not reach the kernel: {exc}") from exc
            finally:
                if watch is not None:
                    watch.cancel()
                    self._interrupt_file = None
                    for suffix in (".progress", ".progress.part", ".interrupt"):
                        try:
                            os.unlink(base + suffix)
                        except OSError:
                            pass
        if not isinstance(answer, Mapping):
            raise KernelError(f"{self.facts.label}: the editor answered with no response")
        error = answer.get("error")
        if isinstance(error, Mapping):
            kind, message = str(error.get("type") or "unreachable"), str(error.get("message") or "")
            if kind == "access-denied":
                raise KernelAccessDenied(message)
            if kind == "gone":
                raise KernelDied(message or f"{self.facts.label} is gone")
            if kind == "hotswap-missing":
                raise HotswapMissing(message)
            raise KernelError(message or f"{self.facts.label}: the kernel could not be reached")
        response = answer.get("response")
        if isinstance(response, str):
            try:
                response = json.loads(response)
            except (ValueError, RecursionError) as exc:  # not JSON, or nested too deeply to read
                raise KernelError(f"{self.facts.label}: unreadable hotswap response: {exc}") from exc
        if not isinstance(response, Mapping):
            raise KernelError(f"{self.facts.label}: the editor answered with no response")
        return service_result(self.facts.label, response)

    async def _watch(self, after: float, progress_file: str) -> None:
        """While a reload runs past ``after``: pass on where it is, as a direct kernel's IOPub does."""
        started = time.monotonic()
        await asyncio.sleep(after)
        last = None
        told_silent = False
        while True:
            try:
                with open(progress_file, encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                text = None
            if text is not None and text != last:
                last = text
                info = progress_info(text)
                if info is not None and self._on_progress is not None:
                    self._on_progress(self, info)
            elif last is None and not told_silent and time.monotonic() - started > after + SILENT_GRACE:
                told_silent = True  # the kernel cannot write to our folder: still say it runs
                if self._on_progress is not None:
                    self._on_progress(self, {})
            await asyncio.sleep(POLL)

    def interrupt(self) -> str:
        """Stop the reload running now (the kernel's watchdog looks for this file)."""
        if self._interrupt_file is None:
            raise KernelError(f"{self.facts.label}: no reload is running there")
        try:
            with open(self._interrupt_file, "w", encoding="utf-8"):
                pass
        except OSError as exc:
            raise KernelError(f"{self.facts.label}: cannot interrupt the reload ({exc})") from exc
        return f"asked {self.facts.label} to interrupt its reload"

    async def probe(self) -> None:
        """Learn pid and hotswap version (``status``); the state follows what happened."""
        try:
            status = await self.request("status")
        except KernelAccessDenied:
            self.state.access_denied()
            raise
        except HotswapMissing:
            self.state.hotswap_missing()
            raise
        pid = status.get("pid")
        self.facts.pid = pid if isinstance(pid, int) else None
        self.facts.python = str(status.get("python") or "") or None
        self.facts.hotswap = str(status.get("hotswap") or "") or None
        self.facts.cwd = str(status.get("cwd") or "") or None
        self.state.has_hotswap()

    async def close(self) -> None:
        self.dead = True
        self.state.died()
