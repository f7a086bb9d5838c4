"""Issue 9, item 5: a removed definition still held by containers, registries or other modules
is reported with its holders."""

from __future__ import annotations

import hotswap
from engine_support import Project, messages

A = """
    REGISTRY = {}

    def register(fn):
        REGISTRY[fn.__name__] = fn
        return fn

    @register
    def keep(x):
        return x

    @register
    def gone(x):
        return x + 1
"""

B = """
    import a

    HANDLERS = [a.keep, a.gone]
"""


def test_removed_function_held_by_registry_other_module_and_user_list(project: Project) -> None:
    project.load("a", A)
    project.load("b", B)
    project.run("import a\nhandlers = [a.gone]\nby_name = {'g': a.gone}")
    project.edit("a", A.replace("""
    @register
    def gone(x):
        return x + 1
""", ""))
    report = project.reload("a")
    assert report.module("a").removed == ["gone"]
    [d] = report.by_code("stale-reference")
    for holder in ("a.REGISTRY['gone']", "b.HANDLERS[1]", "handlers[0]", "by_name['g']"):
        assert holder in d.message
    assert d.message.startswith("gone was removed from a, but ")
    assert sorted(d.names) == ["by_name", "handlers"]
    assert d.severity == "warning"
    assert d.file == str(project.path("a")) and d.line == 0  # `REGISTRY = {}`: the first holder
    # once nothing holds it, the warning goes
    project.run("handlers.clear()\nby_name.clear()")
    import a
    import b
    del a.REGISTRY["gone"]
    assert "b.HANDLERS[1]" in hotswap.stale(project.ns).by_code("stale-reference")[0].message
    b.HANDLERS.pop()
    assert hotswap.stale(project.ns).by_code("stale-reference") == []


def test_removed_name_held_only_by_an_import_is_reported_once(project: Project) -> None:
    project.load("a", "def f():\n    return 1\n\ndef g():\n    return 2\n")
    project.run("from a import g")
    project.ns["_ih"] = ["", "from a import g"]
    project.edit("a", "def f():\n    return 1\n")
    report = project.reload("a")
    assert [d.names for d in report.by_code("stale-binding")] == [["g"]]
    assert report.by_code("stale-reference") == []


def test_removed_class_held_by_another_module_attribute(project: Project) -> None:
    project.load("a", "class Old:\n    pass\n\nclass Kept:\n    pass\n")
    project.load("b", "import a\n\nDEFAULT_KIND = a.Old\n")
    project.edit("a", "class Kept:\n    pass\n")
    report = project.reload("a")
    [d] = report.by_code("stale-reference")
    assert "b.DEFAULT_KIND" in d.message
    assert d.file == str(project.path("b")) and d.line == 2
    assert messages(report, "stale-binding") == []


def test_module_no_longer_bound_by_its_circular_partner_is_not_stale(project: Project) -> None:
    """``b`` stops binding ``a`` (its import moves into a function); the user's own ``import a``
    holds the live module, which reloads update in place: nothing is stale. A plain name the
    edit removed and the user copied by value still is."""
    project.write("pair_a", "import pair_b\n\nX = 1\n")
    project.load("pair_b", "import pair_a\nimport os\n\nPORT = 1\n\ndef use():\n    return pair_a.X\n")
    project.run("import pair_a, pair_b\nimport os\nPORT = pair_b.PORT")
    project.edit("pair_b", "def use():\n    import pair_a\n    return pair_a.X\n")
    report = project.reload("pair_b")
    assert sorted(report.module("pair_b").removed) == ["PORT", "os", "pair_a"]
    assert [m for m in messages(report, "stale-binding")] == [
        "PORT still holds the old pair_b.PORT, which no longer exists in pair_b; delete it or import what replaced it."]
    assert messages(hotswap.stale(namespace=project.ns), "stale-binding") == messages(report, "stale-binding")
