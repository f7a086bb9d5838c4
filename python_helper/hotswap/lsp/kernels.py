"""Connections to running kernels, made with jupyter_client from each kernel's own
connection file (signed messages, the kernel's sockets; no listener of ours).

Requests to the kernel service ride as a silent ``user_expressions`` entry of an empty
``execute_request`` (docs/protocol.md). The kernel runs shell requests in order, so a
request sent while a long cell runs waits behind it: nothing is ever interrupted. One
request per kernel is in flight at a time (a queue), which keeps replies in order and lets
bursts be merged upstream.
"""

from __future__ import annotations

import ast
import asyncio
import itertools
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .kernel_state import KernelState

log = logging.getLogger(__name__)

SERVICE_EXPR = "__import__('hotswap.kernel').kernel.handle(%r)"
# hotswap.kernel.progress.PREFIX, written to our request's output by a long reload (not imported:
# that would load the engine into the server)
PROGRESS_PREFIX = "[hotswap-progress] "
PROCESS_EXPR = "(__import__('os').getpid(), __import__('sys').executable)"
_POLL = 0.25  # seconds between liveness checks while waiting for a reply
SILENCE_LIMIT = 3.0  # seconds without heartbeat before a kernel counts as ended
RESTART_GRACE = 10.0  # ... while its connection file remains: a restart takes that long under load


class KernelError(Exception):
    """A request could not be answered; the message is meant for the user."""


class KernelDied(KernelError):
    """The kernel process ended."""


class HotswapMissing(KernelError):
    """The kernel's Python cannot import hotswap (``%load_ext hotswap`` never ran there and
    the package is not installed in its environment)."""


class ServiceError(KernelError):
    """The kernel service answered ``ok: false``."""


def service_result(who: str, response: Mapping[str, Any]) -> dict[str, Any]:
    """The ``result`` of a kernel-service response, however it came; ``ok: false`` raises."""
    if not response.get("ok"):
        err = response.get("error") or {}
        raise ServiceError(f"{who}: {err.get('type', 'error')}: {err.get('message', '')}")
    result = response.get("result")
    return dict(result) if isinstance(result, Mapping) else {"value": result}


def progress_info(text: str) -> Optional[dict[str, Any]]:
    """Where a long reload runs, as the kernel's watchdog wrote it (a JSON object), or None."""
    try:
        info = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return info if isinstance(info, dict) else None


def jupyter_client_available() -> bool:
    """The server must start without jupyter_client and say how to install it."""
    try:
        import jupyter_client  # noqa: F401
    except ImportError:
        return False
    return True


