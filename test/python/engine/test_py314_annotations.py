"""Python 3.14 defers annotations (PEP 649/749): a reload must reach them on the old objects.

Annotations are computed on first access by ``__annotate__``; the old function, method or
class keeps its identity, so its ``__annotate__``/``__annotations__`` must give the new values,
and names defined later in the module must still resolve. The module sources are plain text,
so this file is collected (and skipped) on earlier versions too.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from engine_support import Project

pytestmark = pytest.mark.skipif(sys.version_info < (3, 14), reason="deferred annotations (PEP 649) exist from Python 3.14")


def _get(obj: Any, **kw: Any) -> dict[str, Any]:
    import annotationlib  # 3.14+

    return dict(annotationlib.get_annotations(obj, **kw))


def test_function_annotation_change_reaches_the_old_function(project: Project) -> None:
    m = project.load("ann_func", "def scale(x: int, factor: int = 2) -> int:\n    return x * factor\n")
    old = m.scale
    assert _get(old) == {"x": int, "factor": int, "return": int}
    project.edit("ann_func", "def scale(x: float, factor: float = 2) -> float:\n    return x * factor\n")
    report = project.reload("ann_func")
    assert report.ok and m.scale is old
    assert old.__annotations__ == {"x": float, "factor": float, "return": float}
    assert _get(old) == {"x": float, "factor": float, "return": float}
    assert old.__annotate__ is not None and old.__annotate__(1) == {"x": float, "factor": float, "return": float}


def test_method_annotation_change_reaches_the_old_class_and_instance(project: Project) -> None:
    m = project.load("ann_method", """
        class Meter:
            def read(self, unit: str) -> int:
                return 1
    """)
    cls, inst = m.Meter, m.Meter()
    project.edit("ann_method", """
        class Meter:
            def read(self, unit: bytes, scale: float = 1.0) -> float:
                return 1.5 * scale
    """)
    assert project.reload("ann_method").ok
    assert m.Meter is cls
    assert _get(cls.read) == {"unit": bytes, "scale": float, "return": float}
    assert _get(inst.read) == {"unit": bytes, "scale": float, "return": float}
    assert inst.read(b"m") == 1.5


def test_class_annotation_change_reaches_the_old_class(project: Project) -> None:
    m = project.load("ann_class", "class Point:\n    x: int\n    y: int\n")
    cls = m.Point
    assert _get(cls) == {"x": int, "y": int}
    project.edit("ann_class", "class Point:\n    x: float\n    y: float\n    label: str\n")
    assert project.reload("ann_class").ok
    assert m.Point is cls
    assert _get(cls) == {"x": float, "y": float, "label": str}
    assert cls.__annotations__ == {"x": float, "y": float, "label": str}


def test_forward_references_to_later_names_resolve_to_the_kept_objects(project: Project) -> None:
    m = project.load("ann_forward", """
        def build() -> Part:
            return Part()

        class Holder:
            part: Part

            def take(self, part: Part) -> None:
                self.part = part

        class Part:
            pass
    """)
    part_cls, build, holder = m.Part, m.build, m.Holder
    project.edit("ann_forward", """
        def build() -> list[Part]:
            return [Part()]

        class Holder:
            part: Part | None
            parts: list[Part]

            def take(self, part: Part, more: Part | None = None) -> None:
                self.part = part

        class Part:
            pass
    """)
    assert project.reload("ann_forward").ok
    assert m.Part is part_cls and m.build is build and m.Holder is holder
    assert _get(build) == {"return": list[part_cls]}
    assert _get(holder) == {"part": part_cls | None, "parts": list[part_cls]}
    assert _get(holder.take) == {"part": part_cls, "more": part_cls | None, "return": None}
    assert isinstance(build()[0], part_cls)


def test_annotation_naming_a_missing_name_does_not_break_the_reload(project: Project) -> None:
    """Undefined names in annotations are legal until someone asks for the values."""
    m = project.load("ann_missing", "def f(x: int) -> int:\n    return x\n")
    old = m.f
    project.edit("ann_missing", "def f(x: NotYetWritten) -> int:\n    return x + 1\n")
    report = project.reload("ann_missing")
    assert report.ok and m.f is old and old(1) == 2
    import annotationlib

    fwd = _get(old, format=annotationlib.Format.FORWARDREF)
    assert fwd["return"] is int and isinstance(fwd["x"], annotationlib.ForwardRef)
    assert _get(old, format=annotationlib.Format.STRING) == {"x": "NotYetWritten", "return": "int"}
    with pytest.raises(NameError):
        _get(old)
    # the name appears in a later edit: the same old function now resolves it
    project.edit("ann_missing", "class NotYetWritten:\n    pass\n\n\ndef f(x: NotYetWritten) -> int:\n    return x + 1\n")
    assert project.reload("ann_missing").ok
    assert _get(old) == {"x": m.NotYetWritten, "return": int}


def test_method_that_starts_using_super_forwards_with_the_new_annotations(project: Project) -> None:
    """A new closure (``super()``) makes the old method forward to the new one; its annotations
    follow without being evaluated during the reload."""
    m = project.load("ann_super", """
        class Base:
            def size(self, unit: str) -> int:
                return 1

        class Child(Base):
            def size(self, unit: str) -> int:
                return 2
    """)
    old = m.Child.size
    project.edit("ann_super", """
        class Base:
            def size(self, unit: str) -> int:
                return 1

        class Child(Base):
            def size(self, unit: Unit) -> float:
                return super().size(unit) + 0.5

        class Unit:
            pass
    """)
    assert project.reload("ann_super").ok
    assert m.Child().size(None) == 1.5 and old(m.Child(), None) == 1.5
    assert _get(old) == {"unit": m.Unit, "return": float}
