"""Behaviour 8: edits to definitions do not re-run other top-level statements."""

from __future__ import annotations

import hotswap
from engine_support import Project

STATEFUL = """
    import itertools

    calls = []
    cache = {}
    counter = itertools.count()
    connection = object()

    def work(x):
        calls.append(x)
        return x + 1
"""


def test_definitions_only_edit_keeps_module_state(project: Project) -> None:
    m = project.load("state", STATEFUL)
    m.work(1)
    m.cache["k"] = "v"
    next(m.counter)
    conn = m.connection
    project.edit("state", STATEFUL.replace("return x + 1", "return x + 100"))
    report = project.reload("state")
    assert report.module("state").executed == []
    assert m.work(1) == 101
    assert m.calls == [1, 1]
    assert m.cache == {"k": "v"}
    assert next(m.counter) == 1
    assert m.connection is conn


def test_changed_top_level_statement_is_executed_and_reported(project: Project) -> None:
    m = project.load("state2", STATEFUL)
    m.cache["k"] = "v"
    conn = m.connection
    project.edit("state2", STATEFUL.replace("cache = {}", "cache = {'fresh': True}"))
    report = project.reload("state2")
    assert report.module("state2").executed == ["line 4: cache = {'fresh': True}"]
    assert m.cache == {"fresh": True}
    assert m.connection is conn


def test_module_marker_opts_into_full_reexecution(project: Project) -> None:
    m = project.load("full", "__hotswap_full_reload__ = True\n" + STATEFUL.replace("\n    ", "\n").lstrip("\n"))
    m.cache["k"] = "v"
    work = m.work
    project.edit("full", "__hotswap_full_reload__ = True\n" + STATEFUL.replace("\n    ", "\n").lstrip("\n").replace("x + 1", "x + 2"))
    report = project.reload("full")
    assert report.module("full").strategy == "full"
    assert m.cache == {}
    assert m.work is work and work(1) == 3


def test_global_option_and_argument_opt_into_full_reexecution(project: Project) -> None:
    m = project.load("opt", STATEFUL)
    m.cache["k"] = "v"
    project.edit("opt", STATEFUL.replace("x + 1", "x + 5"))
    report = project.reload("opt", preserve_state=False)
    assert report.module("opt").strategy == "full"
    assert m.cache == {}
    m.cache["k"] = "v"
    project.edit("opt", STATEFUL.replace("x + 1", "x + 6"))
    try:
        hotswap.engine.configure(preserve_state=False)
        report = project.reload("opt")
    finally:
        hotswap.engine.configure(preserve_state=True)
    assert report.module("opt").strategy == "full"
    assert m.cache == {} and m.work(0) == 6


def test_identical_content_twice_is_unchanged(project: Project) -> None:
    m = project.load("same", STATEFUL)
    project.edit("same", STATEFUL.replace("x + 1", "x + 2"))
    assert project.reload("same").module("same").status == "reloaded"
    report = project.reload("same")
    assert report.module("same").status == "unchanged"
    assert report.module("same").executed == []
    assert m.work(1) == 3


def test_unedited_file_is_unchanged_on_first_reload(project: Project) -> None:
    project.load("untouched", STATEFUL)
    assert project.reload("untouched").module("untouched").status == "unchanged"


def test_main_is_never_reexecuted_and_unknown_file_is_skipped(project: Project, tmp_path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text("X = 1\n")
    report = hotswap.reload(paths=[str(stray)], namespace=project.ns)
    assert [m.status for m in report.modules] == ["skipped"]
    assert report.diagnostics == []
    report = hotswap.reload(modules=["__main__"], namespace=project.ns)
    assert report.modules[0].status == "skipped"


def test_changed_definition_needing_a_deleted_name_falls_back_to_full_run(project: Project) -> None:
    src = """
        import re

        def is_blank(line, pat=re.compile(r"\\s*$").match):
            return pat(line) is not None

        del re
    """
    m = project.load("deleted_name", src)
    f = m.is_blank
    project.edit("deleted_name", src.replace("return pat(line) is not None", "return bool(pat(line))"))
    report = project.reload("deleted_name")
    res = report.module("deleted_name")
    assert res.status == "reloaded" and res.strategy == "full"
    assert [d.code for d in report.diagnostics] == ["full-reload"]
    assert m.is_blank is f and f("  ") is True
    assert not hasattr(m, "re")
