"""The hotswap language server: reload on save, stale objects as diagnostics, commands.

Every reload goes through here, whatever set it off (a save, a command, a file changed on
disk, a kernel attached) and whichever way the kernel is reached: directly with jupyter_client
(kernels.py, found by discovery.py) or through the editor (transport.py). It owns the kernel
list and each kernel's state, the one include/exclude filter, the merged diagnostics
(diagnostics.py) and the bursts (debounce.py), so every editor gets the same behaviour.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Mapping, Optional, Sequence, Union, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .._version import __version__
from . import validate
from .debounce import Coalescer
from .diagnostics import DiagnosticStore, summary
from .discovery import Entry, RegistryWatcher, read_entries, registry_dir
from .documents import UnsavedEdits
from .kernels import (AttachedKernel, HotswapMissing, KernelDied, KernelError, KernelFacts,
                      check_private_file, jupyter_client_available)
from .protocol import CheckedProtocol
from .settings import Settings, parse
from .transport import Announced, KernelAccessDenied, TransportKernel, plain
from .watch import WorkspaceWatcher

log = logging.getLogger("hotswap.lsp")

CMD_RELOAD_MODULE = "hotswap.reloadModule"
CMD_LIST_MODULES = "hotswap.listModules"
CMD_LIST_KERNELS = "hotswap.listKernels"
CMD_ATTACH = "hotswap.attachKernel"
CMD_DETACH = "hotswap.detachKernel"
NOTIFY_TRANSPORT_KERNELS = "hotswap/transportKernels"
NOTIFY_USER_EXECUTED = "hotswap/userExecuted"
NOTIFY_WILL_RELOAD = "hotswap/willReload"
NOTIFY_DID_RELOAD = "hotswap/didReload"
NOTIFY_KERNELS_CHANGED = "hotswap/kernelsChanged"
NOTIFY_KERNEL_EVENT = "hotswap/kernelEvent"  # {kernel, label, event: died | restarted | no-hotswap, message}
PROBE_WAIT = 5.0  # seconds attachKernel waits for the kernel to answer before replying "busy"
BUSY_WAIT = 3.0  # seconds listModules / reloadModule wait for a busy kernel before answering "busy"
INTERRUPT_ACTION = "Interrupt"
INTERRUPT_WAIT = 10.0  # seconds a reload may take to stop after Interrupt before the user is told
WATCH_ID = "hotswap-python-files"

Kernel = Union[AttachedKernel, TransportKernel]


@dataclass
class ReloadJob:
    """A reload sent to a kernel and not answered yet."""

    targets: list[str]  # the files and modules it reloads
    started: float = field(default_factory=time.monotonic)
    line: Optional[str] = None  # "file:line" where the kernel last said it runs
    offered: bool = False  # Interrupt was offered to the user
    done: asyncio.Event = field(default_factory=asyncio.Event)  # answered, failed or given up

    @property
    def where(self) -> str:
        return self.line or ", ".join(self.targets)

    def seconds(self) -> float:
        return time.monotonic() - self.started


class HotswapServer(LanguageServer):
    """pygls server plus the hotswap state."""

    def __init__(self) -> None:
        super().__init__("hotswap", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         protocol_cls=CheckedProtocol)
        self.settings = Settings()
        self.kernels: dict[str, Kernel] = {}
        self.store = DiagnosticStore()
        self.watcher: Optional[RegistryWatcher] = None
        self.has_jupyter_client = jupyter_client_available()
        self._save_batches: dict[str, Coalescer[str]] = {}
        self._stale_batches: dict[str, Coalescer[str]] = {}
        self._sync_batch: Optional[Coalescer[str]] = None
        self._attaching: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.labels: dict[str, str] = {}
        # Saves that found no kernel to go to (none attached yet, or theirs was restarting):
        # sent with the next kernel's catch-up.
        self.pending: list[str] = []
        self.held: dict[str, list[str]] = {}  # kernel id -> paths its restart interrupted
        self.sent_digest: dict[str, str] = {}  # path -> content last dispatched (save or disk change)
        # Per kernel and process: the content each file had when it was last sent there. The
        # watcher and the editor race (a disk change can be seen after the save that wrote it, or a
        # save can repeat content already sent); sending the same content again would be a second,
        # empty reload.
        self._sent_to: dict[str, tuple[int, dict[str, str]]] = {}
        self.unsaved = UnsavedEdits()
        self.workspace_watcher: Optional[WorkspaceWatcher] = None
        self._disk_batch: Optional[Coalescer[str]] = None
        self.in_flight: dict[str, ReloadJob] = {}  # kernel id -> the reload we sent and wait for
        self._told: set[str] = set()  # registry trust problems already shown
        self._restart_told: dict[str, Optional[int]] = {}  # kernel id -> pid whose restart was announced

    # --------------------------------------------------------------- messages

    @property
    def checked(self) -> CheckedProtocol:
        assert isinstance(self.protocol, CheckedProtocol)
        return self.protocol

    def start_io(self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None) -> None:
        """Serve over stdio, keeping each message body so an unparsable one is still answered."""
        keeper = self.checked.keep_bodies(stdin or sys.stdin.buffer)
        super().start_io(cast(BinaryIO, keeper), stdout)  # pygls only calls readline() and read(n)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls calls this when a message could not be parsed or handled."""
        if not self.checked.answer_unparsed(error):
            super().report_server_error(error, source)

    def say(self, level: int, message: str, *, show: bool = True) -> None:
        """Log, and tell the user in words (window/showMessage) when ``show``."""
        log.log(level, "%s", message)
        kind = {logging.ERROR: types.MessageType.Error, logging.WARNING: types.MessageType.Warning}.get(level, types.MessageType.Info)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
            if show:
                self.window_show_message(types.ShowMessageParams(type=kind, message=f"Hotswap: {message}"))
        except Exception:  # no client connected (yet): the log line is all we can do
            log.debug("could not send message", exc_info=True)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def roots(self) -> list[str]:
        try:
            ws = self.workspace
        except RuntimeError:
            return []
        roots = [to_fs_path(f.uri) or "" for f in ws.folders.values()]
        if ws.root_path:
            roots.append(ws.root_path)
        return [r for r in roots if r]

    def apply_settings(self, raw: Any) -> None:
        old = self.settings
        self.settings, problems = parse(raw, self.settings)
        for problem in problems:
            self.say(logging.WARNING, problem)
        if self.settings != old:
            self.say(logging.INFO, f"settings: {json.dumps(self.settings.to_dict())}", show=False)
        if old.stale_severity != self.settings.stale_severity:
            self.publish(self.store.all_files())

    # ---------------------------------------------------------------- kernels

    def kernel_list(self) -> list[dict[str, Any]]:
        """One entry per kernel process: a kernel reached both ways is listed once."""
        return [k.facts.to_dict() for k in self.targets()]

    def targets(self) -> list[Kernel]:
        """The kernels a reload goes to: each process once (the direct connection wins)."""
        return [k for k in self.kernels.values() if not (isinstance(k, TransportKernel) and k.same_as)]

    def kernels_changed(self) -> None:
        self.protocol.notify(NOTIFY_KERNELS_CHANGED, {"kernels": self.kernel_list()})

    def _new_id(self, connection_file: str) -> str:
        base = os.path.splitext(os.path.basename(connection_file))[0] or "kernel"
        kid, n = base, 1
        while kid in self.kernels:
            n += 1
            kid = f"{base}-{n}"
        return kid

    def find_by_connection(self, connection_file: str) -> Optional[AttachedKernel]:
        real = os.path.realpath(connection_file)
        for k in self.kernels.values():
            if isinstance(k, AttachedKernel) and k.facts.connection_file == real:
                return k
        return None

    def _register(self, kernel: Kernel) -> None:
        self.kernels[kernel.id] = kernel
        kernel.state.on_change = self.kernels_changed
        self.labels[source_of(kernel)] = label_of(kernel)
        self._save_batches[kernel.id] = Coalescer(functools.partial(self.reload_saved, kernel))
        self._stale_batches[kernel.id] = Coalescer(functools.partial(self._refresh_job, kernel), quiet=0.0)

    async def attach(self, connection_file: str, entry: Optional[Entry] = None) -> AttachedKernel:
        """Connect to a kernel and learn its pid and hotswap version."""
        if not self.has_jupyter_client:
            raise KernelError(missing_jupyter_client_message())
        real = os.path.realpath(connection_file)
        existing = self.find_by_connection(real)
        if existing is not None:
            return existing
        facts = KernelFacts(id=self._new_id(real), connection_file=real,
                            pid=entry.pid if entry else None, cwd=entry.cwd if entry else None,
                            python=entry.python if entry else None, hotswap=entry.hotswap if entry else None,
                            label=(entry.label or "") if entry else "")
        kernel = AttachedKernel(facts, on_user_execution=self._on_user_execution, on_death=self._on_death,
                                on_status=self._on_status, on_restart=self._on_restart,
                                from_registry=entry is not None, on_progress=self._on_progress)
        await kernel.start()
        self._register(kernel)
        probe = self.spawn(self._reprobe(kernel, notify=False))
        done, _ = await asyncio.wait({probe}, timeout=PROBE_WAIT)
        if not done and not kernel.beating():
            # Not even a heartbeat: the liveness monitor will soon call it dead (failing the
            # probe, within 3 s of silence), so a kernel that ended is an error, not "busy".
            done, _ = await asyncio.wait({probe}, timeout=2 * PROBE_WAIT)
        if not done:
            # A long cell is running: the probe waits behind it and reports when it is done.
            kernel.state.waits_behind_cell()
            probe.add_done_callback(lambda _: self.kernels_changed() if kernel.id in self.kernels else None)
        elif kernel.dead or kernel.id not in self.kernels:
            raise KernelError(f"cannot attach to {real}: the kernel is not running")
        log.info("attached kernel %s (pid %s)", kernel.id, kernel.facts.pid)
        self.kernels_changed()
        return kernel

    async def detach(self, kernel_id: str, *, notify: bool = True) -> bool:
        kernel = self.kernels.pop(kernel_id, None)
        if kernel is None:
            return False
        for batches in (self._save_batches, self._stale_batches):
            batch = batches.pop(kernel_id, None)
            if batch is not None:
                batch.cancel()
        self._sent_to.pop(kernel_id, None)
        # Saves its restart interrupted go to the kernel that takes its place (a restarted
        # registry kernel is attached again as a new entry).
        self._keep_pending(self.held.pop(kernel_id, []))
        await kernel.close()
        self.publish(self.store.drop_source(source_of(kernel)))
        if isinstance(kernel, AttachedKernel):
            self._dedupe()
        if notify:
            self.kernels_changed()
        return True

    def _keep_pending(self, paths: Sequence[str]) -> None:
        """Saves no kernel could take: sent with the next kernel's catch-up."""
        _append_new(self.pending, paths)

    def _hold(self, kernel: Kernel, paths: Sequence[str]) -> None:
        """Saves a restarting kernel could not take: sent to it once it is back."""
        _append_new(self.held.setdefault(kernel.id, []), paths)

    def kernel_event(self, kernel: Kernel, event: str, message: str) -> None:
        """Tell the editor about a kernel fault in words (shown) and as data (status bar)."""
        self.say(logging.WARNING, message)
        try:
            self.protocol.notify(NOTIFY_KERNEL_EVENT, {"kernel": kernel.id, "label": label_of(kernel), "event": event,
                                                       "message": message})
        except Exception:  # no client connected
            log.debug("could not send %s", NOTIFY_KERNEL_EVENT, exc_info=True)

    def report_missing_hotswap(self, kernel: Kernel, restarted: bool = False) -> None:
        if kernel.hotswap_missing_reported:
            return
        kernel.hotswap_missing_reported = True
        kernel.state.hotswap_missing()
        what = "restarted without hotswap" if restarted else "does not have hotswap loaded"
        self.kernel_event(kernel, "no-hotswap",
                          f"{label_of(kernel)} {what}, so saves are not reloaded there: run `%load_ext hotswap` in it.")

    def _on_death(self, kernel: AttachedKernel) -> None:
        pid = kernel.facts.pid or kernel.last_pid
        what = f"kernel {kernel.id} (pid {pid}) stopped" if pid else \
            f"kernel {kernel.id} stopped (no heartbeat from {kernel.facts.connection_file})"
        self.kernel_event(kernel, "died", f"{what}; it is no longer reloaded.")
        self.spawn(self.detach(kernel.id))

    def _on_restart(self, kernel: AttachedKernel) -> None:
        """A new process answers at the kernel's connection file: learn its pid and whether
        it has hotswap (a restarted kernel must load the extension again), then catch up."""
        log.info("kernel %s is running again (restarted)", kernel.id)
        self.publish(self.store.drop_source(source_of(kernel)))  # the old objects are gone
        self.spawn(self._reprobe(kernel, restarted=True))

    def _on_status(self, kernel: AttachedKernel) -> None:
        if kernel.facts.pid is None and not kernel.dead and kernel.execution_state == "idle":
            self.spawn(self._reprobe(kernel))
        self.kernels_changed()

    async def _reprobe(self, kernel: AttachedKernel, *, notify: bool = True, restarted: bool = False) -> None:
        """Learn pid and hotswap version; say so if the kernel cannot import hotswap; then
        bring the kernel up to date with the files on disk."""
        try:
            await kernel.probe()
        except KernelError as exc:
            log.info("probe of %s failed: %s", kernel.id, exc)
            return
        self.labels[source_of(kernel)] = label_of(kernel)
        # a new process at the same connection file, whichever path learned its pid first
        restarted = restarted or bool(kernel.last_pid and kernel.facts.pid and kernel.facts.pid != kernel.last_pid)
        if restarted and self._restart_told.get(kernel.id) == kernel.facts.pid:
            restarted = False  # already said for this process
        if restarted:
            self._restart_told[kernel.id] = kernel.facts.pid
        if kernel.facts.status == "no-hotswap":
            self.report_missing_hotswap(kernel, restarted=restarted)
        else:
            kernel.hotswap_missing_reported = False
            if restarted:
                self._announce_restart(kernel, f" (was pid {kernel.last_pid})" if kernel.last_pid else "")
        self._dedupe()
        if notify:
            self.kernels_changed()
        if kernel.facts.status != "no-hotswap":
            await self.catch_up(kernel)

    def _announce_restart(self, kernel: Kernel, detail: str = "") -> None:
        self.kernel_event(kernel, "restarted", f"{label_of(kernel)} restarted{detail}: its variables are gone; saves "
                                               f"reload modules it imports again.")

    def _dedupe(self) -> None:
        """A kernel the editor announces and the server also reaches directly (same pid) is
        one kernel: reloaded once, directly, under the name the user knows."""
        direct = {k.facts.pid: k for k in self.kernels.values() if isinstance(k, AttachedKernel) and k.facts.pid}
        for k in list(self.kernels.values()):
            if not isinstance(k, TransportKernel):
                continue
            twin = direct.get(k.facts.pid) if k.facts.pid else None
            before = k.same_as
            k.same_as = twin.id if twin is not None else None
            if twin is not None:
                twin.facts.label = k.facts.label
                self.labels[source_of(twin)] = label_of(twin)
                if before is None:
                    self.publish(self.store.drop_source(source_of(k)))
            elif before is not None and not k.dead:
                self.spawn(self.catch_up(k))  # its twin went away: it is reloaded through the editor again

    async def catch_up(self, kernel: Kernel) -> None:
        """A kernel was attached (first sight, restart, announced by the editor): reload the
        loaded user modules that no longer match their files, plus the saves that found no
        kernel, in one request."""
        if kernel.id not in self.kernels or (isinstance(kernel, TransportKernel) and kernel.same_as):
            return
        try:
            result = await kernel.request("outdated")
        except HotswapMissing:
            self.report_missing_hotswap(kernel)
            return
        except KernelError as exc:
            log.info("catch-up of %s: %s", kernel.id, exc)
            result = {}
        paths = [str(m["file"]) for m in result.get("modules") or [] if isinstance(m, Mapping) and m.get("file")]
        unknown = [str(m.get("name")) for m in result.get("unknown") or [] if isinstance(m, Mapping)]
        if unknown:
            log.info("%s: cannot tell whether %s changed since import (no record of the source)",
                     kernel.id, ", ".join(unknown))
        wanted = [p for p in paths if self.settings.wants(p, self.roots())]
        extra, self.pending = self.pending, []
        extra += self.held.pop(kernel.id, [])
        todo = wanted + [p for p in extra if p not in wanted]
        batch = self._save_batches.get(kernel.id)
        if todo and batch is not None:
            log.info("catch-up of %s: %s", kernel.id, ", ".join(todo))
            batch.add(todo)

    def running(self, kernel: Kernel) -> str:
        """What keeps the kernel busy, in words (for "busy" answers and messages)."""
        label = getattr(kernel, "request_label", None)
        job = self.in_flight.get(kernel.id)
        # a direct kernel says when it began our request; the editor's kernels run it at once
        began = getattr(kernel, "request_started", isinstance(kernel, TransportKernel))
        if job is not None and began and label in ("reload", None):
            return f"reloading {job.where or 'modules'} for {job.seconds():.0f} s"
        if label is not None and began:
            return f"a hotswap {label} request"
        if kernel.execution_state == "busy" or label is not None:
            return "a cell"  # our request waits behind what the user runs
        return "an earlier request"

    def _on_progress(self, kernel: Kernel, info: dict[str, Any]) -> None:
        """A reload runs longer than ``reloadTimeout``: say where, and offer to interrupt it."""
        job = self.in_flight.get(kernel.id)
        if job is None:
            return
        file, line = info.get("file"), info.get("line")
        if isinstance(file, str) and isinstance(line, int):
            job.line = f"{file}:{line}"
        if not job.offered:
            job.offered = True
            self.spawn(self._offer_interrupt(kernel, job))

    async def _offer_interrupt(self, kernel: Kernel, job: ReloadJob) -> None:
        message = (f"Hotswap: still running {job.where} in {label_of(kernel)} (reload started "
                   f"{job.seconds():.0f} s ago). Interrupt puts the module back as it was.")
        log.warning("%s", message)
        try:
            choice = await self.window_show_message_request_async(types.ShowMessageRequestParams(
                type=types.MessageType.Warning, message=message,
                actions=[types.MessageActionItem(title=INTERRUPT_ACTION)]))
        except Exception:  # a client without message requests: the log line stays
            log.debug("showMessageRequest failed", exc_info=True)
            return
        if choice is None or choice.title != INTERRUPT_ACTION or job.done.is_set():
            return
        try:
            log.info("%s", kernel.interrupt())
        except KernelError as exc:
            self.say(logging.ERROR, str(exc))
            return
        try:
            await asyncio.wait_for(job.done.wait(), INTERRUPT_WAIT)
        except asyncio.TimeoutError:
            self.say(logging.WARNING, f"{label_of(kernel)} did not stop {INTERRUPT_WAIT:.0f} s after the interrupt: "
                                      "interrupt it from the notebook's toolbar (or the debugger), or restart it.")

    def _on_user_execution(self, kernel: Kernel) -> None:
        batch = self._stale_batches.get(kernel.id)
        if batch is not None:
            batch.add(["stale"])

    # ------------------------------------------------------ kernels via the editor

    def transport_kernels(self, raw: Any) -> None:
        """The editor's full list of the kernels only it can reach."""
        announced = {a.id: a for a in (Announced.parse(r) for r in (plain(raw) or [])) if a is not None}
        for kid in [k for k, v in self.kernels.items() if isinstance(v, TransportKernel) and kid_gone(k, announced)]:
            self.spawn(self.detach(kid))
        for a in announced.values():
            kernel = self.kernels.get(a.id)
            if kernel is not None and not isinstance(kernel, TransportKernel):
                continue
            before = kernel.announced if kernel is not None else None  # what the editor said last time
            if kernel is None:
                kernel = TransportKernel(a, self._send_to_editor, on_progress=self._on_progress)
                self._register(kernel)
            restarted = before is not None and before.generation != a.generation
            kernel.announced = a
            kernel.facts.label = a.label
            if restarted:
                self.publish(self.store.drop_source(source_of(kernel)))  # the old objects are gone
                self._announce_restart(kernel)
            self.labels[source_of(kernel)] = label_of(kernel)
            if not a.ready:
                kernel.state.restarting()
                continue
            if before is None or restarted or not before.ready:
                self.spawn(self._attach_transport(kernel))
        self.kernels_changed()

    async def _send_to_editor(self, method: str, params: dict[str, Any]) -> Any:
        return await self.protocol.send_request_async(method, params)

    async def _attach_transport(self, kernel: TransportKernel) -> None:
        try:
            await kernel.probe()
        except KernelAccessDenied as exc:
            log.warning("%s: %s", kernel.id, exc)  # the editor tells the user, with the fix
        except HotswapMissing:
            self.report_missing_hotswap(kernel)
        except KernelError as exc:
            log.info("%s could not be reached: %s", kernel.id, exc)
            kernel.state.unreachable()
        else:
            kernel.hotswap_missing_reported = False
            self._dedupe()
            self.kernels_changed()
            await self.catch_up(kernel)
            return
        self.kernels_changed()

    def user_executed(self, raw: Any) -> None:
        """Code ran in a kernel behind the editor: its stale objects may be gone."""
        kid = (plain(raw) or {}).get("kernel") if isinstance(plain(raw), Mapping) else None
        kernel = self.kernels.get(str(kid)) if kid else None
        if kernel is not None:
            self._on_user_execution(kernel)

    # -------------------------------------------------------------- discovery

    def start_discovery(self) -> None:
        try:
            directory = registry_dir()
        except Exception as exc:  # the kernel side is missing or broken: commands still work
            self.say(logging.WARNING, f"cannot find the hotswap kernel registry ({exc}); use the attach command.", show=False)
            return
        self._sync_batch = Coalescer(lambda _: self.sync_registry(directory), quiet=0.05)
        self.watcher = RegistryWatcher(directory, lambda: self._sync_batch.add(["sync"]) if self._sync_batch else None)
        self.watcher.start()
        self._sync_batch.add(["sync"])

    async def sync_registry(self, directory: Any) -> None:
        """Attach new live entries; detach registry kernels whose entry went away or whose
        connection file now belongs to a new process (a restart: re-attach)."""
        from hotswap.kernel.registry import TrustProblem  # loaded with the registry watcher

        entries, skipped = read_entries(directory)
        for reason in skipped:
            log.info("registry entry skipped: %s", reason)
            if isinstance(reason, TrustProblem) and reason not in self._told:
                self._told.add(reason)  # a trust problem the user can fix: say it, once
                self.say(logging.WARNING, f"not attaching: {reason}")
        live = {e.connection_file: e for e in entries}
        for kernel in list(self.kernels.values()):
            if not isinstance(kernel, AttachedKernel) or not kernel.from_registry:
                continue
            entry = live.get(kernel.facts.connection_file)
            restarted = entry is not None and kernel.facts.pid is not None and entry.pid != kernel.facts.pid
            if entry is None or restarted:
                await self.detach(kernel.id)  # a restarted kernel is attached again just below
        for conn, entry in live.items():
            known = self.find_by_connection(conn)
            if known is not None and known.facts.status == "no-hotswap":
                known.state.may_have_hotswap()  # it just ran %load_ext hotswap
                self.spawn(self._reprobe(known))
            if known is not None or conn in self._attaching:
                continue
            self._attaching.add(conn)
            try:
                await self.attach(conn, entry)
            except KernelError as exc:
                self.say(logging.WARNING, str(exc), show=False)
            finally:
                self._attaching.discard(conn)

    # ------------------------------------------------------------- file changes

    def start_workspace_watch(self) -> None:
        """Changes made outside the editor: the client watches for us when it can
        (dynamic registration), else watchdog does."""
        caps = self.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            self.spawn(self._register_file_watch())
            return
        roots = self.roots()
        if not roots:
            return
        watcher = WorkspaceWatcher(roots, lambda path: self.on_disk_change([path]))
        if watcher.start():
            self.workspace_watcher = watcher
            log.info("watching %s for changes made outside the editor", ", ".join(watcher.roots))

    async def _register_file_watch(self) -> None:
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id=WATCH_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    types.FileSystemWatcher(glob_pattern="**/*.py",
                                            kind=types.WatchKind.Create | types.WatchKind.Change)]))]))
        except Exception as exc:
            log.warning("the editor refused to watch Python files (%s): changes made outside it are not seen", exc)

    def on_disk_change(self, paths: Sequence[str]) -> None:
        """Files changed on disk by something other than a save in this editor."""
        if not self.settings.reload_on_save:
            return  # reloading follows what is written unless the user turned that off
        if self._disk_batch is None:
            # A checkout writes many files within a few ms: gather them into one request.
            self._disk_batch = Coalescer(self._disk_job, quiet=0.1, max_wait=1.0)
        self._disk_batch.add(paths)

    async def _disk_job(self, paths: list[str]) -> None:
        todo = []
        for path in paths:
            if not self.settings.wants(path, self.roots()):
                continue
            if self.unsaved.unsaved(path):
                log.info("%s changed on disk while it has unsaved edits: left to the save", path)
                continue
            digest = _digest(path)
            if digest is None or self.sent_digest.get(path) == digest:
                continue  # gone, or the content a save already sent
            self.sent_digest[path] = digest
            todo.append(path)
        if todo:
            self.dispatch(todo)

    # ------------------------------------------------------------------ reload

    def on_save(self, path: str) -> None:
        if not self.settings.reload_on_save or not self.settings.wants(path, self.roots()):
            return
        self.unsaved.saved(path)
        digest = _digest(path)
        if digest is not None:
            self.sent_digest[path] = digest
        self.dispatch([path])

    def dispatch(self, paths: list[str]) -> None:
        """Send paths to every kernel; kept for the next kernel when there is none."""
        targets = self.targets()
        if not targets:
            self._keep_pending(paths)
            log.info("no kernel attached yet: %s kept for the first one", ", ".join(paths))
            return
        for kernel in targets:
            if kernel.facts.status == "restarting" or (
                    isinstance(kernel, AttachedKernel) and kernel.facts.pid is None and kernel.last_pid is not None):
                self._hold(kernel, paths)
                continue
            batch = self._save_batches.get(kernel.id)
            if batch is not None:
                batch.add(paths)

    async def reload_saved(self, kernel: Kernel, paths: list[str]) -> None:
        """Send a gathered burst, less the files whose content this kernel process already got."""
        generation = getattr(kernel, "restarts", 0)
        known, sent = self._sent_to.get(kernel.id, (generation, {}))
        if known != generation:
            sent = {}  # a restarted kernel has imported afresh
        digests = {path: _digest(path) for path in paths}
        todo = [p for p in paths if digests[p] is None or sent.get(p) != digests[p]]
        if len(todo) < len(paths):
            log.info("%s already has the content of %s: not sent again", kernel.id,
                     ", ".join(p for p in paths if p not in todo))
        if not todo:
            return
        if await self.reload(kernel, paths=todo) is not None:
            # Only what the kernel answered for counts as delivered.
            sent.update({p: d for p, d in digests.items() if d is not None and p in todo})
            self._sent_to[kernel.id] = (generation, sent)

    async def reload(self, kernel: Kernel, *, paths: Sequence[str] = (), modules: Sequence[str] = ()) -> Optional[dict[str, Any]]:
        """One reload request to one kernel; publishes its diagnostics and didReload."""
        self.protocol.notify(NOTIFY_WILL_RELOAD, {"kernel": kernel.id, "files": list(paths), "modules": list(modules)})
        args: dict[str, Any] = {"paths": list(paths), "modules": list(modules),
                                "dependents": self.settings.reload_dependents,
                                "preserve_state": self.settings.preserve_module_state,
                                "progress_after": self.settings.reload_timeout}
        generation = getattr(kernel, "restarts", 0)
        job = ReloadJob(targets=[*paths, *modules])
        self.in_flight[kernel.id] = job
        try:
            report = await kernel.request("reload", args)
        except HotswapMissing:
            self.report_missing_hotswap(kernel)
            self._no_reload(kernel, "hotswap is not loaded in the kernel")
            return None
        except KernelAccessDenied as exc:
            kernel.state.access_denied()
            self._no_reload(kernel, str(exc))  # the editor tells the user, with the fix
            return None
        except KernelDied as exc:
            self._no_reload(kernel, str(exc))  # _on_death tells the user once
            return None
        except KernelError as exc:
            if getattr(kernel, "restarts", 0) != generation and paths:
                # The kernel restarted under the request: the new process gets it once it is up.
                self._hold(kernel, paths)
                self._no_reload(kernel, str(exc))
                return None
            self.say(logging.ERROR, str(exc))
            self._no_reload(kernel, str(exc))
            return None
        finally:
            job.done.set()
            if self.in_flight.get(kernel.id) is job:
                del self.in_flight[kernel.id]
        try:
            report, dropped = validate.report(report)
        except validate.BadReport as exc:
            message = f"{label_of(kernel)} sent a reload report that cannot be used ({exc})"
            self.say(logging.ERROR, message)
            self._no_reload(kernel, message)
            return None
        if dropped:
            log.warning("%s: %d unusable entries of a reload report were dropped", kernel.id, dropped)
        if report.get("interrupted"):
            stopped = [m for m in report.get("modules") or [] if isinstance(m, dict) and m.get("status") == "failed"]
            what = "; ".join(str(m.get("error")) for m in stopped) or "the module was left as it was"
            self.say(logging.WARNING, f"the reload in {label_of(kernel)} was interrupted: {what}")
        if kernel.facts.status in ("no-hotswap", "no-access"):
            kernel.state.has_hotswap()  # announced: the view stops saying "no-access" at once
            kernel.hotswap_missing_reported = False
        self.publish(self.store.apply_reload(source_of(kernel), report))
        self.protocol.notify(NOTIFY_DID_RELOAD, {"kernel": kernel.id, "label": label_of(kernel), **summary(report)})
        return report

    def _no_reload(self, kernel: Kernel, error: str) -> None:
        """Every willReload gets its didReload, so a UI never keeps spinning."""
        self.protocol.notify(NOTIFY_DID_RELOAD, {"kernel": kernel.id, "label": label_of(kernel), "modules": [],
                                                 "durationMs": None, "reloaded": 0, "failed": 0, "stale": 0,
                                                 "error": error})

    async def _refresh_job(self, kernel: Kernel, _triggers: list[str]) -> None:
        await self.refresh_stale(kernel)

    async def refresh_stale(self, kernel: Kernel) -> None:
        """After the user ran code: re-check stale objects, so recreated ones lose their warning."""
        if kernel.id not in self.kernels:
            return
        try:
            report = await kernel.request("stale")
        except HotswapMissing:
            return  # said when it was attached or first reloaded
        except KernelError as exc:
            log.info("stale refresh failed: %s", exc)
            return
        try:
            report, dropped = validate.report(report)
        except validate.BadReport as exc:
            log.warning("%s: unusable stale report: %s", kernel.id, exc)
            return
        if dropped:
            log.warning("%s: %d unusable entries of a stale report were dropped", kernel.id, dropped)
        self.publish(self.store.apply_stale(source_of(kernel), report))

    def publish(self, files: set[str]) -> None:
        for key in sorted(files):
            try:
                uri, diagnostics = self.store.merged(key, self.labels, self.settings.stale_severity)
            except Exception:  # never keep what cannot be shown: it would block this file for good
                log.exception("diagnostics for %s could not be built; dropping them", key)
                self.store.drop_file(key)
                uri, diagnostics = self.store.merged(key, self.labels, self.settings.stale_severity)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))
            self.store.mark_published(key, not diagnostics)

    async def shutdown_all(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.workspace_watcher is not None:
            self.workspace_watcher.stop()
        for batch in (self._sync_batch, self._disk_batch):
            if batch is not None:
                batch.cancel()
        for kid in list(self.kernels):
            await self.detach(kid, notify=False)


def kid_gone(kid: str, announced: Mapping[str, Announced]) -> bool:
    return kid not in announced


def _digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    except OSError:
        return None


def source_of(kernel: Kernel) -> str:
    return f"kernel:{kernel.id}"


def _append_new(into: list[str], items: Sequence[str]) -> None:
    into.extend(p for p in dict.fromkeys(items) if p not in into)


def label_of(kernel: Kernel) -> str:
    """The name users know the kernel by, everywhere it is named (Problems, status bar, view,
    log): the editor's ("Interactive-1", "analysis.ipynb", "debug: <configuration>"), the
    registry entry's ("jupyter console (pid 4242)", "Hot Reload Console"), else its pid."""
    if kernel.facts.label:
        return kernel.facts.label
    return f"kernel (pid {kernel.facts.pid})" if kernel.facts.pid else f"kernel {kernel.id}"


def missing_jupyter_client_message() -> str:
    return (f"jupyter_client is not installed for {sys.executable}, so no kernel can be reached. "
            f"Install it with: {sys.executable} -m pip install jupyter_client")


def _first_arg(args: tuple[Any, ...]) -> dict[str, Any]:
    if not args:
        return {}
    first = args[0]
    if isinstance(first, Mapping):
        return dict(first)
    raise ValueError(f"expected an object argument, got {first!r}")


def create_server() -> HotswapServer:
    """Build the server with its handlers and commands."""
    server = HotswapServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: HotswapServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)

    async def pull_settings(ls: HotswapServer) -> None:
        """Ask for the ``hotswap`` section, for clients that keep settings there
        (Neovim's ``settings``, eglot's workspace configuration)."""
        caps = ls.client_capabilities.workspace
        if caps is None or not caps.configuration:
            return
        try:
            values = await asyncio.wait_for(ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="hotswap")])), 10)
        except Exception as exc:
            log.info("workspace/configuration failed: %s", exc)
            return
        if values and isinstance(values[0], Mapping) and values[0]:
            ls.apply_settings(values[0])

    @server.feature(types.INITIALIZED)
    async def initialized(ls: HotswapServer, params: types.InitializedParams) -> None:
        if not ls.has_jupyter_client:
            ls.say(logging.ERROR, missing_jupyter_client_message())
        else:
            ls.start_discovery()
        ls.start_workspace_watch()
        await pull_settings(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: HotswapServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, Mapping) and "hotswap" in settings:
            ls.apply_settings(settings)
        else:
            await pull_settings(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: HotswapServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path:
            ls.on_save(path)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HotswapServer, params: types.DidOpenTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and path.endswith(".py"):
            ls.unsaved.opened(path, params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HotswapServer, params: types.DidChangeTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and path.endswith(".py"):
            ls.unsaved.changed(path, ls.workspace.get_text_document(params.text_document.uri).source)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HotswapServer, params: types.DidCloseTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path:
            ls.unsaved.closed(path)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: HotswapServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for p in (to_fs_path(c.uri) for c in params.changes if c.type != types.FileChangeType.Deleted) if p]
        if paths:
            ls.on_disk_change(paths)

    @server.feature(NOTIFY_TRANSPORT_KERNELS)
    def transport_kernels(ls: HotswapServer, params: Any) -> None:
        raw = plain(params)
        ls.transport_kernels(raw.get("kernels") if isinstance(raw, Mapping) else None)

    @server.feature(NOTIFY_USER_EXECUTED)
    def user_executed(ls: HotswapServer, params: Any) -> None:
        ls.user_executed(params)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: HotswapServer, params: Any) -> None:
        await ls.shutdown_all()

    @server.command(CMD_RELOAD_MODULE)
    async def reload_module(ls: HotswapServer, *args: Any) -> dict[str, Any]:
        arg = _first_arg(args)
        paths: list[str] = []
        modules: list[str] = []
        if arg.get("uri"):
            path = to_fs_path(str(arg["uri"]))
            if not path:
                raise ValueError(f"not a file URI: {arg['uri']!r}")
            paths.append(path)
        if arg.get("module"):
            modules.append(str(arg["module"]))
        if not paths and not modules:
            # No argument (editors like Helix cannot pass one): the Python files open in the editor.
            paths = sorted({p for p in (to_fs_path(uri) for uri in ls.workspace.text_documents)
                            if p and ls.settings.wants(p, ls.roots())})
            if not paths:
                raise ValueError("hotswap.reloadModule needs {module: name} or {uri: file URI} (no Python file is open)")
        kernels = ls.targets()
        if not kernels:
            ls.say(logging.WARNING, "no kernel is attached: run `%load_ext hotswap` in a kernel, or attach one.")
        async def one(kernel: Kernel) -> dict[str, Any]:
            # a kernel busy with a long cell or reload answers "busy" (the reload stays queued)
            task = ls.spawn(ls.reload(kernel, paths=paths, modules=modules))
            done, _ = await asyncio.wait({task}, timeout=BUSY_WAIT)
            if done:
                return {"kernel": kernel.id, "report": task.result()}
            return {"kernel": kernel.id, "report": None, "busy": True, "running": ls.running(kernel)}

        return {"reports": list(await asyncio.gather(*(one(k) for k in kernels)))}

    @server.command(CMD_LIST_MODULES)
    async def list_modules(ls: HotswapServer, *args: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        everything = bool(_first_arg(args).get("all"))
        for kernel in ls.targets():
            task = ls.spawn(kernel.request("modules", {"all": everything}))
            done, _ = await asyncio.wait({task}, timeout=BUSY_WAIT)
            if not done:
                task.cancel()
                out.append({"kernel": kernel.id, "busy": True, "running": ls.running(kernel)})
                continue
            try:
                result = task.result()
            except HotswapMissing:
                ls.report_missing_hotswap(kernel)
                continue
            except KernelError as exc:
                log.info("%s", exc)
                continue
            for m in result.get("modules") or []:
                out.append({"kernel": kernel.id, "name": m.get("name"), "file": m.get("file")})
        return out

    @server.command(CMD_LIST_KERNELS)
    def list_kernels(ls: HotswapServer, *args: Any) -> list[dict[str, Any]]:
        return ls.kernel_list()

    @server.command(CMD_ATTACH)
    async def attach_kernel(ls: HotswapServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args else None
        conn = arg if isinstance(arg, str) else (arg or {}).get("connectionFile")
        if not isinstance(conn, str) or not conn:
            raise ValueError("hotswap.attachKernel needs {connectionFile: path}")
        conn = to_fs_path(conn) or conn if conn.startswith("file:") else conn
        problem = check_private_file(conn)
        if problem:
            ls.say(logging.ERROR, f"not attaching: {problem}")
            raise ValueError(f"not attaching: {problem}")
        try:
            kernel = await ls.attach(conn)
        except KernelError as exc:
            ls.say(logging.ERROR, str(exc))
            raise
        return kernel.facts.to_dict()

    @server.command(CMD_DETACH)
    async def detach_kernel(ls: HotswapServer, *args: Any) -> bool:
        arg = args[0] if args else None
        kid = arg if isinstance(arg, str) else (arg or {}).get("id")
        return await ls.detach(str(kid))

    return server
