"""Cell latency with many stale objects, with and without the language server attached.

The server re-checks stale objects after every cell the user runs; that request waits in the
kernel's queue like a cell, so a slow re-check makes the *next* cell slow. Here a real kernel
holds 100,000 old ``Greeter`` instances in one list, or 10,000 in separate variables (or
none), a save reloads the class so they are reported stale, then ordinary cells are timed
(execute to reply, a short pause between cells as a person would leave) without the server
and with it attached. Also: the engine's own re-check time and the size of the report.

Run: ``python -m benchmarks stale_cells`` (``--quick``: 10 cells instead of 30).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .lsp_latency import TIMEOUT, _kernelspec
from .report import machine, median, ms, percentile, table

V1 = "class Greeter:\n    def __init__(self):\n        self.name = 'Ada'\n"
V2 = V1 + "        self.punctuation = '!'\n"
CASES = {
    "no stale objects": "pass",
    "100,000 stale instances in one list": "objs = [greet.Greeter() for _ in range(100000)]",
    "10,000 stale instances in 10,000 variables": "for _i in range(10000):\n    globals()[f'g{_i}'] = greet.Greeter()",
}
PAUSE = 0.05  # seconds between cells: the server's re-check of the last cell starts meanwhile
STALE_REQUEST = json.dumps({"protocol": 1, "id": "b", "command": "stale", "args": {}})


async def _cells(kc: Any, n: int) -> list[float]:
    out: list[float] = []
    for i in range(n):
        await asyncio.sleep(PAUSE)
        start = time.perf_counter()
        reply = await kc.execute(f"x = {i} * 2", reply=True, timeout=TIMEOUT)
        out.append((time.perf_counter() - start) * 1000)
        assert reply["content"]["status"] == "ok", reply["content"]
    return out


async def _engine_check(kc: Any) -> tuple[float, int]:
    """The kernel-side re-check alone (time inside the kernel) and the report's size in bytes."""
    expr = ("(lambda t, r: (__import__('time').perf_counter() - t, r))(__import__('time').perf_counter(), "
            f"__import__('hotswap.kernel').kernel.handle({STALE_REQUEST!r}))")
    reply = await kc.execute("", silent=True, user_expressions={"v": expr}, reply=True, timeout=TIMEOUT)
    import ast

    seconds, text = ast.literal_eval(reply["content"]["user_expressions"]["v"]["data"]["text/plain"])
    return seconds * 1000, len(text.encode())


async def _measure(case: str, setup: str, cells: int) -> dict[str, Any]:
    from jupyter_client.manager import AsyncKernelManager
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient
    from pygls.uris import from_fs_path

    with tempfile.TemporaryDirectory(prefix="hotswap-bench-") as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        runtime = root / "runtime"
        runtime.mkdir(mode=0o700)
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_PATH": str(_kernelspec(root))}
        os.environ.update({"JUPYTER_RUNTIME_DIR": env["JUPYTER_RUNTIME_DIR"], "JUPYTER_PATH": env["JUPYTER_PATH"]})
        path = work / "greet.py"
        path.write_text(V1)
        uri = from_fs_path(str(path))
        km = AsyncKernelManager(kernel_name="hotswap-bench")
        km.connection_file = str(runtime / "kernel-bench.json")
        await km.start_kernel(cwd=str(work), env=env)
        kc = km.client()
        client = LanguageClient("hotswap-bench", "1")
        published: asyncio.Queue[int] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                published.put_nowait(len(params.diagnostics))

        for method in ("hotswap/willReload", "hotswap/didReload", "hotswap/kernelsChanged"):
            client.feature(method)(lambda ls, params: None)
        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=TIMEOUT)
            reply = await kc.execute(f"import sys, os; sys.path.insert(0, os.getcwd()); import hotswap, greet\n{setup}",
                                     reply=True, timeout=TIMEOUT)
            assert reply["content"]["status"] == "ok", reply["content"]
            path.write_text(V2)
            req = json.dumps({"protocol": 1, "id": "r", "command": "reload", "args": {"paths": [str(path)]}})
            reply = await kc.execute("", silent=True, user_expressions={"v": f"__import__('hotswap.kernel').kernel.handle({req!r})"},
                                     reply=True, timeout=TIMEOUT)
            assert reply["content"]["user_expressions"]["v"]["status"] == "ok"
            engine_ms, size = await _engine_check(kc)
            without = await _cells(kc, cells)
            await client.start_io(sys.executable, "-m", "hotswap.lsp", "--log-level", "WARNING", env=env, cwd=str(work))
            await asyncio.wait_for(client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(work)))), TIMEOUT)
            client.initialized(types.InitializedParams())
            await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="hotswap.attachKernel", arguments=[{"connectionFile": km.connection_file}])), TIMEOUT)
            with_server = (await _cells(kc, cells + 2))[2:]  # the first two warm the server up
            return {"case": case, "without": without, "with": with_server, "engine": engine_ms, "size": size}
        finally:
            try:
                await asyncio.wait_for(client.shutdown_async(None), 10)
                client.exit(None)
            except Exception:
                pass
            try:
                await asyncio.wait_for(client.stop(), 10)
            except Exception:
                pass
            kc.stop_channels()
            await km.shutdown_kernel(now=True)


def main(quick: bool = False) -> str:
    """Markdown section: cell latency medians and p95 with and without the server, per case."""
    cells = 10 if quick else 30
    rows = []
    for case, setup in CASES.items():
        r = asyncio.run(_measure(case, setup, cells))
        rows.append([case, ms(median(r["without"])), ms(median(r["with"])), ms(percentile(r["with"], 95)),
                     ms(median(r["with"]) - median(r["without"])), ms(r["engine"]), f"{r['size']:,}"])
    return (f"## Cell latency with stale objects ({cells} cells each, {machine()})\n\n"
            + table(["stale objects", "no server: median ms", "server attached: median ms", "server attached: p95 ms",
                     "difference ms", "re-check in the kernel ms", "stale report bytes"], rows)
            + "\n\nTarget: with the server attached, within 10 ms of no server at all. The reload walks the "
              "heap once; the re-checks after it, while nothing the user holds changed, do not.\n")


if __name__ == "__main__":
    print(main(quick="--quick" in sys.argv))
