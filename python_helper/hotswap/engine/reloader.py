"""Orchestration of one ``hotswap.reload`` call.

Picks the modules to reload and their order, reloads each (``pipeline.ModuleReload``: read and
compile the new source, nothing is touched if that fails; execute what changed after taking a
snapshot, the names it bound put back on any exception; merge new functions and classes into the old
objects so every existing reference runs the new code; rebind ``from m import X`` copies), and
finally walks the heap once for closures and stale instances.
"""

from __future__ import annotations

import sys
import time
import types
from typing import Any, Iterable

from . import heap
from .caches import clear_dependent_caches
from .factories import remember_factory_classes
from .context import ReloadContext
from .imports import file_imports, importers
from .merge import patch_value
from .modules import library_reason, module_file, modules_for_paths, realpath, user_module_objects
from .pipeline import FULL_RELOAD_MARKER, ModuleReload
from .report import Diagnostic, ModuleResult, Report, at_line
from .stale import TRACKER
from .stale_watch import WATCH

__all__ = ["FULL_RELOAD_MARKER", "configure", "reload", "stale"]

_options: dict[str, Any] = {"preserve_state": True}


def configure(*, preserve_state: bool | None = None) -> dict[str, Any]:
    """Set process-wide defaults; returns the current options.

    ``preserve_state=False`` makes every reload re-execute whole modules (module-level state
    is rebuilt), as a module can also ask for with ``__hotswap_full_reload__ = True``.
    """
    if preserve_state is not None:
        _options["preserve_state"] = bool(preserve_state)
    return dict(_options)


def _main_namespace() -> dict[str, Any]:
    main = sys.modules.get("__main__")
    return getattr(main, "__dict__", {}) if main is not None else {}


def reload(
    paths: Iterable[str] | str = (),
    modules: Iterable[str] | str = (),
    *,
    dependents: bool = False,
    namespace: dict[str, Any] | None = None,
    preserve_state: bool | None = None,
    force: bool = False,
) -> Report:
    """Update the loaded modules that come from ``paths`` or are named in ``modules``.

    Only the user's own modules are reloaded: standard-library, site-packages, frozen and
    built-in modules are skipped with the reason unless ``force`` is true.
    """
    start = time.perf_counter()
    ns = namespace if namespace is not None else _main_namespace()
    preserve = _options["preserve_state"] if preserve_state is None else bool(preserve_state)
    if isinstance(paths, str):
        paths = [paths]
    if isinstance(modules, str):
        modules = [modules]
    report = Report()
    targets: dict[str, tuple[types.ModuleType, str]] = {}
    for path, hits in modules_for_paths(paths).items():
        if not hits:
            report.modules.append(ModuleResult("", path, "skipped", "none", error="No loaded module comes from this file."))
        for name, module in hits:
            _add_target(name, module, targets, report, force)
    for name in modules:
        loaded_module = sys.modules.get(name)
        if loaded_module is None:
            report.modules.append(ModuleResult(name, "", "skipped", "none", error=f"Module {name} is not loaded."))
            continue
        _add_target(name, loaded_module, targets, report, force)

    ctx = ReloadContext(ns, patch_value)
    reloaded: list[str] = []
    for name in _dependency_order(list(targets), targets):
        module, filename = targets[name]
        step = ModuleReload(name, module, filename, ctx, report, preserve=preserve, dependent=False,
                            retry_interrupted=force)
        if not _run_step(step, report):
            break
        if step.res.status == "reloaded":
            reloaded.append(name)
    if dependents and reloaded and not report.interrupted:
        todo = _dependents_of(reloaded, set(targets))
        loaded_mods = {n: (m, module_file(m) or "") for n, m, _f in user_module_objects()}
        for name in _dependency_order(todo, loaded_mods):
            module, filename = loaded_mods[name]
            if not _run_step(ModuleReload(name, module, filename, ctx, report, preserve=preserve, dependent=True), report):
                break
    if report.interrupted:
        # the user wants the kernel back: no heap pass now (the next check makes it)
        WATCH.disarm()
        report.duration_ms = (time.perf_counter() - start) * 1000
        return report
    try:
        _finish(ctx, ns, report)
    except Exception as exc:  # noqa: BLE001 - stale checks are advisory; never fail the reload
        report.diagnostics.append(at_line(ctx.module.file, 1, "error", "internal-error",
                                          f"hotswap could not check for stale objects ({type(exc).__name__}: {exc}).", None))
    report.duration_ms = (time.perf_counter() - start) * 1000
    return report


