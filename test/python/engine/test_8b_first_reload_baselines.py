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
    assert m.work(1) == 3 and res.patched == ["work"] and res.executed == []
    # nothing tells whether `cache = {}` or `LIMIT = 20` changed (LIMIT may have been set while
    # the program ran): both keep the module's value, and the user is told how to apply the file's
    assert m.LIMIT == 10 and m.cache == {"k": 1}
    [info] = report.by_code("no-baseline")
    assert info.severity == "information" and info.line == 2
    assert "(itertools, cache, counter)" in info.message
    assert "LIMIT is 10 (line 3 of the file: 20)" in info.message and "run `early_none.LIMIT = 20`" in info.message
    # and from then on the engine knows the source exactly: the file just read is the baseline;
    # each reload still says that LIMIT differs from the file (the editor shows the last report)
    report = project.reload("early_none")
    assert report.module("early_none").status == "unchanged" and m.LIMIT == 10
    [info] = report.by_code("no-baseline")
    assert info.line == 2 and info.message.startswith("Still kept from the first reload")
    assert "LIMIT is 10 (line 3 of the file: 20). To use the file's value, run `early_none.LIMIT = 20`" in info.message
    project.edit("early_none", SOURCE.replace("LIMIT = 10", "LIMIT = 30").replace("factor=2", "factor=3"))
    report = project.reload("early_none")
    assert report.module("early_none").executed == ["line 3: LIMIT = 30"] and not report.by_code("no-baseline")
    assert m.LIMIT == 30 and m.cache == {"k": 1}


def test_no_baseline_keeps_a_counter_the_program_advanced(project: Project) -> None:
    m = project.load("early_count", "COUNT = 0\nBIG = 'x' * 2\nPAIR = (1, 2)\n\ndef bump():\n    global COUNT\n    COUNT += 1\n")
    _forget_import("early_count")
    for _ in range(5):
        m.bump()
    m.PAIR = (1, 3)
    project.edit("early_count", "COUNT = 0\nBIG = 'x' * 2\nPAIR = (1, 2)\n\ndef bump():\n    global COUNT\n    COUNT += 2\n")
    report = project.reload("early_count")
    assert report.module("early_count").executed == [] and m.COUNT == 5 and m.PAIR == (1, 3)
    m.bump()
    assert m.COUNT == 7
    [info] = report.by_code("no-baseline")
    assert info.line == 0  # COUNT = 0
    assert "(BIG)" in info.message
    assert "COUNT is 5 (line 1 of the file: 0), PAIR is (1, 3) (line 3 of the file: (1, 2))." in info.message
    assert "run `early_count.COUNT = 0` (likewise for the others)" in info.message
    # later reloads name what still differs, until the user applies the file's value
    project.edit("early_count", "COUNT = 0\nBIG = 'x' * 2\nPAIR = (1, 2)\n\ndef bump():\n    global COUNT\n    COUNT += 3\n")
    [info] = project.reload("early_count").by_code("no-baseline")
    assert "COUNT is 7 (line 1 of the file: 0), PAIR is (1, 3) (line 3 of the file: (1, 2))." in info.message
    m.PAIR = (1, 2)
    [info] = project.reload("early_count").by_code("no-baseline")
    assert "COUNT is 7 (line 1 of the file: 0). To use" in info.message and "PAIR" not in info.message
    m.COUNT = 0
    assert project.reload("early_count").by_code("no-baseline") == []
    m.COUNT = 4
    assert project.reload("early_count").by_code("no-baseline") == []  # forgotten once it matched
