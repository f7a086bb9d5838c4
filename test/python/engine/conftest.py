"""Fixtures for engine tests: real files in a temporary folder, imported for real."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Iterator

import pytest
from engine_support import Project

from hotswap.engine.stale import TRACKER


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    root = tmp_path / "proj"
    root.mkdir()
    sys.path.insert(0, str(root))
    TRACKER.__init__()  # stale objects of earlier tests are not this test's business
    try:
        yield Project(root)
    finally:
        sys.path.remove(str(root))
        for name, module in list(sys.modules.items()):
            if str(root) in (getattr(module, "__file__", None) or ""):
                del sys.modules[name]
        importlib.invalidate_caches()
        TRACKER.__init__()
