"""A real ipykernel: the user's cells, an editor's requests from a second client, the registry."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Callable

from kernel_support import GREETER_V1, GREETER_V2, Kernel, run_on, service_call, wait_for


def user_state(k: Kernel) -> dict[str, str]:
    """In, Out and user names, read without adding to them (silent user expressions)."""
    exprs = {"n_in": "len(In)", "n_out": "len(Out)",
             "names": "sorted(k for k in get_ipython().user_ns if not k.startswith('_'))",
             "count": "get_ipython().execution_count"}
    reply = run_on(k.kc, "", silent=True, store_history=False, user_expressions=exprs).reply
    return {key: v["data"]["text/plain"] for key, v in reply["content"]["user_expressions"].items()}


def test_edit_then_next_cell_runs_new_code(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("math_utils.py", "def scale(x):\n    return x * 2\n")
    k.check("%load_ext hotswap")
    k.check("import math_utils\nfrom math_utils import scale")
    assert k.check("print(scale(10))").stdout.strip() == "20"
    k.write("math_utils.py", "def scale(x):\n    return x * 3\n")
    assert k.check("print(scale(10), math_utils.scale(1))").stdout.strip() == "30 3"
    # an editor-style save: temporary file renamed over the module
    tmp = k.write(".math_utils.py.swp", "def scale(x):\n    return x * 4\n")
    os.replace(tmp, k.cwd / "math_utils.py")
    assert k.check("print(scale(10))").stdout.strip() == "40"


def test_syntax_error_keeps_old_function_and_says_so_once(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("m.py", "def f():\n    return 'old'\n")
    k.check("%load_ext hotswap\nimport m")
    k.write("m.py", "def f(:\n    return 'new'\n")
    cell = k.check("print(m.f())")
    assert cell.stdout.strip() == "old"
    assert cell.stderr.count("[autoreload of m failed:") == 1
    assert "SyntaxError" in cell.stderr
    again = k.check("print(m.f())")
    assert again.stdout.strip() == "old" and "autoreload of" not in again.stderr
    k.write("m.py", "def f():\n    return 'fixed'\n")
    assert k.check("print(m.f())").stdout.strip() == "fixed"


def test_stale_instance_reported_by_magic_and_by_stale_request(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("greeter.py", GREETER_V1)
    k.check("%load_ext hotswap\nfrom greeter import Greeter\ng = Greeter('Ada')")
    k.write("greeter.py", GREETER_V2)
    k.check("h = Greeter('Bob')")
    status = k.check("%hotswap").stdout
    assert "greeter: reloaded" in status
    assert "stale-instance" in status and "g " in status and "punctuation" in status

    editor = k.second_client()
    response, cell = service_call(editor, "stale")
    assert response["ok"], response
    diags = [d for d in response["result"]["diagnostics"] if d["code"] == "stale-instance"]
    assert [d["names"] for d in diags] == [["g"]]
    assert diags[0]["file"] == str((k.cwd / "greeter.py").resolve())
    assert diags[0]["range"]["start"]["line"] == 3  # the line that added the attribute (0-based)

    k.check("g = Greeter('Ada')")
    response, _ = service_call(editor, "stale")
    assert [d for d in response["result"]["diagnostics"] if d["code"] == "stale-instance"] == []


def test_reload_from_second_client_leaves_session_untouched(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("lib.py", "print('lib imported')\nVALUE = 1\n")
    k.check("%load_ext hotswap\nimport lib\nlib.VALUE")
    k.check("%autoreload 0")  # only the editor reloads here
    before = user_state(k)

    editor = k.second_client()
    k.write("lib.py", "print('lib imported v2')\nVALUE = 2\n")
    response, cell = service_call(editor, "reload", {"paths": [str(k.cwd / "lib.py")]})
    assert response["ok"], response
    assert response["id"] == "test"
    mods = response["result"]["modules"]
    assert [(m["name"], m["status"]) for m in mods] == [("lib", "reloaded")]
    assert "lib imported v2" in response.get("output", "")
    assert not [m for m in cell.messages if m["msg_type"] in ("stream", "execute_result", "display_data", "error")]

    again, _ = service_call(editor, "reload", {"paths": [str(k.cwd / "lib.py")]})
    assert [m["status"] for m in again["result"]["modules"]] == ["unchanged"]

    assert user_state(k) == before
    assert k.check("print(lib.VALUE)").stdout.strip() == "2"

    status, _ = service_call(editor, "status")
    assert status["result"]["mode"] == 0
    assert status["result"]["recent"][-1]["module"] == "lib"
    modules, _ = service_call(editor, "modules")
    assert {"name": "lib", "file": str((k.cwd / "lib.py").resolve())} in modules["result"]["modules"]


def test_service_works_without_the_extension(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("plain.py", "def f():\n    return 1\n")
    k.check("import plain")
    before = user_state(k)
    k.write("plain.py", "def f():\n    return 2\n")
    response, _ = service_call(k.kc, "reload", {"modules": ["plain"]})
    assert response["ok"] and response["result"]["modules"][0]["status"] == "reloaded"
    status, _ = service_call(k.kc, "status")
    assert status["result"]["mode"] is None
    assert user_state(k) == before
    assert k.check("print(plain.f())").stdout.strip() == "2"


def test_bad_request_gets_an_error_response(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    response, cell = service_call(k.kc, "frobnicate")
    assert response["ok"] is False and response["error"]["type"] == "unknown-command"


def test_registry_entry_appears_private_and_goes_at_shutdown(kernel: Callable[..., Kernel], runtime_dir: Path) -> None:
    k = kernel()
    pid = k.pid
    entry = runtime_dir / "hotswap" / f"kernel-{pid}.json"
    assert not entry.exists()
    k.check("%load_ext hotswap")
    assert entry.exists()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((runtime_dir / "hotswap").stat().st_mode) == 0o700
    data = json.loads(entry.read_text())
    assert data["pid"] == pid
    assert data["connection_file"] == k.km.connection_file
    assert data["cwd"] == str(k.cwd)
    assert data["hotswap"] == "0.1.0" and data["python_version"] and data["python"]

    listed = subprocess.run([sys.executable, "-m", "hotswap", "kernels", "--json"], capture_output=True,
                            text=True, check=True, env=os.environ.copy())
    assert [e["pid"] for e in json.loads(listed.stdout)] == [pid]

    k.stop()
    assert wait_for(lambda: not entry.exists()), "registry entry left behind after shutdown"


def test_registry_entry_rewritten_after_restart(kernel: Callable[..., Kernel], runtime_dir: Path) -> None:
    k = kernel()
    k.check("%load_ext hotswap")
    old_pid = k.pid
    k.km.restart_kernel(now=False)
    k.kc.wait_for_ready(timeout=60)
    assert wait_for(lambda: not (runtime_dir / "hotswap" / f"kernel-{old_pid}.json").exists())
    k.check("%load_ext hotswap")
    assert (runtime_dir / "hotswap" / f"kernel-{k.pid}.json").exists()


def listed_pids() -> list[int]:
    """What `python -m hotswap kernels` shows, run as a user would run it."""
    listed = subprocess.run([sys.executable, "-m", "hotswap", "kernels", "--json"], capture_output=True,
                            text=True, check=True, env=os.environ.copy())
    return [e["pid"] for e in json.loads(listed.stdout)]


def test_kernel_that_loads_hotswap_at_start_is_announced_again_after_each_restart(
        kernel: Callable[..., Kernel], runtime_dir: Path) -> None:
    """The extension loaded from the kernel's configuration (as in docs/ipython.md): a restart
    brings a new process that announces itself with no cell run; a killed process's entry
    stays on disk but nobody lists it."""
    k = kernel(extra_arguments=["--IPKernelApp.extensions=hotswap"])
    folder = runtime_dir / "hotswap"
    first = k.pid
    assert wait_for(lambda: (folder / f"kernel-{first}.json").exists()), "no entry without %load_ext"
    assert listed_pids() == [first]

    k.km.restart_kernel(now=False)  # graceful: the old process removes its entry at exit
    k.kc.wait_for_ready(timeout=60)
    second = k.pid
    assert second != first
    assert wait_for(lambda: (folder / f"kernel-{second}.json").exists()), "restarted kernel not announced"
    assert not (folder / f"kernel-{first}.json").exists()
    entry = json.loads((folder / f"kernel-{second}.json").read_text())
    assert entry["connection_file"] == k.km.connection_file
    assert stat.S_IMODE((folder / f"kernel-{second}.json").stat().st_mode) == 0o600
    assert listed_pids() == [second]

    k.km.restart_kernel(now=True)  # killed: its entry is left behind
    k.kc.wait_for_ready(timeout=60)
    third = k.pid
    assert wait_for(lambda: (folder / f"kernel-{third}.json").exists()), "kernel not announced after a kill"
    assert (folder / f"kernel-{second}.json").exists()
    assert listed_pids() == [third]


def test_many_modules_save_right_before_cell_is_not_missed(kernel: Callable[..., Kernel]) -> None:
    """With more user modules than are worth stat'ing every cell, changes come from file
    events; a save immediately followed by a cell must still be seen by that cell."""
    k = kernel()
    for i in range(60):
        k.write(f"many_{i}.py", f"VALUE = {i}\n")
    k.check("%load_ext hotswap\n" + "\n".join(f"import many_{i}" for i in range(60)))
    watching = k.check("print(get_ipython().magics_manager.registry['HotswapMagics'].watcher.describe())").stdout
    assert "watchdog" in watching
    for round_, i in enumerate((3, 17, 42, 3, 59)):
        k.write(f"many_{i}.py", f"VALUE = {1000 + round_}\n")
        assert k.check(f"print(many_{i}.VALUE)").stdout.strip() == str(1000 + round_)


def test_editor_reload_is_not_repeated_by_the_next_cell(kernel: Callable[..., Kernel]) -> None:
    k = kernel()
    k.write("shapes.py", "def area(r):\n    return 3 * r * r\n")
    k.check("%load_ext hotswap\n%autoreload -p 2\nimport shapes")
    k.write("shapes.py", "def area(r):\n    return 3.14159 * r * r\n")
    response, _ = service_call(k.second_client(), "reload", {"paths": [str(k.cwd / "shapes.py")]})
    assert [m["status"] for m in response["result"]["modules"]] == ["reloaded"]
    cell = k.check("print(shapes.area(1))")
    assert cell.stdout.strip() == "3.14159"  # no "Reloading 'shapes'." line: it is already current
    k.write("shapes.py", "def area(r):\n    return 3.0 * r * r\n")
    assert k.check("print(shapes.area(1))").stdout.strip().splitlines() == ["Reloading 'shapes'.", "3.0"]


def test_stale_object_shows_in_the_cell_output_and_its_attribute_error_explains(kernel: Callable[..., Kernel]) -> None:
    """Without an editor (Jupyter, jupyter console), the cell's own output says what is stale."""
    k = kernel()
    k.write("greeter.py", GREETER_V1)
    k.check("%load_ext hotswap\nfrom greeter import Greeter\ng = Greeter('Ada')")
    k.write("greeter.py", GREETER_V2)
    cell = k.check("h = Greeter('Bob')")
    assert cell.stderr.splitlines() == [
        "hotswap: g was created before Greeter gained 'punctuation'; recreate it to use the new code. (greeter.py:4)"]
    assert "hotswap:" not in k.check("1").stderr  # once
    failed = k.run("g.greet()")
    assert not failed.ok and failed.reply["content"]["ename"] == "AttributeError"
    if sys.version_info >= (3, 11):
        assert "this Greeter object was created before Greeter gained 'punctuation'" in failed.stderr
