"""A real IPython ``InteractiveShell`` per test (not the global singleton), with a temp folder
on ``sys.path`` for the user's modules; modules imported from it are forgotten afterwards."""

from __future__ import annotations

import importlib
import itertools
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from hotswap.ipython import extension

_counter = itertools.count()


class Workspace:
    """Writes user modules with unique names and runs cells in a shell."""

    def __init__(self, root: Path, shell: InteractiveShell) -> None:
        self.root = root
        self.shell = shell

    def module(self, text: str, name: str | None = None) -> str:
        name = name or f"umod{next(_counter)}"
        self.write(name, text)
        return name

    def write(self, name: str, text: str) -> Path:
        path = self.root / f"{name.replace('.', '/')}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        importlib.invalidate_caches()
        return path

    def run(self, code: str) -> Any:
        """Run a cell; raise what it raised (magics errors included)."""
        result = self.shell.run_cell(code, store_history=True)
        if result.error_before_exec is not None:
            raise result.error_before_exec
        if result.error_in_exec is not None:
            raise result.error_in_exec
        return result.result

    def ns(self, name: str) -> Any:
        return self.shell.user_ns[name]


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[InteractiveShell]:
    cfg = Config()
    cfg.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell(config=cfg)
    before = set(sys.modules)
    yield sh
    extension.unload(sh)
    for name in set(sys.modules) - before:
        f = getattr(sys.modules.get(name), "__file__", None) or ""
        if f.startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture
def ws(tmp_path: Path, shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    root = tmp_path / "src"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return Workspace(root, shell)


@pytest.fixture
def loaded(ws: Workspace) -> Workspace:
    """A workspace whose shell ran ``%load_ext hotswap``."""
    ws.run("%load_ext hotswap")
    return ws


def wait_for(cond: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``cond`` until truthy (no fixed sleeps)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)
