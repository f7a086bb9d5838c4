"""Item 2: a module imported before hotswap, with no bytecode cache, keeps its state when one
function is edited; the user is told what was assumed."""

from __future__ import annotations

from kernel_support import service_call, wait_for

STATE = """\
_CACHE = {}
REGISTRY = []
SETTINGS = {"mode": "fast"}
LIMIT = 10


def work(x):
    return x * 2
"""


def _setup(kernel):
    k = kernel(env={"PYTHONDONTWRITEBYTECODE": "1"})
    k.write("stateful.py", STATE)
    k.check("import stateful\nstateful._CACHE['k'] = 1; stateful.REGISTRY.append('r'); "
            "stateful.SETTINGS['mode'] = 'slow'")
    assert not list(k.cwd.glob("__pycache__/stateful*"))
    k.check("%load_ext hotswap")
    k.write("stateful.py", STATE.replace("x * 2", "x * 3").replace("LIMIT = 10", "LIMIT = 20"))
    return k


STATE_KEPT = ("print(stateful.work(1), stateful._CACHE, stateful.REGISTRY, stateful.SETTINGS, stateful.LIMIT)")


def test_editor_reload_patches_definitions_keeps_state_and_says_so(kernel) -> None:
    k = _setup(kernel)
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "stateful.py")]})
    [m] = report["result"]["modules"]
    assert m["status"] == "reloaded" and m["patched"] == ["LIMIT", "work"], m
    assert m["executed"] == ["line 4: LIMIT = 20"]
    assert k.check(STATE_KEPT).stdout.strip() == "3 {'k': 1} ['r'] {'mode': 'slow'} 20"
    [info] = [d for d in report["result"]["diagnostics"] if d["code"] == "no-baseline"]
    assert info["severity"] == "information" and info["file"].endswith("stateful.py")
    assert info["range"]["start"]["line"] == 3  # LIMIT = 20, the value the file changed
    assert "kept the other module-level statements as they are" in info["message"]
    assert "(_CACHE, REGISTRY, SETTINGS)" in info["message"] and "set from the file: LIMIT" in info["message"]


def test_next_cell_reload_keeps_state(kernel) -> None:
    k = _setup(kernel)
    assert wait_for(lambda: k.check(STATE_KEPT).stdout.strip() == "3 {'k': 1} ['r'] {'mode': 'slow'} 20")
