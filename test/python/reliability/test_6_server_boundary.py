"""Item 6: the server checks what kernels send at its boundary and never keeps a bad entry;
an oversized report is capped with a note. (And item 9's executeCommand with params it cannot
read.) The kernel here is one behind the editor, so the test plays an editor that hands the
server whatever reports it likes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import as_dict, command, diagnostics_for, save


def _diag(file: Path, line: int = 2, code: str = "reload-error", message: str = "boom") -> dict:
    return {"file": str(file), "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 4}},
            "severity": "error", "code": code, "message": message, "names": []}


BAD_ENTRIES = [
    {"file": 5, "message": "x"},
    {"file": "relative.py", "message": "x"},
    {"file": "/w/\x00nul.py", "message": "x"},
    {"file": "MOD", "range": {"start": {"line": float("nan")}}, "message": "x"},
    {"file": "MOD", "range": {"start": {"line": "3"}}, "message": "x"},
    {"file": "MOD", "message": {"not": "text"}},
    {"file": "MOD", "message": "x", "severity": "loud"},
    {"file": "MOD", "message": "x", "names": "g"},
    "not an object",
]


class UnkindEditor:
    """An editor carrying requests for a kernel behind it (``hotswap/kernelRequest``) that
    answers reloads with the reports the test hands it, whatever their shape."""

    def __init__(self, reloads: list) -> None:
        self.reloads = reloads

    async def answer(self, params) -> dict:
        p = as_dict(params)
        request = p["request"]
        command = request["command"]
        if command == "status":
            result = {"pid": 1, "hotswap": "0.1.0", "python": "3.11.7", "cwd": "/"}
        elif command == "reload":
            result = self.reloads.pop(0) if self.reloads else {"modules": [], "diagnostics": []}
        else:
            result = {"modules": [], "diagnostics": []}
        return {"response": {"protocol": 1, "id": request["id"], "ok": True, "result": result}}


async def _behind_editor(server_factory, reloads: list):
    client, rec = await server_factory()
    rec.transport = UnkindEditor(reloads)
    client.protocol.notify("hotswap/transportKernels",
                           {"kernels": [{"id": "nb1", "label": "nb1.ipynb", "kind": "jupyter", "generation": 0, "ready": True}]})
    await rec.wait_for(lambda: any(k["kernels"] and k["kernels"][0].get("status") == "idle"
                                   for k in rec.of("hotswap/kernelsChanged")), what="kernel behind the editor")
    return client, rec


@pytest.mark.parametrize("bad", BAD_ENTRIES, ids=[f"entry{i}" for i in range(len(BAD_ENTRIES))])
async def test_malformed_report_entry_is_dropped_and_file_keeps_publishing(server_factory, workdir: Path, bad) -> None:
    path = workdir / "mod.py"
    path.write_text("X = 1\n")
    if isinstance(bad, dict) and bad.get("file") == "MOD":
        bad = {**bad, "file": str(path)}
    syntax = _diag(path, line=0, code="syntax-error", message="SyntaxError: '(' was never closed")
    client, rec = await _behind_editor(server_factory, [{"modules": [], "diagnostics": [bad, _diag(path)]},
                                                        {"modules": [], "diagnostics": [syntax]}])
    save(client, path)
    published = await rec.wait_for(lambda: diagnostics_for(rec, path), what="the good entry")
    assert [d.message for d in published] == ["boom"]
    # the file still publishes what the kernel reports next: a syntax error at its line
    save(client, path, "X = (\n")
    diags = await rec.wait_for(lambda: [d for d in diagnostics_for(rec, path) or [] if d.code == "syntax-error"],
                               what="syntax error after the bad report")
    assert diags[0].range.start.line == 0 and len(diagnostics_for(rec, path)) == 1


async def test_report_of_the_wrong_shape_is_told_and_nothing_kept(server_factory, workdir: Path) -> None:
    path = workdir / "mod.py"
    path.write_text("X = 1\n")
    client, rec = await _behind_editor(server_factory, [{"modules": "all of them", "diagnostics": []}])
    save(client, path)
    done = await rec.wait_for(lambda: [d for d in rec.of("hotswap/didReload") if d.get("error")], what="didReload")
    assert "cannot be used" in done[0]["error"]
    assert any("nb1.ipynb" in m.message and "sent a reload report that cannot be used" in m.message
               for m in rec.of(types.WINDOW_SHOW_MESSAGE))
    assert await command(client, "hotswap.listKernels")


async def test_oversized_report_is_capped_with_a_note(server_factory, workdir: Path) -> None:
    path = workdir / "big.py"
    path.write_text("X = 1\n")
    report = {"modules": [], "diagnostics": [_diag(path, line=i % 500, message=f"m{i}") for i in range(3000)]}
    client, rec = await _behind_editor(server_factory, [report])
    start = time.monotonic()
    save(client, path)
    published = await rec.wait_for(lambda: diagnostics_for(rec, path), what="capped report")
    elapsed = time.monotonic() - start
    assert len(published) == 1001
    assert published[-1].code == "report-capped" and "2000 more diagnostics" in published[-1].message
    assert await command(client, "hotswap.listKernels")
    print(f"3,000-diagnostic report published in {elapsed:.1f} s")


async def test_execute_command_with_unreadable_params_gets_an_error(server_factory) -> None:
    client, rec = await server_factory()
    fut: asyncio.Future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["raw-1"] = fut  # the answer to our hand-made request lands here
    client.protocol._send_data({"jsonrpc": "2.0", "id": "raw-1", "method": "workspace/executeCommand", "params": [1, 2]})
    with pytest.raises(Exception, match="params cannot be read"):
        await asyncio.wait_for(fut, 20)
    assert await command(client, "hotswap.listKernels") == []  # and the server keeps answering
