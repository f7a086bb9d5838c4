"""Per-cell cost of hot reload with nothing changed: what every cell pays before and after it
runs (``pre_run_cell`` + ``post_execute`` hooks), hotswap against IPython 9's autoreload, with
100, 1,000 and 3,000 generated modules imported on top of what IPython itself loads.

Each size runs in a fresh interpreter so module counts do not leak between sizes.
Run alone with ``python -m benchmarks.cell_cost``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.report import machine, median, percentile, ratio, table

SIZES = (100, 1000, 3000)


def _time_hooks(pre: Callable[[], None], post: Callable[[], None], repeat: int) -> list[float]:
    """Milliseconds per simulated cell (both hooks), one sample per cell."""
    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(repeat):
        t0 = clock()
        pre()
        post()
        samples.append((clock() - t0) / 1e6)
    return samples


def child(n_modules: int, repeat: int) -> dict[str, Any]:
    """In this interpreter: import ``n_modules`` tiny modules, then time both implementations."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.extensions.autoreload import AutoreloadMagics
    from traitlets.config import Config

    from hotswap.ipython.magics import HotswapMagics

    root = Path(tempfile.mkdtemp(prefix="hotswap-cellcost-"))
    for i in range(n_modules):
        (root / f"cellmod_{i}.py").write_text(f"VALUE = {i}\n\ndef f(x):\n    return x + VALUE\n")
    sys.path.insert(0, str(root))
    for i in range(n_modules):
        __import__(f"cellmod_{i}")

    cfg = Config()
    cfg.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=cfg)

    ours = HotswapMagics(shell=shell)
    ours.start()
    ours.autoreload("2")
    ours.post_execute_hook()
    theirs = AutoreloadMagics(shell=shell)
    theirs.autoreload("2")
    theirs.post_execute_hook()

    def ours_pre() -> None:
        ours.pre_run_cell(None)

    def theirs_pre() -> None:
        theirs.pre_run_cell(None)

    for _ in range(20):  # warm caches for both
        ours_pre(), ours.post_execute_hook(), theirs_pre(), theirs.post_execute_hook()
    hs = _time_hooks(ours_pre, ours.post_execute_hook, repeat)
    ip = _time_hooks(theirs_pre, theirs.post_execute_hook, max(50, repeat // 10))
    verified = _verify(ours, root)
    result = {
        "verified": verified,
        "generated": n_modules, "loaded": len(sys.modules), "watched": ours.watcher.count,
        "how": ours.watcher.describe(),
        "hotswap_ms": median(hs), "hotswap_p95_ms": percentile(hs, 95),
        "ipython_ms": median(ip), "ipython_p95_ms": percentile(ip, 95),
    }
    ours.stop()
    return result


def _verify(ours: Any, root: Path) -> bool:
    """The fast path must not be fast by missing changes: edit one module, and the next cell
    (once the file event arrived) runs the new value."""
    target = root / "cellmod_0.py"
    target.write_text("VALUE = 12345\n\ndef f(x):\n    return x + VALUE\n")
    real = str(target.resolve())
    deadline = time.monotonic() + 10
    while real not in ours.watcher._pending and time.monotonic() < deadline:
        time.sleep(0.01)
    ours.pre_run_cell(None)
    return sys.modules["cellmod_0"].VALUE == 12345


def measure(n_modules: int, repeat: int = 2000) -> dict[str, Any]:
    """Run ``child`` in a fresh interpreter and return its figures."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-m", "benchmarks.cell_cost", "--child", str(n_modules), str(repeat)],
                         capture_output=True, text=True, check=True, env=env,
                         cwd=str(Path(__file__).resolve().parent.parent))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> str:
    """Markdown section with the side-by-side table."""
    repeat = 300 if quick else 3000
    rows = []
    for n in SIZES:
        r = measure(n, repeat)
        if not r["verified"]:
            raise RuntimeError(f"hotswap missed an edit with {n} modules; the figures would be meaningless")
        rows.append([f"{r['generated']:,}", f"{r['loaded']:,}", f"{r['ipython_ms']:.3f}", f"{r['hotswap_ms'] * 1000:.1f} µs",
                     f"{r['hotswap_p95_ms'] * 1000:.1f} µs", ratio(r["ipython_ms"], r["hotswap_ms"])])
    return "\n".join([
        "## Per-cell cost with nothing changed",
        "",
        f"{machine()}. `pre_run_cell` + `post_execute` per cell, median of {repeat} cells; IPython 9's",
        "`AutoreloadMagics` in mode 2 against hotswap's magics in mode 2 (file events via watchdog).",
        "",
        table(["generated modules", "sys.modules", "IPython autoreload (ms)", "hotswap (median)", "hotswap (p95)",
               "IPython / hotswap"], rows),
        "",
    ])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(main(quick="--quick" in sys.argv))
