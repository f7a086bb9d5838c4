"""Behaviour 14: unchanged decorators are not run again; when they must run, their entries are not doubled."""

from __future__ import annotations

import atexit

from engine_support import Project

REGISTRY = """
    handlers = []
    routes = {}

    def register(fn):
        handlers.append(fn)
        return fn

    def route(path):
        def deco(fn):
            routes[path] = fn
            return fn
        return deco
"""


def test_registration_decorator_registers_once_when_body_changes(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import register, route

        @register
        def hello():
            return "hello"

        @route("/home")
        def home():
            return "home"
    """
    m = project.load("views", src)
    hello, home = m.hello, m.home
    project.edit("views", src.replace('"hello"', '"HELLO"').replace('return "home"', 'return "HOME"'))
    report = project.reload("views")
    assert reg.handlers == [hello] and hello() == "HELLO"
    assert reg.routes == {"/home": home} and reg.routes["/home"]() == "HOME"
    assert m.hello is hello and m.home is home
    assert report.by_code("decorator-rerun") == []


def test_atexit_register_decorator_is_not_registered_twice(project: Project) -> None:
    src = """
        import atexit

        calls = []

        @atexit.register
        def goodbye():
            calls.append("bye")
    """
    m = project.load("leaving", src)
    try:
        project.edit("leaving", src.replace('"bye"', '"ciao"'))
        project.reload("leaving")
        assert atexit._ncallbacks() >= 1
        before = atexit._ncallbacks()
        project.edit("leaving", src.replace('"bye"', '"salut"'))
        project.reload("leaving")
        assert atexit._ncallbacks() == before  # nothing new registered by the reload
        m.goodbye()
        assert m.calls == ["salut"]
    finally:
        atexit.unregister(m.goodbye)


def test_wrapper_with_state_keeps_state_and_runs_new_body(project: Project) -> None:
    src = """
        import functools

        def counted(fn):
            @functools.wraps(fn)
            def wrapper(*a):
                wrapper.calls += 1
                return fn(*a)
            wrapper.calls = 0
            return wrapper

        @counted
        def double(x):
            return x * 2
    """
    m = project.load("counting", src)
    double = m.double
    double(1)
    double(1)
    project.edit("counting", src.replace("x * 2", "x * 3"))
    project.reload("counting")
    assert m.double is double and double(2) == 6
    assert double.calls == 3  # the decorator did not run again: its counter continues


def test_cached_function_below_an_unchanged_decorator_gets_its_cache_cleared(project: Project) -> None:
    src = """
        import functools
        from reg import register

        @register
        @functools.lru_cache(maxsize=None)
        def square(x):
            return x * x
    """
    reg = project.load("reg", REGISTRY)
    m = project.load("sqr", src)
    assert m.square(3) == 9
    project.edit("sqr", src.replace("x * x", "x * x + 1"))
    report = project.reload("sqr")
    assert m.square(3) == 10 and len(reg.handlers) == 1
    assert report.by_code("cache-cleared")


def test_changed_decorator_replaces_entries_of_the_previous_version(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import register, route

        @route("/a")
        def page():
            return "page"

        @register
        def other():
            return "other"
    """
    m = project.load("pages", src)
    project.edit("pages", src.replace('@route("/a")', '@route("/b")').replace('"page"', '"PAGE"'))
    report = project.reload("pages")
    assert reg.routes == {"/b": m.page}  # the old "/a" entry was made for the previous version
    assert m.page() == "PAGE"
    assert reg.handlers == [m.other]
    infos = report.by_code("decorator-rerun")
    assert len(infos) == 1 and "page" in infos[0].message and "reg.routes" in infos[0].message


def test_decorator_reading_a_changed_name_runs_again(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import route

        PREFIX = "/v1"

        @route(PREFIX + "/items")
        def items():
            return "items"
    """
    m = project.load("api", src)
    project.edit("api", src.replace('"/v1"', '"/v2"'))
    report = project.reload("api")
    assert reg.routes == {"/v2/items": m.items}
    assert report.by_code("decorator-rerun")


def test_list_registry_keeps_one_entry_when_decorator_runs_again(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import register

        def tagged(tag):
            def deco(fn):
                fn.tag = tag
                return register(fn)
            return deco

        @tagged("a")
        def job():
            return 1
    """
    m = project.load("jobs", src)
    job = m.job
    project.edit("jobs", src.replace('@tagged("a")', '@tagged("b")'))
    project.reload("jobs")
    assert reg.handlers == [m.job] and m.job is job and job.tag == "b"


def test_registration_the_new_decorator_no_longer_makes_is_reported(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import register, route

        @route("/old")
        def view():
            return "view"
    """
    m = project.load("moved_view", src)
    project.edit("moved_view", src.replace('@route("/old")', "@register"))
    report = project.reload("moved_view")
    assert reg.handlers == [m.view]
    infos = report.by_code("decorator-rerun")
    assert len(infos) == 1 and "reg.routes['/old']" in infos[0].message
    assert reg.routes["/old"]() == "view"  # still there, and running the new code


def test_registration_decorator_on_a_method_keeps_one_entry(project: Project) -> None:
    reg = project.load("reg", REGISTRY)
    src = """
        from reg import register

        class Plugin:
            @register
            def run(self):
                return "run"
    """
    m = project.load("plugin", src)
    run = m.Plugin.run
    project.edit("plugin", src.replace('return "run"', 'return "RUN"'))
    project.reload("plugin")
    assert reg.handlers == [run] and m.Plugin.run is run
    assert m.Plugin().run() == "RUN"


def test_registration_left_behind_is_reported_for_its_own_function_only(project: Project) -> None:
    """Two decorators changed in one edit: the entry one of them no longer makes is named in that
    function's report, not in the other's (whose old decorators also named the key)."""
    reg = project.load("reg", REGISTRY + """
    tags = {}

    def tag(name):
        def deco(fn):
            tags[name] = fn
            return fn
        return deco
""")
    src = """
        from reg import register, route, tag

        @route("/old")
        def view():
            return "view"

        @tag("/old")
        def other():
            return "other"
    """
    m = project.load("two_views", src)
    project.edit("two_views", src.replace('@route("/old")', "@register").replace('@tag("/old")', '@tag("/new")'))
    report = project.reload("two_views")
    assert reg.handlers == [m.view] and reg.tags == {"/new": m.other}
    infos = {d.message.split(" ran again")[0]: d.message for d in report.by_code("decorator-rerun")}
    assert set(infos) == {"The decorators of view", "The decorators of other"}, infos
    assert " reg.routes['/old'] still holds the previous registration" in infos["The decorators of view"]
    assert "still hold" not in infos["The decorators of other"], infos["The decorators of other"]