def _run_step(step: ModuleReload, report: Report) -> bool:
    """Reload one module into the report; False when the user interrupted (stop there)."""
    try:
        report.modules.append(step.run())
        return True
    except KeyboardInterrupt:
        res = step.res
        res.status = "failed"
        if not res.error:  # interrupted outside the module's own code (while updating objects)
            res.error = "Interrupted while hotswap was updating objects; restarting the kernel gives a clean state."
            report.diagnostics.append(at_line(step.real, 1, "error", "reload-error", res.error, None))
        report.modules.append(res)
        report.interrupted = True
        return False


def stale(namespace: dict[str, Any] | None = None) -> Report:
    """Re-check the objects reported stale before, without reloading anything.

    When nothing the last check rests on changed (``stale_watch``), its answer is reused and
    the heap is not walked: a few lookups per holder name.
    """
    start = time.perf_counter()
    ns = namespace if namespace is not None else _main_namespace()
    report = Report()
    try:
        cached = WATCH.quiet(ns, TRACKER.version)
        if cached is not None:
            report.diagnostics += cached + TRACKER.binding_diagnostics(ns)
        else:
            report.diagnostics += _stale_diagnostics(ns, ReloadContext(ns))
    except Exception as exc:  # noqa: BLE001 - advisory; never raise into the kernel
        report.diagnostics.append(at_line("", 1, "error", "internal-error",
                                          f"hotswap could not check for stale objects ({type(exc).__name__}: {exc}).", None))
    report.duration_ms = (time.perf_counter() - start) * 1000
    return report


# ------------------------------------------------------------------ target selection

def _add_target(name: str, module: types.ModuleType, targets: dict[str, tuple[types.ModuleType, str]], report: Report,
                force: bool = False) -> None:
    filename = module_file(module)
    if name == "__main__" or module is sys.modules.get("__main__"):
        report.modules.append(ModuleResult(name, realpath(filename) if filename else "", "skipped", "none",
                                           error="__main__ is never re-executed; run the script again to apply its changes."))
        return
    why = library_reason(name, module)
    if why == "a built-in module":
        report.modules.append(ModuleResult(name, "", "skipped", "none",
                                           error=f"Module {name} is a built-in module (compiled into Python); it has no "
                                                 f"source to reload."))
        return
    if why is not None and not force:
        report.modules.append(ModuleResult(
            name, realpath(filename) if filename else "", "skipped", "none",
            error=f"Module {name} is {why}, not your code, so it was not reloaded: re-running its statements can break "
                  f"the running interpreter. Reload it with force=True (protocol: \"force\": true) if you must."))
        return
    if filename is None:
        report.modules.append(ModuleResult(name, "", "skipped", "none", error=f"Module {name} has no Python source file."))
        return
    targets.setdefault(name, (module, filename))


def _imports_of(name: str, module: types.ModuleType, filename: str) -> set[str]:
    pkg = getattr(module, "__package__", None)
    return file_imports(filename, pkg if isinstance(pkg, str) else None)[1]


def _dependency_order(names: list[str], mods: dict[str, tuple[types.ModuleType, str]]) -> list[str]:
    """Modules a module imports come first, so importers see the updated objects."""
    pending = list(dict.fromkeys(names))
    if len(pending) < 2:
        return pending
    nameset = set(pending)
    deps = {n: {d for d in _imports_of(n, *mods[n]) if d in nameset and d != n} for n in pending}
    # a package's __init__ depends on its submodules it imports; a submodule importing its
    # package (`from . import x`) does not make a cycle worth breaking differently
    out: list[str] = []
    done: set[str] = set()
    while pending:
        for n in pending:
            if deps[n] <= done:
                break
        else:
            n = pending[0]  # a cycle: keep the caller's order
        pending.remove(n)
        done.add(n)
        out.append(n)
    return out


def _dependents_of(changed: list[str], exclude: set[str]) -> list[str]:
    """Loaded user modules that import a changed module, transitively."""
    seen = set(changed) | exclude
    out: list[str] = []
    frontier = list(changed)
    while frontier:
        nxt: list[str] = []
        for target in frontier:
            for imp in importers(target):
                if imp not in seen:
                    seen.add(imp)
                    out.append(imp)
                    nxt.append(imp)
        frontier = nxt
    return out


# ------------------------------------------------------------------ heap pass and stale objects

