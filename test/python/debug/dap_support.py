"""A small Debug Adapter Protocol client driving debugpy's real adapter over stdio, and the
program the tests debug.

It stands where VS Code's debug session does: requests with responses, events kept in order
and waited for with a timeout (never a sleep), and every request a test sends visible.
"""

from __future__ import annotations

import base64
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
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


REPO = Path(__file__).resolve().parents[3]

PROGRAM = """\
import os, sys, time
from math_utils import scale

out = sys.argv[1]
while not os.path.exists(out + ".stop"):
    if os.path.exists(out + ".go"):
        os.remove(out + ".go")
        value = scale(2)
        with open(out + ".tmp", "w") as f:
            f.write(str(value))
        os.replace(out + ".tmp", out)
    time.sleep(0.01)
"""

OLD = "def scale(value):\n    result = value * 2\n    return result\n"
NEW = "def scale(value):\n    factor = 3\n    result = value * factor\n    return result\n"


class Debuggee:
    """The launched program: ``call()`` makes it call ``scale(2)`` once."""

    def __init__(self, root: Path, dap: DapClient) -> None:
        self.root, self.dap = root, dap
        self.out = root / "out.txt"

    def call(self) -> None:
        self.out.unlink(missing_ok=True)
        (self.root / "out.txt.go").write_text("")

    def result(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while not self.out.exists():  # polled: the file is written by another process
            if time.monotonic() > deadline:
                raise TimeoutError("the program did not write its result")
            time.sleep(0.01)
        return self.out.read_text()

    def stopped_at(self, after: int) -> tuple[int, dict[str, Any]]:
        """Wait for a stop; return the thread and its top frame."""
        event = self.dap.wait_event(lambda e: e.get("event") == "stopped", after)
        thread = event["body"]["threadId"]
        frames = self.dap.request("stackTrace", {"threadId": thread, "startFrame": 0, "levels": 1})["stackFrames"]
        return thread, frames[0]

    def evaluate(self, expression: str, frame: int | None = None) -> str:
        args: dict[str, Any] = {"expression": expression, "context": "repl"}
        if frame is not None:
            args["frameId"] = frame
        return str(self.dap.request("evaluate", args)["result"])

    def reload(self, path: Path, frame: int | None = None) -> dict[str, Any]:
        """Reload through the kernel service and wait for the answer."""
        return self.answer(self.dap.request("evaluate", self.reload_request(path, frame)))

    def reload_request(self, path: Path, frame: int | None = None, **args: Any) -> dict[str, Any]:
        """The ``evaluate`` arguments the extension's debug transport sends for a reload."""
        request = json.dumps({"protocol": 1, "id": 1, "command": "reload", "args": {"paths": [str(path)], **args}})
        helper = str(REPO / "python_helper")
        inner = (f"((__import__('sys').path.insert(0, {helper!r}) if {helper!r} not in __import__('sys').path else None), "
                 f"__import__('hotswap.kernel').kernel.handle({request!r}))[1]")
        expression = f"(lambda s: str(len(s)) + ':' + s)(__import__('base64').b64encode(({inner}).encode()).decode())"
        return {"expression": expression, "context": "repl", **({} if frame is None else {"frameId": frame})}

    @staticmethod
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        """The kernel service's result: base64-encoded behind its length, whatever the adapter's
        quoting or truncation of long values."""
        text = str(body["result"]).strip().strip("'\"")
        length, _, payload = text.partition(":")
        assert len(payload) == int(length), text
        response = json.loads(base64.b64decode(payload))
        assert response["ok"], response
        result: dict[str, Any] = response["result"]
        return result
