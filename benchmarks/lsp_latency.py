"""Save-to-diagnostics latency through the real language server and a real kernel.

What a user waits for after Ctrl+S: the time from ``textDocument/didSave`` to the
``textDocument/publishDiagnostics`` that follows it, measured over stdio against
``python -m hotswap.lsp`` attached to an ipykernel, beside the engine's own reload time for the
same edit (the report's ``duration_ms``, measured inside the kernel). The difference is what
the server, the Jupyter round trip and the save coalescing cost.

Two ways to the kernel are measured, as in VS Code: a registry kernel the server reaches with
jupyter_client, and a kernel behind the editor (an Interactive Window's), which the server
reaches with ``hotswap/kernelRequest``; here the client answers that request the way the
extension does through ``Kernel.executeCode``: it runs the same printed-marker cell in the kernel
and reads the answer back from the cell's stdout.

Run: ``python -m benchmarks lsp_latency`` (``--quick`` for 10 saves instead of 50).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from .kernel_and_server import TIMEOUT, kernel_and_server
from .report import machine, median, ms, percentile, table

MODULE = "def scale(x):\n    return x * {n}\n\n\nclass Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"

MARKER = "@@hotswap-bench@@"


async def _run_as_editor(kc: Any, request: dict[str, Any]) -> dict[str, Any]:
    """What the extension's transport does for a Jupyter-extension kernel: run a cell that prints
    the service's answer after a marker, and read it from the cell's stdout."""
    code = ("__import__('builtins').print(%r + __import__('hotswap.kernel').kernel.handle(%r), flush=True)"
            % (MARKER, json.dumps(request)))
    msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=False)
    out = ""
    while True:
        msg = await kc.get_iopub_msg(timeout=TIMEOUT)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "stream":
            out += msg["content"].get("text", "")
        elif kind == "status" and msg["content"].get("execution_state") == "idle":
            break
    for line in out.splitlines():
        if MARKER in line:
            return {"response": json.loads(line.split(MARKER, 1)[1])}
    return {"error": {"type": "unreachable", "message": "no answer printed"}}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def _measure(saves: int, transport: bool = False) -> tuple[list[float], list[float]]:
    from lsprotocol import types
    from pygls.uris import from_fs_path

    async with kernel_and_server() as bench:
        kc, client = bench.kc, bench.client
        path = bench.work / "small_module.py"
        path.write_text(MODULE.format(n=0))
        uri = from_fs_path(str(path))
        published: asyncio.Queue[float] = asyncio.Queue()
        reloads: asyncio.Queue[float] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls: Any, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                published.put_nowait(time.perf_counter())

        @client.feature("hotswap/didReload")
        def on_reload(ls: Any, params: Any) -> None:
            reloads.put_nowait(float(params.durationMs))

        attached: asyncio.Event = asyncio.Event()

        @client.feature("hotswap/kernelsChanged")
        def on_kernels(ls: Any, params: Any) -> None:
            if any(k.get("pid") for k in _plain(params).get("kernels", [])):
                attached.set()

        client.feature("hotswap/willReload")(lambda ls, params: None)
        editor_kc = kc  # the editor's own connection to the kernel (the Jupyter extension's)

        @client.feature("hotswap/kernelRequest")
        async def on_kernel_request(ls: Any, params: Any) -> dict[str, Any]:
            return await _run_as_editor(editor_kc, _plain(params)["request"])

        reply = await kc.execute("import sys, os; sys.path.insert(0, os.getcwd()); import small_module",
                                 reply=True, timeout=TIMEOUT)
        assert reply["content"]["status"] == "ok", reply["content"]
        await bench.start_server()
        if transport:
            client.protocol.notify("hotswap/transportKernels", {"kernels": [
                {"id": "jupyter:bench", "label": "Interactive Window", "kind": "jupyter", "generation": 1, "ready": True}]})
            await asyncio.wait_for(attached.wait(), TIMEOUT)
        else:
            await bench.attach()

        latencies: list[float] = []
        engine: list[float] = []
        for n in range(1, saves + 3):
            path.write_text(MODULE.format(n=n))
            start = time.perf_counter()
            client.text_document_did_save(types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri)))
            end = await asyncio.wait_for(published.get(), TIMEOUT)
            duration = await asyncio.wait_for(reloads.get(), TIMEOUT)
            if n > 2:  # the first saves warm up imports on both sides
                latencies.append((end - start) * 1000)
                engine.append(duration)
        reply = await kc.execute("", silent=True, user_expressions={"v": "small_module.scale(1)"}, reply=True, timeout=TIMEOUT)
        assert reply["content"]["user_expressions"]["v"]["data"]["text/plain"] == str(saves + 2), "kernel did not run the last save"
        return latencies, engine


def main(quick: bool = False) -> str:
    """Markdown section with median and 95th percentile over 50 saves (10 with ``quick``)."""
    saves = 10 if quick else 50
    rows = []
    for transport, how in ((False, "registry kernel (jupyter_client)"), (True, "kernel behind the editor (hotswap/kernelRequest)")):
        latencies, engine = asyncio.run(_measure(saves, transport))
        overhead = [lat - eng for lat, eng in zip(latencies, engine)]
        rows += [
            [how, "didSave → publishDiagnostics", ms(median(latencies)), ms(percentile(latencies, 95))],
            [how, "engine reload, same edit (report duration_ms)", ms(median(engine)), ms(percentile(engine, 95))],
            [how, "above the engine (server, round trip, coalescing)", ms(median(overhead)), ms(percentile(overhead, 95))],
        ]
    return (f"## Language server latency ({saves} saves of a small module, {machine()})\n\n"
            + table(["kernel", "measure", "median ms", "p95 ms"], rows)
            + "\n\nTarget: median ≤ 100 ms and p95 ≤ 250 ms above the engine, both ways.\n")


if __name__ == "__main__":
    print(main(quick="--quick" in sys.argv))
