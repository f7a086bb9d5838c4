"""The debugged program's DAP session, for every test that drives debugpy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
from dap_support import OLD, PROGRAM, DapClient, Debuggee


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


