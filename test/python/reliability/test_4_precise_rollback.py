"""Item 4: a failed reload puts back only the names it rebound; what a background thread wrote
to the module meanwhile survives."""

from __future__ import annotations

from kernel_support import service_call

ORIGINAL = "X = 1\nTICK = 0\n\ndef f():\n    return 'old'\n"
# The edit lets the user's background thread write to the module, waits for it, then fails.
FAILING = """\
import builtins, sys, time
builtins.reload_started.set()
_until = time.monotonic() + 30
while sys.modules[__name__].TICK == 0 and time.monotonic() < _until:
    time.sleep(0.001)
X = 2

def f():
    return 'new'

raise RuntimeError("config missing")
"""


def test_failed_reload_keeps_writes_of_other_threads(kernel) -> None:
    k = kernel()
    k.write("shared.py", ORIGINAL)
    k.check("""
import hotswap.kernel  # the import hook records what shared is imported from
import builtins, shared, threading
builtins.reload_started = threading.Event()
def writer():
    builtins.reload_started.wait(60)
    shared.TICK = 'written during the reload'
    shared.FROM_THREAD = True
bg = threading.Thread(target=writer, daemon=True); bg.start()
""")
    k.write("shared.py", FAILING)
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "shared.py")]})
    [m] = report["result"]["modules"]
    assert m["status"] == "failed" and "RuntimeError: config missing" in m["error"], report
    [d] = [d for d in report["result"]["diagnostics"] if d["code"] == "reload-error"]
    assert d["range"]["start"]["line"] == 10 and d["file"].endswith("shared.py")
    out = k.check("bg.join(30); print(repr((shared.X, shared.f(), shared.TICK, shared.FROM_THREAD, "
                  "sorted(n for n in vars(shared) if not n.startswith('__')))))").stdout.strip()
    assert out == repr((1, "old", "written during the reload", True, ["FROM_THREAD", "TICK", "X", "f"]))
