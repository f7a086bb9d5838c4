"""Item 1: only the user's code is reloaded, and an unchanged file executes nothing.

Against a real kernel through the service, as the editor's Reload Module does."""

from __future__ import annotations

from kernel_support import service_call


def _module(report: dict, name: str) -> dict:
    [m] = [m for m in report["result"]["modules"] if m["name"] == name]
    return m


def test_standard_library_refused_by_name_and_path_kernel_keeps_answering(kernel) -> None:
    k = kernel()
    k.check("import threading, json, traitlets")
    for name, what in (("threading", "standard library"), ("os", "frozen"), ("traitlets", "site-packages")):
        report, _ = service_call(k.kc, "reload", {"modules": [name]})
        m = _module(report, name)
        assert m["status"] == "skipped", m
        assert what in m["error"] and "not your code" in m["error"] and "force" in m["error"]
    path = k.run("import threading; print(threading.__file__)").stdout.strip()
    report, _ = service_call(k.kc, "reload", {"paths": [path]})
    assert _module(report, "threading")["status"] == "skipped"
    report, _ = service_call(k.kc, "reload", {"modules": ["sys"]})
    assert "built-in" in _module(report, "sys")["error"]
    # the kernel still runs threads and cells
    out = k.check("t = threading.Thread(target=lambda: print('thread ran')); t.start(); t.join()").stdout
    assert "thread ran" in out


def test_forced_reload_of_unchanged_library_executes_nothing(kernel) -> None:
    k = kernel()
    k.check("import threading; lock_before = threading._active_limbo_lock")
    report, _ = service_call(k.kc, "reload", {"modules": ["threading"], "force": True})
    m = _module(report, "threading")
    assert m["status"] == "unchanged" and m["executed"] == [], m
    assert k.check("print(threading._active_limbo_lock is lock_before)").stdout.strip() == "True"
    out = k.check("t = threading.Thread(target=lambda: print('ok')); t.start(); t.join(5); print(t.is_alive())").stdout
    assert out.split() == ["ok", "False"]


def test_unchanged_user_module_executes_nothing_on_first_reload(kernel) -> None:
    for env in ({"PYTHONDONTWRITEBYTECODE": ""}, {"PYTHONDONTWRITEBYTECODE": "1"}):
        k = kernel(env=env)
        k.write("counted.py", "import builtins\nbuiltins.counted_runs = getattr(builtins, 'counted_runs', 0) + 1\n"
                              "def f():\n    return 1\n")
        k.check("import counted")  # before hotswap: the engine did not see this import
        assert bool(list(k.cwd.glob("__pycache__/counted*"))) == (env["PYTHONDONTWRITEBYTECODE"] == "")
        report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "counted.py")]})
        m = _module(report, "counted")
        assert m["status"] == "unchanged" and m["executed"] == [], (env, m)
        assert k.check("print(counted_runs)").stdout.strip() == "1", env
