"""The kernel registry: one small JSON file per kernel that has hotswap loaded.

Editors find running kernels here without asking the user for a connection file. An entry
names the kernel's connection file, which holds the key that signs code sent to the kernel,
so entries are private (folder 0700, file 0600) and readers trust only entries that belong
to the current user and that nobody else can write. Entries of processes that ended without
cleaning up (killed kernels) are skipped by readers.

Standard library only: this runs inside users' kernels. ``jupyter_core`` is used when it is
importable (it is in every Jupyter kernel) to find the runtime dir exactly as Jupyter does.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import time
from typing import Any, Optional

SUBDIR = "hotswap"
PREFIX = "kernel-"
SUFFIX = ".json"


def runtime_dir() -> str:
    """Jupyter's runtime dir (where connection files live), the way Jupyter computes it."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        pass
    else:
        return str(jupyter_runtime_dir())
    env = os.environ.get("JUPYTER_RUNTIME_DIR")
    if env:
        return env
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Jupyter/runtime")
    if os.name == "nt":
        appdata = os.environ.get("APPDATA") or os.path.expanduser("~")
        return os.path.join(appdata, "jupyter", "runtime")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(data_home, "jupyter", "runtime")


def registry_dir() -> str:
    """``<runtime dir>/hotswap``: the folder holding one entry per announced kernel."""
    return os.path.join(runtime_dir(), SUBDIR)


def entry_path(pid: Optional[int] = None, directory: Optional[str] = None) -> str:
    """Path of the entry for ``pid`` (default: this process)."""
    return os.path.join(directory or registry_dir(), f"{PREFIX}{os.getpid() if pid is None else pid}{SUFFIX}")


class TrustProblem(str):
    """A reason a registry file or folder is not trusted that its owner can fix (a symbolic
    link, another user's, open to other users): readers tell the user, where other skipped
    entries (ended, unreadable) are only logged."""


