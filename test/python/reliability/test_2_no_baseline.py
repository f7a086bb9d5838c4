"""Item 2: a module imported before hotswap, with no bytecode cache, keeps its state when one
function is edited -- constants included, since nothing tells an edit from a value the program
set -- and the user is told what was assumed and how to apply the file's values."""

from __future__ import annotations

from kernel_support import service_call, wait_for

STATE = """\
_CACHE = {}
REGISTRY = []
SETTINGS = {"mode": "fast"}
LIMIT = 10
COUNT = 0


def work(x):
    return x * 2
"""
EDITED = STATE.replace("x * 2", "x * 3").replace("LIMIT = 10", "LIMIT = 20")


def _setup(kernel):
    k = kernel(env={"PYTHONDONTWRITEBYTECODE": "1"})
    k.write("stateful.py", STATE)
    k.check("import stateful\nstateful._CACHE['k'] = 1; stateful.REGISTRY.append('r'); "
            "stateful.SETTINGS['mode'] = 'slow'\nfor _ in range(5): stateful.COUNT += 1")
    assert not list(k.cwd.glob("__pycache__/stateful*"))
    k.check("%load_ext hotswap")
    k.write("stateful.py", EDITED)
    return k


STATE_KEPT = ("print(stateful.work(1), stateful._CACHE, stateful.REGISTRY, stateful.SETTINGS, stateful.LIMIT, "
              "stateful.COUNT)")


def test_editor_reload_patches_definitions_keeps_state_and_says_so(kernel) -> None:
    k = _setup(kernel)
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "stateful.py")]})
    [m] = report["result"]["modules"]
    assert m["status"] == "reloaded" and m["patched"] == ["work"] and m["executed"] == [], m
    # the counter and LIMIT keep their live values: the file's 0 and 20 may be edits or not
    assert k.check(STATE_KEPT).stdout.strip() == "3 {'k': 1} ['r'] {'mode': 'slow'} 10 5"
    [info] = [d for d in report["result"]["diagnostics"] if d["code"] == "no-baseline"]
    assert info["severity"] == "information" and info["file"].endswith("stateful.py")
    assert info["range"]["start"]["line"] == 3  # LIMIT = 20: the first value kept although the file differs
    msg = info["message"]
    assert "kept the other module-level statements as they are" in msg and "(_CACHE, REGISTRY, SETTINGS)" in msg
    assert ("LIMIT is 10 (line 4 of the file: 20), COUNT is 5 (line 5 of the file: 0)." in msg
            and "To use the file's value, run `stateful.LIMIT = 20` (likewise for the others) or edit the line" in msg), msg
    # the file just read is the baseline now: the next edit of the constant is applied
    k.write("stateful.py", EDITED.replace("LIMIT = 20", "LIMIT = 30"))
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "stateful.py")]})
    [m] = report["result"]["modules"]
    assert m["status"] == "reloaded" and m["executed"] == ["line 4: LIMIT = 30"], m
    # ... while COUNT, still not the file's value, is named again (this report replaces the last)
    [info] = [d for d in report["result"]["diagnostics"] if d["code"] == "no-baseline"]
    assert info["range"]["start"]["line"] == 4 and "LIMIT" not in info["message"]
    assert "COUNT is 5 (line 5 of the file: 0). To use the file's value, run `stateful.COUNT = 0`" in info["message"]
    assert k.check(STATE_KEPT).stdout.strip() == "3 {'k': 1} ['r'] {'mode': 'slow'} 30 5"


def test_next_cell_reload_keeps_state(kernel) -> None:
    k = _setup(kernel)
    assert wait_for(lambda: k.check(STATE_KEPT).stdout.strip() == "3 {'k': 1} ['r'] {'mode': 'slow'} 10 5")
