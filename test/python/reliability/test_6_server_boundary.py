"""Item 6: the server checks everything at its boundary and never keeps a bad entry; an
oversized report is capped with a note. (And item 9's executeCommand with non-list params.)"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import TIMEOUT, attach, command, diagnostics_for, save


def _diag(file: Path, line: int = 2, code: str = "reload-error", message: str = "boom") -> dict:
    return {"file": str(file), "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 4}},
            "severity": "error", "code": code, "message": message, "names": []}


BAD_ENTRIES = [
    {"file": 5, "message": "x"},
    {"file": "relative.py", "message": "x"},
    {"file": "/w/\x00nul.py", "message": "x"},
    {"file": "/w/a.py", "range": {"start": {"line": float("nan")}}, "message": "x"},
    {"file": "/w/a.py", "range": {"start": {"line": "3"}}, "message": "x"},
    {"file": "/w/a.py", "message": {"not": "text"}},
    {"file": "/w/a.py", "message": "x", "severity": "loud"},
    {"file": "/w/a.py", "message": "x", "names": "g"},
    "not an object",
]


@pytest.mark.parametrize("bad", BAD_ENTRIES, ids=[f"entry{i}" for i in range(len(BAD_ENTRIES))])
async def test_malformed_report_entry_is_dropped_and_file_keeps_publishing(server_factory, start_kernel, workdir: Path,
                                                                          bad) -> None:
    path = workdir / "mod.py"
    path.write_text("X = 1\n")
    kernel = await start_kernel()
    await kernel.run("import hotswap.kernel\nimport mod")
    client, rec = await server_factory()
    await attach(client, rec, kernel)
    if isinstance(bad, dict) and bad.get("file") == "/w/a.py":
        bad = {**bad, "file": str(path)}
    await command(client, "hotswap.publishReport", {"source": "jupyter:nb", "report": {"diagnostics": [bad, _diag(path)]}})
    published = await rec.wait_for(lambda: diagnostics_for(rec, path), what="the good entry")
    assert [d.message for d in published] == ["boom"]
    # the file still publishes what the kernel reports next: a syntax error at its line
    save(client, path, "X = (\n")
    diags = await rec.wait_for(lambda: [d for d in diagnostics_for(rec, path) or [] if d.code == "syntax-error"],
                               what="syntax error after the bad report")
    assert diags[0].range.start.line == 0
    assert await kernel.eval("mod.X") == 1


@pytest.mark.parametrize("args", [[], ["text"], [{"source": "", "report": {}}], [{"source": "s", "report": []}],
                                  [{"source": "s", "report": {"diagnostics": {}}}], [{"source": "s", "report": {}, "kind": 3}]])
async def test_publish_report_with_bad_arguments_is_refused_with_a_reason(server_factory, args) -> None:
    client, rec = await server_factory()
    with pytest.raises(Exception, match="publishReport|expected an object"):
        await asyncio.wait_for(client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="hotswap.publishReport", arguments=args)), TIMEOUT)
    assert await command(client, "hotswap.listKernels") == []  # still answering


async def test_oversized_report_is_capped_with_a_note(server_factory, workdir: Path) -> None:
    path = workdir / "big.py"
    client, rec = await server_factory()
    start = time.monotonic()
    report = {"diagnostics": [_diag(path, line=i % 500, message=f"m{i}") for i in range(100000)]}
    await command(client, "hotswap.publishReport", {"source": "debug:1", "report": report, "kind": "reload"})
    published = await rec.wait_for(lambda: diagnostics_for(rec, path), what="capped report")
    elapsed = time.monotonic() - start
    assert len(published) == 1001
    assert published[-1].code == "report-capped" and "99000 more diagnostics" in published[-1].message
    assert await command(client, "hotswap.listKernels") == []
    print(f"100,000-diagnostic report published in {elapsed:.1f} s")


async def test_execute_command_with_unreadable_params_gets_an_error(server_factory) -> None:
    client, rec = await server_factory()
    fut: asyncio.Future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["raw-1"] = fut  # the answer to our hand-made request lands here
    client.protocol._send_data({"jsonrpc": "2.0", "id": "raw-1", "method": "workspace/executeCommand", "params": [1, 2]})
    with pytest.raises(Exception, match="params cannot be read"):
        await asyncio.wait_for(fut, 20)
    assert await command(client, "hotswap.listKernels") == []  # and the server keeps answering
