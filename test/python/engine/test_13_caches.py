"""Behaviour 13: lru_cache results are dropped when anything they were computed from changed."""

from __future__ import annotations

from engine_support import Project


def test_cache_cleared_when_a_global_it_reads_changes(project: Project) -> None:
    src = """
        import functools

        RATE = 2

        @functools.lru_cache(maxsize=None)
        def price(x):
            return x * RATE
    """
    m = project.load("pricing", src)
    price = m.price
    assert price(10) == 20
    project.edit("pricing", src.replace("RATE = 2", "RATE = 3"))
    report = project.reload("pricing")
    assert price(10) == 30
    infos = report.by_code("cache-cleared")
    assert len(infos) == 1 and infos[0].line == 5 and "RATE" in infos[0].message


def test_cache_cleared_when_a_function_it_calls_changes_in_another_module(project: Project) -> None:
    project.load("helpers", """
        def base(x):
            return x + 1

        def scale(x):
            return base(x) * 2
    """)
    m = project.load("cached_calls", """
        import functools
        import helpers
        from helpers import scale

        @functools.cache
        def via_name(x):
            return scale(x)

        @functools.cache
        def via_module(x):
            return helpers.scale(x)

        @functools.cache
        def unrelated(x):
            return x
    """)
    assert m.via_name(1) == 4 and m.via_module(1) == 4 and m.unrelated(1) == 1
    project.edit("helpers", """
        def base(x):
            return x + 10

        def scale(x):
            return base(x) * 2
    """)
    report = project.reload("helpers")
    assert m.via_name(1) == 22
    assert m.via_module(1) == 22
    assert m.unrelated.cache_info().currsize == 1  # nothing it depends on changed
    cleared = {d.message.split()[3] for d in report.by_code("cache-cleared")}
    assert cleared == {"via_name", "via_module"}


def test_cache_on_a_method_is_cleared_when_a_constant_changes(project: Project) -> None:
    src = """
        import functools

        FACTOR = 2

        class Model:
            @staticmethod
            @functools.lru_cache(maxsize=8)
            def weight(x):
                return x * FACTOR
    """
    m = project.load("model", src)
    assert m.Model.weight(3) == 6
    project.edit("model", src.replace("FACTOR = 2", "FACTOR = 5"))
    project.reload("model")
    assert m.Model.weight(3) == 15


def test_changed_maxsize_old_references_run_new_code(project: Project) -> None:
    src = """
        import functools

        @functools.lru_cache(maxsize=2)
        def square(x):
            return x * x
    """
    m = project.load("sq", src)
    held = [m.square]  # a reference the reload cannot rebind
    assert held[0](3) == 9
    project.edit("sq", src.replace("maxsize=2", "maxsize=16").replace("x * x", "x * x + 1"))
    project.reload("sq")
    assert m.square.cache_parameters()["maxsize"] == 16
    assert m.square(3) == 10
    assert held[0](3) == 10  # the old wrapper runs the new code, its old answer is gone


def test_cache_kept_when_nothing_it_depends_on_changed(project: Project) -> None:
    src = """
        import functools

        RATE = 2
        OTHER = 1

        @functools.lru_cache(maxsize=None)
        def price(x):
            return x * RATE
    """
    m = project.load("pricing2", src)
    m.price(1)
    project.edit("pricing2", src.replace("OTHER = 1", "OTHER = 2"))
    report = project.reload("pricing2")
    assert m.price.cache_info().currsize == 1
    assert report.by_code("cache-cleared") == []


def test_old_cache_reference_follows_later_edits_after_maxsize_changed(project: Project) -> None:
    src = """
        import functools

        @functools.lru_cache(maxsize=2)
        def cube(x):
            return x ** 3
    """
    m = project.load("cube", src)
    held = m.cube
    assert held(2) == 8
    project.edit("cube", src.replace("maxsize=2", "maxsize=32"))
    project.reload("cube")
    assert held(2) == 8 and m.cube is not held
    project.edit("cube", src.replace("maxsize=2", "maxsize=32").replace("x ** 3", "x ** 3 + 1"))
    project.reload("cube")
    assert m.cube(2) == 9
    assert held(2) == 9  # its cache was emptied with the new one's, and it runs the new code
