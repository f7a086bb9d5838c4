"""A breakpoint set in a function before it was reloaded stops in the new code.

Driven as VS Code drives it: debugpy's adapter over DAP launches a program that calls a
function from a user module; a breakpoint is set in that function; the file is edited and
reloaded inside the running program through DAP ``evaluate`` (as the extension's debug
transport does); the next call must stop at the breakpoint, in the new code. debugpy traces
with ``sys.monitoring`` from 3.12 on and with ``sys.settrace`` before, so this runs on every
tested version.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from dap_support import DapClient

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
        (root_go := self.root / "out.txt.go").write_text("")
        assert root_go.exists()

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
        """Reload through the kernel service, with the expression the extension's debug transport
        sends: the response comes back base64-encoded behind its length, whatever the adapter's
        quoting or truncation of long values."""
        request = json.dumps({"protocol": 1, "id": 1, "command": "reload", "args": {"paths": [str(path)]}})
        helper = str(REPO / "python_helper")
        inner = (f"((__import__('sys').path.insert(0, {helper!r}) if {helper!r} not in __import__('sys').path else None), "
                 f"__import__('hotswap.kernel').kernel.handle({request!r}))[1]")
        text = self.evaluate(f"(lambda s: str(len(s)) + ':' + s)(__import__('base64').b64encode(({inner}).encode()).decode())", frame)
        text = text.strip().strip("'\"")
        length, _, payload = text.partition(":")
        assert len(payload) == int(length), text
        response = json.loads(base64.b64decode(payload))
        assert response["ok"], response
        result: dict[str, Any] = response["result"]
        return result


@pytest.fixture
def debuggee(tmp_path: Path) -> Iterator[Debuggee]:
    (tmp_path / "math_utils.py").write_text(OLD)
    (tmp_path / "app.py").write_text(PROGRAM)
    dap = DapClient(str(tmp_path / "adapter.log"))
    try:
        dap.request("initialize", {"clientID": "vscode", "adapterID": "debugpy", "linesStartAt1": True,
                                   "columnsStartAt1": True, "pathFormat": "path"})
        launched = dap.send("launch", {"type": "debugpy", "request": "launch", "name": "app",
                                       "program": str(tmp_path / "app.py"), "args": [str(tmp_path / "out.txt")],
                                       "cwd": str(tmp_path), "console": "internalConsole", "python": [sys.executable],
                                       "justMyCode": True, "env": {"PYTHONDONTWRITEBYTECODE": "1"}})
        dap.wait_event(lambda e: e.get("event") == "initialized")
        yield Debuggee(tmp_path, dap)
        (tmp_path / "out.txt.stop").write_text("")
        del launched
    finally:
        dap.close()


def _set_breakpoint(d: Debuggee, path: Path, line: int) -> None:
    body = d.dap.request("setBreakpoints", {"source": {"path": str(path)}, "breakpoints": [{"line": line}]})
    assert [b.get("line") for b in body["breakpoints"]] == [line]


def _start(d: Debuggee) -> None:
    d.dap.request("configurationDone")
    d.dap.wait_event(lambda e: e.get("event") == "process")


def test_breakpoint_set_before_the_reload_stops_in_the_new_code(debuggee: Debuggee) -> None:
    d = debuggee
    module = d.root / "math_utils.py"
    _set_breakpoint(d, module, 3)  # `return result`
    _start(d)
    mark = d.dap.mark()
    d.call()
    thread, frame = d.stopped_at(mark)
    assert (frame["name"], frame["line"]) == ("scale", 3)
    assert d.evaluate("result", frame["id"]) == "4"
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "4"

    # the edit moves `return result` to line 4; the editor moves the breakpoint with it and
    # sends the file's breakpoints again, as VS Code does when lines are inserted above one
    module.write_text(NEW)
    report = d.reload(module)
    assert [(m["name"], m["status"]) for m in report["modules"]] == [("math_utils", "reloaded")]
    _set_breakpoint(d, module, 4)
    mark = d.dap.mark()
    d.call()
    thread, frame = d.stopped_at(mark)
    assert (frame["name"], frame["line"]) == ("scale", 4)
    assert d.evaluate("factor", frame["id"]) == "3" and d.evaluate("result", frame["id"]) == "6"
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "6"


def test_breakpoint_on_an_unchanged_line_keeps_stopping_after_the_reload(debuggee: Debuggee) -> None:
    """No new setBreakpoints after the reload: the same line, in the new code object."""
    d = debuggee
    module = d.root / "math_utils.py"
    _set_breakpoint(d, module, 2)  # `result = value * 2`, then `factor = 3`
    _start(d)
    mark = d.dap.mark()
    d.call()
    thread, frame = d.stopped_at(mark)
    assert frame["line"] == 2
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "4"

    module.write_text(NEW)
    assert d.reload(module)["modules"][0]["status"] == "reloaded"
    mark = d.dap.mark()
    d.call()
    thread, frame = d.stopped_at(mark)
    assert (frame["name"], frame["line"]) == ("scale", 2)
    assert "factor" not in d.evaluate("sorted(locals())", frame["id"])  # stopped before `factor = 3` ran
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "6"


def test_breakpoint_hit_while_stopped_in_the_old_code(debuggee: Debuggee) -> None:
    """Reload while stopped inside the function: that call finishes old, the next stops new."""
    d = debuggee
    module = d.root / "math_utils.py"
    _set_breakpoint(d, module, 3)
    _start(d)
    mark = d.dap.mark()
    d.call()
    thread, frame = d.stopped_at(mark)
    module.write_text(NEW)
    # stopped: the extension evaluates in the top frame (debugpy needs a frame then)
    assert d.reload(module, frame["id"])["modules"][0]["status"] == "reloaded"
    _set_breakpoint(d, module, 4)
    mark = d.dap.mark()
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "4"  # the call that was running finished in the code it started with
    d.call()
    thread, frame = d.stopped_at(mark)
    assert (frame["name"], frame["line"]) == ("scale", 4)
    d.dap.request("continue", {"threadId": thread})
    assert d.result() == "6"


pytestmark = pytest.mark.skipif(os.name != "posix", reason="the debuggee signals through files in a POSIX temp dir")
