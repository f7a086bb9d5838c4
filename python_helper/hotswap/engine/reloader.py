"""Orchestration of one ``hotswap.reload`` call.

For each module: read and compile the new source (nothing is touched if that fails), decide
which top-level statements changed, execute only those into the module dict after taking a
snapshot (on any exception the names it bound are put back), then merge new functions and classes into the
old objects so every existing reference runs the new code, rebind ``from m import X`` copies,
and finally walk the heap once for closures and stale instances.
"""

from __future__ import annotations

import ast
import sys
import time
import traceback
import types
from typing import Any, Iterable

from . import heap, importhook, loaded
from .context import Outcome, ReloadContext
from .diff import (
    Baseline,
    SourceBaseline,
    class_bodies,
    unchanged_class_data,
    NoBaseline,
    bound_names,
    bytecode_baseline,
    constant_literal,
    describe,
    first_line,
    is_def,
    same_code,
)
from .imports import holders_of, importers, file_imports, namespace_imports
from .first_reload import kept_statements, matches_cached_code, written_before_start
from .modules import library_reason, module_file, modules_for_paths, realpath, user_module_objects
from .incremental import Parsed, Stmt, parse_changed, parse_full, reparse_all
from .patch_functions import patch_value, safe_same, unwrap_function
from .relocate import relocate, shift
from .report import Diagnostic, ModuleResult, Report, at_line
from .source import Source, SourceProblem, compile_module, read_source, refresh_linecache
from .stale import TRACKER, Binding
from .transaction import Snapshot, WriteLog

FULL_RELOAD_MARKER = "__hotswap_full_reload__"
_MODULE_DUNDERS = (
    "__name__", "__file__", "__spec__", "__loader__", "__package__", "__path__", "__cached__", "__builtins__", "__doc__",
)
_MISSING = object()
_ANY_NAME: set[str] = {"*"}  # marker: any NameError may come from a name bound by a star import

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

    ctx = ReloadContext(ns)
    reloaded: list[str] = []
    for name in _dependency_order(list(targets), targets):
        module, filename = targets[name]
        res = _reload_module(name, module, filename, ctx, preserve, report, dependent=False)
        report.modules.append(res)
        if res.status == "reloaded":
            reloaded.append(name)
    if dependents and reloaded:
        todo = _dependents_of(reloaded, set(targets))
        loaded_mods = {n: (m, module_file(m) or "") for n, m, _f in user_module_objects()}
        for name in _dependency_order(todo, loaded_mods):
            module, filename = loaded_mods[name]
            res = _reload_module(name, module, filename, ctx, preserve, report, dependent=True)
            report.modules.append(res)
    try:
        _finish(ctx, ns, report)
    except Exception as exc:  # noqa: BLE001 - stale checks are advisory; never fail the reload
        report.diagnostics.append(at_line(ctx.file or "", 1, "error", "internal-error",
                                          f"hotswap could not check for stale objects ({type(exc).__name__}: {exc}).", None))
    report.duration_ms = (time.perf_counter() - start) * 1000
    return report


def stale(namespace: dict[str, Any] | None = None) -> Report:
    """Re-check the objects reported stale before, without reloading anything."""
    start = time.perf_counter()
    ns = namespace if namespace is not None else _main_namespace()
    report = Report()
    try:
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


# ------------------------------------------------------------------ one module

def _problem(res: ModuleResult, report: Report, p: SourceProblem, file: str, text: str | None = None) -> ModuleResult:
    """Mark the module failed and report the source problem at its position."""
    res.status = "failed"
    res.error = p.message
    report.diagnostics.append(at_line(file, p.lineno, p.severity, p.code, p.message, None, p.col, p.end_col, text))  # type: ignore[arg-type]
    return res


def _reload_module(name: str, module: types.ModuleType, filename: str, ctx: ReloadContext, preserve: bool,
                   report: Report, dependent: bool) -> ModuleResult:
    """Reload one module; a bug in hotswap becomes an internal-error diagnostic, never an exception."""
    t0 = time.perf_counter()
    real = realpath(filename)
    res = ModuleResult(name, real, "failed", "dependent" if dependent else "patch")
    try:
        _reload_module_inner(name, module, filename, real, ctx, preserve, report, res, dependent)
    except Exception as exc:  # noqa: BLE001 - a bug in hotswap must not take the user's kernel down
        res.status = "failed"
        res.error = f"hotswap internal error: {type(exc).__name__}: {exc}"
        report.diagnostics.append(at_line(real, 1, "error", "internal-error",
                                          f"hotswap could not finish reloading {name} ({type(exc).__name__}: {exc}). "
                                          f"Please report this; restarting the kernel gives a clean state.", None))
    finally:
        res.duration_ms = (time.perf_counter() - t0) * 1000
    return res


