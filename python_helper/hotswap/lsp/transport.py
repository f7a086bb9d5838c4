"""Kernels only the editor can reach, driven by this server through the editor.

The VS Code extension announces the Interactive Window / notebook kernels of the Jupyter
extension and the debug session (``hotswap/transportKernels``); the server sends each one
the same protocol request it sends a kernel over jupyter_client, as a server→client request
``hotswap/kernelRequest``, and gets the kernel's JSON response back unchanged. The editor
only carries the request, so every decision (what to reload, when, what it means) stays here.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Optional

from .kernel_state import KernelState
from .kernels import HotswapMissing, KernelDied, KernelError, KernelFacts, ServiceError

log = logging.getLogger(__name__)

REQUEST_METHOD = "hotswap/kernelRequest"
KINDS = ("jupyter", "debug")

_ids = itertools.count(1)


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

    def __init__(self, announced: Announced, send: Send) -> None:
        self.announced = announced
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
        req = {"protocol": 1, "id": f"t{next(_ids)}", "command": command, "args": args or {}}
        async with self._lock:
            try:
                answer = plain(await self._send(REQUEST_METHOD, {"kernel": self.id, "request": req}))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the editor failed to answer (its error, or it went away)
                raise KernelError(f"{self.facts.label}: the editor could not reach the kernel: {exc}") from exc
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
            except ValueError as exc:
                raise KernelError(f"{self.facts.label}: unreadable hotswap response: {exc}") from exc
        if not isinstance(response, Mapping):
            raise KernelError(f"{self.facts.label}: the editor answered with no response")
        if not response.get("ok"):
            err = response.get("error") or {}
            raise ServiceError(f"{self.facts.label}: {err.get('type', 'error')}: {err.get('message', '')}")
        result = response.get("result")
        return dict(result) if isinstance(result, Mapping) else {"value": result}

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