def check_private_file(path: str) -> Optional[str]:
    """Why ``path`` must not be trusted (None when it may be): a connection file holds the
    key that signs code sent to the kernel. Same rule as the registry's."""
    from hotswap.kernel.registry import untrusted_reason

    return untrusted_reason(path, secret=True)


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as ended)."""
    from hotswap.kernel.registry import pid_alive as alive

    return alive(pid)


@dataclass
class KernelFacts:
    """What the editor is told about a kernel (``hotswap.listKernels``)."""

    id: str
    connection_file: str
    pid: Optional[int] = None
    cwd: Optional[str] = None
    python: Optional[str] = None
    hotswap: Optional[str] = None
    status: str = "starting"  # starting | idle | busy | restarting | no-hotswap | no-access | dead
    label: str = ""  # what the user calls it ("Interactive Window"); the id when empty
    kind: str = "direct"  # direct (jupyter_client) | jupyter | debug (through the editor)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "pid": self.pid, "connectionFile": self.connection_file, "cwd": self.cwd,
                "python": self.python, "status": self.status, "hotswap": self.hotswap,
                "label": self.label or self.id, "kind": self.kind}


_request_ids = itertools.count(1)


class AttachedKernel:
    """One kernel: a shell request queue, an IOPub watcher and a liveness monitor."""

    def __init__(
        self,
        facts: KernelFacts,
        *,
        on_user_execution: Callable[["AttachedKernel"], None],
        on_death: Callable[["AttachedKernel"], None],
        on_status: Callable[["AttachedKernel"], None],
        on_restart: Callable[["AttachedKernel"], None],
        from_registry: bool = False,
        on_progress: Optional[Callable[["AttachedKernel", dict[str, Any]], None]] = None,
    ) -> None:
        self.facts = facts
        self.from_registry = from_registry
        self._on_user_execution = on_user_execution
        self._on_death = on_death
        self._on_status = on_status
        self._on_restart = on_restart
        self._on_progress = on_progress
        self.last_pid: Optional[int] = None  # the pid to name in messages after the process ended
        self._client: Any = None
        # (expressions, the answer's future, the command it serves for "busy" answers)
        self._queue: asyncio.Queue[tuple[dict[str, str], asyncio.Future[dict[str, Any]], str]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[Any]] = []
        self._user_cells: set[str] = set()
        self.dead = False
        self.hotswap_missing_reported = False
        self.state = KernelState(facts)
        self.restarts = 0  # bumped on IOPub "starting": requests in flight died with the old process
        # the request our worker has sent: its command, message id, and whether the kernel began
        # running it (IOPub "busy" for it) or it still waits behind something else
        self.request_label: Optional[str] = None
        self.request_msg_id: Optional[str] = None
        self.request_started = False

    @property
    def id(self) -> str:
        return self.facts.id

    async def start(self) -> None:
        """Connect to the kernel's sockets and start the background tasks."""
        from jupyter_client.asynchronous.client import AsyncKernelClient

        problem = check_private_file(self.facts.connection_file)
        if problem:
            raise KernelError(f"not attaching to {self.facts.connection_file}: {problem}")
        client = AsyncKernelClient()
        try:
            client.load_connection_file(self.facts.connection_file)
        except (OSError, ValueError, KeyError) as exc:
            raise KernelError(f"cannot read connection file {self.facts.connection_file}: {exc}") from exc
        if client.transport == "tcp" and client.ip not in ("127.0.0.1", "localhost", "::1"):
            log.info("kernel %s listens on %s", self.id, client.ip)
        client.start_channels(shell=True, iopub=True, stdin=False, hb=True, control=False)
        self._client = client
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._worker(), name=f"hotswap-shell-{self.id}"),
            loop.create_task(self._iopub(), name=f"hotswap-iopub-{self.id}"),
            loop.create_task(self._monitor(), name=f"hotswap-monitor-{self.id}"),
        ]

    async def close(self) -> None:
        """Stop our tasks and sockets; the kernel itself keeps running."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks = []
        self._fail_pending(KernelError(f"kernel {self.id} was detached"))
        if self._client is not None:
            try:
                self._client.stop_channels()
            except Exception:  # closing sockets of a dead kernel must not take us down
                log.debug("stop_channels failed", exc_info=True)
            self._client = None

    @property
    def execution_state(self) -> str:
        """What the kernel process last said it does: starting, idle or busy."""
        return self.state.execution

    # ----------------------------------------------------------------- requests

    async def request(self, command: str, args: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """Ask the kernel service ``command``; returns its ``result``.

        Raises KernelDied, HotswapMissing, ServiceError or KernelError with a user message.
        """
        req = json.dumps({"protocol": 1, "id": str(next(_request_ids)), "command": command, "args": args or {}})
        values = await self.evaluate({"hotswap": SERVICE_EXPR % req}, label=command)
        value = values["hotswap"]
        if value.get("status") != "ok":
            ename = value.get("ename", "")
            if ename in ("ModuleNotFoundError", "ImportError", "AttributeError"):
                raise HotswapMissing(
                    f"Kernel {self.id} cannot import hotswap ({ename}: {value.get('evalue', '')}). "
                    "Run `%load_ext hotswap` in it (with hotswap installed in the kernel's environment), "
                    "or let the editor extension inject hotswap into the kernel.")
            raise KernelError(f"kernel {self.id}: hotswap request failed: {ename}: {value.get('evalue', '')}")
        try:
            text = ast.literal_eval(value["data"]["text/plain"])
            response = json.loads(text)
        except (KeyError, ValueError, SyntaxError, TypeError, RecursionError) as exc:
            raise KernelError(f"kernel {self.id}: unreadable hotswap response: {exc}") from exc
        if not isinstance(response, Mapping):
            raise KernelError(f"kernel {self.id}: unreadable hotswap response: not an object")
        return service_result(f"kernel {self.id}", response)

    async def evaluate(self, expressions: dict[str, str], label: str = "") -> dict[str, dict[str, Any]]:
        """Evaluate silent user expressions behind whatever the kernel is running."""
        if self.dead or self._client is None:
            raise KernelDied(f"kernel {self.id} is not running")
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        await self._queue.put((expressions, fut, label))
        return await fut

    async def probe(self) -> None:
        """Learn the kernel's pid (always) and hotswap facts (when it has hotswap)."""
        req = json.dumps({"protocol": 1, "id": "probe", "command": "status", "args": {}})
        values = await self.evaluate({"process": PROCESS_EXPR, "hotswap": SERVICE_EXPR % req})
        process = values.get("process", {})
        if process.get("status") == "ok":
            try:
                pid, python = ast.literal_eval(process["data"]["text/plain"])
                self.facts.pid, self.facts.python = int(pid), str(python)
            except (KeyError, ValueError, SyntaxError, TypeError, RecursionError):
                pass
        value = values.get("hotswap", {})
        if value.get("status") != "ok":
            self.state.hotswap_missing()
            return
        try:
            response = json.loads(ast.literal_eval(value["data"]["text/plain"]))
            result = response.get("result") or {}
        except (KeyError, ValueError, SyntaxError, TypeError, RecursionError):
            result = {}
        self.facts.hotswap = result.get("hotswap") or self.facts.hotswap
        self.facts.cwd = result.get("cwd") or self.facts.cwd
        self.state.has_hotswap()

    def _fail_pending(self, exc: Exception) -> None:
        while not self._queue.empty():
            _, fut, _ = self._queue.get_nowait()
            if not fut.done():
                fut.set_exception(exc)

    async def _worker(self) -> None:
        while True:
            expressions, fut, label = await self._queue.get()
            if fut.done():
                continue
            self.request_label, self.request_started = label or "request", False
            try:
                fut.set_result(await self._execute(expressions))
            except asyncio.CancelledError:
                if not fut.done():
                    fut.set_exception(KernelError(f"kernel {self.id} was detached"))
                raise
            except Exception as exc:
                if not fut.done():
                    fut.set_exception(exc)
            finally:
                self.request_label, self.request_msg_id, self.request_started = None, None, False

    async def _execute(self, expressions: dict[str, str]) -> dict[str, Any]:
        from queue import Empty

        client = self._client
        generation = self.restarts
        for _attempt in range(2):
            msg_id = client.execute("", silent=True, store_history=False, user_expressions=expressions,
                                    allow_stdin=False, stop_on_error=False)
            self.request_msg_id, self.request_started = msg_id, False
            while True:
                if self.dead:
                    raise KernelDied(f"kernel {self.id} stopped before answering")
                if self.restarts != generation:
                    raise KernelError(f"kernel {self.id} restarted before answering")
                try:
                    reply = await client.get_shell_msg(timeout=_POLL)
                except Empty:
                    continue
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    break
            content = reply.get("content", {})
            if content.get("status") == "aborted":
                continue  # the user's failing cell aborted the queue: ask again once
            if content.get("status") != "ok":
                raise KernelError(f"kernel {self.id} refused the request: {content.get('ename', content.get('status'))}")
            values: dict[str, Any] = content.get("user_expressions") or {}
            return values
        raise KernelError(f"kernel {self.id} aborted the request twice")

    # ------------------------------------------------------------------- IOPub

    async def _iopub(self) -> None:
        """Track busy/idle and spot cells run by other clients (execute_input)."""
        client = self._client
        own_session = client.session.session
        while True:
            try:
                msg = await client.get_iopub_msg()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("iopub receive failed", exc_info=True)
                await asyncio.sleep(_POLL)
                continue
            kind = msg.get("header", {}).get("msg_type")
            parent = msg.get("parent_header", {}) or {}
            if kind == "stream" and parent.get("session") == own_session:
                self._progress(str(msg.get("content", {}).get("text", "")))
            elif kind == "execute_input" and parent.get("session") != own_session:
                if len(self._user_cells) > 1000:  # idle messages lost (IOPub high-water mark)
                    self._user_cells.clear()
                self._user_cells.add(parent.get("msg_id", ""))
            elif kind == "status":
                state = msg.get("content", {}).get("execution_state", "")
                if state == "busy" and parent.get("msg_id") and parent.get("msg_id") == self.request_msg_id:
                    self.request_started = True
                if state == "starting":
                    # A restarted kernel: same sockets, new process (and maybe no hotswap yet).
                    self.last_pid, self.facts.pid = self.facts.pid or self.last_pid, None
                    self.hotswap_missing_reported = False
                    self.restarts += 1
                if state in ("busy", "idle", "starting") and state != self.execution_state:
                    self.state.executing(state, announce=False)  # on_status announces the news
                    if parent.get("session") != own_session:  # our own requests are not news
                        self._on_status(self)
                if state == "idle" and parent.get("msg_id") in self._user_cells:
                    self._user_cells.discard(parent.get("msg_id", ""))
                    self._on_user_execution(self)

    def _progress(self, text: str) -> None:
        """A long reload tells where it is (``hotswap.kernel.progress``)."""
        for line in text.splitlines():
            if not line.startswith(PROGRESS_PREFIX) or self._on_progress is None:
                continue
            info = progress_info(line[len(PROGRESS_PREFIX):])
            if info is not None:
                self._on_progress(self, info)

    def interrupt(self) -> str:
        """Interrupt what the kernel runs, as the notebook's Interrupt button does (SIGINT to
        the kernel process, which must run on this machine). Returns what was done."""
        import signal

        pid = self.facts.pid
        if pid is None or not pid_alive(pid):
            raise KernelError(f"kernel {self.id}: cannot interrupt it, its process is not known on this machine")
        os.kill(pid, signal.SIGINT)
        return f"sent an interrupt to kernel {self.id} (pid {pid})"

    # ---------------------------------------------------------------- liveness

    def beating(self) -> bool:
        """True while the kernel answers heartbeats (a busy kernel still does)."""
        hb = self._client.hb_channel if self._client is not None else None
        return bool(hb is not None and hb.is_beating())

    def _alive(self) -> bool:
        """Is a kernel process answering at this connection file?"""
        pid = self.facts.pid
        if pid is not None:
            if pid_alive(pid):
                return True
            self._process_ended()
            return False
        hb = self._client.hb_channel if self._client is not None else None
        return bool(hb is None or not hb.is_alive() or hb.is_beating())

    def _process_ended(self) -> None:
        """The process we knew ended; a restart may bring a new one to the same sockets, so
        from now on the heartbeat says whether a kernel is there."""
        self.last_pid, self.facts.pid = self.facts.pid, None
        self.restarts += 1  # a request in flight will never be answered by the old process
        self.hotswap_missing_reported = False
        self.state.process_ended()

    async def _monitor(self) -> None:
        """Notice a kernel that ended (killed, crashed, shut down) without being asked, and
        one that came back under the same connection file (a restart).

        A heartbeat silent for 3 s counts as death (one missed beat on a loaded machine does
        not); once a process of this kernel ran, and while the connection file still exists,
        its kernel manager may be restarting it, so the silence may last up to RESTART_GRACE.
        """
        silent_since: Optional[float] = None
        while True:
            await asyncio.sleep(_POLL)
            if self._alive():
                if silent_since is not None and self.facts.pid is None:
                    self._on_restart(self)  # beating again: learn the new process
                silent_since = None
                continue
            now = time.monotonic()
            silent_since = silent_since or now
            restartable = self.last_pid is not None and os.path.exists(self.facts.connection_file)
            limit = RESTART_GRACE if restartable else SILENCE_LIMIT
            if now - silent_since < limit:
                continue
            self.dead = True
            self.state.died()
            self._fail_pending(KernelDied(f"kernel {self.id} stopped"))
            self._on_death(self)
            return
