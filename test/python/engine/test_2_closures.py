"""Behaviour 2: closures made by a factory before the edit run the new code when they can."""

from __future__ import annotations

import hotswap
from engine_support import Project

FACTORY = """
    def make_adder(n):
        def add(x):
            return x + n
        return add
"""


def test_closure_runs_new_code_when_free_variables_unchanged(project: Project) -> None:
    m = project.load("fact", FACTORY)
    add5 = m.make_adder(5)
    project.ns["add5"] = add5
    project.edit("fact", FACTORY.replace("return x + n", "return x * n"))
    report = project.reload("fact")
    assert add5(2) == 10
    assert m.make_adder(3)(2) == 6
    assert report.by_code("stale-closure") == []


def test_closure_with_changed_free_variables_is_reported_with_count(project: Project) -> None:
    m = project.load("fact2", FACTORY)
    project.ns["add1"] = m.make_adder(1)
    project.ns["adders"] = [m.make_adder(2), m.make_adder(3)]
    project.edit("fact2", """
        def make_adder(n, scale=1):
            def add(x):
                return (x + n) * scale
            return add
    """)
    report = project.reload("fact2")
    [d] = report.by_code("stale-closure")
    assert d.message.startswith("3 closures")
    assert "make_adder" in d.message
    assert sorted(d.names) == ["add1", "adders"]
    assert d.line == 1  # the inner `def add`, 0-based
    assert project.ns["add1"](1) == 2  # still runs, with the old code
    # recreating them clears the warning
    project.ns["add1"] = m.make_adder(1)
    project.ns["adders"] = []
    assert hotswap.stale(project.ns).by_code("stale-closure") == []


def test_lambda_made_by_factory_is_updated(project: Project) -> None:
    m = project.load("lam", """
        def make(n):
            return lambda x: x + n
    """)
    f = m.make(1)
    project.edit("lam", """
        def make(n):
            return lambda x: x - n
    """)
    project.reload("lam")
    assert f(5) == 4


def test_one_heap_pass_for_many_changed_closures(project: Project) -> None:
    from hotswap.engine import heap

    body = "\n".join(f"def f{i}(n):\n    def g(x):\n        return x + n\n    return g\n" for i in range(20))
    m = project.load("many", body)
    made = [getattr(m, f"f{i}")(i) for i in range(20)]
    project.edit("many", body.replace("x + n", "x - n"))
    before = heap.passes
    project.reload("many")
    assert heap.passes - before == 1
    assert [g(100) for g in made] == [100 - i for i in range(20)]
