"""Behaviour 11: one heap pass at most per reload call; nothing grows with reloads."""

from __future__ import annotations

import gc
import time

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


def test_one_heap_pass_whatever_the_number_of_changes(project: Project) -> None:
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


def test_fiftieth_reload_costs_what_the_first_does(project: Project) -> None:
    m = project.load("repeat", _module(200, 1, 0))
    obj = m.C0()  # noqa: F841 - an old instance keeps the stale tracker busy
    durations = []
    gc.collect()
    counts = []
    for i in range(1, 61):
        project.edit("repeat", _module(200, 1, i))
        t = time.perf_counter()
        report = project.reload("repeat")
        durations.append(time.perf_counter() - t)
        assert report.module("repeat").status == "reloaded"
        if i in (10, 60):
            gc.collect()
            counts.append(len(gc.get_objects()))
    assert m.f0(0) == 60
    # bounded state: 50 more reloads leave (almost) no extra objects behind
    assert counts[1] - counts[0] < 500, counts
    # the fastest of the last ten against the fastest of the first ten: robust to a busy machine
    first = min(durations[:10])
    last = min(durations[-10:])
    assert last < first * 1.5 + 0.001, (first, last)
