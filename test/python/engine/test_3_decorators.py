"""Behaviour 3: decorated functions run the new code through every decorator kind."""

from __future__ import annotations

from engine_support import Project


def test_functools_wraps_wrapper(project: Project) -> None:
    m = project.load("deco", """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return ("logged", fn(*args, **kwargs))
            return wrapper

        @logged
        def compute(x):
            return x + 1
    """)
    f = m.compute
    project.run("from deco import compute")
    project.edit("deco", """
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return ("logged", fn(*args, **kwargs))
            return wrapper

        @logged
        def compute(x):
            return x + 2
    """)
    report = project.reload("deco")
    assert m.compute is f
    assert project.ns["compute"](1) == ("logged", 3)
    assert report.module("deco").patched == ["compute"]


def test_decorator_arguments_change(project: Project) -> None:
    src = """
        import functools

        def times(n):
            def deco(fn):
                @functools.wraps(fn)
                def wrapper(x):
                    return [fn(x)] * n
                return wrapper
            return deco

        @times(2)
        def f(x):
            return x
    """
    m = project.load("deco_args", src)
    f = m.f
    project.edit("deco_args", src.replace("@times(2)", "@times(3)"))
    project.reload("deco_args")
    assert f(1) == [1, 1, 1]


def test_lru_cache_is_patched_and_cleared(project: Project) -> None:
    src = """
        import functools

        @functools.lru_cache(maxsize=None)
        def slow(x):
            return x * 2

        @functools.cache
        def fast(x):
            return x * 2
    """
    m = project.load("cached", src)
    slow, fast = m.slow, m.fast
    assert slow(2) == 4 and fast(2) == 4
    project.edit("cached", src.replace("return x * 2", "return x * 10"))
    report = project.reload("cached")
    assert m.slow is slow and m.fast is fast
    assert slow(2) == 20 and fast(2) == 20
    infos = report.by_code("cache-cleared")
    assert len(infos) == 2 and all(d.severity == "information" for d in infos)
    assert {d.line for d in infos} == {3, 7}


def test_unchanged_lru_cache_keeps_its_cache(project: Project) -> None:
    src = """
        import functools

        @functools.lru_cache(maxsize=None)
        def slow(x):
            return x * 2

        def other():
            return 1
    """
    m = project.load("cached2", src)
    m.slow(2)
    project.edit("cached2", src.replace("return 1", "return 2"))
    report = project.reload("cached2")
    assert m.slow.cache_info().currsize == 1
    assert report.by_code("cache-cleared") == []


def test_property_getter_setter_deleter_static_and_class_methods(project: Project) -> None:
    src = """
        class Box:
            def __init__(self):
                self._v = 1

            @property
            def v(self):
                return self._v

            @v.setter
            def v(self, value):
                self._v = value

            @v.deleter
            def v(self):
                self._v = None

            @staticmethod
            def make():
                return "static"

            @classmethod
            def build(cls):
                return ("class", cls.__name__)
    """
    m = project.load("box", src)
    b = m.Box()
    project.edit("box", src.replace("return self._v", "return self._v * 100")
                 .replace("self._v = value", "self._v = value + 1")
                 .replace("self._v = None", "self._v = -1")
                 .replace('"static"', '"static2"')
                 .replace('("class", cls.__name__)', '("class2", cls.__name__)'))
    project.reload("box")
    assert b.v == 100
    b.v = 2
    assert b.v == 300
    del b.v
    assert b._v == -1
    assert m.Box.make() == "static2" and b.make() == "static2"
    assert m.Box.build() == ("class2", "Box")


def test_contextmanager(project: Project) -> None:
    src = """
        import contextlib

        @contextlib.contextmanager
        def opened(log):
            log.append("enter")
            yield "old"
            log.append("exit")
    """
    m = project.load("ctx", src)
    cm = m.opened
    project.edit("ctx", src.replace('"old"', '"new"').replace('"exit"', '"leave"'))
    project.reload("ctx")
    log: list[str] = []
    with cm(log) as value:
        assert value == "new"
    assert log == ["enter", "leave"]


def test_singledispatch_registrations(project: Project) -> None:
    src = """
        import functools

        @functools.singledispatch
        def show(x):
            return "object"

        @show.register
        def _(x: int):
            return "int"

        @show.register
        def _(x: str):
            return "str"
    """
    m = project.load("disp", src)
    show = m.show
    project.edit("disp", src.replace('"int"', '"INT"').replace('"object"', '"OBJECT"') + """
        @show.register
        def _(x: float):
            return "float"
    """)
    project.reload("disp")
    assert m.show is show
    assert show(1) == "INT"
    assert show("a") == "str"
    assert show(1.5) == "float"
    assert show(None) == "OBJECT"


def test_registry_decorator_is_not_run_again_for_unchanged_functions(project: Project) -> None:
    project.load("registry", "handlers = []\n")
    src = """
        from registry import handlers

        def handler(fn):
            handlers.append(fn)
            return fn

        @handler
        def a():
            return "a"

        @handler
        def b():
            return "b"
    """
    project.load("handlers_mod", src)
    import registry

    project.edit("handlers_mod", src.replace('return "b"', 'return "B"'))
    project.reload("handlers_mod")
    assert [h() for h in registry.handlers][:2] == ["a", "B"]


def test_decorator_without_wraps_keeps_inner_identity(project: Project) -> None:
    src = """
        def plain(fn):
            def wrapper(*args):
                return ("plain", fn(*args))
            return wrapper

        @plain
        def g(x):
            return x
    """
    m = project.load("plain_deco", src)
    g = m.g
    project.edit("plain_deco", src.replace("return x\n", "return x * 2\n"))
    report = project.reload("plain_deco")
    assert m.g is g and g(2) == ("plain", 4)
    assert report.module("plain_deco").patched == ["g"]


def test_recursive_function_and_mutual_references(project: Project) -> None:
    src = """
        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)
    """
    m = project.load("recur", src)
    f = m.fact
    project.edit("recur", src.replace("1 if n <= 1", "2 if n <= 1"))
    project.reload("recur")
    assert m.fact is f and f(3) == 12
