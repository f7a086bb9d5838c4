"""The hotswap language server: reload on save, stale objects as diagnostics, commands.

It owns three things: the attached kernels (kernels.py, found by discovery.py), the merged
diagnostics (diagnostics.py) and the save bursts (debounce.py). Everything the editor sees
goes through here, so every editor gets the same behaviour.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sys
import time
from typing import Any, Mapping, Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .._version import __version__
from . import validate
from .protocol import CheckedProtocol
from .debounce import Coalescer
from .diagnostics import DiagnosticStore, summary
from .discovery import Entry, RegistryWatcher, read_entries, registry_dir
from .kernels import (AttachedKernel, HotswapMissing, KernelDied, KernelError, KernelFacts,
                      check_private_file, jupyter_client_available)
from .settings import Settings, parse

log = logging.getLogger("hotswap.lsp")

CMD_RELOAD_MODULE = "hotswap.reloadModule"
CMD_LIST_MODULES = "hotswap.listModules"
CMD_LIST_KERNELS = "hotswap.listKernels"
CMD_ATTACH = "hotswap.attachKernel"
CMD_DETACH = "hotswap.detachKernel"
CMD_PUBLISH_REPORT = "hotswap.publishReport"
NOTIFY_WILL_RELOAD = "hotswap/willReload"
NOTIFY_DID_RELOAD = "hotswap/didReload"
NOTIFY_KERNELS_CHANGED = "hotswap/kernelsChanged"
NOTIFY_KERNEL_EVENT = "hotswap/kernelEvent"  # {kernel, label, event: died | restarted | no-hotswap, message}
PROBE_WAIT = 5.0  # seconds attachKernel waits for the kernel to answer before replying "busy"
BUSY_WAIT = 3.0  # seconds listModules / reloadModule wait for a busy kernel before answering "busy"
INTERRUPT_ACTION = "Interrupt"


class HotswapServer(LanguageServer):
    """pygls server plus the hotswap state."""

    def __init__(self) -> None:
        super().__init__("hotswap", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         protocol_cls=CheckedProtocol)
        self.settings = Settings()
        self.kernels: dict[str, AttachedKernel] = {}
        self.store = DiagnosticStore()
        self.watcher: Optional[RegistryWatcher] = None
        self.has_jupyter_client = jupyter_client_available()
        self._save_batches: dict[str, Coalescer[str]] = {}
        self._stale_batches: dict[str, Coalescer[str]] = {}
        self._sync_batch: Optional[Coalescer[str]] = None
        self._attaching: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.labels: dict[str, str] = {}
        # kernel id -> the reload we sent and are waiting for: what it reloads, since when,
        # where it was last seen running (progress), whether Interrupt was offered
        self.in_flight: dict[str, dict[str, Any]] = {}
        self._told: set[str] = set()  # registry trust problems already shown

    # --------------------------------------------------------------- messages

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
        return [k.facts.to_dict() for k in self.kernels.values()]

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
            if k.facts.connection_file == real:
                return k
        return None

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
                            python=entry.python if entry else None, hotswap=entry.hotswap if entry else None)
        kernel = AttachedKernel(facts, on_user_execution=self._on_user_execution, on_death=self._on_death,
                                on_status=self._on_status, on_restart=self._on_restart,
                                from_registry=entry is not None, on_progress=self._on_progress)
        await kernel.start()
        self.kernels[kernel.id] = kernel
        self.labels[source_of(kernel)] = label_of(kernel)
        self._save_batches[kernel.id] = Coalescer(functools.partial(self.reload_saved, kernel))
        self._stale_batches[kernel.id] = Coalescer(functools.partial(self._refresh_job, kernel), quiet=0.0)
        probe = self.spawn(self._reprobe(kernel, notify=False))
        done, _ = await asyncio.wait({probe}, timeout=PROBE_WAIT)
        if not done and not kernel.beating():
            # Not even a heartbeat: the liveness monitor will soon call it dead (failing the
            # probe, within 3 s of silence), so a kernel that ended is an error, not "busy".
            done, _ = await asyncio.wait({probe}, timeout=2 * PROBE_WAIT)
        if not done:
            # A long cell is running: the probe waits behind it and reports when it is done.
            kernel.facts.status = "busy"
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
        await kernel.close()
        self.publish(self.store.drop_source(source_of(kernel)))
        if notify:
            self.kernels_changed()
        return True

    def kernel_event(self, kernel: AttachedKernel, event: str, message: str) -> None:
        """Tell the editor about a kernel fault in words (shown) and as data (status bar)."""
        self.say(logging.WARNING, message)
        try:
            self.protocol.notify(NOTIFY_KERNEL_EVENT, {"kernel": kernel.id, "label": label_of(kernel), "event": event,
                                                       "message": message})
        except Exception:  # no client connected
            log.debug("could not send %s", NOTIFY_KERNEL_EVENT, exc_info=True)

    def report_missing_hotswap(self, kernel: AttachedKernel, restarted: bool = False) -> None:
        if kernel.hotswap_missing_reported:
            return
        kernel.hotswap_missing_reported = True
        kernel.facts.status = "no-hotswap"
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
        it has hotswap (a restarted kernel must load the extension again)."""
        log.info("kernel %s is running again (restarted)", kernel.id)
        self.spawn(self._reprobe(kernel, restarted=True))

    def _on_status(self, kernel: AttachedKernel) -> None:
        if kernel.facts.pid is None and not kernel.dead and kernel.execution_state == "idle":
            self.spawn(self._reprobe(kernel))
        self.kernels_changed()

    async def _reprobe(self, kernel: AttachedKernel, *, notify: bool = True, restarted: bool = False) -> None:
        """Learn pid and hotswap version; say so if the kernel cannot import hotswap."""
        try:
            await kernel.probe()
        except KernelError as exc:
            log.info("probe of %s failed: %s", kernel.id, exc)
            return
        self.labels[source_of(kernel)] = label_of(kernel)
        if kernel.facts.status == "no-hotswap":
            self.report_missing_hotswap(kernel, restarted=restarted)
        else:
            kernel.hotswap_missing_reported = False
            if restarted:
                old = f" (was pid {kernel.last_pid})" if kernel.last_pid else ""
                self.kernel_event(kernel, "restarted",
                                  f"{label_of(kernel)} restarted{old}: its variables are gone; saves reload modules "
                                  f"it imports again.")
        if notify:
            self.kernels_changed()

    def running(self, kernel: AttachedKernel) -> str:
        """What keeps the kernel busy, in words (for "busy" answers and messages)."""
        if kernel.request_label is not None and kernel.request_started:
            job = self.in_flight.get(kernel.id)
            if kernel.request_label == "reload" and job is not None:
                where = job.get("where") or ", ".join(job["files"] + job["modules"]) or "modules"
                return f"reloading {where} for {time.monotonic() - job['started']:.0f} s"
            return f"a hotswap {kernel.request_label} request"
        if kernel.execution_state == "busy" or kernel.request_label is not None:
            return "a cell"  # our request waits behind what the user runs
        return "an earlier request"

    def _on_progress(self, kernel: AttachedKernel, info: dict[str, Any]) -> None:
        """A reload runs longer than ``reloadTimeout``: say where, and offer to interrupt it."""
        job = self.in_flight.get(kernel.id)
        if job is None:
            return
        file, line = info.get("file"), info.get("line")
        if isinstance(file, str) and isinstance(line, int):
            job["where"] = f"{file}:{line}"
        if not job.get("offered"):
            job["offered"] = True
            self.spawn(self._offer_interrupt(kernel, job))

    async def _offer_interrupt(self, kernel: AttachedKernel, job: dict[str, Any]) -> None:
        where = job.get("where") or ", ".join(job["files"] + job["modules"])
        message = (f"Hotswap: still running {where} in {label_of(kernel)} (reload started "
                   f"{time.monotonic() - job['started']:.0f} s ago). Interrupt puts the module back as it was.")
        log.warning("%s", message)
        try:
            choice = await self.window_show_message_request_async(types.ShowMessageRequestParams(
                type=types.MessageType.Warning, message=message,
                actions=[types.MessageActionItem(title=INTERRUPT_ACTION)]))
        except Exception:  # a client without message requests: the log line stays
            log.debug("showMessageRequest failed", exc_info=True)
            return
        if choice is None or choice.title != INTERRUPT_ACTION or self.in_flight.get(kernel.id) is not job:
            return
        try:
            log.info("%s", kernel.interrupt())
        except KernelError as exc:
            self.say(logging.ERROR, str(exc))

    def _on_user_execution(self, kernel: AttachedKernel) -> None:
        batch = self._stale_batches.get(kernel.id)
        if batch is not None:
            batch.add(["stale"])

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
        entries, skipped = read_entries(directory)
        for reason in skipped:
            log.info("registry entry skipped: %s", reason)
            if ("other users" in reason or "another user" in reason or "symbolic link" in reason) \
                    and reason not in self._told:
                self._told.add(reason)  # a trust problem the user can fix: say it, once
                self.say(logging.WARNING, f"not attaching: {reason}")
        live = {e.connection_file: e for e in entries}
        for kernel in list(self.kernels.values()):
            if not kernel.from_registry:
                continue
            entry = live.get(kernel.facts.connection_file)
            restarted = entry is not None and kernel.facts.pid is not None and entry.pid != kernel.facts.pid
            if entry is None or restarted:
                await self.detach(kernel.id)  # a restarted kernel is attached again just below
        for conn, entry in live.items():
            known = self.find_by_connection(conn)
            if known is not None and known.facts.status == "no-hotswap":
                known.facts.status = known.execution_state  # it just ran %load_ext hotswap
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

    # ------------------------------------------------------------------ reload

    def on_save(self, path: str) -> None:
        if not self.settings.reload_on_save or not self.settings.wants(path, self.roots()):
            return
        for kernel_id, batch in self._save_batches.items():
            batch.add([path])

    async def reload_saved(self, kernel: AttachedKernel, paths: list[str]) -> None:
        await self.reload(kernel, paths=paths)

    async def reload(self, kernel: AttachedKernel, *, paths: Sequence[str] = (), modules: Sequence[str] = ()) -> Optional[dict[str, Any]]:
        """One reload request to one kernel; publishes its diagnostics and didReload."""
        self.protocol.notify(NOTIFY_WILL_RELOAD, {"kernel": kernel.id, "files": list(paths), "modules": list(modules)})
        args = {"paths": list(paths), "modules": list(modules), "dependents": self.settings.reload_dependents,
                "preserve_state": self.settings.preserve_module_state,
                "progress_after": self.settings.reload_timeout}
        job = {"files": list(paths), "modules": list(modules), "started": time.monotonic()}
        self.in_flight[kernel.id] = job
        try:
            report = await kernel.request("reload", args)
        except HotswapMissing:
            self.report_missing_hotswap(kernel)
            self._no_reload(kernel, "hotswap is not loaded in the kernel")
            return None
        except KernelDied as exc:
            self._no_reload(kernel, str(exc))  # _on_death tells the user once
            return None
        except KernelError as exc:
            self.say(logging.ERROR, str(exc))
            self._no_reload(kernel, str(exc))
            return None
        finally:
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
        if kernel.facts.status == "no-hotswap":
            kernel.facts.status = kernel.execution_state
            kernel.hotswap_missing_reported = False
        self.publish(self.store.apply_reload(source_of(kernel), report))
        self.protocol.notify(NOTIFY_DID_RELOAD, {"kernel": kernel.id, **summary(report)})
        return report

    def _no_reload(self, kernel: AttachedKernel, error: str) -> None:
        """Every willReload gets its didReload, so a UI never keeps spinning."""
        self.protocol.notify(NOTIFY_DID_RELOAD, {"kernel": kernel.id, "modules": [], "durationMs": None,
                                                 "reloaded": 0, "failed": 0, "stale": 0, "error": error})

    async def _refresh_job(self, kernel: AttachedKernel, _triggers: list[str]) -> None:
        await self.refresh_stale(kernel)

    async def refresh_stale(self, kernel: AttachedKernel) -> None:
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
        if self._sync_batch is not None:
            self._sync_batch.cancel()
        for kid in list(self.kernels):
            await self.detach(kid, notify=False)