def _has_marker(tree: ast.Module, d: dict[str, Any]) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == FULL_RELOAD_MARKER for t in node.targets):
            return isinstance(node.value, ast.Constant) and node.value.value is True
    return d.get(FULL_RELOAD_MARKER) is True


def _reload_module_inner(name: str, module: types.ModuleType, filename: str, real: str, ctx: ReloadContext,
                         preserve: bool, report: Report, res: ModuleResult, dependent: bool) -> None:
    """Read, compile, execute (changed statements or the whole module), then record the new baseline."""
    d = module.__dict__
    try:
        src = read_source(filename)
    except SourceProblem as p:
        _problem(res, report, p, real)
        return
    prev = loaded.get(name, module)
    if prev is None:
        prev = _imported_baseline(name, module, filename)
    if prev is not None and prev.digest == src.digest and not dependent:
        res.status = "unchanged"
        return
    if not src.text.strip() and any(not k.startswith("__") for k in d):
        _problem(res, report, SourceProblem(
            "empty-file", f"{real} is empty; the loaded module {name} was kept as it was. Save the file with its content to reload it.",
            1, severity="warning"), real)
        return
    full = dependent or not preserve or d.get(FULL_RELOAD_MARKER) is True
    parsed: Parsed | None = None
    full_code: types.CodeType | None = None
    try:
        if prev is not None and not full:
            parsed = parse_changed(prev.text, prev.stmts, prev.flags, src, filename, (FULL_RELOAD_MARKER,))
        if parsed is None:
            parsed = parse_full(src, filename)
            assert parsed.tree is not None
            full = full or _has_marker(parsed.tree, d)
            # With the previous source known, only changed statements need compiling (they
            # are compiled below); otherwise compile everything now to catch compile errors.
            if full or prev is None:
                full_code = compile_module(parsed.tree, filename, parsed.flags)
    except SourceProblem as p:
        _problem(res, report, p, real, src.text)
        return
    if prev is None and not dependent and full_code is not None and (
            written_before_start(filename) or matches_cached_code(module, filename, full_code)):
        # the file holds exactly what the module runs: nothing to execute, and from now on
        # edits are compared with this text
        loaded.put(name, module, src.digest, src.text, parsed.stmts, _class_data(parsed, None), parsed.flags)
        res.status = "unchanged"
        return
    ctx.file, ctx.module_name, ctx.text = real, name, src.text
    ctx.patched = []
    new_classes = _class_data(parsed, prev)
    ctx.keep_class_data = unchanged_class_data(prev.classes, new_classes) if prev is not None else {}
    ctx.old_class_names = {q: b.get("", set()) for q, b in prev.classes.items()} if prev is not None else {}
    if full:
        if not dependent:
            res.strategy = "full"
        assert full_code is not None and parsed.tree is not None
        ok = _execute_full(name, module, filename, real, full_code, parsed.tree, src, ctx, report, res)
    else:
        ok = _execute_changed(name, module, filename, real, full_code, parsed, src, prev, ctx, report, res)
    if ok:
        loaded.put(name, module, src.digest, src.text, parsed.stmts, new_classes, parsed.flags)
        refresh_linecache(filename, src.text)
        if real != filename:
            refresh_linecache(real, src.text)


def _class_data(parsed: Parsed, prev: loaded.Loaded | None) -> dict[str, dict[str, set[str]]]:
    """Class body records for the new source: parsed classes anew, others carried over."""
    out = class_bodies(parsed.parsed_nodes(), parsed.text)
    if prev is not None and parsed.tree is None:
        carried = {st.def_name for i, st in enumerate(parsed.stmts) if st.is_class and i not in parsed.nodes}
        for qual, body in prev.classes.items():
            if qual.split(".", 1)[0] in carried and qual not in out:
                out[qual] = body
    return out


def _imported_baseline(name: str, module: types.ModuleType, filename: str) -> loaded.Loaded | None:
    """The source the module was imported from, when the import hook saw that import."""
    hit = importhook.imported_source(name)
    if hit is None:
        return None
    digest, text = hit
    importhook.forget(name)  # consumed: from now on the engine's own record is the baseline
    try:
        parsed = parse_full(Source(filename, text, digest), filename)
    except SourceProblem:
        return None
    loaded.put(name, module, digest, text, parsed.stmts, class_bodies(parsed.parsed_nodes(), text), parsed.flags)
    return loaded.get(name, module)


