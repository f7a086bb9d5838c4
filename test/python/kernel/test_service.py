"""The service in-process: protocol errors, commands, and a second identical reload is a no-op."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from hotswap.kernel import handle


def call(command: str, args: Any = None, **extra: Any) -> dict[str, Any]:
    req = {"protocol": 1, "id": "t", "command": command, **extra}
    if args is not None:
        req["args"] = args
    return json.loads(handle(json.dumps(req)))


@pytest.fixture
def pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user module importable from a temp dir, removed from sys.modules afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "svc_mod.py").write_text("def f():\n    return 1\n")
    import importlib

    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop("svc_mod", None)


@pytest.mark.parametrize("raw, kind", [
    ("not json", "bad-request"),
    ("[1]", "bad-request"),
    (json.dumps({"id": "1", "command": "status"}), "bad-request"),
    (json.dumps({"protocol": "1", "command": "status"}), "bad-request"),
    (json.dumps({"protocol": 2, "id": "1", "command": "status"}), "unsupported-protocol"),
    (json.dumps({"protocol": 1, "id": "1", "command": "explode"}), "unknown-command"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload", "args": {"paths": "x.py"}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload", "args": {"paths": ["rel.py"]}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload", "args": {"dependents": "yes"}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload", "args": []}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload",
                 "args": {"progress_after": 1, "interrupt_file": "stop"}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload",
                 "args": {"progress_after": 1, "progress_file": "/tmp/\ud800"}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload",
                 "args": {"progress_after": 1, "interrupt_file": "/tmp/\udcff"}}), "bad-request"),
    (json.dumps({"protocol": 1, "id": "1", "command": "reload",
                 "args": {"progress_after": 1, "progress_file": "/tmp/a\u0000b"}}), "bad-request"),
])
def test_bad_requests_get_clear_errors(raw: str, kind: str) -> None:
    resp = json.loads(handle(raw))
    assert resp["ok"] is False
    assert resp["error"]["type"] == kind
    assert resp["error"]["message"]


def test_non_string_request_is_an_error_not_an_exception() -> None:
    resp = json.loads(handle(None))  # type: ignore[arg-type]
    assert resp["error"]["type"] == "bad-request"


def test_id_is_echoed_and_unknown_keys_ignored() -> None:
    resp = call("status", {"whatever": 1}, extra_field=True)
    assert resp["ok"] is True and resp["id"] == "t" and resp["protocol"] == 1
    result = resp["result"]
    assert result["python"] == "%d.%d.%d" % sys.version_info[:3]
    assert set(result) >= {"hotswap", "python", "pid", "cwd", "mode", "watched", "recent", "stale"}


def test_modules_lists_user_modules_only_unless_all(pkg: Path) -> None:
    import svc_mod  # noqa: F401

    names = {m["name"] for m in call("modules")["result"]["modules"]}
    assert "svc_mod" in names and "json" not in names
    everything = {m["name"] for m in call("modules", {"all": True})["result"]["modules"]}
    assert {"svc_mod", "json"} <= everything


def test_reload_by_path_then_again_is_unchanged(pkg: Path) -> None:
    import svc_mod

    (pkg / "svc_mod.py").write_text("def f():\n    return 2\n")
    first = call("reload", {"paths": [str(pkg / "svc_mod.py")]})
    assert first["ok"], first
    assert [m["status"] for m in first["result"]["modules"]] == ["reloaded"]
    assert svc_mod.f() == 2
    second = call("reload", {"paths": [str(pkg / "svc_mod.py")]})
    assert [m["status"] for m in second["result"]["modules"]] == ["unchanged"]
    recent = call("status")["result"]["recent"]
    assert recent[-1]["module"] == "svc_mod"


def test_reload_output_is_captured_not_printed(pkg: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import svc_mod  # noqa: F401

    (pkg / "svc_mod.py").write_text("print('side effect')\ndef f():\n    return 3\n")
    resp = call("reload", {"modules": ["svc_mod"]})
    assert resp["ok"]
    assert "side effect" in resp.get("output", "")
    out, err = capfd.readouterr()
    assert "side effect" not in out + err


def test_failed_reload_is_a_report_not_an_error(pkg: Path) -> None:
    import svc_mod

    (pkg / "svc_mod.py").write_text("def f(:\n    return 4\n")
    resp = call("reload", {"modules": ["svc_mod"]})
    assert resp["ok"] is True
    assert resp["result"]["modules"][0]["status"] == "failed"
    assert svc_mod.f() == 1


def test_stale_has_no_modules() -> None:
    resp = call("stale")
    assert resp["ok"] and resp["result"]["modules"] == [] and isinstance(resp["result"]["diagnostics"], list)


def test_service_imports_with_standard_library_only() -> None:
    code = textwrap.dedent("""
        import json, sys
        import hotswap.kernel
        hotswap.kernel.handle(json.dumps({"protocol": 1, "id": "1", "command": "status"}))
        hotswap.kernel.handle(json.dumps({"protocol": 1, "id": "1", "command": "modules"}))
        loaded = sorted({m.split('.')[0] for m in sys.modules} & {"IPython", "watchdog", "jupyter_core", "jupyter_client", "zmq"})
        print(loaded)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_output_of_other_threads_is_not_swallowed(pkg: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A debugger calls the service from its own thread while the program keeps printing."""
    import threading

    import svc_mod  # noqa: F401

    started, release = threading.Event(), threading.Event()
    (pkg / "svc_mod.py").write_text(
        "import threading\nprint('from reload')\n_e = __import__('builtins').__dict__.get('_svc_hook')\n"
        "if _e: _e[0].set(); _e[1].wait(5)\ndef f():\n    return 5\n")
    import builtins

    builtins._svc_hook = (started, release)  # type: ignore[attr-defined]
    try:
        result: dict[str, Any] = {}
        t = threading.Thread(target=lambda: result.update(call("reload", {"modules": ["svc_mod"]})))
        t.start()
        assert started.wait(10)
        print("program output while reloading")
        release.set()
        t.join(10)
    finally:
        del builtins._svc_hook  # type: ignore[attr-defined]
    assert "from reload" in result.get("output", "")
    assert "program output" not in result.get("output", "")
    assert "program output while reloading" in capfd.readouterr().out


def test_outdated_lists_modules_whose_file_changed_since_import_until_reloaded(pkg: Path) -> None:
    import svc_mod  # noqa: F401  (imported after hotswap: the import hook keeps its text)

    assert call("outdated")["result"]["modules"] == []
    (pkg / "svc_mod.py").write_text("def f():\n    return 2\n")
    result = call("outdated")["result"]
    assert [m["name"] for m in result["modules"]] == ["svc_mod"]
    assert result["modules"][0]["file"] == str((pkg / "svc_mod.py").resolve())
    call("reload", {"paths": [str(pkg / "svc_mod.py")]})
    assert call("outdated")["result"]["modules"] == []


def _outdated_in_fresh_process(tmp_path: Path, script: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    import os

    code = textwrap.dedent(script)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**os.environ, **(env or {})})
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])["result"]
    return result


def test_outdated_uses_the_bytecode_stamp_for_modules_imported_before_hotswap(tmp_path: Path) -> None:
    """A kernel that imported the module before the helper was injected: only the .pyc knows."""
    (tmp_path / "early_mod.py").write_text("X = 1\n")
    (tmp_path / "same_mod.py").write_text("Y = 1\n")
    script = """
        import sys, os, json
        sys.path.insert(0, os.getcwd())
        import early_mod, same_mod
        with open('early_mod.py', 'w') as f:
            f.write('X = 22222\\n')
        from hotswap.kernel import handle
        print(handle(json.dumps({"protocol": 1, "id": "o", "command": "outdated"})))
    """
    result = _outdated_in_fresh_process(tmp_path, script, {"PYTHONDONTWRITEBYTECODE": ""})
    assert [m["name"] for m in result["modules"]] == ["early_mod"]
    assert result["unknown"] == []
    # Without bytecode nothing records what was imported: said, not guessed.
    (tmp_path / "early_mod.py").write_text("X = 1\n")
    for pyc in (tmp_path / "__pycache__").glob("*.pyc"):
        pyc.unlink()
    result = _outdated_in_fresh_process(tmp_path, script, {"PYTHONDONTWRITEBYTECODE": "1"})
    assert result["modules"] == []
    assert sorted(m["name"] for m in result["unknown"]) == ["early_mod", "same_mod"]
