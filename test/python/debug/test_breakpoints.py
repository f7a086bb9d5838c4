"""A breakpoint set in a function before it was reloaded stops in the new code.

Driven as VS Code drives it: debugpy's adapter over DAP launches a program that calls a
function from a user module; a breakpoint is set in that function; the file is edited and
reloaded inside the running program through DAP ``evaluate`` (as the extension's debug
transport does); the next call must stop at the breakpoint, in the new code. debugpy traces
with ``sys.monitoring`` from 3.12 on and with ``sys.settrace`` before, so this runs on every
tested version.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dap_support import NEW, Debuggee


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