def source_of(kernel: AttachedKernel) -> str:
    return f"kernel:{kernel.id}"


def label_of(kernel: AttachedKernel) -> str:
    return f"kernel {kernel.id}" + (f" (pid {kernel.facts.pid})" if kernel.facts.pid else "")


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
        kernels = list(ls.kernels.values())
        if not kernels:
            ls.say(logging.WARNING, "no kernel is attached: run `%load_ext hotswap` in a kernel, or attach one.")
        async def one(kernel: AttachedKernel) -> dict[str, Any]:
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
        for kernel in list(ls.kernels.values()):
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

    @server.command(CMD_PUBLISH_REPORT)
    def publish_report(ls: HotswapServer, *args: Any) -> bool:
        arg = _first_arg(args)
        source, raw = arg.get("source"), arg.get("report")
        if not isinstance(source, str) or not source or len(source) > 200 or not isinstance(raw, Mapping):
            raise ValueError("hotswap.publishReport needs {source: non-empty string, report: object}")
        kind = arg.get("kind")
        if kind not in (None, "reload", "stale"):
            raise ValueError("hotswap.publishReport: kind must be 'reload' or 'stale'")
        try:
            report, dropped = validate.report(raw)
        except validate.BadReport as exc:
            raise ValueError(f"hotswap.publishReport: {exc}") from None
        if dropped:
            ls.say(logging.WARNING, f"a report from {source} had {dropped} unusable entries; they were left out.",
                   show=False)
        kind = kind or ("reload" if report.get("modules") else "stale")
        key = f"report:{source}"
        ls.labels[key] = source
        files = ls.store.apply_reload(key, report) if kind == "reload" else ls.store.apply_stale(key, report)
        ls.publish(files)
        return True

    return server
