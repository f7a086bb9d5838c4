"""Parsing only the edited lines must always give what a full parse gives."""

from __future__ import annotations

import random
import traceback

from engine_support import Project
from hotswap.engine.incremental import parse_changed, parse_full
from hotswap.engine.source import Source

BASE = """import os

X = 1


def a():
    return 1


def b():
    return 2


class C:
    def m(self):
        return 3

    def boom(self):
        raise ValueError("boom")


if X:
    Y = 1
"""


def _src(text: str) -> Source:
    return Source("m.py", text, str(hash(text)))


def _view(parsed):  # what callers rely on: statement texts and spans
    return [(s.key, s.first, s.end, s.names, s.def_name) for s in parsed.stmts]


def test_incremental_equals_full_parse_for_many_edits() -> None:
    rng = random.Random(7)
    lines = BASE.splitlines(True)
    snippets = ["Z = 5\n", "\n", "# comment\n", "def d():\n    return 4\n", "    return 9\n", "@staticmethod\n",
                "else:\n    Y = 2\n", "class E:\n    pass\n", "x = (\n", ")\n", '"""\n', "if X:\n", "    pass\n"]
    old = BASE
    old_parsed = parse_full(_src(old), "m.py")
    checked = 0
    for _ in range(400):
        new_lines = list(lines)
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(len(new_lines) + 1)
            if rng.random() < 0.3 and new_lines:
                del new_lines[min(i, len(new_lines) - 1)]
            else:
                new_lines.insert(i, rng.choice(snippets))
        new = "".join(new_lines)
        try:
            full = parse_full(_src(new), "m.py")
        except Exception:
            continue  # the edit is not valid Python: the engine reports the full parse's error
        inc = parse_changed(old, old_parsed.stmts, 0, _src(new), "m.py")
        if inc is not None:
            assert _view(inc) == _view(full), new
            checked += 1
        old, old_parsed = new, full
    assert checked > 50


def test_decorator_added_above_unchanged_function(project: Project) -> None:
    m = project.load("deco_inc", BASE)
    project.edit("deco_inc", BASE.replace("def b():", "@staticmethod\ndef b():"))
    project.reload("deco_inc")
    assert isinstance(m.b, staticmethod)


def test_else_added_to_top_level_if(project: Project) -> None:
    m = project.load("else_inc", BASE.replace("if X:", "if not X:"))
    project.edit("else_inc", BASE.replace("if X:", "if not X:") + "else:\n    Y = 2\n")
    report = project.reload("else_inc")
    assert m.Y == 2
    assert report.module("else_inc").executed[0].startswith("line 22: if not X:")


def test_lines_inserted_above_move_tracebacks_of_methods_below(project: Project) -> None:
    m = project.load("shift_inc", BASE)
    c = m.C()
    project.edit("shift_inc", BASE.replace("X = 1\n", "X = 1\nW = 2\nV = 3\n"))
    report = project.reload("shift_inc")
    assert report.module("shift_inc").executed == ["line 4: W = 2", "line 5: V = 3"]
    try:
        c.boom()
    except ValueError as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1]
        assert last.lineno == 21
        assert 'raise ValueError("boom")' in last.line
    assert m.a.__code__.co_firstlineno == 8


def test_string_opened_by_edit_swallows_code_below(project: Project) -> None:
    m = project.load("swallow_inc", BASE)
    project.edit("swallow_inc", BASE.replace("def b():", 'DOC = """\ndef b():').replace("class C:", '"""\nclass C:'))
    report = project.reload("swallow_inc")
    assert report.module("swallow_inc").removed == ["b"]
    assert "def b()" in m.DOC


def test_aliased_method_is_moved_once(project: Project) -> None:
    src = BASE.replace("    def boom(self):", "    alias = m\n\n    def boom(self):")
    m = project.load("alias_inc", src)
    project.edit("alias_inc", src.replace("X = 1\n", "X = 1\nW = 2\n"))
    project.reload("alias_inc")
    assert m.C.m.__code__.co_firstlineno == 16
    assert m.C.alias is m.C.m
