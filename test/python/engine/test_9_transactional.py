"""Behaviour 9: a failed reload changes nothing and says where and why."""

from __future__ import annotations

import pytest
from engine_support import Project

GOOD = """
    VALUE = 1

    def f():
        return "old"
"""


def test_syntax_error_changes_nothing_and_reports_position(project: Project) -> None:
    m = project.load("syn", GOOD)
    before = dict(m.__dict__)
    project.edit("syn", """
        VALUE = 2

        def f(:
            return "new"
    """)
    report = project.reload("syn")
    assert report.module("syn").status == "failed"
    [d] = report.by_code("syntax-error")
    assert d.severity == "error"
    assert d.line == 2 and d.character == 6
    assert m.__dict__ == before and m.f() == "old"


def test_exception_restores_namespace_exactly(project: Project) -> None:
    m = project.load("exc", GOOD)
    before = dict(m.__dict__)
    f = m.f
    project.edit("exc", """
        VALUE = 2
        NEW = 3

        def f():
            return "new"

        del VALUE
        raise RuntimeError("config missing")
    """)
    report = project.reload("exc")
    assert report.module("exc").status == "failed"
    [d] = report.by_code("reload-error")
    assert d.line == 7
    assert "RuntimeError: config missing" in d.message
    assert list(m.__dict__) == list(before)
    assert all(m.__dict__[k] is v for k, v in before.items())
    assert "NEW" not in m.__dict__ and m.VALUE == 1
    assert m.f is f and f() == "old"


def test_exception_in_called_function_points_at_line_in_file(project: Project) -> None:
    m = project.load("exc2", GOOD)
    project.edit("exc2", """
        def helper():
            return 1 / 0

        VALUE = helper()

        def f():
            return "new"
    """)
    report = project.reload("exc2")
    [d] = report.by_code("reload-error")
    assert d.line == 1  # the innermost line in this file: `return 1 / 0`
    assert "ZeroDivisionError" in d.message
    assert m.f() == "old" and m.VALUE == 1


def test_sys_exit_at_import_is_caught(project: Project) -> None:
    m = project.load("quits", GOOD)
    project.edit("quits", """
        import sys
        VALUE = 2
        sys.exit(3)
    """)
    report = project.reload("quits")
    assert report.module("quits").status == "failed"
    [d] = report.by_code("reload-error")
    assert "sys.exit(3)" in d.message
    assert (d.line, d.character, d.end_character) == (2, 0, 11)  # `sys.exit(3)`
    assert m.VALUE == 1


def test_non_utf8_source_is_reported(project: Project) -> None:
    m = project.load("latin", GOOD)
    project.path("latin").write_bytes(b"VALUE = '\xe9t\xe9'\n")
    report = project.reload("latin")
    assert report.module("latin").status == "failed"
    [d] = report.by_code("decode-error")
    assert "not valid UTF-8" in d.message and "coding: latin-1" in d.message
    assert (d.line, d.character) == (0, 9)  # the first byte that does not decode
    assert m.VALUE == 1


def test_encoding_declaration_is_honoured(project: Project) -> None:
    m = project.load("declared", GOOD)
    project.path("declared").write_bytes(b"# -*- coding: latin-1 -*-\nVALUE = '\xe9t\xe9'\n\ndef f():\n    return 'old'\n")
    report = project.reload("declared")
    assert report.module("declared").status == "reloaded"
    assert m.VALUE == "\u00e9t\u00e9"


def test_deleted_file_is_reported_and_module_kept(project: Project) -> None:
    m = project.load("vanish", GOOD)
    path = project.path("vanish")
    path.unlink()
    report = project.reload("vanish", namespace={})
    # the path no longer resolves to a file, but the module still comes from it
    [d] = report.by_code("file-missing")
    assert d.file == str(path)
    assert m.f() == "old"


def test_emptied_file_is_reported_and_module_kept(project: Project) -> None:
    m = project.load("emptied", GOOD)
    project.path("emptied").write_text("")
    report = project.reload("emptied")
    [d] = report.by_code("empty-file")
    assert d.severity == "warning"
    assert m.f() == "old" and m.VALUE == 1


def test_failed_reload_then_fixed_reload_works(project: Project) -> None:
    m = project.load("retry", GOOD)
    project.edit("retry", GOOD.replace('"old"', '"new"') + "\n    raise ValueError('x')\n")
    assert project.reload("retry").module("retry").status == "failed"
    project.edit("retry", GOOD.replace('"old"', '"new"'))
    assert project.reload("retry").module("retry").status == "reloaded"
    assert m.f() == "new"


BAD_INPUTS = {
    "syntax-error": b"VALUE = 2\ndef f(:\n",
    "reload-error": b"VALUE = 2\nNEW = 1\nraise KeyError('k')\n",
    "sys-exit": b"VALUE = 2\nimport sys\nsys.exit()\n",
    "decode-error": b"VALUE = '\xff'\n",
    "empty-file": b"",
    "file-missing": None,
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_loses_nothing(project: Project, case: str) -> None:
    name = "bad_" + case.replace("-", "_")
    m = project.load(name, GOOD)
    project.run(f"from {name} import f, VALUE")
    before = dict(m.__dict__)
    f_code = m.f.__code__
    content = BAD_INPUTS[case]
    if content is None:
        project.path(name).unlink()
    else:
        project.path(name).write_bytes(content)
    report = project.reload(name)
    assert report.module(name).status == "failed"
    [d] = report.diagnostics
    assert d.file == str(project.path(name)) and d.message
    assert list(m.__dict__) == list(before)
    assert all(m.__dict__[k] is v for k, v in before.items())
    assert m.f.__code__ is f_code and project.ns["f"]() == "old" and project.ns["VALUE"] == 1
