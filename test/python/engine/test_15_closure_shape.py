"""Behaviour 15: functions whose closure changed shape still run the new code through earlier references."""

from __future__ import annotations

import inspect

from engine_support import Project

SRC = """
    class Base:
        def greet(self, name):
            return "hi " + name

    class Child(Base):
        def greet(self, name):
            return "child " + name
"""
WITH_SUPER = SRC.replace('return "child " + name', 'return "child+" + super().greet(name)')


def test_method_starting_to_use_super_runs_through_old_references(project: Project) -> None:
    m = project.load("family", SRC)
    obj = m.Child()
    bound = obj.greet
    callbacks = [obj.greet, m.Child.greet]
    project.run("from family import Child\nplain = Child.greet")
    project.ns["_ih"] = ["", "from family import Child\nplain = Child.greet"]
    project.edit("family", WITH_SUPER)
    report = project.reload("family")
    assert report.module("family").status == "reloaded"
    assert obj.greet("ada") == "child+hi ada"
    assert bound("ada") == "child+hi ada"
    assert [cb("ada") if i == 0 else cb(obj, "ada") for i, cb in enumerate(callbacks)] == ["child+hi ada"] * 2
    assert project.ns["plain"](obj, "ada") == "child+hi ada"
    assert isinstance(obj, m.Child)
    assert str(inspect.signature(bound)) == "(name)"


def test_method_stopping_to_use_super_and_back_again(project: Project) -> None:
    m = project.load("family2", WITH_SUPER)
    obj = m.Child()
    bound = obj.greet
    project.edit("family2", SRC)
    project.reload("family2")
    assert bound("bo") == "child bo"
    project.edit("family2", WITH_SUPER.replace("child+", "CHILD+"))
    project.reload("family2")
    assert bound("bo") == "CHILD+hi bo"
    project.edit("family2", SRC.replace('"child "', '"kid "'))
    project.reload("family2")
    assert bound("bo") == "kid bo"
    assert m.Child.greet.__code__.co_name == "greet"


def test_decorator_with_another_closure_shape_old_references_run_new_code(project: Project) -> None:
    src = """
        def twice(fn):
            def wrapper(*a):
                return [fn(*a), fn(*a)]
            return wrapper

        def times(n):
            def deco(fn):
                def wrapper(*a):
                    return [fn(*a)] * n
                return wrapper
            return deco

        @twice
        def value(x):
            return x
    """
    m = project.load("shapes", src)
    held = [m.value]
    project.edit("shapes", src.replace("@twice", "@times(3)").replace("return x\n", "return x + 1\n"))
    project.reload("shapes")
    assert m.value(1) == [2, 2, 2]
    assert held[0](1) == [2, 2, 2]


def test_closure_gaining_a_free_variable_is_reported_with_its_holder(project: Project) -> None:
    src = """
        def make_adder(n):
            def add(x):
                return x + n
            return add
    """
    m = project.load("factory_shape", src)
    project.run("import factory_shape\nadd5 = factory_shape.make_adder(5)")
    project.edit("factory_shape", """
        def make_adder(n, k=2):
            def add(x):
                return x + n * k
            return add
    """)
    report = project.reload("factory_shape")
    diags = report.by_code("stale-closure")
    assert len(diags) == 1 and diags[0].names == ["add5"]
    assert m.make_adder(5)(1) == 11


def test_forwarding_method_survives_lines_moving_above_it(project: Project) -> None:
    m = project.load("family3", SRC)
    obj = m.Child()
    bound = obj.greet
    project.edit("family3", WITH_SUPER)
    project.reload("family3")
    project.edit("family3", "# a comment\n# and another\n" + WITH_SUPER.replace("\n    ", "\n").lstrip("\n"))
    report = project.reload("family3")
    assert report.module("family3").status in ("reloaded", "unchanged")
    assert report.by_code("internal-error") == []
    assert bound("cy") == "child+hi cy"
    try:
        m.Child().greet(None)
    except TypeError as exc:
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith("family3.py"):
                frames.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
            tb = tb.tb_next
        # the old method forwards from its def line, the new one calls super(), Base fails
        assert frames == [("greet", 8), ("greet", 9), ("greet", 5)]