def _def_nodes(tree: ast.Module) -> dict[str, ast.stmt]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _top_codes(full_code: types.CodeType) -> dict[tuple[str, int], types.CodeType]:
    return {(c.co_name, c.co_firstlineno): c for c in full_code.co_consts if isinstance(c, types.CodeType)}


def _live_matches(node: ast.stmt, d: dict[str, Any], codes: dict[tuple[str, int], types.CodeType]) -> bool:
    """Does the live object behind a definition already run the code of ``node``?"""
    name = getattr(node, "name", "")
    code = codes.get((name, first_line(node)))
    old = d.get(name, _MISSING)
    if code is None or old is _MISSING:
        return False
    if isinstance(node, ast.ClassDef):
        if not isinstance(old, type):
            return False
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                member = old.__dict__.get(c.co_name)
                fn = unwrap_function(member)
                if fn is None:
                    if not isinstance(member, type):
                        return False
                    continue
                if not same_code(fn.__code__, c):
                    return False
        return True
    fn = unwrap_function(old)
    return fn is not None and same_code(fn.__code__, code) and _literal_defaults_match(node, fn)


def _literal_defaults_match(node: ast.stmt, fn: types.FunctionType) -> bool:
    """Defaults live outside the code object; compare those written as literals."""
    args = getattr(node, "args", None)
    if args is None:
        return True
    defaults = fn.__defaults__ or ()
    if len(args.defaults) != len(defaults):
        return False
    for expr, value in zip(args.defaults, defaults):
        try:
            literal = ast.literal_eval(expr)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        if not safe_same(literal, value):
            return False
    return True


def _execute_changed(name: str, module: types.ModuleType, filename: str, real: str, full_code: types.CodeType | None,
                     parsed: Parsed, src: Source, prev: loaded.Loaded | None, ctx: ReloadContext,
                     report: Report, res: ModuleResult) -> bool:
    """State-preserving strategy: run only changed statements, then merge."""
    d = module.__dict__
    baseline: Baseline
    if prev is not None:
        baseline = SourceBaseline.of(prev.stmts)
    else:
        baseline = bytecode_baseline(module, filename, parsed.flags) or NoBaseline(d)
    codes = _top_codes(full_code) if full_code is not None else {}
    selected: list[ast.stmt] = []
    moved: list[ast.stmt] = []
    shifted: list[Stmt] = []
    assumed: list[ast.stmt] = []  # kept without knowing whether they changed (no baseline)
    for i, st in enumerate(parsed.stmts):
        node = parsed.nodes.get(i)
        if node is None:  # carried over from the previous text: unchanged, maybe moved
            if st.def_name and st.moved_by:
                shifted.append(st)
            continue
        if baseline.unchanged(node, st.key):
            if isinstance(baseline, SourceBaseline):
                if is_def(node) and baseline.moved(node, st.key):
                    moved.append(node)
            elif is_def(node):
                if _live_matches(node, d, codes):
                    moved.append(node)
                else:
                    selected.append(node)
            else:
                assumed.append(node)
            continue
        selected.append(node)
    reused = parsed.rebound()
    if any(not is_def(n) or getattr(n, "decorator_list", None) for n in selected):
        ctx.instances_possible = True
    if selected:
        defs = {n.name: n for n in selected if is_def(n)}  # type: ignore[attr-defined]
        snapshot = Snapshot(d)
        code = _compile_statements(selected, filename, real, parsed, src, res, report)
        if code is None:
            return False
        first_replaced = len(ctx.replaced_classes)
        bound = parsed.names()  # None: a star import may bind any name
        outcome = _run(code, d, snapshot, real, src.text, res, report, bound if bound is not None else _ANY_NAME)
        if isinstance(outcome, NameError):
            return _fall_back_to_full(name, module, filename, real, parsed, src, ctx, report, res, outcome)
        if not outcome:
            return False
        _merge(name, selected, snapshot.saved, d, defs, ctx, res, report, reused)
        if not _follow_replaced_bases(name, filename, real, parsed, selected, first_replaced, src, ctx, report, res):
            return False
    res.executed = [describe(n, src.text) for n in selected if not is_def(n)]
    if assumed:
        report.diagnostics.append(_assumed_diagnostic(name, real, src.text, assumed, selected))
    # names the old source bound and the new one does not leave the module
    old_names = baseline.old_names()
    new_names = parsed.names()
    if old_names is not None and new_names is not None:
        gone = sorted(n for n in old_names - new_names if not (n.startswith("__") and n.endswith("__")) and n in d)
        removed = {n: d.pop(n) for n in gone}
        res.removed.extend(gone)
        _propagate(name, {}, removed, ctx)
    if moved and not codes:
        try:
            codes = _top_codes(compile_module(ast.Module(body=moved, type_ignores=[]), filename, parsed.flags))
        except SourceProblem:
            codes = {}
    for node in moved:
        obj = d.get(node.name)  # type: ignore[attr-defined]
        c = codes.get((node.name, first_line(node)))  # type: ignore[attr-defined]
        if obj is not None and c is not None:
            relocate(obj, c)
    seen: set[int] = set()
    for st in shifted:
        obj = d.get(st.def_name or "")
        if obj is not None:
            shift(obj, st.moved_by, st.first - st.moved_by, st.end - st.moved_by, real, seen)
    res.patched = list(dict.fromkeys(res.patched + ctx.patched))
    res.status = "reloaded" if (selected or res.removed) else "unchanged"
    return True


