"""Reload of a 200-function module after a one-line edit: hotswap against importlib.reload and
IPython's autoreload (deduperreload and superreload), with 0, 1M and 5M other live objects, and
the 1st reload against the 50th; and the same edit in a 5,000-function module.

Two edits are timed: a function body (no live object needs looking for) and ``Shape.__init__``
gaining an attribute while an old ``Shape`` is alive (the engine must search the heap for
holders of stale objects, its worst case).
"""

from __future__ import annotations

import gc
import importlib
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Callable

from benchmarks.report import machine, median, ms, ratio, table

FUNCTIONS = 200
EDITED = 100
LARGE = 5000  # functions in the large module (edited: f100 too)


def module_source(version: int, shape_edit: bool = False, functions: int = FUNCTIONS) -> str:
    """A module of ``functions`` functions and a class; ``version`` changes one line: the body
    of ``f{EDITED}``, or with ``shape_edit`` an attribute set in ``Shape.__init__``."""
    lines = ["import math", ""]
    for i in range(functions):
        body = f"x * {version} + {i}" if i == EDITED and not shape_edit else f"x + {i}"
        lines += [f"def f{i}(x):", f"    return {body}", ""]
    lines += [
        "class Shape:",
        "    def __init__(self, size):",
        "        self.size = size",
        f"        self.tag = {version}" if shape_edit else "",
        "",
        "    def area(self):",
        "        return math.pi * self.size ** 2",
        "",
    ]
    return "\n".join(lines)


class Subject:
    """One tool reloading its own copy of the module, so tools never see each other's state."""

    def __init__(self, name: str, folder: Path, reload: Callable[[types.ModuleType, Path], None],
                 functions: int = FUNCTIONS) -> None:
        self.name = name
        self.functions = functions
        stem = f"bench_{name}" if functions == FUNCTIONS else f"bench_{name}_{functions}"
        self.path = folder / f"{stem}.py"
        self.path.write_text(module_source(0, functions=functions))
        self.module = importlib.import_module(stem)
        self._reload = reload
        self.version = 0
        self.old_shape = self.module.Shape(1)  # an instance made before every edit

    def edit_and_reload(self, shape_edit: bool = False) -> float:
        self.version += 1
        self.path.write_text(module_source(self.version, shape_edit, self.functions))
        gc.collect()
        start = time.perf_counter()
        self._reload(self.module, self.path)
        elapsed = (time.perf_counter() - start) * 1000
        fresh = sys.modules[self.module.__name__]
        if shape_edit:
            assert fresh.Shape(1).tag == self.version, f"{self.name} did not apply the edit"
        else:
            assert fresh.f100(1) == self.version + EDITED, f"{self.name} did not apply the edit"
        return elapsed


def by_hotswap(module: types.ModuleType, path: Path) -> None:
    import hotswap

    report = hotswap.reload(paths=[str(path)]).to_dict()
    assert report["modules"][0]["status"] == "reloaded", report


def by_importlib(module: types.ModuleType, path: Path) -> None:
    importlib.reload(module)


def make_subjects(folder: Path) -> list[Subject]:
    import hotswap.engine  # as in a kernel: loaded (with its import hook) before the user's imports
    from IPython.extensions.autoreload import superreload
    from IPython.extensions.deduperreload.deduperreload import DeduperReloader

    deduper = DeduperReloader()
    old_objects: dict = {}

    def by_deduper(module: types.ModuleType, path: Path) -> None:
        if not deduper.maybe_reload_module(module):
            raise RuntimeError("deduperreload fell back; the benchmark would measure superreload")

    def by_superreload(module: types.ModuleType, path: Path) -> None:
        superreload(module, importlib.reload, old_objects)

    subjects = [
        Subject("hotswap", folder, by_hotswap),
        Subject("importlib", folder, by_importlib),
        Subject("deduperreload", folder, by_deduper),
        Subject("superreload", folder, by_superreload),
    ]
    deduper.update_sources()
    return subjects


