"""Behaviour 16: classes and functions made by a factory follow the factory's new source, or are reported."""

from __future__ import annotations

import hotswap
from engine_support import Project

FACTORY = """
    def make_model(base):
        class Model(base):
            kind = "v1"

            def run(self):
                return "run v1"
        return Model

    def make_handler(prefix):
        def handler(x):
            return prefix + x
        return handler
"""


def test_factory_results_bound_in_the_factory_module_are_made_again(project: Project) -> None:
    src = FACTORY + """
    Model = make_model(object)
    handle = make_handler("a:")
    """
    m = project.load("factory_mod", src)
    Model, handle = m.Model, m.handle
    old = m.Model()
    project.edit("factory_mod", src.replace('kind = "v1"', 'kind = "v2"\n            extra = True').replace(
        "prefix + x", "prefix + x.upper()"))
    report = project.reload("factory_mod")
    assert m.Model is Model and Model.kind == "v2" and Model.extra is True
    assert old.run() == "run v1" and isinstance(old, m.Model)
    assert m.handle is handle and handle("b") == "a:B"
    assert report.by_code("stale-factory-class") == []


def test_factory_result_held_in_another_module_runs_new_methods(project: Project) -> None:
    project.load("factory_lib", FACTORY)
    user = project.load("factory_user", """
        from factory_lib import make_handler, make_model
        Model = make_model(object)
        handle = make_handler("a:")
    """)
    project.edit("factory_lib", FACTORY.replace('"run v1"', '"run v2"').replace("prefix + x", "prefix + x.upper()"))
    report = project.reload("factory_lib")
    assert user.Model().run() == "run v2"
    assert user.handle("b") == "a:B"
    assert report.by_code("stale-factory-class") == []  # only method code changed: nothing is missing


def test_factory_class_body_change_reported_where_old_classes_are_held(project: Project) -> None:
    project.load("factory_lib2", FACTORY)
    user = project.load("factory_user2", """
        from factory_lib2 import make_model
        Model = make_model(object)
    """)
    project.run("from factory_lib2 import make_model\nMine = make_model(object)")
    project.edit("factory_lib2", FACTORY.replace('kind = "v1"', 'kind = "v2"\n\n            def stop(self):\n                return "stop"'))
    report = project.reload("factory_lib2")
    diags = report.by_code("stale-factory-class")
    assert len(diags) == 1
    assert "factory_user2.Model" in diags[0].message and diags[0].names == ["Mine"]
    assert diags[0].line == 1  # 0-based: the class statement inside make_model
    assert user.Model().run() == "run v1" and not hasattr(user.Model, "stop")


def test_factory_class_warning_stays_at_later_checks_until_the_class_is_made_again(project: Project) -> None:
    """A stale check after a cell (what the editor asks for) names the old class again; it
    used to drop the warning while ``Mine`` still lacked the new body."""
    project.load("factory_lib4", FACTORY)
    user = project.load("factory_user4", """
        from factory_lib4 import make_model
        Model = make_model(object)
    """)
    project.run("from factory_lib4 import make_model\nMine = make_model(object)")
    project.edit("factory_lib4", FACTORY.replace('kind = "v1"', 'kind = "v2"\n\n            def stop(self):\n                return "stop"'))
    assert len(project.reload("factory_lib4").by_code("stale-factory-class")) == 1

    [again] = [d for d in hotswap.stale(project.ns).diagnostics if d.code == "stale-factory-class"]
    assert "factory_user4.Model" in again.message and again.names == ["Mine"] and again.line == 1
    project.run("Mine = make_model(object)")
    [left] = [d for d in hotswap.stale(project.ns).diagnostics if d.code == "stale-factory-class"]
    assert left.names == [] and "factory_user4.Model" in left.message
    user.Model = user.make_model(object)
    assert [d for d in hotswap.stale(project.ns).diagnostics if d.code == "stale-factory-class"] == []
