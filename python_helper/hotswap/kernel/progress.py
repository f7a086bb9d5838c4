"""Where a long reload is: told to the caller while it still runs, and stopped when asked.

A module whose top-level code loops keeps the kernel busy, and the kernel answers nothing
else meanwhile. When the caller asks for it (``progress_after`` in a ``reload`` request), a
watchdog thread samples the reloading thread's stack after that many seconds, and every
``EVERY`` seconds after, and tells where it is:

- by default as one line on the request's own output: IOPub carries it, addressed to the
  caller's request only, so no notebook cell shows it;
- to ``progress_file`` when the caller gives one. Callers that cannot read the output while
  the request runs use this (the editor's Jupyter and debug kernels, whose output comes back
  only with the answer, or shows in the debug console).

With ``interrupt_file``, the caller stops the reload by creating that file: the watchdog raises
KeyboardInterrupt in the reloading thread, which the engine turns into a rollback that names
the line. This reaches a reload that runs on a debugger's thread, which a signal would not.
Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any, Iterable, Optional

PREFIX = "[hotswap-progress] "
EVERY = 2.0


def where(thread_id: int, files: Iterable[str] = ()) -> Optional[tuple[str, int]]:
    """(real file, line) of the innermost frame of that thread in one of ``files`` (or, without
    files, in any user module), or None."""
    from ..engine.modules import is_user_file, realpath

    frames = sys._current_frames()
    frame = frames.get(thread_id)
    wanted = {realpath(f) for f in files}
    while frame is not None:
        filename = frame.f_code.co_filename
        real = realpath(filename) if filename and not filename.startswith("<") else ""
        if real and ((real in wanted) if wanted else is_user_file(real)):
            return real, frame.f_lineno
        frame = frame.f_back
    return None


class Watchdog:
    """Reports where the calling thread is while it runs longer than ``after`` seconds."""

    POLL = 0.1  # seconds between looks for the interrupt file, once ``after`` has passed

    def __init__(self, after: float, files: Iterable[str], stream: Any, *,
                 progress_file: Optional[str] = None, interrupt_file: Optional[str] = None) -> None:
        self._after = after
        self._files = list(files)
        self._stream = stream
        self._progress_file = progress_file
        self._interrupt_file = interrupt_file
        self._thread_id = threading.get_ident()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._watch, name="hotswap-progress", daemon=True)

    def __enter__(self) -> "Watchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)

    def _watch(self) -> None:
        if self._stop.wait(self._after):
            return
        next_report = 0.0
        interrupted = False
        while True:
            now = time.monotonic()
            if now >= next_report:
                next_report = now + EVERY
                if not self._report(now):
                    return
            if not interrupted and self._interrupt_file and os.path.exists(self._interrupt_file):
                interrupted = interrupt(self._thread_id)
            if self._stop.wait(self.POLL if self._interrupt_file else max(0.0, next_report - now)):
                return

    def _report(self, now: float) -> bool:
        """Tell where the reload runs; False when there is nobody left to tell."""
        spot = where(self._thread_id, self._files) or where(self._thread_id)
        info = {"seconds": round(now - self._started, 1), "pid": os.getpid(),
                "file": spot[0] if spot else None, "line": spot[1] if spot else None}
        if self._progress_file:
            try:  # whole or not at all: the reader never sees half a line
                part = self._progress_file + ".part"
                with open(part, "w", encoding="utf-8") as f:
                    f.write(json.dumps(info))
                os.replace(part, self._progress_file)
            except (OSError, ValueError):  # the caller's folder went away, is not ours to write, or
                pass  # the name cannot be encoded: keep watching, the interrupt file may still come
            return True
        try:
            self._stream.write(PREFIX + json.dumps(info) + "\n")
            self._stream.flush()
        except Exception:  # the stream went away: nothing to tell
            return False
        return True


def interrupt(thread_id: int) -> bool:
    """Raise KeyboardInterrupt in that thread, as the notebook's Interrupt button would.

    The main thread gets a real SIGINT when the default handler is installed (so a blocking
    ``time.sleep`` ends at once); any other thread gets an asynchronous exception, delivered
    at its next bytecode (CPython's ``PyThreadState_SetAsyncExc``, guarded).
    """
    import signal

    if thread_id == threading.main_thread().ident and signal.getsignal(signal.SIGINT) is signal.default_int_handler \
            and hasattr(signal, "pthread_kill"):
        signal.pthread_kill(thread_id, signal.SIGINT)
        return True
    try:
        import ctypes

        set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
        set_async.argtypes = (ctypes.c_ulong, ctypes.py_object)
        set_async.restype = ctypes.c_int
        return bool(set_async(thread_id, KeyboardInterrupt) == 1)
    except (ImportError, AttributeError, OSError):  # not CPython, or no ctypes: cannot stop it
        return False