def _assumed_diagnostic(name: str, real: str, text: str, assumed: list[ast.stmt], selected: list[ast.stmt]) -> Diagnostic:
    """Say what a reload without a baseline kept and which constants it applied."""
    kept = kept_statements(assumed)
    applied = [c for c in (constant_literal(n) for n in selected) if c is not None]

    def listed(names: list[str]) -> str:
        return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")

    msg = (f"hotswap did not know which version of {name} was loaded (it was imported before hotswap started "
           f"and has no bytecode cache), so it updated functions and classes and kept the other module-level "
           f"statements as they are, assuming they did not change")
    msg += f" ({listed(kept)})." if kept else "."
    if applied:
        msg += (f" Constants whose value in the file differs from the module's were set from the file: "
                f"{listed([c[0] for c in applied])}.")
    msg += " From now on edits of this file are compared exactly."
    first_applied = next((n.lineno for n in selected if constant_literal(n) is not None), None)
    return at_line(real, first_applied or assumed[0].lineno, "information", "no-baseline", msg, None, text=text)


def _fall_back_to_full(name: str, module: types.ModuleType, filename: str, real: str, parsed: Parsed, src: Source,
                       ctx: ReloadContext, report: Report, res: ModuleResult, exc: NameError) -> bool:
    """Run the whole module when a changed definition needs a name the module binds only for
    a while (``import re`` ... ``del re``): only a full run recreates that moment."""
    try:
        tree = reparse_all(parsed, filename)
        full_code = compile_module(tree, filename, parsed.flags)
    except (SourceProblem, SyntaxError, ValueError) as p:
        _problem(res, report, p if isinstance(p, SourceProblem) else SourceProblem("syntax-error", str(p)), real, src.text)
        return False
    res.strategy = "full"
    ok = _execute_full(name, module, filename, real, full_code, tree, src, ctx, report, res)
    if ok:
        report.diagnostics.append(at_line(
            real, 1, "information", "full-reload",
            f"'{getattr(exc, 'name', '?')}' was not defined when only the changed code ran (the module removes or "
            f"replaces it later), so the whole module was executed again; its module-level state was rebuilt.",
            None, text=src.text))
    return ok


def _follow_replaced_bases(name: str, filename: str, real: str, parsed: Parsed, selected: list[ast.stmt],
                           first: int, src: Source, ctx: ReloadContext, report: Report, res: ModuleResult) -> bool:
    """Unchanged classes of this module that derive from a replaced class are rebuilt too.

    Otherwise ``Child`` would still derive from the old ``Base`` while ``m.Base`` is the new
    one -- the mix of old and new a reload must never leave.
    """
    d = sys.modules[name].__dict__ if name in sys.modules else None
    if d is None:
        return True
    replaced = {r.old for r in ctx.replaced_classes[first:]}
    if not replaced:
        return True
    tree = reparse_all(parsed, filename)
    while replaced:
        done = {getattr(n, "name", None) for n in selected}
        classes = [
            n for n in tree.body
            if isinstance(n, ast.ClassDef) and n.name not in done and isinstance(d.get(n.name), type)
            and any(b in replaced for b in d[n.name].__mro__[1:])
        ]
        if not classes:
            break
        extra: list[ast.stmt] = list(classes)
        mark = len(ctx.replaced_classes)
        snapshot = Snapshot(d)
        code = _compile_statements(extra, filename, real, parsed, src, res, report)
        if code is None:
            return False
        if not _run(code, d, snapshot, real, src.text, res, report):
            return False
        _merge(name, extra, snapshot.saved, d, {n.name: n for n in classes}, ctx, res, report, parsed.rebound())
        selected.extend(extra)
        replaced = {r.old for r in ctx.replaced_classes[mark:]}
    return True


