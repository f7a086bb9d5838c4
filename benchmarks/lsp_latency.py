"""Save-to-diagnostics latency through the real language server and a real kernel.

What a user waits for after Ctrl+S: the time from ``textDocument/didSave`` to the
``textDocument/publishDiagnostics`` that follows it, measured over stdio against
``python -m hotswap.lsp`` attached to an ipykernel, beside the engine's own reload time for the
same edit (the report's ``duration_ms``, measured inside the kernel). The difference is what
the server, the Jupyter round trip and the save coalescing cost.

Run: ``python -m benchmarks lsp_latency`` (``--quick`` for 10 saves instead of 50).
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

from .report import machine, median, ms, percentile, table

TIMEOUT = 60.0
MODULE = "def scale(x):\n    return x * {n}\n\n\nclass Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"


def _kernelspec(root: Path) -> Path:
    """A kernelspec that runs this interpreter, so the kernel imports this checkout."""
    spec = root / "jupyter" / "kernels" / "hotswap-bench"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hotswap bench", "language": "python"}))
    return root / "jupyter"


async def _measure(saves: int) -> tuple[list[float], list[float]]:
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
        path = work / "small_module.py"
        path.write_text(MODULE.format(n=0))
        uri = from_fs_path(str(path))

        km = AsyncKernelManager(kernel_name="hotswap-bench")
        km.connection_file = str(runtime / "kernel-bench.json")
        await km.start_kernel(cwd=str(work), env=env)
        kc = km.client()
        client = LanguageClient("hotswap-bench", "1")
        published: asyncio.Queue[float] = asyncio.Queue()
        reloads: asyncio.Queue[float] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                published.put_nowait(time.perf_counter())

        @client.feature("hotswap/didReload")
        def on_reload(ls: LanguageClient, params: Any) -> None:
            reloads.put_nowait(float(params.durationMs))

        for method in ("hotswap/willReload", "hotswap/kernelsChanged"):
            client.feature(method)(lambda ls, params: None)

        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=TIMEOUT)
            reply = await kc.execute("import sys, os; sys.path.insert(0, os.getcwd()); import small_module",
                                     reply=True, timeout=TIMEOUT)
            assert reply["content"]["status"] == "ok", reply["content"]
            await client.start_io(sys.executable, "-m", "hotswap.lsp", "--log-level", "WARNING", env=env, cwd=str(work))
            await asyncio.wait_for(client.initialize_async(types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(work)))), TIMEOUT)
            client.initialized(types.InitializedParams())
            await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
                command="hotswap.attachKernel", arguments=[{"connectionFile": km.connection_file}])), TIMEOUT)

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
    """Markdown section with median and 95th percentile over 50 saves (10 with ``quick``)."""
    saves = 10 if quick else 50
    latencies, engine = asyncio.run(_measure(saves))
    overhead = [lat - eng for lat, eng in zip(latencies, engine)]
    rows = [
        ["didSave → publishDiagnostics (server + kernel)", ms(median(latencies)), ms(percentile(latencies, 95))],
        ["engine reload, same edit (report duration_ms)", ms(median(engine)), ms(percentile(engine, 95))],
        ["above the engine (server, Jupyter round trip, coalescing)", ms(median(overhead)), ms(percentile(overhead, 95))],
    ]
    return (f"## Language server latency ({saves} saves of a small module, {machine()})\n\n"
            + table(["measure", "median ms", "p95 ms"], rows)
            + "\n\nTarget: median ≤ 100 ms and p95 ≤ 250 ms above the engine.\n")


if __name__ == "__main__":
    print(main(quick="--quick" in sys.argv))
