"""A small Debug Adapter Protocol client driving debugpy's real adapter over stdio.

It stands where VS Code's debug session does: requests with responses, events kept in order
and waited for with a timeout (never a sleep), and every request a test sends visible.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any, Callable

TIMEOUT = 60.0


class DapClient:
    """One debugpy adapter process and the debuggee it launches."""

    def __init__(self, stderr_path: str, env: dict[str, str] | None = None) -> None:
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "debugpy.adapter"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        self._seq = 1
        self._lock = threading.Lock()
        self._responses: dict[int, "queue.Queue[dict[str, Any]]"] = {}
        self._events: list[dict[str, Any]] = []
        self._events_changed = threading.Condition()
        self.output: list[str] = []
        self.sent: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "response":
            with self._lock:
                box = self._responses.get(message["request_seq"])
            if box is not None:
                box.put(message)
        elif kind == "event":
            if message.get("event") == "output":
                self.output.append(str(message.get("body", {}).get("output", "")))
            with self._events_changed:
                self._events.append(message)
                self._events_changed.notify_all()
        elif kind == "request":  # reverse requests are not used with the internal console
            self._write({"type": "response", "request_seq": message["seq"], "success": False,
                         "command": message.get("command")})

    def _write(self, message: dict[str, Any]) -> int:
        assert self.proc.stdin is not None
        with self._lock:
            seq = self._seq
            self._seq += 1
            message = {"seq": seq, **message}
            body = json.dumps(message).encode()
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()
        return seq

    def send(self, command: str, arguments: dict[str, Any] | None = None) -> "queue.Queue[dict[str, Any]]":
        """Send a request; the returned queue receives its response."""
        box: "queue.Queue[dict[str, Any]]" = queue.Queue()
        with self._lock:
            seq = self._seq
            self._responses[seq] = box
        self.sent.append(command)
        written = self._write({"type": "request", "command": command, "arguments": arguments or {}})
        assert written == seq
        return box

    def request(self, command: str, arguments: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> Any:
        """Send a request and return its response body; a failed request raises with its message."""
        response = self.send(command, arguments).get(timeout=timeout)
        if not response.get("success"):
            raise RuntimeError(f"DAP {command} failed: {response.get('message')}")
        return response.get("body") or {}

    def wait_event(self, match: Callable[[dict[str, Any]], bool], after: int = 0, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first event from index ``after`` on that matches, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        with self._events_changed:
            while True:
                for event in self._events[after:]:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching DAP event; output so far: {''.join(self.output)[-2000:]}")
                self._events_changed.wait(left)

    def mark(self) -> int:
        """Index of the next event, for waiting only on what happens from now on."""
        with self._events_changed:
            return len(self._events)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("disconnect", {"terminateDebuggee": True}).get(timeout=10)
            except Exception:  # noqa: BLE001 - the adapter may be gone already
                pass
            for stream in (self.proc.stdin,):
                try:
                    stream.close()  # type: ignore[union-attr]
                except Exception:  # noqa: BLE001
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