def _execute_full(name: str, module: types.ModuleType, filename: str, real: str, full_code: types.CodeType,
                  tree: ast.Module, src: Source, ctx: ReloadContext, report: Report, res: ModuleResult) -> bool:
    """Re-execute the whole module into its own (cleared) dict, then merge old objects back."""
    d = module.__dict__
    snapshot = Snapshot(d)
    saved = snapshot.saved
    keep = {k: saved[k] for k in _MODULE_DUNDERS if k in saved}
    submodules = {k: v for k, v in saved.items() if isinstance(v, types.ModuleType) and sys.modules.get(f"{name}.{k}") is v}
    log = WriteLog(d)
    d.clear()
    d.update(keep)
    log.cleared(k for k in saved if k not in keep)
    ctx.instances_possible = True
    if not _run(full_code, d, snapshot, real, src.text, res, report, log=log):
        return False
    for k, v in submodules.items():
        d.setdefault(k, v)
    _merge(name, tree.body, saved, d, _def_nodes(tree), ctx, res, report, _rebound_names(tree.body), all_names=True)
    gone = sorted(k for k in saved if k not in d and not (k.startswith("__") and k.endswith("__")))
    res.removed.extend(gone)
    _propagate(name, {}, {k: saved[k] for k in gone}, ctx)
    res.executed = ["<module>"]
    res.patched = list(dict.fromkeys(res.patched + ctx.patched))
    res.status = "reloaded"
    return True


def _compile_statements(nodes: list[ast.stmt], filename: str, real: str, parsed: Parsed, src: Source,
                        res: ModuleResult, report: Report) -> types.CodeType | None:
    """Compile some top-level statements of the file, keeping their line numbers; a problem is
    reported on the module and gives None."""
    try:
        return compile_module(ast.Module(body=nodes, type_ignores=[]), filename, parsed.flags)
    except SourceProblem as p:
        _problem(res, report, p, real, src.text)
        return None


def _run(code: types.CodeType, d: dict[str, Any], snapshot: Snapshot, real: str, text: str,
         res: ModuleResult, report: Report, retry_names: set[str] | None = None,
         log: WriteLog | None = None) -> bool | NameError:
    """Execute; on any exception undo the names this execution bound (other threads' writes
    stay) and report where it failed.

    With ``retry_names``, a NameError for one of those names is returned instead of reported:
    the caller can run the whole module instead (the name exists only at some point of it).
    """
    log = log if log is not None else WriteLog(d)
    try:
        exec(code, d, log)
        return True
    except BaseException as exc:  # noqa: BLE001 - SystemExit and friends must not leave a mix
        snapshot.restore(log)
        if retry_names and isinstance(exc, NameError) and (
                retry_names is _ANY_NAME or getattr(exc, "name", None) in retry_names):
            return exc
        lineno, col, end_col = _failing_position(exc, real)
        if isinstance(exc, SystemExit):
            msg = (f"The module called sys.exit({exc.code!r}) while being reloaded; it was left exactly as it was "
                   f"before the reload.")
        else:
            text_exc = str(exc)
            msg = f"{type(exc).__name__}{': ' + text_exc if text_exc else ''} — the module was left exactly as it was before the reload."
        res.status = "failed"
        res.error = msg
        report.diagnostics.append(at_line(real, lineno, "error", "reload-error", msg, None, col, end_col, text))
        if isinstance(exc, KeyboardInterrupt):
            raise
        return False


def _failing_position(exc: BaseException, real: str) -> tuple[int, int | None, int | None]:
    """Line (1-based) and columns of the innermost traceback entry inside the reloaded file."""
    lineno, col, end_col = 1, None, None
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename and realpath(fs.filename) == real and fs.lineno:
            lineno = fs.lineno
            c, e = getattr(fs, "colno", None), getattr(fs, "end_colno", None)
            same_line = getattr(fs, "end_lineno", lineno) == lineno
            col, end_col = (c, e) if (c is not None and e is not None and same_line) else (None, None)
    return lineno, col, end_col