def _finish(ctx: ReloadContext, ns: dict[str, Any], report: Report) -> None:
    """Diagnostics for the whole call: replaced classes, cleared caches, then stale objects."""
    replaced_olds = {id(r.old) for r in ctx.replaced_classes}
    for r in ctx.replaced_classes:
        subs: list[type]
        try:
            direct: list[type] = type.__subclasses__(r.old)
            subs = [c for c in direct if id(c) not in replaced_olds]
        except TypeError:
            subs = []
        tail = ""
        if subs:
            listed = ", ".join(f"{c.__module__}.{c.__qualname__}" for c in subs[:5])
            tail = (f" Subclasses defined elsewhere still derive from the old class ({listed}); reload their modules "
                    f"(or reload with dependents) to rebuild them.")
        report.diagnostics.append(at_line(r.file, r.lineno, "information", "class-replaced",
                                          f"{r.old.__qualname__} could not be updated in place because {r.reason}; "
                                          f"a new class was installed.{tail}", None))
    clear_dependent_caches(ctx)
    for file, label, lineno, cause in ctx.cache_cleared:
        why = f"{cause}, which its results depend on, changed" if cause else "its code changed"
        report.diagnostics.append(at_line(file, lineno, "information", "cache-cleared",
                                          f"The cache of {label} was cleared because {why}.", None))
    remember_factory_classes(ctx, ns, TRACKER.factory_classes)  # reported with the other stale objects below
    report.diagnostics += _stale_diagnostics(ns, ctx)


def _stale_diagnostics(ns: dict[str, Any], ctx: ReloadContext) -> list[Diagnostic]:
    """Swap closures' code and look for stale objects in the call's only heap pass."""
    TRACKER.record(ctx)
    WATCH.disarm()
    changes = ctx.closure_changes
    retype = ctx.retype if ctx.instances_possible else {}
    if not changes and not retype and not TRACKER.needs_heap():
        return _armed(ns, heap.HeapResult(), {})
    targets = TRACKER.classes()
    codes = {id(c): c for c in changes}
    codes.update((cid, info.code) for cid, info in TRACKER.closures.items())
    wanted = set(targets) | {new for new, _old in retype.values()}
    found = heap.scan(codes, wanted, TRACKER.held_classes())
    for new_cls, old_cls in retype.values():
        # made from the class body that was merged into the old class: same layout, so they can
        # simply become instances of the old class (and then count like any other instance)
        for obj in found.instances.pop(new_cls, []):
            try:
                obj.__class__ = old_cls
            except (TypeError, AttributeError):
                continue
            if old_cls in targets:
                found.instances.setdefault(old_cls, []).append(obj)
    for old_code, change in changes.items():
        fns = found.functions.pop(id(old_code), [])
        if not fns:
            continue
        if all(f.__code__.co_freevars == change.new.co_freevars for f in fns):
            for f in fns:
                f.__code__ = change.new
            continue
        TRACKER.add_closure(old_code, change.maker, old_code.co_name, change.file, change.new.co_firstlineno)
        found.functions[id(old_code)] = fns
    return _armed(ns, found, targets, {id(targets), id(wanted)} | _engine_containers(ctx))


def _engine_containers(ctx: ReloadContext) -> set[int]:
    """ids of the containers this reload call keeps its records in (two levels below the
    context): they refer to replaced classes but are no user's references."""
    out: set[int] = set()
    level: list[Any] = [ctx]
    for _depth in range(3):
        nxt: list[Any] = []
        for obj in level:
            t = type(obj)
            if t in (list, tuple, set, frozenset):
                items: list[Any] = list(obj)
            elif t is dict:
                items = [*obj.keys(), *obj.values()]
            elif t.__module__.startswith("hotswap"):
                d = getattr(obj, "__dict__", None)
                items = list(d.values()) if isinstance(d, dict) else []
                if isinstance(d, dict):
                    out.add(id(d))
            else:
                continue
            out.add(id(obj))
            nxt.extend(x for x in items if type(x) in (list, tuple, set, frozenset, dict)
                       or type(x).__module__.startswith("hotswap"))
        level = nxt
    return out


def _armed(ns: dict[str, Any], found: heap.HeapResult, targets: dict[type, type],
           ignore: set[int] | None = None) -> list[Diagnostic]:
    """Diagnostics of a full check; the watch remembers what they rest on for the next cell.
    While an old class is held beyond the namespace (an attribute, a closure), nothing
    proves the report still true after a cell: the watch stays disarmed."""
    objects = TRACKER.object_diagnostics(ns, found, targets, ignore)
    if any(d.code == "stale-reference" for d in objects):
        WATCH.disarm()
    else:
        WATCH.arm(ns, TRACKER.last_objects, TRACKER.last_holders, objects, TRACKER.version)
    TRACKER.last_objects = []  # held weakly by the watch only: recreating them must free them
    return objects + TRACKER.binding_diagnostics(ns)
