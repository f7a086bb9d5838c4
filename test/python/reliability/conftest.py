"""Fixtures for the reliability suite: the same real kernels (``kernel_support``) and the same
real language server over stdio (the fixtures of ``test/python/lsp``) the other suites use,
imported from there rather than copied."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _sibling in ("kernel", "lsp"):
    _p = str(_HERE.parent / _sibling)
    if _p not in sys.path:
        sys.path.insert(0, _p)


def _load_lsp_fixtures() -> object:
    spec = importlib.util.spec_from_file_location("hotswap_lsp_fixtures", _HERE.parent / "lsp" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


from kernel_support import kernel, runtime_dir  # noqa: E402,F401  (fixtures)

_lsp = _load_lsp_fixtures()
env = _lsp.env  # type: ignore[attr-defined]
workdir = _lsp.workdir  # type: ignore[attr-defined]
start_kernel = _lsp.start_kernel  # type: ignore[attr-defined]
server_factory = _lsp.server_factory  # type: ignore[attr-defined]