def large_module(folder: Path, repeats: int) -> list[str]:
    """The same one-line edit in a module of LARGE functions, hotswap against importlib.reload."""
    subjects = [Subject("hotswap", folder, by_hotswap, LARGE), Subject("importlib", folder, by_importlib, LARGE)]
    try:
        first = {s.name: s.edit_and_reload() for s in subjects}  # hotswap's first uses the import-time source
        times = {s.name: median([s.edit_and_reload() for _ in range(repeats)]) for s in subjects}
    finally:
        for s in subjects:
            sys.modules.pop(s.module.__name__, None)
    return [
        f"### A module of {LARGE:,} functions, one function body edited",
        "",
        f"Median of {repeats} reloads after the first; the first reload is shown apart.",
        "",
        table(["", "hotswap ms", "importlib ms", "hotswap / importlib"], [
            ["first reload", ms(first["hotswap"]), ms(first["importlib"]), ratio(first["hotswap"], first["importlib"])],
            ["later reloads (median)", ms(times["hotswap"]), ms(times["importlib"]), ratio(times["hotswap"], times["importlib"])],
        ]),
    ]


def heap_pass_ms() -> float:
    start = time.perf_counter()
    objects = gc.get_objects()
    elapsed = (time.perf_counter() - start) * 1000
    del objects
    return elapsed


def main(quick: bool = False) -> str:
    heaps = [0, 200_000, 1_000_000] if quick else [0, 1_000_000, 5_000_000]
    repeats = 3 if quick else 7
    sequence = 20 if quick else 50
    out = [
        "## Reloading a module after a one-line edit",
        "",
        f"{FUNCTIONS} functions and a class, one function body edited; median of {repeats} reloads, "
        f"milliseconds. {machine()}. IPython's tools are driven directly (no shell): "
        "`DeduperReloader.maybe_reload_module` and `superreload`.",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, tmp)
        try:
            subjects = make_subjects(Path(tmp))
            rows: dict[bool, list[list[str]]] = {False: [], True: []}
            ballast: list[list[object]] = []
            for heap in heaps:
                ballast.extend([] for _ in range(heap - len(ballast)))
                passes = median([heap_pass_ms() for _ in range(3)])
                for shape_edit in (False, True):
                    times = {
                        s.name: median([s.edit_and_reload(shape_edit) for _ in range(repeats)]) for s in subjects
                    }
                    base = times["importlib"]
                    rows[shape_edit].append([
                        f"{heap:,}",
                        *(ms(times[s.name]) for s in subjects),
                        ms(passes),
                        ratio(times["hotswap"], base),
                        ratio(times["hotswap"], base + passes),
                    ])
            del ballast
            headers = ["extra live objects", *(f"{s.name} ms" for s in subjects), "one gc.get_objects() ms",
                       "hotswap / importlib", "hotswap / (importlib + one pass)"]
            out += ["### A function body edited", "", table(headers, rows[False]), ""]
            out += ["### `Shape.__init__` gains an attribute while an old `Shape` is alive", "",
                    table(headers, rows[True])]
            out += ["", f"### The 1st against the {sequence}th consecutive reload", ""]
            rows = []
            for s in subjects:
                times = [s.edit_and_reload() for _ in range(sequence)]
                first, last = median(times[:3]), median(times[-3:])
                rows.append([s.name, ms(first), ms(last), ratio(last, first)])
            out.append(table(
                ["tool", "reloads 1–3 ms (median)", f"reloads {sequence - 2}–{sequence} ms (median)", "last / first"],
                rows,
            ))
            out += ["", *large_module(Path(tmp), repeats)]
        finally:
            sys.path.remove(tmp)
            for s in subjects if "subjects" in locals() else []:
                sys.modules.pop(s.module.__name__, None)
    return "\n".join(out) + "\n"
