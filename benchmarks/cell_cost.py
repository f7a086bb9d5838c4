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
USER_MODULES = 20


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


def child(n_modules: int, repeat: int, kind: str = "user") -> dict[str, Any]:
    """In this interpreter: import ``n_modules`` tiny modules, then time both implementations.

    ``kind="user"``: the generated modules are the user's own code (all watched, so hotswap
    relies on file events). ``kind="library"``: they stand for installed libraries (hotswap
    does not watch them, as it would not watch site-packages) next to USER_MODULES user
    modules, the usual notebook session, where hotswap stats the few user files.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.extensions.autoreload import AutoreloadMagics
    from traitlets.config import Config

    from hotswap.ipython.magics import HotswapMagics
    from hotswap.kernel import engine_api

    root = Path(tempfile.mkdtemp(prefix="hotswap-cellcost-"))
    for i in range(n_modules):
        (root / f"cellmod_{i}.py").write_text(f"VALUE = {i}\n\ndef f(x):\n    return x + VALUE\n")
    sys.path.insert(0, str(root))
    if kind == "library":
        lib_prefix = str(root.resolve()) + os.sep
        real_is_user_file = engine_api.is_user_file

        def is_user_file(path: str) -> bool:
            return not os.path.realpath(path).startswith(lib_prefix) and real_is_user_file(path)

        engine_api.is_user_file = is_user_file  # type: ignore[assignment]
        user = Path(tempfile.mkdtemp(prefix="hotswap-cellcost-user-"))
        for i in range(USER_MODULES):
            (user / f"usermod_{i}.py").write_text(f"VALUE = {i}\n")
        sys.path.insert(0, str(user))
        for i in range(USER_MODULES):
            __import__(f"usermod_{i}")
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
    verified = _verify(ours, root) if kind == "user" else _verify_user(ours)
    result = {
        "verified": verified,
        "kind": kind, "generated": n_modules, "loaded": len(sys.modules), "watched": ours.watcher.count,
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


def _verify_user(ours: Any) -> bool:
    """Same check for the library variant, on one of the user modules."""
    target = Path(sys.modules["usermod_0"].__file__ or "")
    target.write_text("VALUE = 12345\n")
    ours.pre_run_cell(None)
    return sys.modules["usermod_0"].VALUE == 12345


def measure(n_modules: int, repeat: int = 2000, kind: str = "user") -> dict[str, Any]:
    """Run ``child`` in a fresh interpreter and return its figures."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-m", "benchmarks.cell_cost", "--child", str(n_modules), str(repeat), kind],
                         capture_output=True, text=True, check=True, env=env,
                         cwd=str(Path(__file__).resolve().parent.parent))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> str:
    """Markdown section with the side-by-side table."""
    repeat = 300 if quick else 3000
    rows = []
    for kind in ("user", "library"):
        for n in SIZES:
            rows.append(_row(measure(n, repeat, kind)))
    return "\n".join([
        "## Per-cell cost with nothing changed",
        "",
        f"{machine()}. `pre_run_cell` + `post_execute` per cell, median of {repeat} cells; IPython 9's",
        "`AutoreloadMagics` in mode 2 against hotswap's magics in mode 2. *user*: the generated",
        "modules are the user's code (hotswap watches their folder and relies on file events);",
        f"*library*: they stand for installed libraries, next to {USER_MODULES} user modules (hotswap",
        "stats only those). `sys.modules` includes what IPython itself loads.",
        "",
        table(["generated modules", "kind", "sys.modules", "IPython autoreload (ms)", "hotswap (median)",
               "hotswap (p95)", "IPython / hotswap"], rows),
        "",
    ])


def _row(r: dict[str, Any]) -> list[str]:
    if not r["verified"]:
        raise RuntimeError(f"hotswap missed an edit with {r['generated']} modules; the figures would be meaningless")
    return [f"{r['generated']:,}", r["kind"], f"{r['loaded']:,}", f"{r['ipython_ms']:.3f}", f"{r['hotswap_ms'] * 1000:.1f} µs",
            f"{r['hotswap_p95_ms'] * 1000:.1f} µs", ratio(r["ipython_ms"], r["hotswap_ms"])]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
    else:
        print(main(quick="--quick" in sys.argv))