def untrusted_reason(path: str, *, secret: bool = False) -> Optional[str]:
    """Why ``path`` must not be trusted, or None: it must be a regular file of ours (not a
    symbolic link to one) that nobody else can write; with ``secret`` (a connection file,
    which holds the key that runs code in the kernel) nobody else may read it either."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return TrustProblem(f"{path} is a symbolic link; only the file itself is trusted")
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return TrustProblem(f"{path} belongs to another user")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return TrustProblem(f"{path} is writable by other users")
    if secret and os.name != "nt" and st.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        return TrustProblem(f"{path} can be read by other users, and it holds the key that lets anyone run code in "
                            f"the kernel; make it private with `chmod 600 {path}` and try again")
    return None


def untrusted_dir_reason(directory: str) -> Optional[str]:
    """Why the registry folder must not be read, or None: it must be a real folder of ours
    that nobody else can write (checked on every read: it may change while we run)."""
    try:
        st = os.lstat(directory)
    except OSError as exc:
        return f"cannot read {directory}: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return TrustProblem(f"{directory} is a symbolic link; the kernel registry must be a real folder")
    if not stat.S_ISDIR(st.st_mode):
        return f"{directory} is not a folder"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return TrustProblem(f"{directory} belongs to another user; its kernel entries are not read")
    if os.name != "nt" and st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return TrustProblem(f"{directory} is writable by other users; its kernel entries are not read (run `chmod 700 {directory}`)")
    return None


def pid_alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie counts as ended)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # type: ignore[attr-defined]
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)  # type: ignore[attr-defined]
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def ensure_dir(directory: Optional[str] = None) -> str:
    """Create the registry folder (0700) if needed; refuse one that another user owns."""
    directory = directory or registry_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    st = os.stat(directory)
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise PermissionError(f"{directory} belongs to another user; not writing a registry entry there")
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(directory, 0o700)
    return directory


LABEL_ENV = "HOTSWAP_KERNEL_LABEL"

# What started the kernel, by the parent process's command line: the name users know it by.
_PARENTS = (
    ("jupyter-console", "jupyter console"),
    ("jupyter-qtconsole", "Jupyter QtConsole"),
    ("jupyter-lab", "JupyterLab"),
    ("jupyter-notebook", "Jupyter Notebook"),
    ("jupyter-server", "Jupyter Server"),
    ("jupyter-nbclassic", "Jupyter Notebook"),
)


def parent_cmdline(pid: Optional[int] = None) -> str:
    """The command line of this process's parent, '' where it cannot be read (not Linux)."""
    ppid = os.getppid() if pid is None else pid
    try:
        with open(f"/proc/{ppid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def kernel_label(pid: Optional[int] = None, parent: Optional[str] = None) -> str:
    """What the user calls this kernel, for every place an editor names it: the label the
    program that started it set in $HOTSWAP_KERNEL_LABEL ("Hot Reload Console"), else the
    front end that started it with the pid ("jupyter console (pid 4242)"), else "kernel (pid N)"."""
    pid = os.getpid() if pid is None else pid
    given = os.environ.get(LABEL_ENV, "").strip()
    if given:
        return given
    cmdline = parent_cmdline() if parent is None else parent
    for needle, name in _PARENTS:
        if needle in cmdline or needle.replace("-", " ", 1) in cmdline:
            return f"{name} (pid {pid})"
    return f"kernel (pid {pid})"


def make_entry(connection_file: str, *, pid: Optional[int] = None, cwd: Optional[str] = None) -> dict[str, Any]:
    """The entry's content for this process."""
    from .._version import __version__

    pid = os.getpid() if pid is None else pid
    return {
        "pid": pid,
        "label": kernel_label(pid),
        "connection_file": os.path.abspath(connection_file),
        "cwd": cwd if cwd is not None else os.getcwd(),
        "python": sys.executable,
        "python_version": "%d.%d.%d" % sys.version_info[:3],
        "hotswap": __version__,
        "started": time.time(),
    }


def write_entry(connection_file: str, *, pid: Optional[int] = None, cwd: Optional[str] = None,
                directory: Optional[str] = None) -> str:
    """Announce a kernel: write its entry atomically with mode 0600 and return its path.

    Written to a temporary file and renamed, so a reader never sees half an entry.
    """
    directory = ensure_dir(directory)
    entry = make_entry(connection_file, pid=pid, cwd=cwd)
    target = entry_path(entry["pid"], directory)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=directory)  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, indent=1)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def remove_entry(pid: Optional[int] = None, directory: Optional[str] = None) -> bool:
    """Withdraw a kernel's entry; True if one was removed. Never raises (runs at exit)."""
    try:
        os.unlink(entry_path(pid, directory))
        return True
    except OSError:
        return False


def read_entries(directory: Optional[str] = None, *, skipped: Optional[list[str]] = None) -> list[dict[str, Any]]:
    """Live, trusted entries (each with its file in ``"path"``), oldest first.

    Entries of ended processes, entries and connection files not owned by the current user
    or writable by others, and unreadable files are left out; when ``skipped`` is given, the
    reason for each left-out file (other than ended processes) is appended to it.
    """
    directory = directory or registry_dir()
    notes: list[str] = skipped if skipped is not None else []
    if not os.path.exists(directory):
        return []
    reason = untrusted_dir_reason(directory)
    if reason:
        notes.append(reason)
        return []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    entries: list[dict[str, Any]] = []
    for name in names:
        if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
            continue
        path = os.path.join(directory, name)
        reason = untrusted_reason(path)
        if reason:
            notes.append(reason)
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                raw = json.load(fh)
        except (OSError, ValueError) as exc:
            notes.append(f"{path}: unreadable ({exc})")
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("pid"), int) or not isinstance(raw.get("connection_file"), str):
            notes.append(f"{path}: not a hotswap registry entry")
            continue
        if not pid_alive(raw["pid"]):
            continue
        reason = untrusted_reason(raw["connection_file"], secret=True)
        if reason:
            notes.append(reason)
            continue
        raw["path"] = path
        entries.append(raw)
    entries.sort(key=lambda e: (e.get("started") or 0.0, e["pid"]))
    return entries
