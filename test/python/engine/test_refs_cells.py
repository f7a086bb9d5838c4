"""Closure cells of a user function are rebound by the variable they hold, not by their contents:
a method's ``__class__`` cell and a captured variable can hold the same old class."""

from __future__ import annotations

from engine_support import Project

from hotswap.engine import references


def test_captured_variable_holding_the_old_class_is_rebound_beside_the_class_cell(project: Project) -> None:
    shapes = project.load("shapes", """
        def _define():
            class Shape:
                def kinds(self):
                    return __class__, kind
            kind = Shape
            return Shape

        Shape = _define()
        kinds = Shape.kinds
    """)
    old = shapes.Shape
    new = type("Shape", (), {})
    assert shapes.kinds.__code__.co_freevars == ("__class__", "kind")  # both cells hold the old class
    rebound = references.rebind(references.pairs_for({"Shape": (old, new)}), None)
    assert shapes.Shape is new
    # the captured variable now names the new class; the method's own __class__ cell is the old
    # class's machinery and stays
    cls_cell, kind = shapes.kinds(None)
    assert kind is new and cls_cell is old
    assert rebound == 2
