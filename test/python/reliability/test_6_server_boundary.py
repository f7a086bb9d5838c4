"""Item 6: the server checks what kernels send at its boundary and never keeps a bad entry;
an oversized report is capped with a note. (And item 9's executeCommand with params it cannot
read.) The kernel here is one behind the editor, so the test plays an editor that hands the
server whatever reports it likes."""

from __future__ import annotations

import asyncio
import json
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


DEEP = 100_000  # levels: far past what json (and Python's recursion limit) can parse


def _send_raw(client, body: bytes) -> None:
    """Write one message to the server as bytes (the client's own encoder cannot build these)."""
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _awaiting(client, msg_id) -> asyncio.Future:
    """The future the client resolves when an answer with ``msg_id`` arrives."""
    fut: asyncio.Future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = fut
    return fut


def _deep_list() -> bytes:
    return b"[" * DEEP + b"]" * DEEP


@pytest.mark.parametrize("body", [
    b'{"jsonrpc": "2.0", "id": "deep-1", "method": "workspace/executeCommand", '
    b'"params": {"command": "hotswap.listKernels", "arguments": ' + _deep_list() + b'}}',
    b'{"jsonrpc": "2.0", "method": "hotswap/custom", "params": {"a": ' + b'{"a": ' * DEEP + b'1' + b'}' * DEEP
    + b'}, "id": "deep-1"}',
], ids=["executeCommand-deep-arguments", "custom-request-id-last"])
async def test_deeply_nested_request_gets_a_parse_error_under_its_id(server_factory, body: bytes) -> None:
    from pygls.exceptions import JsonRpcException

    client, rec = await server_factory()
    answer = _awaiting(client, "deep-1")
    _send_raw(client, body)
    with pytest.raises(JsonRpcException) as caught:
        await asyncio.wait_for(answer, 20)
    assert caught.value.code == -32700 and "nested too deeply" in str(caught.value), caught.value
    assert await command(client, "hotswap.listKernels") == []  # and the server keeps answering


async def test_unparsable_message_with_no_id_gets_parse_error_with_id_null(server_factory) -> None:
    from pygls.exceptions import JsonRpcException

    client, rec = await server_factory()
    answer = _awaiting(client, None)
    _send_raw(client, b'{"jsonrpc": "2.0", "method": "workspace/executeCommand", "params": {"command": ')
    with pytest.raises(JsonRpcException) as caught:
        await asyncio.wait_for(answer, 20)
    assert caught.value.code == -32700 and "not valid JSON" in str(caught.value)
    assert await command(client, "hotswap.listKernels") == []


async def test_deep_notification_is_ignored_with_a_log_line_and_server_serves_on(server_factory) -> None:
    client, rec = await server_factory()
    _send_raw(client, b'{"jsonrpc": "2.0", "method": "hotswap/transportKernels", "params": {"kernels": '
              + _deep_list() + b'}}')
    logged = await rec.wait_for(lambda: [m.message for m in rec.of(types.WINDOW_LOG_MESSAGE)
                                         if "hotswap/transportKernels notification" in m.message],
                                what="log line for the dropped notification")
    assert "ignored" in logged[0] and "nested too deeply" in logged[0]
    assert await command(client, "hotswap.listKernels") == []


async def test_huge_shallow_request_is_answered_and_does_not_block(server_factory) -> None:
    client, rec = await server_factory()
    padding = "x" * 30_000_000  # 30 MB in one string argument
    answer = _awaiting(client, "huge-1")
    start = time.monotonic()
    _send_raw(client, json.dumps({"jsonrpc": "2.0", "id": "huge-1", "method": "workspace/executeCommand",
                                  "params": {"command": "hotswap.listKernels", "arguments": [{"pad": padding}]}}).encode())
    await asyncio.wait_for(answer, 60)
    assert await command(client, "hotswap.listKernels") == []
    print(f"30 MB request answered, and the next one, in {time.monotonic() - start:.1f} s")


async def test_deeply_nested_editor_answer_fails_the_reload_instead_of_hanging(server_factory, workdir: Path) -> None:
    path = workdir / "mod.py"
    path.write_text("X = 1\n")
    client, rec = await _behind_editor(server_factory, [])
    send_response = client.protocol._send_response

    def deep_answer(msg_id, result=None, error=None):
        if isinstance(result, dict) and result.get("response", {}).get("result", {}).get("deep"):
            _send_raw(client, b'{"jsonrpc": "2.0", "id": %s, "result": %s}' % (json.dumps(msg_id).encode(), _deep_list()))
        else:
            send_response(msg_id, result, error)

    client.protocol._send_response = deep_answer
    rec.transport.reloads.append({"deep": True})
    save(client, path)
    done = await rec.wait_for(lambda: [d for d in rec.of("hotswap/didReload") if d.get("error")], what="failed reload")
    assert "answer cannot be read" in done[0]["error"] and "nested too deeply" in done[0]["error"], done[0]
    # the kernel is not left locked behind the lost answer: the next save reloads
    save(client, path, "X = 2\n")
    await rec.wait_for(lambda: len(rec.of("hotswap/didReload")) >= 2, what="second reload")
    assert not rec.of("hotswap/didReload")[-1].get("error")
