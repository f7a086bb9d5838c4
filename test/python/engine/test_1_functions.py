"""Behaviour 1: function changes reach every existing reference, identity kept."""

from __future__ import annotations

import inspect

from engine_support import Project


def test_body_change_reaches_module_attr_from_import_and_containers(project: Project) -> None:
    m = project.load("calc", """
        def scale(x):
            return x * 2
    """)
    f = m.scale
    project.run("from calc import scale")
    registry = {"scale": m.scale}
    callbacks = [m.scale]
    project.edit("calc", """
        def scale(x):
            return x * 3
    """)
    report = project.reload("calc")
    assert report.module("calc").status == "reloaded"
    assert report.module("calc").patched == ["scale"]
    assert m.scale is f
    assert m.scale(2) == 6
    assert project.ns["scale"](2) == 6
    assert registry["scale"](2) == 6
    assert callbacks[0](2) == 6


def test_signature_defaults_kwdefaults_annotations_doc(project: Project) -> None:
    m = project.load("sig", """
        def f(a, b=1, *, c=2) -> int:
            "old doc"
            return a + b + c
    """)
    f = m.f
    project.edit("sig", """
        def f(a, b=10, extra=0, *, c=20, d=5) -> str:
            "new doc"
            return str(a + b + c + d + extra)
    """)
    project.reload("sig")
    assert m.f is f
    assert f(1) == "36"
    assert f.__defaults__ == (10, 0)
    assert f.__kwdefaults__ == {"c": 20, "d": 5}
    assert f.__annotations__ == {"return": str}
    assert f.__doc__ == "new doc"
    assert list(inspect.signature(f).parameters) == ["a", "b", "extra", "c", "d"]


def test_other_loaded_modules_from_import_see_new_code(project: Project) -> None:
    m = project.load("lib", """
        def twice(x):
            return 2 * x
    """)
    user = project.load("user", """
        from lib import twice

        def use():
            return twice(5)
    """)
    project.edit("lib", """
        def twice(x):
            return 2 * x + 1
    """)
    project.reload("lib")
    assert user.use() == 11
    assert user.twice is m.twice


def test_getsource_and_traceback_show_new_text(project: Project) -> None:
    m = project.load("src", """
        def boom():
            raise ValueError("old")
    """)
    project.edit("src", """
        # a comment moves the function down

        def boom():
            raise ValueError("new text here")
    """)
    project.reload("src")
    assert "new text here" in inspect.getsource(m.boom)
    try:
        m.boom()
    except ValueError as exc:
        tb = exc.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        assert tb.tb_lineno == 4


def test_moved_function_keeps_correct_line_numbers(project: Project) -> None:
    m = project.load("moved", """
        def a():
            return 1

        def b():
            return 2
    """)
    project.edit("moved", """
        def a():
            x = 1
            return x

        def b():
            return 2
    """)
    project.reload("moved")
    assert m.b.__code__.co_firstlineno == 5
    assert m.a() == 1


def test_added_function_appears_and_uses_module_globals(project: Project) -> None:
    m = project.load("grow", """
        BASE = 1
    """)
    project.edit("grow", """
        BASE = 1

        def plus(x):
            return x + BASE
    """)
    report = project.reload("grow")
    assert report.module("grow").added == ["plus"]
    m.BASE = 5
    assert m.plus(1) == 6


def test_async_function_is_patched(project: Project) -> None:
    import asyncio

    m = project.load("aio", """
        async def fetch():
            return 1
    """)
    f = m.fetch
    project.edit("aio", """
        async def fetch():
            return 2
    """)
    project.reload("aio")
    assert m.fetch is f
    assert asyncio.run(f()) == 2


def test_future_annotations_apply_to_changed_functions(project: Project) -> None:
    m = project.load("fut", """
        from __future__ import annotations

        def f(x: Undefined) -> int:
            return 1
    """)
    project.edit("fut", """
        from __future__ import annotations

        def f(x: StillUndefined) -> int:
            return 2
    """)
    report = project.reload("fut")
    assert report.module("fut").status == "reloaded", report.to_dict()
    assert m.f(0) == 2
    assert m.f.__annotations__["x"] == "StillUndefined"
