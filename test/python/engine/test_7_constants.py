"""Behaviour 7: changed constants reach every `from m import X`; deleted names are reported."""

from __future__ import annotations

from engine_support import Project, messages


def test_constant_reaches_module_namespace_and_other_modules(project: Project) -> None:
    m = project.load("config", """
        RATE = 0.5
        NAME = "old"
    """)
    other = project.load("consumer", """
        from config import RATE, NAME as label
    """)
    project.run("from config import RATE\nfrom config import NAME as title")
    project.ns["_ih"] = ["", "from config import RATE\nfrom config import NAME as title"]
    project.edit("config", """
        RATE = 0.75
        NAME = "new"
    """)
    report = project.reload("config")
    assert m.RATE == 0.75
    assert other.RATE == 0.75 and other.label == "new"
    assert project.ns["RATE"] == 0.75
    assert project.ns["title"] == "new"
    assert report.module("config").executed == ["line 1: RATE = 0.75", "line 2: NAME = \"new\""]


def test_value_identity_is_not_used_to_find_imports(project: Project) -> None:
    project.load("small", """
        LIMIT = 1
    """)
    other = project.load("unrelated", """
        from small import LIMIT
        count = 1
    """)
    project.edit("small", """
        LIMIT = 2
    """)
    project.reload("small")
    assert other.LIMIT == 2
    assert other.count == 1  # same int object as the old LIMIT, but not imported from it


def test_user_rebinding_is_respected(project: Project) -> None:
    project.load("conf2", "X = 1\n")
    project.run("from conf2 import X\nX = 100")
    project.ns["_ih"] = ["", "from conf2 import X\nX = 100"]
    project.edit("conf2", "X = 2\n")
    project.reload("conf2")
    assert project.ns["X"] == 100


def test_deleted_name_leaves_module_and_bindings_are_reported(project: Project) -> None:
    m = project.load("shrink", """
        KEEP = 1
        OLD = 2
    """)
    other = project.load("holder", """
        import os
        from shrink import OLD
    """)
    project.run("from shrink import OLD")
    project.ns["_ih"] = ["", "from shrink import OLD"]
    project.edit("shrink", """
        KEEP = 1
    """)
    report = project.reload("shrink")
    assert not hasattr(m, "OLD")
    assert report.module("shrink").removed == ["OLD"]
    diags = report.by_code("stale-binding")
    assert len(diags) == 2
    ns_diag = next(d for d in diags if d.names == ["OLD"])
    assert "OLD" in ns_diag.message and "shrink" in ns_diag.message
    mod_diag = next(d for d in diags if d.file.endswith("holder.py"))
    assert mod_diag.line == 1  # the import line (0-based)
    assert other.OLD == 2  # nothing deleted from under the other module
    # once the user deletes the name, the warning goes away
    del project.ns["OLD"]
    import hotswap

    assert len(hotswap.stale(project.ns).by_code("stale-binding")) == 1


def test_plain_namespace_without_history_uses_same_name(project: Project) -> None:
    project.load("plain", "FACTOR = 3\n")
    project.run("from plain import FACTOR")
    project.edit("plain", "FACTOR = 4\n")
    project.reload("plain")
    assert project.ns["FACTOR"] == 4


def test_removed_function_leaves_module(project: Project) -> None:
    m = project.load("fns", """
        def a():
            return 1

        def b():
            return 2
    """)
    project.edit("fns", """
        def a():
            return 1
    """)
    report = project.reload("fns")
    assert not hasattr(m, "b")
    assert report.module("fns").removed == ["b"]
    assert messages(report, "reload-error") == []


def test_star_import_names_are_updated(project: Project) -> None:
    project.load("starred", "VALUE = 1\n_PRIVATE = 1\n")
    other = project.load("star_user", "from starred import *\n")
    project.run("from starred import *")
    project.ns["_ih"] = ["", "from starred import *"]
    project.edit("starred", "VALUE = 2\n_PRIVATE = 1\n")
    project.reload("starred")
    assert other.VALUE == 2
    assert project.ns["VALUE"] == 2


def test_from_imports_of_functions_classes_and_constants_follow_in_modules_and_namespace(project: Project) -> None:
    lib = project.load("lib7", """
        class P:
            __slots__ = ("x",)

        LIMIT = 1

        def f():
            return 1
    """)
    other = project.load("other7", "from lib7 import P, LIMIT, f as g\n")
    cell = "from lib7 import P as Q, LIMIT, f"
    project.run(cell)
    project.ns["_ih"] = ["", cell]
    f = lib.f
    project.edit("lib7", """
        class P:
            __slots__ = ("x", "y")

        LIMIT = 2

        def f():
            return 2
    """)
    report = project.reload("lib7")
    assert report.module("lib7").status == "reloaded"
    assert other.P is lib.P and project.ns["Q"] is lib.P  # the replaced class is rebound everywhere
    assert "y" in lib.P.__slots__
    assert other.LIMIT == 2 and project.ns["LIMIT"] == 2
    assert other.g is f and project.ns["f"] is f and f() == 2


def test_deleted_function_and_class_still_imported_are_reported(project: Project) -> None:
    import hotswap

    project.load("lib7b", """
        class Gone:
            pass

        def gone():
            return 1

        def kept():
            return 1
    """)
    other = project.load("other7b", "import os\nfrom lib7b import gone, kept\n")
    cell = "from lib7b import Gone, gone as old_gone"
    project.run(cell)
    project.ns["_ih"] = ["", cell]
    project.edit("lib7b", """
        def kept():
            return 2
    """)
    report = project.reload("lib7b")
    assert report.module("lib7b").removed == ["Gone", "gone"]
    diags = report.by_code("stale-binding")
    assert sorted(n for d in diags for n in d.names) == ["Gone", "old_gone"]
    [in_module] = [d for d in diags if d.file == str(project.path("other7b"))]
    assert in_module.line == 1 and "'gone'" in in_module.message
    assert other.kept() == 2 and other.gone() == 1
    # the user recreates nothing but deletes the names: only the other module's import is left
    project.run("del Gone, old_gone")
    assert [d.file for d in hotswap.stale(project.ns).by_code("stale-binding")] == [str(project.path("other7b"))]
