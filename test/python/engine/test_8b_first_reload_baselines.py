"""Behaviour 8 for modules imported before hotswap was: the bytecode cache or the live objects
stand in for the source they were imported from."""

from __future__ import annotations

import py_compile

from engine_support import Project
from hotswap.engine import importhook

SOURCE = """
    import itertools

    LIMIT = 10
    cache = {}
    counter = itertools.count()

    def work(x, factor=2):
        return x * factor

    def other():
        return "other"
"""


def _forget_import(name: str) -> None:
    importhook._sources.pop(name, None)


def test_bytecode_cache_baseline(project: Project) -> None:
    m = project.load("early_pyc", SOURCE)
    py_compile.compile(str(project.path("early_pyc")), cfile=m.__cached__, doraise=True)
    _forget_import("early_pyc")
    m.cache["k"] = 1
    next(m.counter)
    other = m.other
    project.edit("early_pyc", SOURCE.replace("LIMIT = 10", "LIMIT = 20").replace("x * factor", "x * factor + 1"))
    report = project.reload("early_pyc")
    res = report.module("early_pyc")
    assert res.executed == ["line 3: LIMIT = 20"]
    assert res.patched == ["LIMIT", "work"]
    assert m.LIMIT == 20 and m.work(1) == 3
    assert m.cache == {"k": 1} and next(m.counter) == 1
    assert m.other is other


def test_no_baseline_patches_definitions_and_keeps_state(project: Project) -> None:
    m = project.load("early_none", SOURCE)
    _forget_import("early_none")
    m.cache["k"] = 1
    project.edit("early_none", SOURCE.replace("LIMIT = 10", "LIMIT = 20").replace("factor=2", "factor=3"))
    report = project.reload("early_none")
    res = report.module("early_none")
    assert res.status == "reloaded"
    assert m.work(1) == 3 and res.patched == ["LIMIT", "work"] and res.executed == ["line 3: LIMIT = 20"]
    # a constant is applied; nothing tells whether `cache = {}` changed, so the cache is kept
    assert m.LIMIT == 20 and m.cache == {"k": 1}
    [info] = report.by_code("no-baseline")
    assert info.severity == "information" and info.line == 2
    assert "(itertools, cache, counter)" in info.message and "set from the file: LIMIT" in info.message
    # and from then on the engine knows the source exactly
    assert project.reload("early_none").module("early_none").status == "unchanged"
