"""Syntax from 3.12 on (PEP 695 generics and ``type`` aliases) and inlined comprehensions.

Generic functions and classes compile to an extra scope holding the type parameters; from
3.12 comprehensions are inlined into the function that contains them (PEP 709). Patching in
place must work through both. The module sources are plain text, so this file is collected on
every version; the generic-syntax tests are skipped before 3.12, the comprehension tests run
everywhere.
"""

from __future__ import annotations

import sys

import pytest
from engine_support import Project

needs_312 = pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 generic syntax exists from Python 3.12")


@needs_312
def test_generic_function_body_change_reaches_old_references(project: Project) -> None:
    m = project.load("gen_func", "def first[T](items: list[T]) -> T:\n    return items[0]\n")
    project.run("from gen_func import first")
    old = m.first
    (old_t,) = old.__type_params__
    project.edit("gen_func", "def first[T](items: list[T]) -> T:\n    return items[-1]\n")
    report = project.reload("gen_func")
    assert report.ok and report.diagnostics == []
    assert m.first is old and project.ns["first"] is old
    assert old([1, 2, 3]) == 3
    assert [p.__name__ for p in old.__type_params__] == ["T"]
    assert old.__type_params__[0] is not None and old_t.__name__ == "T"


@needs_312
def test_generic_function_gaining_a_type_parameter(project: Project) -> None:
    m = project.load("gen_func2", "def pair[T](a: T, b: T) -> tuple[T, T]:\n    return (a, b)\n")
    old = m.pair
    project.edit("gen_func2", "def pair[T, U](a: T, b: U) -> tuple[U, T]:\n    return (b, a)\n")
    assert project.reload("gen_func2").ok
    assert m.pair is old and old(1, "x") == ("x", 1)
    assert [p.__name__ for p in old.__type_params__] == ["T", "U"]


@needs_312
def test_generic_class_method_change_reaches_old_instances(project: Project) -> None:
    m = project.load("gen_class", """
        class Box[T]:
            def __init__(self, item: T) -> None:
                self.item = item

            def get(self) -> T:
                return self.item

            def kind(self) -> str:
                return T.__name__
    """)
    cls = m.Box
    box = cls[int](5)
    project.edit("gen_class", """
        class Box[T]:
            def __init__(self, item: T) -> None:
                self.item = item

            def get(self) -> T:
                return self.item * 2

            def kind(self) -> str:
                return "kind " + T.__name__
    """)
    report = project.reload("gen_class")
    assert report.ok and report.diagnostics == []
    assert m.Box is cls and box.get() == 10 and box.kind() == "kind T"
    assert [p.__name__ for p in cls.__type_params__] == ["T"]
    assert cls[str]("a").get() == "aa"  # subscripting the old generic class still works


@needs_312
def test_type_alias_change_rebinds_the_imported_name(project: Project) -> None:
    m = project.load("gen_alias", "type Pair = tuple[int, int]\n\ndef size(p: Pair) -> int:\n    return len(p)\n")
    project.run("from gen_alias import Pair")
    project.edit("gen_alias", "type Pair = tuple[str, str]\n\ndef size(p: Pair) -> int:\n    return len(p)\n")
    report = project.reload("gen_alias")
    assert report.ok
    assert m.Pair.__value__ == tuple[str, str]
    # a TypeAliasType cannot be changed in place: the name the notebook imported is rebound
    assert project.ns["Pair"] is m.Pair and report.diagnostics == []


@needs_312
def test_lazy_type_alias_naming_a_later_class(project: Project) -> None:
    m = project.load("gen_alias2", "type Items = list[Item]\n\nclass Item:\n    pass\n")
    item = m.Item
    project.edit("gen_alias2", "type Items = dict[str, Item]\n\nclass Item:\n    pass\n")
    assert project.reload("gen_alias2").ok
    assert m.Item is item and m.Items.__value__ == dict[str, item]


def test_comprehensions_in_a_patched_function(project: Project) -> None:
    m = project.load("compr_func", """
        def squares(n):
            return [i * i for i in range(n)]

        def table(n):
            return {i: [j for j in range(i)] for i in range(n)}

        def makers(n):
            return [lambda i=i: i for i in range(n)]
    """)
    project.run("from compr_func import squares, table, makers")
    squares, table, makers = m.squares, m.table, m.makers
    project.edit("compr_func", """
        def squares(n):
            return [i * i * i for i in range(n) if i]

        def table(n):
            return {i: {j: j + 1 for j in range(i)} for i in range(n)}

        def makers(n):
            return [lambda i=i: i * 10 for i in range(n)]
    """)
    report = project.reload("compr_func")
    assert report.ok and report.diagnostics == []
    assert project.ns["squares"] is squares and squares(4) == [1, 8, 27]
    assert table(3) == {0: {}, 1: {0: 1}, 2: {0: 1, 1: 2}}
    assert [f() for f in makers(3)] == [0, 10, 20]


def test_comprehensions_in_a_class_body(project: Project) -> None:
    m = project.load("compr_class", """
        class Grid:
            SIZE = 3
            cells = [(x, y) for x in range(3) for y in range(3)]

            def row(self, y):
                return [c for c in self.cells if c[1] == y]
    """)
    cls = m.Grid
    grid = cls()
    project.edit("compr_class", """
        class Grid:
            SIZE = 2
            cells = [(x, y) for x in range(2) for y in range(2)]

            def row(self, y):
                return sorted(c for c in self.cells if c[1] == y)
    """)
    report = project.reload("compr_class")
    assert report.ok
    assert m.Grid is cls and cls.SIZE == 2 and len(cls.cells) == 4
    assert grid.row(1) == [(0, 1), (1, 1)]
