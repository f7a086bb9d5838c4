"""Class attributes that appear in 3.13 (``__firstlineno__``, ``__static_attributes__``) and the
3.13 ``locals()`` semantics (PEP 667), through reloads.

``inspect.getsource`` of a class reads ``__firstlineno__`` from 3.13 on, so a class that moved
in its file must carry its new first line. The module sources are plain text, so this file is
collected (and skipped where the attributes do not exist) on every version.
"""

from __future__ import annotations

import inspect
import sys
import textwrap

import pytest
from engine_support import Project

needs_313 = pytest.mark.skipif(sys.version_info < (3, 13), reason="__firstlineno__ and __static_attributes__ exist from Python 3.13")

CLASSES = """
    def helper():
        return 1


    class Shape:
        sides = 0

        def area(self):
            return 0


    @staticmethod
    def _decorate(cls):
        return cls


    @_decorate
    class Square(Shape):
        sides = 4

        def area(self):
            return 4
"""


@needs_313
def test_firstlineno_follows_a_class_that_moved(project: Project) -> None:
    m = project.load("moved_cls", CLASSES)
    shape, square = m.Shape, m.Square
    assert (shape.__firstlineno__, square.__firstlineno__) == (5, 17)  # a decorated class starts at its decorator
    project.edit("moved_cls", "# a header\n# of three\n# lines\n" + textwrap.dedent(CLASSES).lstrip("\n"))
    report = project.reload("moved_cls")
    assert report.ok and m.Shape is shape and m.Square is square
    assert (shape.__firstlineno__, square.__firstlineno__) == (8, 20)
    assert inspect.getsource(shape).startswith("class Shape:\n    sides = 0")
    assert inspect.getsource(square).startswith("@_decorate\nclass Square(Shape):\n    sides = 4")


@needs_313
def test_firstlineno_of_a_changed_class_below_an_edit(project: Project) -> None:
    m = project.load("moved_cls2", CLASSES)
    square = m.Square
    below = textwrap.dedent(CLASSES).split("return 1\n", 1)[1]
    project.edit("moved_cls2", "def helper():\n    x = 2\n    return x\n" + below.replace("return 4", "return 16"))
    report = project.reload("moved_cls2")
    assert report.ok and m.Square is square and square().area() == 16
    assert square.__firstlineno__ == 18
    assert "return 16" in inspect.getsource(square)


@needs_313
def test_static_attributes_follow_the_new_class_body(project: Project) -> None:
    m = project.load("static_attrs", """
        class Account:
            def __init__(self):
                self.balance = 0
    """)
    cls = m.Account
    assert cls.__static_attributes__ == ("balance",)
    project.edit("static_attrs", """
        class Account:
            def __init__(self):
                self.balance = 0
                self.setup()

            def setup(self):
                self.owner = None
                self.history = []
    """)
    assert project.reload("static_attrs").ok
    assert m.Account is cls and set(cls.__static_attributes__) == {"balance", "owner", "history"}


def test_functions_using_locals_are_patched(project: Project) -> None:
    """PEP 667 (3.13) made ``locals()`` in a function a snapshot; patching must not care."""
    m = project.load("uses_locals", """
        def names(a, b=2):
            c = a + b
            return sorted(locals())

        def fill(a):
            ns = locals()
            ns["x"] = a
            return ns
    """)
    project.run("from uses_locals import names, fill")
    names, fill = m.names, m.fill
    project.edit("uses_locals", """
        def names(a, b=2):
            c = a + b
            d = c * 2
            return sorted(locals())

        def fill(a):
            ns = dict(locals())
            ns["y"] = a
            return ns
    """)
    report = project.reload("uses_locals")
    assert report.ok and report.diagnostics == []
    assert project.ns["names"] is names and names(1) == ["a", "b", "c", "d"]
    assert fill(3) == {"a": 3, "y": 3}


def test_a_generator_running_the_old_code_keeps_its_locals(project: Project) -> None:
    """A suspended frame of the old code keeps running it; new calls get the new code."""
    m = project.load("gen_locals", """
        def count(n):
            for i in range(n):
                yield sorted(locals().items())
    """)
    gen = m.count(3)
    assert next(gen) == [("i", 0), ("n", 3)]
    project.edit("gen_locals", """
        def count(n):
            total = 0
            for i in range(n):
                total += i
                yield sorted(locals().items())
    """)
    assert project.reload("gen_locals").ok
    assert next(gen) == [("i", 1), ("n", 3)]
    assert gen.gi_frame is not None and dict(gen.gi_frame.f_locals) == {"n": 3, "i": 1}
    assert next(m.count(2)) == [("i", 0), ("n", 2), ("total", 0)]
