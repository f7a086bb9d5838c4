"""Cases the differential fuzzer found: a closure made before its factory moved in the file,
and a cached function calling a function wrapped by an edited decorator."""

from __future__ import annotations

import textwrap

from engine_support import Project

SRC = """
    def other():
        return 1

    def make_adder(n):
        def add(x):
            return x + n
        return add
"""


def test_closure_follows_edits_after_its_factory_moved(project: Project) -> None:
    project.load("moved", SRC)
    project.run("from moved import make_adder\nadd5 = make_adder(5)")
    project.edit("moved", SRC.replace("return 1", "x = 1\n        return x"))  # moves make_adder down a line
    assert project.reload("moved").ok
    assert project.ns["add5"](1) == 6
    project.edit("moved", SRC.replace("return 1", "x = 1\n        return x").replace("return x + n", "return x + n * 10"))
    report = project.reload("moved")
    assert report.by_code("stale-closure") == []
    assert project.ns["add5"](1) == 51


def test_closure_follows_edits_after_a_class_above_grew(project: Project) -> None:
    src = "class A:\n    def m(self):\n        return 1\n\n" + textwrap.dedent(SRC).lstrip("\n")
    project.load("moved2", src)
    project.run("from moved2 import make_adder\nadd5 = make_adder(5)")
    grown = src.replace("        return 1\n", "        return 1\n\n    def k(self):\n        return 2\n")
    project.edit("moved2", grown)
    assert project.reload("moved2").ok
    project.edit("moved2", grown.replace("return x + n", "return x - n"))
    project.reload("moved2")
    assert project.ns["add5"](1) == -4


def test_cache_over_a_function_whose_decorator_changed_is_cleared(project: Project) -> None:
    src = """
        import functools

        def deco(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return fn(*args) + 1000
            return wrapper

        @deco
        def base(x):
            return x

        @functools.lru_cache(maxsize=None)
        def cached(x):
            return base(x) * 2
    """
    m = project.load("wrapped", src)
    assert m.cached(1) == 2002
    project.edit("wrapped", src.replace("+ 1000", "+ 2000"))
    report = project.reload("wrapped")
    assert m.base(1) == 2001
    assert m.cached(1) == 4002
    assert any("cached" in d.message for d in report.by_code("cache-cleared"))
