"""Behaviour 5: changes that cannot be made in place install a new class and report old instances."""

from __future__ import annotations

import pytest

from engine_support import Project

CASES = {
    "slots": (
        """
        class Point:
            __slots__ = ("x",)

            def __init__(self, x):
                self.x = x
        """,
        """
        class Point:
            __slots__ = ("x", "y")

            def __init__(self, x, y=0):
                self.x = x
                self.y = y
        """,
        "__slots__",
    ),
    "bases": (
        """
        class Other:
            pass

        class Point:
            def __init__(self, x):
                self.x = x
        """,
        """
        class Other:
            pass

        class Point(Other):
            def __init__(self, x):
                self.x = x
        """,
        "base classes",
    ),
    "metaclass": (
        """
        class Meta(type):
            pass

        class Point:
            def __init__(self, x):
                self.x = x
        """,
        """
        class Meta(type):
            pass

        class Point(metaclass=Meta):
            def __init__(self, x):
                self.x = x
        """,
        "metaclass",
    ),
    "dataclass_slots": (
        """
        from dataclasses import dataclass

        @dataclass(slots=True)
        class Point:
            x: int
        """,
        """
        from dataclasses import dataclass

        @dataclass(slots=True)
        class Point:
            x: int
            y: int = 0
        """,
        "__slots__",
    ),
    "namedtuple": (
        """
        from typing import NamedTuple

        class Point(NamedTuple):
            x: int
        """,
        """
        from typing import NamedTuple

        class Point(NamedTuple):
            x: int
            y: int = 0
        """,
        "fields",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layout_change_installs_new_class_and_reports_old_instances(project: Project, case: str) -> None:
    before, after, reason = CASES[case]
    name = f"layout_{case}"
    m = project.load(name, before)
    Old = m.Point
    project.run(f"from {name} import Point\np = Point(1)\npoints = [Point(2)]")
    project.ns["_ih"] = ["", f"from {name} import Point\np = Point(1)\npoints = [Point(2)]"]
    project.edit(name, after)
    report = project.reload(name)
    assert report.module(name).status == "reloaded"
    assert m.Point is not Old
    assert project.ns["Point"] is m.Point
    assert type(m.Point(1)) is m.Point
    [info] = report.by_code("class-replaced")
    assert reason in info.message
    [warn] = report.by_code("stale-instance")
    assert sorted(warn.names) == ["p", "points"]
    assert "recreate" in warn.message
    if case in ("slots", "dataclass_slots", "namedtuple"):
        assert "lack 'y'" in warn.message or "lacks 'y'" in warn.message
    # the old instances still work with their old class
    assert project.ns["p"].x == 1
    # recreating them clears the warning
    project.run("p = Point(1)\npoints = []")
    import hotswap

    assert hotswap.stale(project.ns).by_code("stale-instance") == []


def test_enum_member_change(project: Project) -> None:
    m = project.load("colors", """
        import enum

        class Color(enum.Enum):
            RED = 1
            GREEN = 2

            def describe(self):
                return self.name.lower()
    """)
    project.run("from colors import Color\nfav = Color.RED")
    project.ns["_ih"] = ["", "from colors import Color\nfav = Color.RED"]
    project.edit("colors", """
        import enum

        class Color(enum.Enum):
            RED = 1
            GREEN = 2
            BLUE = 3

            def describe(self):
                return self.name.lower()
    """)
    report = project.reload("colors")
    assert m.Color.BLUE.value == 3
    assert project.ns["Color"] is m.Color
    # the old member held in a variable is rebound to the new member of the same name
    assert project.ns["fav"] is m.Color.RED
    assert report.by_code("stale-instance") == []


def test_enum_method_change_is_in_place(project: Project) -> None:
    m = project.load("colors2", """
        import enum

        class Color(enum.Enum):
            RED = 1

            def describe(self):
                return "old"
    """)
    Color = m.Color
    red = Color.RED
    project.edit("colors2", """
        import enum

        class Color(enum.Enum):
            RED = 1

            def describe(self):
                return "new"
    """)
    report = project.reload("colors2")
    assert m.Color is Color and m.Color.RED is red
    assert red.describe() == "new"
    assert report.by_code("stale-instance") == []


def test_subclass_in_same_module_follows_replaced_base(project: Project) -> None:
    m = project.load("family", """
        class Base:
            __slots__ = ("a",)

        class Child(Base):
            def who(self):
                return "child"
    """)
    project.edit("family", """
        class Base:
            __slots__ = ("a", "b")

        class Child(Base):
            def who(self):
                return "child"
    """)
    report = project.reload("family")
    assert report.module("family").status == "reloaded"
    assert issubclass(m.Child, m.Base)
    assert m.Child().who() == "child"


def test_subclasses_elsewhere_are_named_and_rebuilt_with_dependents(project: Project) -> None:
    m = project.load("shapes_base", """
        class Shape:
            __slots__ = ("a",)
    """)
    other = project.load("shapes_sub", """
        from shapes_base import Shape

        class Square(Shape):
            __slots__ = ()
    """)
    project.edit("shapes_base", """
        class Shape:
            __slots__ = ("a", "b")
    """)
    report = project.reload("shapes_base")
    [info] = report.by_code("class-replaced")
    assert "shapes_sub.Square" in info.message
    assert not issubclass(other.Square, m.Shape)
    project.edit("shapes_base", """
        class Shape:
            __slots__ = ("a", "b", "c")
    """)
    project.reload("shapes_base", dependents=True)
    assert issubclass(other.Square, m.Shape)
