"""Where a long reload is: told to the caller while it still runs.

A module whose top-level code loops keeps the kernel busy, and the kernel answers nothing
else meanwhile. When the caller asks for it (``progress_after`` in a ``reload`` request), a
watchdog thread samples the reloading thread's stack after that many seconds, and every
``EVERY`` seconds after, and writes one line to the request's own output: IOPub carries it,
addressed to the caller's request only, so no notebook cell shows it. Standard library only.
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

    def __init__(self, after: float, files: Iterable[str], stream: Any) -> None:
        self._after = after
        self._files = list(files)
        self._stream = stream
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
        wait = self._after
        while not self._stop.wait(wait):
            wait = EVERY
            spot = where(self._thread_id, self._files) or where(self._thread_id)
            info = {"seconds": round(time.monotonic() - self._started, 1), "pid": os.getpid(),
                    "file": spot[0] if spot else None, "line": spot[1] if spot else None}
            try:
                self._stream.write(PREFIX + json.dumps(info) + "\n")
                self._stream.flush()
            except Exception:  # the stream went away: nothing to tell
                return
