"""Which loaded modules changed on disk since they were last loaded or reloaded.

IPython's autoreload ``stat``s every module in ``sys.modules`` before every cell (7 ms with
3,600 modules). Here a watchdog observer watches only the folders of the user's own modules
and notes the files it hears about; the check before a cell then ``stat``s just those files,
the few recently changed ones (a save whose event is still on its way is caught there) and
modules the user asked for explicitly (``%aimport``, which may live in site-packages).
Without watchdog, the check ``stat``s the user's modules only.

An event only nominates a file: a module counts as changed when its file's mtime or size
differs from what was recorded when it was loaded or last reloaded. So duplicate events,
editor temp-file dances and reloads done by an editor through the kernel service never
cause a second reload.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
import zlib
from typing import Any, Callable, Deque, Iterable, Optional

from ..kernel import engine_api

Stamp = tuple[int, int]  # (st_mtime_ns, st_size)

_IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})
HOT_FILES = 8
MAX_FOLDERS = 256  # beyond this, files in further folders are stat'ed instead
STAT_ALL_LIMIT = 24  # up to this many watched files, stat them all (1-2 us each)
RACY_NS = 50_000_000  # file clocks tick every few ms: saves closer than this may share an mtime
SETTLE_SECONDS = 0.2  # longest wait for the observer to hand over events already queued


MISSING_GRACE = 0.05  # seconds a watched file may be missing during a save before it counts as deleted


def _stamp(path: str) -> Optional[Stamp]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _digest(path: str) -> Optional[int]:
    """Content checksum: two saves within one filesystem clock tick can leave the same mtime
    and size, so a file an event nominated is compared by content when its stamp did not move."""
    try:
        with open(path, "rb") as fh:
            return zlib.crc32(fh.read())
    except OSError:
        return None


def _unfinished(queue: object) -> int:
    """Events the observer has queued but not yet handed to our handler (0 when unknown)."""
    count: int = getattr(queue, "unfinished_tasks", 0)
    return count


class ModuleWatcher:
    """Tracks the files of loaded modules and tells which changed."""

    def __init__(self, *, use_watchdog: bool = True) -> None:
        self.files: dict[str, set[str]] = {}  # real file -> module names (user or explicit)
        self.stamps: dict[str, Optional[Stamp]] = {}  # real file -> stamp when last (re)loaded
        self.module_file: dict[str, str] = {}  # module name -> real file, for watched modules
        self.explicit: dict[str, str] = {}  # module name -> real file, asked for by name
        self.folders: set[str] = set()
        self._known: set[str] = set()  # sys.modules names already classified
        self._known_count = -1
        self._pending: set[str] = set()  # real files nominated by events (added on the observer thread)
        self._hot: Deque[str] = collections.deque(maxlen=HOT_FILES)
        self._seen: dict[str, Optional[Stamp]] = {}  # stamps taken by the latest ``changed``
        self.digests: dict[str, Optional[int]] = {}  # real file -> content checksum when last (re)loaded
        self._racy: set[str] = set()  # files whose stamp cannot yet tell a new save apart
        self.stat_all_limit = STAT_ALL_LIMIT
        self._probe: Optional[Callable[[], bool]] = None
        self._probe_failed = False
        self.unwatched_folders: set[str] = set()  # folders watchdog could not (or should not) watch
        self._polled: set[str] = set()  # files in those folders: stat'ed before every cell
        self._held: set[str] = set()  # changed, but the mode said not to reload them yet
        self._gone: set[str] = set()  # found deleted by the latest ``changed``: no grace to wait for again
        self._observer: Any = None
        self._handler: Any = None
        self._lock = threading.Lock()
        self.use_watchdog = use_watchdog
        self.watchdog_error: Optional[str] = None

    # ----------------------------------------------------------------- observer
    @property
    def watching(self) -> bool:
        """True when file events come from watchdog (else every user module is stat'ed)."""
        return self._observer is not None

    def start(self) -> None:
        """Start the observer (if watchdog is importable) and take stock of loaded modules."""
        if self.use_watchdog and self._observer is None:
            try:
                from watchdog.observers import Observer
            except ImportError as exc:
                self.watchdog_error = f"watchdog is not installed ({exc})"
            else:
                observer = Observer()
                observer.daemon = True
                self._handler = _make_handler(self._nominate)
                try:
                    observer.start()
                except Exception as exc:  # e.g. inotify limits reached
                    self.watchdog_error = f"cannot start watchdog: {exc}"
                else:
                    self._observer = observer
        self.scan()
        for name in list(self.explicit):
            self.watch_module(name)

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            try:
                observer.stop()
                observer.join(timeout=2)
            except Exception:
                pass
        # Forget everything so that a later start() takes stock afresh (explicit names stay).
        self.folders.clear()
        self.unwatched_folders.clear()
        for table in (self.files, self.stamps, self.module_file, self.digests, self._seen):
            table.clear()
        for bag in (self._known, self._pending, self._racy, self._polled, self._held, self._gone):
            bag.clear()
        self._hot.clear()
        self._known_count = -1
        self._probe, self._probe_failed = None, False

    def _nominate(self, path: str) -> None:
        """Called on the observer thread for each interesting event path."""
        if path in self.files:
            self._pending.add(path)

    def _watch_folder(self, folder: str) -> bool:
        """Ask watchdog for events from ``folder``; False when its files must be polled."""
        if folder in self.folders:
            return True
        if folder in self.unwatched_folders:
            return False
        if self._observer is None:
            self.folders.add(folder)
            return True
        if len(self.folders) >= MAX_FOLDERS:
            self.unwatched_folders.add(folder)  # each watched folder costs watchdog a thread
            return False
        try:
            self._observer.schedule(self._handler, folder, recursive=False)
        except Exception:  # the folder went away, or the system is out of inotify watches
            self.unwatched_folders.add(folder)
            return False
        self.folders.add(folder)
        return True

    def _settle(self) -> None:
        """Let events of a save made just before this cell reach us.

        The kernel's main thread holds the GIL while it prepares a cell, so watchdog's
        threads may not have run since the save. Cheap probes say whether anything is on its
        way (unread or unhandled inotify events on Linux, undispatched events in the
        observer's queue); only then do we wait, releasing the GIL, until they came through
        (bounded by SETTLE_SECONDS).
        """
        queue = getattr(self._observer, "event_queue", None)
        busy = self._busy_probe()
        if not (busy is not None and busy()) and (queue is None or not _unfinished(queue)):
            return
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.0002)
            if busy is not None and busy():
                continue
            if queue is not None and _unfinished(queue):
                continue
            break

    def _busy_probe(self) -> Optional[Callable[[], bool]]:
        """A probe telling whether watchdog's inotify backend still holds events for us:
        unread on the descriptor, being read, or waiting for an emitter thread.

        It reaches into watchdog's inotify internals, so every step is guarded: without
        them (other platforms, other versions) the check relies on the observer's queue."""
        if self._probe is not None or self._probe_failed:
            return self._probe
        try:
            import select

            reader = getattr(self._observer, "_inotify_fd", None)  # the observer's reader thread
            fd = getattr(reader, "_inotify_fd", None)
            if reader is None or not isinstance(fd, int) or not hasattr(reader, "_is_reading"):
                raise LookupError("not watchdog's inotify backend")
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poll = poller.poll
            observer = self._observer
            cached_count = -1  # emitters seen when their event buffers were last collected
            cached_buffers: list[Any] = []

            def buffers() -> list[Any]:
                nonlocal cached_count, cached_buffers
                emitters = observer.emitters
                if len(emitters) != cached_count:
                    found: list[Any] = []
                    for emitter in list(emitters):
                        group = getattr(emitter, "_inotify", None)
                        dq = getattr(getattr(getattr(group, "_move_event_grouper", None), "_queue", None), "_queue", None)
                        if dq is None:
                            return found  # an emitter still starting: look again next time
                        found.append(dq)
                    cached_count, cached_buffers = len(emitters), found
                return cached_buffers

            def busy() -> bool:
                if poll(0) or not reader._is_reading:
                    return True
                for dq in buffers():
                    # items flagged delayed are unpaired moves held back on purpose (0.5 s)
                    if dq and any(not item[2] for item in list(dq)):
                        return True
                return False

            busy()
            self._probe = busy
        except Exception:
            self._probe_failed = True
        return self._probe

    # ------------------------------------------------------------------ modules
    def scan(self) -> None:
        """Classify modules imported since the last scan; cheap when none were."""
        modules = sys.modules
        if len(modules) == self._known_count:
            return
        with self._lock:
            names = modules.keys()
            for name in [n for n in names if n not in self._known]:
                self._known.add(name)
                self._add(name, modules.get(name))
            gone = self._known - names
            if gone:
                self._known -= gone
                for name in gone:
                    self._forget(name)
            self._known_count = len(modules)

    def _add(self, name: str, module: Any, explicit: bool = False) -> None:
        if name in ("__main__", "__mp_main__") or name.startswith("hotswap."):
            return
        real = engine_api.real_module_file(name, module)
        if real is None:
            return
        if not explicit and name not in self.explicit and not engine_api.is_user_file(real):
            return
        old = self.module_file.get(name)
        if old is not None and old != real:
            self._forget(name)
        self.module_file[name] = real
        if explicit:
            self.explicit[name] = real
        names = self.files.setdefault(real, set())
        if not names:
            self._record(real, _stamp(real))
        names.add(name)
        if not self._watch_folder(os.path.dirname(real)):
            self._polled.add(real)

    def _forget(self, name: str) -> None:
        real = self.module_file.pop(name, None)
        self.explicit.pop(name, None)
        if real is None:
            return
        names = self.files.get(real)
        if names is not None:
            names.discard(name)
            if not names:
                del self.files[real]
                self.stamps.pop(real, None)
                self.digests.pop(real, None)
                self._racy.discard(real)
                self._polled.discard(real)
                self._held.discard(real)

    def watch_module(self, name: str) -> None:
        """Watch ``name`` even if it is a library module (the user asked for it by name)."""
        module = sys.modules.get(name)
        with self._lock:
            self._add(name, module, explicit=True)

    # ------------------------------------------------------------------ changes
    def changed(self, *, everything: bool = False) -> list[tuple[str, str]]:
        """(module name, file) of watched modules whose file changed since last recorded.

        With watchdog running and more than ``stat_all_limit`` watched files, checks only
        files nominated by events, recently changed files, files saved too recently to judge
        by time stamps, and explicitly watched modules. Otherwise (few files, no watchdog,
        or ``everything``) checks every watched file: a handful of ``stat`` calls costs less
        than waiting for an event that may still be on its way.
        """
        nominated: set[str] = set()
        pending = self._pending
        while pending:
            try:
                nominated.add(pending.pop())
            except KeyError:
                break
        if everything or self._observer is None or len(self.files) <= self.stat_all_limit:
            candidates: Iterable[str] = self._quick_scan(nominated)
        else:
            self._settle()
            while pending:
                try:
                    nominated.add(pending.pop())
                except KeyError:
                    break
            more = nominated | self._racy
            more.update(self._hot)
            more.update(self._polled)
            more.update(self._held)
            if self.explicit:
                more.update(self.explicit.values())
            candidates = more
        found: list[tuple[str, list[str]]] = []
        missing: list[str] = []  # not there now, not known to be gone
        gone: set[str] = set()
        for real in candidates:
            names = self.files.get(real)
            if not names:
                continue
            now = _stamp(real)
            if now is None:
                if self.stamps.get(real) is None:
                    continue  # already reported missing (or never seen)
                found.append((real, sorted(names)))
                if real in self._gone:
                    gone.add(real)  # still gone: the mode held it, so it is reported again
                else:
                    missing.append(real)
                continue
            if now == self.stamps.get(real):
                if real not in nominated and real not in self._racy:
                    continue
                if _digest(real) == self.digests.get(real):
                    if real in self._racy and time.time_ns() - now[0] > RACY_NS:
                        self._racy.discard(real)
                    continue
            self._seen[real] = now
            if real not in self._hot:
                self._hot.append(real)
            found.append((real, sorted(names)))
        back: set[str] = set()
        if missing:  # one wait for them all: an editor's atomic save replaces a file within microseconds
            time.sleep(MISSING_GRACE)
            back = {real for real in missing if _stamp(real) is not None}  # a save in progress: the next check sees it
            gone.update(real for real in missing if real not in back)
        # gone: the reload says so, once; while the mode holds it, every check says so again without waiting
        self._gone = gone
        return [(name, real) for real, names_now in found if real not in back for name in names_now]

    def _quick_scan(self, nominated: set[str]) -> list[str]:
        """Every watched file whose stamp moved, plus nominated and racy ones (the hot loop
        of the few-files path: one ``stat`` per file and nothing else)."""
        stat = os.stat
        racy = self._racy
        out: list[str] = []
        for real, old in self.stamps.items():
            try:
                st = stat(real)
            except OSError:
                if old is not None:
                    out.append(real)  # deleted since the last look: the reload says so, once
                continue
            if old is None or st.st_mtime_ns != old[0] or st.st_size != old[1] or real in nominated or real in racy:
                out.append(real)
        return out

    def _record(self, real: str, stamp: Optional[Stamp]) -> None:
        """Remember a file's state; a file modified moments ago stays 'racy' (compared by
        content) until a later save could no longer share its time stamp."""
        self.stamps[real] = stamp
        self.digests[real] = _digest(real)
        if stamp is not None and time.time_ns() - stamp[0] <= RACY_NS:
            self._racy.add(real)
        else:
            self._racy.discard(real)

    def hold(self, files: Iterable[str]) -> None:
        """Keep reporting these changed files until they are reloaded: a change made while
        the mode (or ``%aimport -m``) left its module alone is reloaded once that changes."""
        self._held.update(f for f in files if f in self.files)

    def mark_current(self, files: Iterable[str]) -> None:
        """Record the files' state as of the check that found them changed (or now): they
        were just (re)loaded, or failed to. A save during the reload stays a change."""
        for real in files:
            if real in self.files:
                self._held.discard(real)
                seen = self._seen.pop(real, None)
                self._record(real, seen if seen is not None else _stamp(real))

    @property
    def count(self) -> int:
        """Number of watched modules."""
        return len(self.module_file)

    def describe(self) -> str:
        how = "watchdog" if self.watching else ("file times" + (f"; {self.watchdog_error}" if self.watchdog_error else ""))
        n, f = self.count, len(self.folders)
        return f"{n} module{'s' if n != 1 else ''} in {f} folder{'s' if f != 1 else ''} ({how})"


def _make_handler(nominate: Callable[[str], None]) -> Any:
    """A watchdog handler passing event paths to ``nominate``; editors often save by writing
    a temporary file and renaming it over the module, so a move's destination counts."""
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.is_directory or event.event_type in _IGNORED_EVENTS:
                return
            for p in (event.src_path, getattr(event, "dest_path", "")):
                if p:
                    nominate(os.fsdecode(p))

    return Handler()


def listener_for(watcher: ModuleWatcher) -> Callable[[dict[str, Any], str], None]:
    """An ``activity`` listener: modules an editor reloaded through the service are current."""

    def on_reload(report: dict[str, Any], source: str) -> None:
        files = [os.path.realpath(m["file"]) for m in report.get("modules", []) if isinstance(m.get("file"), str)]
        watcher.mark_current(files)

    return on_reload
