"""Helpers for engine tests: a project folder of real modules that tests import and edit."""

from __future__ import annotations

import importlib
import textwrap
import types
from pathlib import Path
from typing import Any

import hotswap
from hotswap.engine import Report


class Project:
    """A folder on sys.path where tests write modules, import them and edit them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ns: dict[str, Any] = {"__name__": "__main__"}

    def path(self, module: str, package: bool = False) -> Path:
        parts = module.split(".")
        if package:
            return self.root.joinpath(*parts, "__init__.py")
        return self.root.joinpath(*parts[:-1], parts[-1] + ".py")

    def write(self, module: str, text: str, package: bool = False) -> Path:
        p = self.path(module, package)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    def load(self, module: str, text: str | None = None, package: bool = False) -> types.ModuleType:
        if text is not None:
            self.write(module, text, package)
        importlib.invalidate_caches()
        return importlib.import_module(module)

    def run(self, code: str) -> None:
        """Execute code as the user would in their namespace (a notebook cell)."""
        exec(textwrap.dedent(code), self.ns)

    def edit(self, module: str, text: str, package: bool = False) -> Path:
        return self.write(module, text, package)

    def reload(self, *modules: str, package: bool = False, **kw: Any) -> Report:
        paths = [str(self.path(m, package)) for m in modules]
        kw.setdefault("namespace", self.ns)
        return hotswap.reload(paths=paths, **kw)


def messages(report: Report, code: str) -> list[str]:
    return [d.message for d in report.diagnostics if d.code == code]
