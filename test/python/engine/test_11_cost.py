"""Behaviour 11: one heap pass at most per reload call; nothing grows with reloads."""

from __future__ import annotations

import gc

import pytest

import hotswap
from engine_support import Project
from hotswap.engine import heap


def _module(n_funcs: int, n_classes: int, variant: int) -> str:
    parts = [f"def f{i}(x):\n    return x + {variant}\n" for i in range(n_funcs)]
    parts += [
        f"class C{i}:\n    def __init__(self):\n        self.a = 1\n        self.v{variant} = {variant}\n"
        f"    def m(self):\n        def inner():\n            return {variant}\n        return inner\n"
        for i in range(n_classes)
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("referrers_up_to", [0, 10**6], ids=["get_objects", "get_referrers"])
def test_one_heap_pass_whatever_the_number_of_changes(project: Project, monkeypatch, referrers_up_to: int) -> None:
    # both ways of walking the heap find the same closures and instances
    monkeypatch.setattr(heap, "_REFERRERS_UP_TO", referrers_up_to)
    m = project.load("wide", _module(50, 20, 0))
    keep = [getattr(m, f"C{i}")() for i in range(20)]
    inners = [c.m() for c in keep]
    project.edit("wide", _module(50, 20, 1))
    before = heap.passes
    report = project.reload("wide")
    assert heap.passes - before == 1
    assert len(report.module("wide").patched) >= 70
    assert all(f() == 1 for f in inners)
    assert len(report.by_code("stale-instance")) == 20


def test_no_heap_pass_when_nothing_needs_it(project: Project) -> None:
    project.load("plainfns", _module(10, 0, 0))
    project.edit("plainfns", _module(10, 0, 1))
    before = heap.passes
    project.reload("plainfns")
    assert heap.passes == before


def _registry_sizes() -> dict[str, int]:
    """Sizes of every store the engine keeps between calls (what could grow with reloads)."""
    import linecache

    from hotswap.engine import importhook, imports, loaded, modules
    from hotswap.engine.stale import TRACKER

    return {
        "loaded": len(loaded._loaded),
        "imported sources": len(importhook._sources),
        "import cache (files)": len(imports._file_cache),
        "import cache (cells)": len(imports._cell_cache),
        "realpath cache": len(modules._realpath_cache),
        "user-file cache": len(modules._user_cache),
        "module-file cache": len(modules._module_file_cache),
        "stale expectations": len(TRACKER.expect),
        "replaced classes": len(TRACKER.replaced),
        "stale closures": len(TRACKER.closures),
        "stale bindings": len(TRACKER.bindings),
        "linecache": len(linecache.cache),
        "subclasses of object": len(object.__subclasses__()),
    }


def test_fiftieth_reload_leaves_nothing_behind(project: Project) -> None:
    """The 50th reload does the work the 1st does: no registry, cache or heap grows with reloads."""
    m = project.load("repeat", _module(200, 1, 0))
    other = project.load("repeat_user", "from repeat import f0, C0\n")
    project.run("from repeat import f1, C0\nobj = C0()\ninner = obj.m()")
    obj = m.C0()  # an old instance keeps the stale tracker busy
    sizes: list[dict[str, int]] = []
    counts: list[int] = []
    for i in range(1, 61):
        project.edit("repeat", _module(200, 1, i))
        report = project.reload("repeat")
        assert report.module("repeat").status == "reloaded"
        assert len(report.by_code("stale-instance")) == 1
        if i in (10, 60):
            gc.collect()
            counts.append(len(gc.get_objects()))
            sizes.append(_registry_sizes())
    assert m.f0(0) == 60 and other.f0(0) == 60 and project.ns["inner"]() == 60
    assert obj.m()() == 60
    assert sizes[1] == sizes[0]
    # 50 more reloads leave (almost) no extra objects behind
    assert counts[1] - counts[0] < 500, counts


def test_one_heap_pass_for_several_modules_and_their_dependents(project: Project) -> None:
    mods = [project.load(f"many{i}", _module(5, 3, 0)) for i in range(3)]
    project.load("many_user", "from many0 import C0\nfrom many1 import f1\nX = C0()\n")
    keep = [getattr(m, f"C{j}")() for m in mods for j in range(3)]
    for i in range(3):
        project.edit(f"many{i}", _module(5, 3, 1))
    before = heap.passes
    report = hotswap.reload(paths=[str(project.path(f"many{i}")) for i in range(3)], dependents=True, namespace=project.ns)
    assert heap.passes - before == 1
    assert [m.status for m in report.modules] == ["reloaded"] * 4
    assert len(report.by_code("stale-instance")) == 9
    before = heap.passes
    assert len(hotswap.stale(project.ns).by_code("stale-instance")) == 9
    assert heap.passes - before == 1
    assert keep
