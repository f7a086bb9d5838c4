"""user_modules() / is_user_file(): what editors watch, and how paths are matched."""

from __future__ import annotations

import json
import os
import sys
import sysconfig
import time

import hotswap
from engine_support import Project
from hotswap.engine import is_user_file, user_modules


def test_user_modules_lists_project_files_not_libraries(project: Project) -> None:
    project.load("mine", "X = 1\n")
    mods = dict(user_modules())
    assert mods["mine"] == os.path.realpath(project.path("mine"))
    assert "json" not in mods and "os" not in mods
    assert not any(name.startswith("hotswap") for name in mods)
    assert not any(name.startswith("_pytest") or name == "pytest" for name in mods)
    assert "__main__" not in mods


def test_is_user_file(project: Project) -> None:
    project.write("there", "X = 1\n")
    assert is_user_file(str(project.path("there")))
    assert not is_user_file(json.__file__)
    assert not is_user_file(os.path.join(sysconfig.get_paths()["purelib"], "pytest", "__init__.py"))
    assert not is_user_file(str(project.root / "missing.py"))
    assert not is_user_file(str(project.root / "data.txt"))


def test_editable_install_outside_site_packages_counts_as_user(project: Project) -> None:
    # hotswap itself is installed editable from this repository; an editable project is
    # recognised by where its files really are
    src = project.root / "src" / "editable_pkg"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("X = 1\n")
    sys.path.insert(0, str(project.root / "src"))
    try:
        import editable_pkg  # noqa: F401

        assert "editable_pkg" in dict(user_modules())
    finally:
        sys.path.remove(str(project.root / "src"))
        sys.modules.pop("editable_pkg", None)


def test_user_modules_is_fast(project: Project) -> None:
    user_modules()
    start = time.perf_counter()
    for _ in range(20):
        user_modules()
    per_call = (time.perf_counter() - start) / 20
    assert per_call < 0.02, f"{per_call * 1000:.1f} ms for {len(sys.modules)} modules"


def test_report_to_dict_matches_the_protocol(project: Project) -> None:
    project.load("shape", "def f():\n    return 1\n")
    project.edit("shape", "def f():\n    return 2\n")
    data = hotswap.reload(paths=[str(project.path("shape"))], namespace=project.ns).to_dict()
    json.dumps(data)
    assert set(data) == {"version", "duration_ms", "modules", "diagnostics"}
    assert data["version"] == 1
    [mod] = data["modules"]
    assert set(mod) == {"name", "file", "status", "strategy", "duration_ms", "patched", "added", "removed", "executed", "error"}
    assert mod["status"] == "reloaded" and mod["strategy"] == "patch" and mod["patched"] == ["f"]
    assert mod["error"] is None


def test_report_diagnostics_to_dict_match_the_protocol(project: Project) -> None:
    project.load("shape2", "class Greeter:\n    def __init__(self, name):\n        self.name = name\n")
    project.run("from shape2 import Greeter\ng = Greeter('Ada')")
    project.edit("shape2", "class Greeter:\n    def __init__(self, name):\n        self.name = name\n        self.p = '!'\n")
    data = json.loads(json.dumps(hotswap.reload(paths=[str(project.path("shape2"))], namespace=project.ns).to_dict()))
    [mod] = data["modules"]
    assert isinstance(mod["duration_ms"], float) and mod["file"] == str(project.path("shape2"))
    assert mod["patched"] == ["Greeter", "Greeter.__init__"] and mod["added"] == [] and mod["removed"] == []
    [diag] = data["diagnostics"]
    assert diag == {
        "file": str(project.path("shape2")),
        "range": {"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 20}},
        "severity": "warning",
        "code": "stale-instance",
        "message": "g was created before Greeter gained 'p'; recreate it to use the new code.",
        "names": ["g"],
    }
    assert json.loads(json.dumps(hotswap.stale(project.ns).to_dict()))["diagnostics"] == [diag]


def test_skipped_file_is_reported_not_failed(project: Project, tmp_path) -> None:
    stray = tmp_path / "never_imported.py"
    stray.write_text("X = 1\n")
    data = hotswap.reload(paths=[str(stray)], namespace=project.ns).to_dict()
    [mod] = data["modules"]
    assert mod["status"] == "skipped" and mod["file"] == str(stray) and mod["error"]
    assert data["diagnostics"] == []
