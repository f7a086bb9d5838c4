"""Registry entries: private files, atomic writes, and readers that trust only live, own entries."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hotswap.kernel import registry


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rt = tmp_path / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(rt))
    return rt


@pytest.fixture
def conn(tmp_path: Path) -> Path:
    c = tmp_path / "kernel-abc.json"
    c.write_text("{}")
    c.chmod(0o600)
    return c


def test_registry_dir_follows_jupyter_runtime_dir(runtime: Path) -> None:
    assert registry.runtime_dir() == str(runtime)
    assert registry.registry_dir() == str(runtime / "hotswap")


def test_write_entry_is_private_and_complete(runtime: Path, conn: Path) -> None:
    path = registry.write_entry(str(conn))
    assert path == str(runtime / "hotswap" / f"kernel-{os.getpid()}.json")
    assert stat.S_IMODE(os.stat(runtime / "hotswap").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(Path(path).read_text())
    assert data["pid"] == os.getpid()
    assert data["connection_file"] == str(conn)
    assert data["cwd"] == os.getcwd()
    assert data["python"] == sys.executable
    assert data["python_version"] == "%d.%d.%d" % sys.version_info[:3]
    assert data["hotswap"] == "0.1.0"
    assert isinstance(data["started"], float)
    assert [e["pid"] for e in registry.read_entries()] == [os.getpid()]
    assert not [n for n in os.listdir(runtime / "hotswap") if n.startswith(".tmp")]


def test_loose_existing_folder_is_tightened(runtime: Path, conn: Path) -> None:
    (runtime / "hotswap").mkdir(parents=True, mode=0o755)
    os.chmod(runtime / "hotswap", 0o755)
    registry.write_entry(str(conn))
    assert stat.S_IMODE(os.stat(runtime / "hotswap").st_mode) == 0o700


def test_remove_entry(runtime: Path, conn: Path) -> None:
    registry.write_entry(str(conn))
    assert registry.remove_entry() is True
    assert registry.read_entries() == []
    assert registry.remove_entry() is False


def test_readers_skip_dead_pids(runtime: Path, conn: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    registry.write_entry(str(conn), pid=proc.pid)
    registry.write_entry(str(conn))
    assert [e["pid"] for e in registry.read_entries()] == [os.getpid()]


def test_readers_skip_entries_writable_by_others(runtime: Path, conn: Path) -> None:
    path = registry.write_entry(str(conn))
    os.chmod(path, 0o622)
    skipped: list[str] = []
    assert registry.read_entries(skipped=skipped) == []
    assert "writable by other users" in skipped[0]


def test_readers_skip_entries_whose_connection_file_is_unsafe(runtime: Path, conn: Path) -> None:
    registry.write_entry(str(conn))
    conn.chmod(0o666)
    skipped: list[str] = []
    assert registry.read_entries(skipped=skipped) == []
    assert str(conn) in skipped[0]


def test_readers_skip_garbage(runtime: Path, conn: Path) -> None:
    d = Path(registry.ensure_dir())
    bad = d / "kernel-1.json"
    bad.write_text("{not json")
    bad.chmod(0o600)
    other = d / "kernel-2.json"
    other.write_text("[]")
    other.chmod(0o600)
    skipped: list[str] = []
    assert registry.read_entries(skipped=skipped) == []
    assert len(skipped) == 2


def test_kernels_command_lists_live_entries(runtime: Path, conn: Path) -> None:
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    out = subprocess.run([sys.executable, "-m", "hotswap", "kernels"], env=env, capture_output=True, text=True, check=True)
    assert "No live kernels" in out.stdout
    registry.write_entry(str(conn))
    out = subprocess.run([sys.executable, "-m", "hotswap", "kernels", "--json"], env=env, capture_output=True, text=True, check=True)
    assert [e["pid"] for e in json.loads(out.stdout)] == [os.getpid()]
    out = subprocess.run([sys.executable, "-m", "hotswap", "kernels"], env=env, capture_output=True, text=True, check=True)
    assert str(os.getpid()) in out.stdout and str(conn) in out.stdout


# What a kernel is called: the name a user knows it by, written into its entry.

def test_label_given_by_the_program_that_started_the_kernel_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(registry.LABEL_ENV, "Hot Reload Console")
    assert registry.kernel_label(4242, parent="/usr/bin/python3 /usr/bin/jupyter-console --existing") == "Hot Reload Console"


@pytest.mark.parametrize(
    ("parent", "label"),
    [
        ("/venv/bin/python /venv/bin/jupyter-console --kernel python3", "jupyter console (pid 4242)"),
        ("/venv/bin/python /venv/bin/jupyter-lab --no-browser", "JupyterLab (pid 4242)"),
        ("/venv/bin/python -m jupyter_server", "kernel (pid 4242)"),
        ("/usr/lib/code-server/lib/node out/bootstrap-fork --type=extensionHost", "kernel (pid 4242)"),
        ("", "kernel (pid 4242)"),
    ],
)
def test_label_names_the_front_end_that_started_the_kernel(monkeypatch: pytest.MonkeyPatch, parent: str, label: str) -> None:
    monkeypatch.delenv(registry.LABEL_ENV, raising=False)
    assert registry.kernel_label(4242, parent=parent) == label


def test_a_kernel_started_by_jupyter_console_is_called_so_in_its_entry(runtime: Path, conn: Path) -> None:
    """A real parent process whose command line is jupyter-console's writes the entry."""
    script = runtime.parent / "jupyter-console"
    script.write_text(
        "import subprocess, sys\n"
        "code = ('import json, sys; from hotswap.kernel import registry; '\n"
        "        'print(json.dumps(registry.make_entry(sys.argv[1])))')\n"
        "sys.exit(subprocess.call([sys.executable, '-c', code, sys.argv[1]]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != registry.LABEL_ENV}
    out = subprocess.run([sys.executable, str(script), str(conn)], capture_output=True, text=True, env=env, check=True)
    entry = json.loads(out.stdout)
    if sys.platform.startswith("linux"):
        assert entry["label"] == f"jupyter console (pid {entry['pid']})"
    else:
        assert entry["label"] == f"kernel (pid {entry['pid']})"
