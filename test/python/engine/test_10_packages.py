"""Behaviour 10: packages re-export updated names; dependents are re-executed in order."""

from __future__ import annotations

import os

import hotswap
from engine_support import Project


def test_submodule_edit_updates_package_reexports_and_importers(project: Project) -> None:
    project.write("pkg.sub", """
        RATE = 1

        def helper():
            return "old"
    """)
    pkg = project.load("pkg", """
        from .sub import RATE, helper
    """, package=True)
    user = project.load("app", """
        from pkg.sub import RATE
        from pkg import helper
    """)
    helper = pkg.helper
    project.edit("pkg.sub", """
        RATE = 2

        def helper():
            return "new"
    """)
    report = project.reload("pkg.sub")
    assert report.module("pkg.sub").status == "reloaded"
    assert pkg.RATE == 2 and user.RATE == 2
    assert pkg.helper is helper and user.helper() == "new"


def test_dependents_are_reexecuted_in_dependency_order(project: Project) -> None:
    project.load("order_log", "seen = []\n")
    project.load("base_values", "SIZE = 2\n")
    mid = project.load("mid_values", """
        import base_values
        from base_values import SIZE
        DOUBLE = SIZE * 2
    """)
    top = project.load("top_values", """
        from mid_values import DOUBLE
        import order_log
        order_log.seen.append("top")
        QUAD = DOUBLE * 2
    """)
    project.edit("base_values", "SIZE = 3\n")
    report = project.reload("base_values", dependents=True)
    statuses = [(m.name, m.status, m.strategy) for m in report.modules]
    assert statuses == [
        ("base_values", "reloaded", "patch"),
        ("mid_values", "reloaded", "dependent"),
        ("top_values", "reloaded", "dependent"),
    ]
    assert mid.DOUBLE == 6
    assert top.QUAD == 12


def test_without_dependents_only_the_module_changes(project: Project) -> None:
    project.load("base2", "SIZE = 2\n")
    mid = project.load("mid2", """
        from base2 import SIZE
        DOUBLE = SIZE * 2
    """)
    project.edit("base2", "SIZE = 3\n")
    report = project.reload("base2")
    assert [m.name for m in report.modules] == ["base2"]
    assert mid.SIZE == 3 and mid.DOUBLE == 4


def test_symlinked_path_matches_module(project: Project, tmp_path) -> None:
    m = project.load("linked", "X = 1\n")
    link = tmp_path / "link.py"
    os.symlink(project.path("linked"), link)
    project.edit("linked", "X = 2\n")
    report = hotswap.reload(paths=[str(link)], namespace=project.ns)
    assert report.module("linked").status == "reloaded"
    assert m.X == 2


def test_src_layout_package_by_module_name(project: Project) -> None:
    project.write("mylib.core", "def f():\n    return 1\n")
    project.write("mylib", "", package=True)
    m = project.load("mylib.core")
    project.edit("mylib.core", "def f():\n    return 2\n")
    report = hotswap.reload(modules=["mylib.core"], namespace=project.ns)
    assert report.module("mylib.core").status == "reloaded"
    assert m.f() == 2


def test_full_reload_of_package_keeps_its_submodules(project: Project) -> None:
    project.write("fullpkg.part", "def f():\n    return 1\n")
    pkg = project.load("fullpkg", "__hotswap_full_reload__ = True\nNAME = 'a'\n", package=True)
    import fullpkg.part  # noqa: F401

    project.edit("fullpkg", "__hotswap_full_reload__ = True\nNAME = 'b'\n", package=True)
    report = project.reload("fullpkg", package=True)
    assert report.module("fullpkg").strategy == "full"
    assert pkg.NAME == "b"
    assert pkg.part.f() == 1
    assert report.module("fullpkg").removed == []


def test_dependents_run_after_what_they_import_whatever_the_load_order(project: Project) -> None:
    log = project.load("order_log2", "seen = []\n")
    project.load("base3", "SIZE = 2\n")
    project.write("mid3", """
        from base3 import SIZE
        import order_log2
        order_log2.seen.append("mid3")
        DOUBLE = SIZE * 2
    """)
    # top3 is put in sys.modules before mid3 (it imports mid3 while running), and imports base3 directly
    top = project.load("top3", """
        from base3 import SIZE
        import order_log2
        from mid3 import DOUBLE
        order_log2.seen.append("top3")
        TOTAL = SIZE + DOUBLE
    """)
    log.seen.clear()
    project.edit("base3", "SIZE = 5\n")
    report = project.reload("base3", dependents=True)
    assert [m.name for m in report.modules] == ["base3", "mid3", "top3"]
    assert log.seen == ["mid3", "top3"]
    assert top.TOTAL == 15
