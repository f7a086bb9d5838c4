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
import sys
import time
from typing import Any

from .kernel_and_server import TIMEOUT, kernel_and_server
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
    from lsprotocol import types
    from pygls.uris import from_fs_path

    async with kernel_and_server() as bench:
        kc, client = bench.kc, bench.client
        path = bench.work / "greet.py"
        path.write_text(V1)
        uri = from_fs_path(str(path))
        published: asyncio.Queue[int] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls: Any, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                published.put_nowait(len(params.diagnostics))

        for method in ("hotswap/willReload", "hotswap/didReload", "hotswap/kernelsChanged"):
            client.feature(method)(lambda ls, params: None)
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
        await bench.start_server()
        await bench.attach()
        with_server = (await _cells(kc, cells + 2))[2:]  # the first two warm the server up
        return {"case": case, "without": without, "with": with_server, "engine": engine_ms, "size": size}


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
