"""The import hook only records sources; imports behave exactly as without it."""

from __future__ import annotations

import sys

from engine_support import Project
from hotswap.engine import importhook


def test_hook_is_first_and_records_user_modules_only(project: Project) -> None:
    assert any(type(f).__name__ == "SourceRecorder" for f in sys.meta_path)
    project.load("recorded_mod", "VALUE = 1\n")
    digest, text = importhook.imported_source("recorded_mod")
    assert text == "VALUE = 1\n"
    import colorsys  # noqa: F401 - a standard library module

    assert importhook.imported_source("colorsys") is None


def test_failed_import_still_raises(project: Project) -> None:
    import importlib

    import pytest

    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("no_such_module_anywhere_xyz")
    project.write("broken_mod", "raise RuntimeError('at import')\n")
    with pytest.raises(RuntimeError):
        importlib.import_module("broken_mod")


def test_importlib_reload_in_between_is_taken_into_account(project: Project) -> None:
    import importlib

    m = project.load("mixed_reload", "calls = []\nX = 1\n")
    # a different size: importlib.reload trusts a .pyc written in the same second otherwise
    project.edit("mixed_reload", "calls = []\nX = 20\n")
    importlib.reload(m)
    m.calls.append("state")
    project.edit("mixed_reload", "calls = []\nX = 20\n\ndef f():\n    return X\n")
    report = project.reload("mixed_reload")
    assert report.module("mixed_reload").executed == []
    assert m.calls == ["state"] and m.f() == 20
