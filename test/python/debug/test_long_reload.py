"""A reload that loops, run by the debugger on its own thread, is stopped when asked.

The editor's debug transport cannot read a reload's output while it runs, and a signal would
reach the program's main thread, not the debugger's thread that runs the reload. The kernel
service tells where it runs through ``progress_file`` and stops when ``interrupt_file``
appears; the module is put back and the program keeps running.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from dap_support import NEW, Debuggee

LOOP = NEW + "import time\nwhile True: time.sleep(0.01)\n"  # line 6 loops


def _wait_for_file(path: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():  # polled: another process writes it
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} was not written")
        time.sleep(0.02)
    return path.read_text()


def test_looping_reload_on_the_debugger_thread_reports_where_and_is_interrupted(debuggee: Debuggee) -> None:
    d = debuggee
    module = d.root / "math_utils.py"
    d.dap.request("configurationDone")
    d.dap.wait_event(lambda e: e.get("event") == "process")
    d.call()
    assert d.result() == "4"  # the program has imported the module
    module.write_text(NEW)
    first = d.reload(module)
    assert first["modules"][0]["status"] == "reloaded", first  # from now on the engine knows the source

    module.write_text(LOOP)
    progress, stop = d.root / "r.progress", d.root / "r.interrupt"
    answer = d.dap.send("evaluate", d.reload_request(module, progress_after=0.5, progress_file=str(progress),
                                                     interrupt_file=str(stop)))
    where = json.loads(_wait_for_file(progress))
    assert (where["file"], where["line"]) == (str(module), 6)
    stop.write_text("")
    response = answer.get(timeout=30)
    assert response["success"], response
    report = d.answer(response["body"])
    assert report["interrupted"] is True
    assert report["modules"][0]["status"] == "failed" and "line 6" in report["modules"][0]["error"]
    d.call()
    assert d.result() == "6"  # the program runs on, with the module as it was before the loop
    assert not any("hotswap-progress" in line for line in d.dap.output)  # nothing in the debug console