def _merge(name: str, executed: list[ast.stmt], saved: dict[str, Any], d: dict[str, Any], defs: dict[str, ast.stmt],
           ctx: ReloadContext, res: ModuleResult, report: Report, reused: set[str], all_names: bool = False) -> None:
    """Fold new objects into old ones; collect rebinding of names whose object changed."""
    names = list(d) if all_names else [n for n in _ordered_names(executed) if n in d]
    rebound: dict[str, tuple[Any, Any]] = {}
    for key in names:
        if key.startswith("__") and key.endswith("__"):
            continue
        if key in reused:
            # bound by several statements (``_`` of singledispatch registrations, redefinitions):
            # the old and new objects under this name are not versions of each other
            continue
        new = d.get(key, _MISSING)
        old = saved.get(key, _MISSING)
        if new is _MISSING:
            continue
        if old is _MISSING:
            res.added.append(key)
            continue
        if old is new:
            continue
        node = defs.get(key)
        lineno = node.lineno if node is not None else 1
        try:
            out = patch_value(old, new, ctx, key, lineno, node if isinstance(node, ast.ClassDef) else None)
        except Exception as exc:  # noqa: BLE001 - a failed patch must not crash the kernel
            out = Outcome.REPLACED
            report.diagnostics.append(at_line(ctx.file, lineno, "warning", "patch-failed",
                                              f"{key} could not be updated in place ({type(exc).__name__}: {exc}); "
                                              f"the module now holds a new object, older references keep the old one.",
                                              None, text=ctx.text))
        if out is Outcome.REPLACED:
            rebound[key] = (old, new)
            res.patched.append(key)
        else:
            d[key] = old
            if out is Outcome.PATCHED:
                res.patched.append(key)
    _propagate(name, rebound, {}, ctx)


def _rebound_names(nodes: list[ast.stmt]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for n in nodes:
        for b in bound_names([n]):
            (dup if b in seen else seen).add(b)
    return dup


def _ordered_names(nodes: list[ast.stmt]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        for b in sorted(bound_names([n])):
            if b not in out:
                out.append(b)
    return out


def _propagate(name: str, rebound: dict[str, tuple[Any, Any]], removed: dict[str, Any], ctx: ReloadContext) -> None:
    """Rebind ``from <name> import X`` copies; report copies of names that no longer exist."""
    if not rebound and not removed:
        return
    ns = ctx.namespace
    handled_ns: set[str] = set()
    for h in holders_of(name, list(rebound) + list(removed), ns):
        local, remote = h.ref.local, h.ref.remote
        if h.kind == "namespace":
            handled_ns.add(local)
        current = h.namespace.get(local, _MISSING)
        if remote in rebound:
            old, new = rebound[remote]
            if current is old:
                h.namespace[local] = new
        elif remote in removed and current is removed[remote]:
            TRACKER.add_binding(Binding(h.kind, h.owner, local, current, name, remote, h.file or ctx.file,
                                         h.ref.lineno if h.file else 1, h.ref.col if h.file else None,
                                         h.ref.end_col if h.file else None))
    # A namespace without import history (plain REPL, a dict): same name, same old object.
    refs, _f = namespace_imports(ns)
    if not refs:
        for key, (old, new) in rebound.items():
            if key not in handled_ns and ns.get(key, _MISSING) is old:
                ns[key] = new
        for key, old in removed.items():
            if key not in handled_ns and ns.get(key, _MISSING) is old:
                TRACKER.add_binding(Binding("namespace", "", key, old, name, key, ctx.file, 1, None, None))


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
    for file, label, lineno in ctx.cache_cleared:
        report.diagnostics.append(at_line(file, lineno, "information", "cache-cleared",
                                          f"The cache of {label} was cleared because its code changed.", None))
    report.diagnostics += _stale_diagnostics(ns, ctx)


def _stale_diagnostics(ns: dict[str, Any], ctx: ReloadContext) -> list[Diagnostic]:
    """Swap closures' code and look for stale objects in the call's only heap pass."""
    TRACKER.record(ctx)
    changes = ctx.closure_changes
    retype = ctx.retype if ctx.instances_possible else {}
    if not changes and not retype and not TRACKER.needs_heap():
        return TRACKER.diagnostics(ns, heap.HeapResult(), {})
    targets = TRACKER.classes()
    codes = {id(c): c for c in changes}
    codes.update((cid, info.code) for cid, info in TRACKER.closures.items())
    found = heap.scan(codes, set(targets) | {new for new, _old in retype.values()})
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
    return TRACKER.diagnostics(ns, found, targets)
