"""Reloading one module: read, compare, execute, merge, rebind, record.

A ``ModuleReload`` holds everything about one module of a reload call -- its file, the new
source, the baseline it is compared with and the result -- and the steps are its methods.
Whatever is executed (changed statements, classes rebuilt because their base was replaced,
or the whole module) goes through one path: compile, snapshot, run, merge. A failure at any
step before merging leaves the module exactly as it was.
"""

from __future__ import annotations

import ast
import sys
import time
import traceback
import types
from typing import Any, Callable

from . import importhook, loaded, references
from .context import ClosureChange, ModuleScope, Outcome, ReloadContext
from .diff import (
    Baseline,
    NoBaseline,
    SourceBaseline,
    bound_names,
    bytecode_baseline,
    class_bodies,
    describe,
    first_line,
    is_def,
    same_code,
    unchanged_class_data,
)
from .imports import holders_of, namespace_imports
from .decorators import (KEEPER, Keeper, caches_around, decorator_reads, decorator_text, left_behind, replace_registrations,
                         undecorated, wrapped_function)
from .caches import clear_cache
from .depgraph import class_data_reading, dependents, sandwiched
from .first_reload import (KeptValue, kept_names, kept_statements, kept_values, matches_cached_code,
                           remember_kept, still_kept, written_before_start)
from .incremental import Parsed, Stmt, parse_changed, parse_full, reparse_all
from .modules import realpath
from .relocate import relocate, shift
from .report import Diagnostic, ModuleResult, Report, at_line
from .source import Source, SourceProblem, compile_module, read_source, refresh_linecache
from .stale import TRACKER, Binding
from .transaction import Snapshot, WriteLog
from .values import MISSING, functions_in, is_live_module, safe_same, unwrap_function

FULL_RELOAD_MARKER = "__hotswap_full_reload__"
_MODULE_DUNDERS = (
    "__name__", "__file__", "__spec__", "__loader__", "__package__", "__path__", "__cached__", "__builtins__", "__doc__",
)
_FAILED = NameError("hotswap: the code failed and was reported")  # marker returned by ModuleReload._run
_ANY_NAME: set[str] = {"*"}  # marker: any NameError may come from a name bound by a star import
# module name -> (digest of the source whose reload the user interrupted, line it was at): that
# content is not run again automatically (top-level code that loops would hang the kernel again)
_interrupted: dict[str, tuple[str, int]] = {}


class ModuleReload:
    """One module being reloaded within a call: its source, baseline, steps and result."""

    def __init__(self, name: str, module: types.ModuleType, filename: str, ctx: ReloadContext, report: Report,
                 *, preserve: bool, dependent: bool, retry_interrupted: bool = False) -> None:
        self.name = name
        self.module = module
        self.d: dict[str, Any] = module.__dict__
        self.filename = filename
        self.real = realpath(filename)
        self.ctx = ctx
        self.report = report
        self.preserve = preserve
        self.dependent = dependent
        self.retry_interrupted = retry_interrupted
        self.res = ModuleResult(name, self.real, "failed", "dependent" if dependent else "patch")
        self.src: Source | None = None
        self.prev: loaded.Loaded | None = None
        self.parsed: Parsed | None = None
        self.scope = ModuleScope(name, self.real)
        # names whose object changed since the last round of execution (see depgraph)
        self.replaced: set[str] = set()  # now a different object, or gone
        self.updated: set[str] = set()  # the same object, updated in place
        self.rerun_failed = False
        self.rebuilt: set[str] = set()  # unchanged classes rebuilt because a base was replaced
        # name -> the function its unchanged decorators wrapped (this round runs it undecorated)
        self.wrapped: dict[str, types.FunctionType] = {}
        self.decorated: list[str] = []  # names of this round's functions whose decorators run again
        self.keeper: Keeper | None = None
        self.assumed: list[ast.stmt] = []  # kept without knowing whether they changed (no baseline)

    # ------------------------------------------------------------ driving

    def run(self) -> ModuleResult:
        """Reload; a bug in hotswap becomes an internal-error diagnostic, never an exception."""
        t0 = time.perf_counter()
        try:
            self._reload()
            self._still_kept()
        except Exception as exc:  # noqa: BLE001 - a bug in hotswap must not take the user's kernel down
            self.res.status = "failed"
            self.res.error = f"hotswap internal error: {type(exc).__name__}: {exc}"
            self.report.diagnostics.append(at_line(
                self.real, 1, "error", "internal-error",
                f"hotswap could not finish reloading {self.name} ({type(exc).__name__}: {exc}). "
                f"Please report this; restarting the kernel gives a clean state.", None))
        finally:
            self.res.duration_ms = (time.perf_counter() - t0) * 1000
        return self.res

    def _reload(self) -> None:
        """Read, compile, execute (changed statements or the whole module), then record the new baseline."""
        try:
            src = self.src = read_source(self.filename)
        except SourceProblem as p:
            self.problem(p)
            return
        stopped = _interrupted.get(self.name)
        if stopped is not None and stopped[0] == src.digest and not self.retry_interrupted:
            self.res.status = "skipped"
            self.res.error = (f"The last reload of this content was interrupted at line {stopped[1]}; it is not run "
                              f"again until the file changes (or a forced reload).")
            return
        _interrupted.pop(self.name, None)
        prev = self.prev = loaded.get(self.name, self.module) or self._imported_baseline()
        if prev is not None and prev.digest == src.digest and not self.dependent:
            self.res.status = "unchanged"
            return
        if not src.text.strip() and any(not k.startswith("__") for k in self.d):
            self.problem(SourceProblem(
                "empty-file", f"{self.real} is empty; the loaded module {self.name} was kept as it was. "
                f"Save the file with its content to reload it.", 1, severity="warning"), with_text=False)
            return
        full = self.dependent or not self.preserve or self.d.get(FULL_RELOAD_MARKER) is True
        full_code: types.CodeType | None = None
        parsed: Parsed | None = None
        try:
            if prev is not None and not full:
                parsed = parse_changed(prev.text, prev.stmts, prev.flags, src, self.filename, (FULL_RELOAD_MARKER,))
            if parsed is None:
                parsed = parse_full(src, self.filename)
                assert parsed.tree is not None
                full = full or self._has_marker(parsed.tree)
                # With the previous source known, only changed statements need compiling (they
                # are compiled below); otherwise compile everything now to catch compile errors.
                if full or prev is None:
                    full_code = compile_module(parsed.tree, self.filename, parsed.flags)
        except SourceProblem as p:
            self.problem(p)
            return
        self.parsed = parsed
        if prev is None and not self.dependent and full_code is not None and (
                written_before_start(self.filename) or matches_cached_code(self.module, self.filename, full_code)):
            # the file holds exactly what the module runs: nothing to execute, and from now on
            # edits are compared with this text
            self._record(src, parsed, self._class_data())
            self.res.status = "unchanged"
            return
        self._enter_scope()
        new_classes = self._class_data()
        if prev is not None:
            self.scope.keep_class_data = unchanged_class_data(prev.classes, new_classes)
            self.scope.old_class_names = {q: b.get("", set()) for q, b in prev.classes.items()}
        if full:
            if not self.dependent:
                self.res.strategy = "full"
            assert full_code is not None and parsed.tree is not None
            ok = self.execute_full(full_code, parsed.tree)
        else:
            ok = self.execute_changed(full_code)
        if ok:
            self._record(src, parsed, new_classes)

    def _enter_scope(self) -> None:
        assert self.src is not None
        self.scope.text = self.src.text
        self.ctx.module = self.scope

    def _record(self, src: Source, parsed: Parsed, classes: dict[str, dict[str, set[str]]]) -> None:
        """The new source becomes the baseline; tracebacks show the new lines."""
        loaded.put(self.name, self.module, src.digest, src.text, parsed.stmts, classes, parsed.flags)
        refresh_linecache(self.filename, src.text)
        if self.real != self.filename:
            refresh_linecache(self.real, src.text)

    def problem(self, p: SourceProblem, with_text: bool = True) -> bool:
        """Mark the module failed and report the source problem at its position (always False)."""
        self.res.status = "failed"
        self.res.error = p.message
        text = self.src.text if with_text and self.src is not None else None
        self.report.diagnostics.append(at_line(self.real, p.lineno, p.severity, p.code, p.message,  # type: ignore[arg-type]
                                               None, p.col, p.end_col, text))
        return False

    # ------------------------------------------------------------ baselines

    def _has_marker(self, tree: ast.Module) -> bool:
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == FULL_RELOAD_MARKER for t in node.targets):
                return isinstance(node.value, ast.Constant) and node.value.value is True
        return self.d.get(FULL_RELOAD_MARKER) is True

    def _class_data(self) -> dict[str, dict[str, set[str]]]:
        """Class body records for the new source: parsed classes anew, others carried over."""
        parsed, prev = self.parsed, self.prev
        assert parsed is not None
        out = class_bodies(parsed.parsed_nodes(), parsed.text)
        if prev is not None and parsed.tree is None:
            carried = {st.def_name for i, st in enumerate(parsed.stmts) if st.is_class and i not in parsed.nodes}
            for qual, body in prev.classes.items():
                if qual.split(".", 1)[0] in carried and qual not in out:
                    out[qual] = body
        return out

    def _imported_baseline(self) -> loaded.Loaded | None:
        """The source the module was imported from, when the import hook saw that import."""
        hit = importhook.imported_source(self.name)
        if hit is None:
            return None
        digest, text = hit
        importhook.forget(self.name)  # consumed: from now on the engine's own record is the baseline
        try:
            parsed = parse_full(Source(self.filename, text, digest), self.filename)
        except SourceProblem:
            return None
        loaded.put(self.name, self.module, digest, text, parsed.stmts, class_bodies(parsed.parsed_nodes(), text), parsed.flags)
        return loaded.get(self.name, self.module)

    # ------------------------------------------------------------ strategies

    def execute_full(self, full_code: types.CodeType, tree: ast.Module) -> bool:
        """Re-execute the whole module into its own (cleared) dict, then merge old objects back."""
        self.ctx.instances_possible = True
        saved = self.execute(full_code, tree.body, _def_nodes(tree), _rebound_names(tree.body), whole=True)
        if not isinstance(saved, dict):
            return False
        gone = sorted(k for k in saved if k not in self.d and not (k.startswith("__") and k.endswith("__")))
        self.res.removed.extend(gone)
        self.ctx.rebound(self.d, gone)
        self.propagate({}, {k: saved[k] for k in gone})
        self.res.executed = ["<module>"]
        self._finish_result(reloaded=True)
        return True

    def execute_changed(self, full_code: types.CodeType | None) -> bool:
        """State-preserving strategy: run the changed statements and those computed from them, then merge."""
        parsed, src = self.parsed, self.src
        assert parsed is not None and src is not None
        baseline = self._baseline()
        codes = _top_codes(full_code) if full_code is not None else {}
        chosen, moved, shifted = self._select(baseline, codes)
        if len(chosen) > 1 and not isinstance(baseline, NoBaseline):
            chosen = sorted(set(chosen) | sandwiched(parsed.stmts, set(chosen), parsed.readers()))
        selected = [parsed.node(i, self.filename) for i in chosen]
        if any(not is_def(n) or getattr(n, "decorator_list", None) for n in selected):
            self.ctx.instances_possible = True
        executed: list[ast.stmt] = []
        if selected:
            outcome = self._execute_round(selected, set().union(*(parsed.stmts[i].names for i in chosen)))
            if outcome is not True:
                return outcome
            executed += selected
        self._remove_gone(baseline)
        if isinstance(baseline, NoBaseline):
            # without a baseline nothing proves a statement computed from a changed one is not
            # also state (``SETTINGS = {"mode": default_mode()}``): keep those too
            self.replaced, self.updated = set(), set()
        done = set(chosen)
        if self.rebuilt:
            done.update(i for i, st in enumerate(parsed.stmts) if st.is_class and st.def_name in self.rebuilt)
        while self.replaced or self.updated:
            picked = dependents(parsed.stmts, done, self.replaced, self.updated, parsed.readers())
            changed = self.replaced | self.updated
            self.replaced, self.updated = set(), set()
            if not picked:
                break
            nodes = [parsed.node(i, self.filename) for i in picked]
            if any(not is_def(n) or getattr(n, "decorator_list", None) for n in nodes):
                self.ctx.instances_possible = True
            self.rerun_failed = True
            outcome = self._execute_round(nodes, changed | set().union(*(parsed.stmts[i].names for i in picked)))
            self.rerun_failed = False
            if outcome is not True:
                return outcome
            done.update(picked)
            executed += nodes
            if self.rebuilt:
                done.update(i for i, st in enumerate(parsed.stmts) if st.is_class and st.def_name in self.rebuilt)
        self.res.executed = [describe(n, src.text) for n in executed if not is_def(n)]
        if self.assumed:
            self.report.diagnostics.append(self._assumed_diagnostic())
        self._relocate(moved, shifted, codes)
        self._finish_result(reloaded=bool(executed or self.res.removed))
        return True

    def _execute_round(self, nodes: list[ast.stmt], bound: set[str]) -> bool:
        """Run statements (in source order) and merge; classes derived from a class replaced on
        the way are rebuilt too. ``bound``: the names that changed or are bound now (class data
        computed from them is refreshed). False when that failed (reported); a fallback's
        result otherwise."""
        assert self.parsed is not None
        self._refresh_class_data(nodes, bound)
        defs = {n.name: n for n in nodes if is_def(n)}  # type: ignore[attr-defined]
        first_replaced = len(self.ctx.replaced_classes)
        run = self._keep_decorators(nodes, bound)
        self.decorated = [n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                          and n.decorator_list and n.name not in self.wrapped]
        keeper = Keeper(self.d)
        if self.wrapped:
            self.keeper = keeper
            self.d[KEEPER] = keeper
        try:
            outcome = self.compile_and_execute(run, defs, self.parsed.rebound_among(_bound_by(nodes)), self._bound_names)
        finally:
            self.d.pop(KEEPER, None)
            self.wrapped, self.decorated, self.keeper = {}, [], None
        if isinstance(outcome, NameError):
            return self.fall_back_to_full(outcome)
        if outcome is None:
            return False
        self._class_registrations(nodes)
        return self.follow_replaced_bases(nodes, first_replaced)

    def _class_registrations(self, nodes: list[ast.stmt]) -> None:
        """Methods whose decorators ran again with their class body (``@register`` on a method):
        the entries made for the previous version go where the new run made its own."""
        pairs: list[tuple[Any, Any, Any]] = []
        plain = {"staticmethod", "classmethod", "property"}
        for node in nodes:
            if not isinstance(node, ast.ClassDef):
                continue
            cls = self.d.get(node.name)
            if not isinstance(cls, type):
                continue
            for item in node.body:
                if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or not item.decorator_list:
                    continue
                if all(isinstance(dec, ast.Name) and dec.id in plain for dec in item.decorator_list):
                    continue
                for old in functions_in(cls.__dict__.get(item.name)):
                    new = next((k for k in self.ctx.keep if self.ctx.new_to_old.get(id(k)) is old and k is not old), None)
                    if new is not None:
                        pairs.append((old, new, old))
        if pairs:
            replace_registrations(pairs)

    def _bound_names(self) -> set[str]:
        """Names the new source binds somewhere (``_ANY_NAME`` when a star import may bind any)."""
        assert self.parsed is not None
        names = self.parsed.names()
        return names if names is not None else _ANY_NAME

    def _keep_decorators(self, nodes: list[ast.stmt], changed: set[str]) -> list[ast.stmt]:
        """Decorated functions whose decorators are as before (same text, reading nothing that
        changed) run without them; the function the old decorators wrapped gets the new code
        (``self.wrapped``), so registrations are not made twice."""
        self.wrapped = {}
        if self.prev is None or self.src is None:
            return nodes
        if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.decorator_list for n in nodes):
            return nodes
        assert self.parsed is not None
        rebound = self.parsed.rebound_among({n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))})
        old_defs = {st.def_name: st for st in self.prev.stmts if st.def_name and not st.is_class}
        lines = self.src.text.splitlines(True)
        out: list[ast.stmt] = []
        for n in nodes:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.decorator_list:
                fn = n
                old_st = old_defs.get(fn.name)
                text = "".join(lines[first_line(fn) - 1 : fn.lineno - 1])
                inner = None
                if (old_st is not None and fn.name not in rebound and decorator_text(old_st.key) == text
                        and decorator_reads(fn).isdisjoint(changed)):
                    inner = wrapped_function(self.d.get(fn.name), fn.name, self.real)
                if inner is not None:
                    self.wrapped[fn.name] = inner
                    out.append(undecorated(fn))
                    continue
            out.append(n)
        return out

    def _refresh_class_data(self, nodes: list[ast.stmt], changed: set[str]) -> None:
        """Class attributes computed from what changed take their new value, even where the
        statement's text is the same (``LIMIT = BASE * 2`` after ``BASE`` changed)."""
        assert self.parsed is not None
        keep = self.scope.keep_class_data
        for node in nodes:
            if isinstance(node, ast.ClassDef) and keep:
                for qual, attrs in class_data_reading(node, changed, self.parsed.flags).items():
                    if qual in keep:
                        keep[qual] -= attrs

    def _finish_result(self, reloaded: bool) -> None:
        self.res.patched = list(dict.fromkeys(self.res.patched + self.scope.patched))
        self.res.status = "reloaded" if reloaded else "unchanged"

    def _baseline(self) -> Baseline:
        assert self.parsed is not None
        if self.prev is not None:
            return SourceBaseline.of(self.prev.stmts)
        return bytecode_baseline(self.module, self.filename, self.parsed.flags) or NoBaseline(self.d)

    def _select(self, baseline: Baseline, codes: dict[tuple[str, int], types.CodeType]
                ) -> tuple[list[int], list[ast.stmt], list[Stmt]]:
        """Statements to execute (indexes), unchanged definitions that moved (parsed, or carried over)."""
        assert self.parsed is not None
        selected: list[int] = []
        moved: list[ast.stmt] = []
        stmts = self.parsed.stmts
        # carried over from the previous text: unchanged, maybe moved
        shifted = [st for st in stmts if st.def_name and st.moved_by] if self.parsed.shifted else []
        for i, node in sorted(self.parsed.nodes.items()):
            st = stmts[i]
            if baseline.unchanged(node, st.key):
                if isinstance(baseline, SourceBaseline):
                    if is_def(node) and baseline.moved(node, st.key):
                        moved.append(node)
                elif is_def(node):
                    if _live_matches(node, self.d, codes):
                        moved.append(node)
                    else:
                        selected.append(i)
                elif isinstance(baseline, NoBaseline):
                    self.assumed.append(node)
                continue
            selected.append(i)
        return selected, moved, shifted

    def _assumed_diagnostic(self) -> Diagnostic:
        """Say what a reload without a baseline kept, and how to apply the file's value of the
        constants kept at another value."""
        assert self.src is not None
        values = kept_values(self.assumed, self.d, self.src.text)
        kept = kept_statements(self.assumed, values)

        def listed(names: list[str]) -> str:
            return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")

        msg = (f"hotswap did not know which version of {self.name} was loaded (it was imported before hotswap "
               f"started and has no bytecode cache), so it updated functions and classes and kept the other "
               f"module-level statements as they are, assuming they did not change")
        msg += f" ({listed(kept)})." if kept else "."
        if values:
            msg += (f" Kept too, at the value the module holds although the file assigns another (the program may "
                    f"have changed it): {self._kept_values_text(values)}: from now on edits of this file are "
                    f"compared exactly and applied.")
            remember_kept(self.name, values)
        else:
            msg += " From now on edits of this file are compared exactly."
        line = values[0].lineno if values else self.assumed[0].lineno
        return at_line(self.real, line, "information", "no-baseline", msg, None, text=self.src.text)

    def _kept_values_text(self, values: list[KeptValue]) -> str:
        """``LIMIT is 10 (line 4 of the file: 20). To use the file's value, run ... or edit the line``."""
        each = [f"{v.name} is {v.live} (line {v.lineno} of the file: {v.file})" if v.file
                else f"{v.name} is {v.live} (line {v.lineno} of the file assigns another value)" for v in values]
        listed = ", ".join(each[:8]) + (f" and {len(each) - 8} more" if len(each) > 8 else "")
        first = values[0]
        run = f"`{self.name}.{first.name} = {first.file}`" if first.file else f"the assignment of line {first.lineno}"
        return (f"{listed}. To use the file's value, run {run}{' (likewise for the others)' if len(values) > 1 else ''} "
                f"or edit the line")

    def _still_kept(self) -> None:
        """Constants an earlier reload without a baseline kept at another value than the file's
        are named again at each reload of the module, until the value matches the file."""
        if self.src is None or self.assumed or self.res.status not in ("reloaded", "unchanged"):
            return
        names = kept_names(self.name)
        # the statements of the text the module now runs: parsed by this reload, or the baseline's
        parsed = self.parsed if self.parsed is not None else (
            Parsed(self.prev.text, self.prev.stmts) if self.prev is not None else None)
        if not names or parsed is None:
            return
        nodes = [parsed.node(i, self.filename) for i, st in enumerate(parsed.stmts) if not st.names.isdisjoint(names)]
        values = still_kept(self.name, self.d, self.src.text, nodes)
        if values:
            msg = (f"Still kept from the first reload, when hotswap did not know which version of {self.name} was "
                   f"loaded: {self._kept_values_text(values)}.")
            self.report.diagnostics.append(at_line(self.real, values[0].lineno, "information", "no-baseline", msg,
                                                   None, text=self.src.text))

    def _remove_gone(self, baseline: Baseline) -> None:
        """Names the old source bound and the new one does not leave the module."""
        assert self.parsed is not None
        replaced = self.parsed.replaced
        if replaced is not None and not any(st.star for st in replaced):
            # only the edited region changed: a name can be gone only if a replaced statement bound it
            before: set[str] = set().union(*(st.names for st in replaced))
            now: set[str] = set().union(*(self.parsed.stmts[i].names for i in self.parsed.nodes))
            if not before - now:
                return
        old_names = baseline.old_names()
        new_names = self.parsed.names()
        if old_names is None or new_names is None:
            return
        gone = sorted(n for n in old_names - new_names if not (n.startswith("__") and n.endswith("__")) and n in self.d)
        removed = {n: self.d.pop(n) for n in gone}
        self.res.removed.extend(gone)
        self.replaced.update(gone)
        self.ctx.rebound(self.d, gone)
        self.propagate({}, removed)

    def _relocate(self, moved: list[ast.stmt], shifted: list[Stmt], codes: dict[tuple[str, int], types.CodeType]) -> None:
        """Unchanged definitions at new lines: tracebacks and breakpoints follow them."""
        assert self.parsed is not None
        if moved and not codes:
            try:
                codes = _top_codes(compile_module(ast.Module(body=moved, type_ignores=[]), self.filename, self.parsed.flags))
            except SourceProblem:
                codes = {}
        moves: dict[types.CodeType, types.CodeType] = {}
        for node in moved:
            obj = self.d.get(node.name)  # type: ignore[attr-defined]
            c = codes.get((node.name, first_line(node)))  # type: ignore[attr-defined]
            if obj is not None and c is not None:
                relocate(obj, c, moves=moves)
        seen: set[int] = set()
        for st in shifted:
            obj = self.d.get(st.def_name or "")
            if obj is not None:
                shift(obj, st.moved_by, st.first - st.moved_by, st.end - st.moved_by, self.real, seen, moves=moves)
        for old_inner, new_inner in moves.items():
            # closures made from the moved inner code get it in the heap pass (same variables)
            self.ctx.closure_changes.setdefault(old_inner, ClosureChange(new_inner, self.real, old_inner.co_name))

    def fall_back_to_full(self, exc: NameError) -> bool:
        """Run the whole module when a changed definition needs a name the module binds only for
        a while (``import re`` ... ``del re``): only a full run recreates that moment."""
        assert self.parsed is not None and self.src is not None
        try:
            tree = reparse_all(self.parsed, self.filename)
            full_code = compile_module(tree, self.filename, self.parsed.flags)
        except (SourceProblem, SyntaxError, ValueError) as p:
            return self.problem(p if isinstance(p, SourceProblem) else SourceProblem("syntax-error", str(p)))
        self.res.strategy = "full"
        ok = self.execute_full(full_code, tree)
        if ok:
            self.report.diagnostics.append(at_line(
                self.real, 1, "information", "full-reload",
                f"'{getattr(exc, 'name', '?')}' was not defined when only the changed code ran (the module removes or "
                f"replaces it later), so the whole module was executed again; its module-level state was rebuilt.",
                None, text=self.src.text))
        return ok

    def follow_replaced_bases(self, selected: list[ast.stmt], first: int) -> bool:
        """Unchanged classes of this module that derive from a replaced class are rebuilt too.

        Otherwise ``Child`` would still derive from the old ``Base`` while ``m.Base`` is the new
        one -- the mix of old and new a reload must never leave.
        """
        assert self.parsed is not None
        if self.name not in sys.modules:
            return True
        replaced = {r.old for r in self.ctx.replaced_classes[first:]}
        if not replaced:
            return True
        tree = reparse_all(self.parsed, self.filename)
        d = self.d
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
            mark = len(self.ctx.replaced_classes)
            if self.compile_and_execute(extra, {n.name: n for n in classes}, self.parsed.rebound()) is None:
                return False
            selected.extend(extra)
            self.rebuilt.update(n.name for n in classes)
            replaced = {r.old for r in self.ctx.replaced_classes[mark:]}
        return True

    # ------------------------------------------------------------ compile, snapshot, run, merge

    def compile_and_execute(self, nodes: list[ast.stmt], defs: dict[str, ast.stmt], reused: set[str],
                            retry_names: Callable[[], set[str]] | None = None) -> dict[str, Any] | NameError | None:
        """Compile some top-level statements of the file (keeping their line numbers), then execute."""
        assert self.parsed is not None
        try:
            code = compile_module(ast.Module(body=nodes, type_ignores=[]), self.filename, self.parsed.flags)
        except SourceProblem as p:
            self.problem(p)
            return None
        return self.execute(code, nodes, defs, reused, retry_names=retry_names)

    def execute(self, code: types.CodeType, nodes: list[ast.stmt], defs: dict[str, ast.stmt], reused: set[str],
                *, whole: bool = False, retry_names: Callable[[], set[str]] | None = None) -> dict[str, Any] | NameError | None:
        """Snapshot, run, merge. Gives the namespace as it was before (the snapshot), None when
        the code failed (reported; the namespace is back as it was) or a NameError to retry with.

        ``whole``: the code is the whole module, run into the cleared dict as an import would.
        """
        d = self.d
        snapshot = Snapshot(d)
        saved = snapshot.saved
        log = WriteLog(d)
        submodules: dict[str, Any] = {}
        if whole:
            keep = {k: saved[k] for k in _MODULE_DUNDERS if k in saved}
            submodules = {k: v for k, v in saved.items()
                          if isinstance(v, types.ModuleType) and sys.modules.get(f"{self.name}.{k}") is v}
            d.clear()
            d.update(keep)
            log.cleared(k for k in saved if k not in keep)
        failed = self._run(code, snapshot, log, retry_names)
        if failed is not None:
            return None if failed is _FAILED else failed
        for k, v in submodules.items():
            d.setdefault(k, v)
        self.merge(nodes, saved, defs, reused, all_names=whole)
        return saved

    def _run(self, code: types.CodeType, snapshot: Snapshot, log: WriteLog,
             retry_names: Callable[[], set[str]] | None) -> NameError | None:
        """Execute; on any exception undo the names this execution bound (what other threads
        wrote meanwhile stays) and report where it failed.

        None when it ran; ``_FAILED`` when it failed (reported). With ``retry_names``, a NameError for one of those names is returned instead of reported:
        the caller can run the whole module instead (the name exists only at some point of it).
        """
        try:
            exec(code, self.d, log)
            return None
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends must not leave a mix
            snapshot.restore(log)
            if retry_names is not None and isinstance(exc, NameError):
                names = retry_names()
                if names is _ANY_NAME or getattr(exc, "name", None) in names:
                    return exc
            lineno, col, end_col = _failing_position(exc, self.real)
            if isinstance(exc, SystemExit):
                msg = (f"The module called sys.exit({exc.code!r}) while being reloaded; it was left exactly as it was "
                       f"before the reload.")
            elif isinstance(exc, KeyboardInterrupt):
                msg = (f"Interrupted while running line {lineno} of {self.name}; the module was left as it was before "
                       f"the reload. This content is not run again until the file changes.")
                if self.src is not None:
                    _interrupted[self.name] = (self.src.digest, lineno)
            elif self.rerun_failed:
                text_exc = str(exc)
                msg = (f"{type(exc).__name__}{': ' + text_exc if text_exc else ''} — raised by an unchanged statement run "
                       f"again because it reads what the edit changed; the edited statements were applied, the "
                       f"statements run again keep their previous values.")
            else:
                text_exc = str(exc)
                msg = f"{type(exc).__name__}{': ' + text_exc if text_exc else ''} — the module was left exactly as it was before the reload."
            self.res.status = "failed"
            self.res.error = msg
            self.report.diagnostics.append(at_line(self.real, lineno, "error", "reload-error", msg, None, col, end_col,
                                                   self.src.text if self.src is not None else None))
            if isinstance(exc, KeyboardInterrupt):
                raise
            return _FAILED

    def merge(self, executed: list[ast.stmt], saved: dict[str, Any], defs: dict[str, ast.stmt], reused: set[str],
              all_names: bool = False) -> None:
        """Fold new objects into old ones; collect rebinding of names whose object changed."""
        d, ctx, res = self.d, self.ctx, self.res
        names = list(d) if all_names else [n for n in _ordered_names(executed) if n in d]
        rebound: dict[str, tuple[Any, Any]] = {}
        made: dict[str, Any] = {}
        for key in names:
            new = d.get(key, MISSING)
            old = saved.get(key, MISSING)
            made[key] = new
            inner = self.wrapped.get(key)
            if inner is not None and self.keeper is not None and key in self.keeper.made and new is old:
                node = defs.get(key)
                self._patch_wrapped(key, old, inner, self.keeper.made[key], node.lineno if node is not None else 1)
                continue
            if old is not new and not all_names:
                self.replaced.add(key)  # until the merge below keeps the old object
            if key.startswith("__") and key.endswith("__"):
                continue
            if key in reused:
                # bound by several statements (``_`` of singledispatch registrations, redefinitions):
                # the old and new objects under this name are not versions of each other
                continue
            if new is MISSING:
                continue
            if old is MISSING:
                res.added.append(key)
                continue
            if old is new:
                continue
            node = defs.get(key)
            lineno = node.lineno if node is not None else 1
            try:
                out = ctx.patch(old, new, ctx, key, lineno, node if isinstance(node, ast.ClassDef) else None)
            except Exception as exc:  # noqa: BLE001 - a failed patch must not crash the kernel
                out = Outcome.REPLACED
                self.report.diagnostics.append(at_line(
                    self.real, lineno, "warning", "patch-failed",
                    f"{key} could not be updated in place ({type(exc).__name__}: {exc}); "
                    f"the module now holds a new object, older references keep the old one.",
                    None, text=self.scope.text))
            if out is Outcome.REPLACED:
                rebound[key] = (old, new)
                res.patched.append(key)
            else:
                d[key] = old
                self.replaced.discard(key)
                if out is Outcome.PATCHED:
                    res.patched.append(key)
                    self.updated.add(key)
        ctx.rebound(d, [k for k in names if d.get(k, MISSING) is not saved.get(k, MISSING)])
        self._registrations([(k, saved.get(k, MISSING), made[k]) for k in self.decorated if k in made and k not in reused])
        if not _only_makes_functions(executed):
            # user code ran after making new objects (a decorator, a class body, a statement) and
            # may have stored one of them; plain function definitions leave nothing to fold
            references.fold_merged(ctx.keep, ctx.new_to_old, ctx.namespace)
        self.propagate(rebound, {})

    def _patch_wrapped(self, key: str, old: Any, inner: types.FunctionType, new: Any, lineno: int) -> None:
        """The module keeps the old decorators' result; the function inside gets the new code."""
        ctx = self.ctx
        out = ctx.patch(inner, new, ctx, key, lineno)
        if out is Outcome.REPLACED:
            self.report.diagnostics.append(at_line(
                self.real, lineno, "warning", "patch-failed",
                f"{key} could not be updated in place (its closure changed shape inside its decorators); "
                f"it keeps running its previous code. Reload with the decorators changed, or restart, to apply it.",
                None, text=self.scope.text))
            return
        if out is Outcome.PATCHED:
            self.res.patched.append(key)
            self.updated.add(key)
            ctx.updated(old)
            for cache in caches_around(old):
                try:
                    clear_cache(cache)
                except Exception:  # noqa: BLE001 - a cache that cannot be cleared is left as it is
                    continue
                ctx.cache_cleared.append((self.real, key, lineno, ""))
                ctx.caches_cleared.add(id(cache))

    def _registrations(self, made: list[tuple[str, Any, Any]]) -> None:
        """Decorators that ran again: entries they made for the previous version in containers of
        loaded user modules are replaced by the object the module now binds."""
        pairs: list[tuple[Any, Any, Any]] = []
        names: list[str] = []
        own: dict[str, list[tuple[Any, Any, Any]]] = {}  # name -> its own triples
        for key, old, new in made:
            if old is MISSING or new is MISSING:
                continue
            bound = self.d.get(key, new)
            names.append(key)
            mine = [(old, new, bound)]
            olds = functions_in(old)
            for i, fn in enumerate(functions_in(new)):
                prev = self.ctx.new_to_old.get(id(fn))
                if prev is None and i < len(olds):
                    prev = olds[i]
                if prev is not None and prev is not fn:
                    mine.append((prev, fn, self.ctx.old_for(fn)))
            own.setdefault(key, []).extend(mine)
            pairs += mine
        if not pairs:
            return
        fixed = replace_registrations(pairs)
        old_defs = {st.def_name: st.key for st in self.prev.stmts if st.def_name} if self.prev is not None else {}
        # each name's entries are looked for with its own versions and its own old decorators
        left = left_behind({key: (own[key], decorator_text(old_defs.get(key, ""))) for key in own})
        for key in names:
            node_line = self._def_line(key)
            where = f" Entries they had made for the previous version were replaced in {', '.join(fixed)}." if fixed else ""
            behind = left[key]
            if behind:
                where += (f" {', '.join(behind)} still hold{'s' if len(behind) == 1 else ''} the previous registration, "
                          f"which the new decorators did not make; it runs the new code. Remove it if it should be gone.")
            self.report.diagnostics.append(at_line(
                self.real, node_line, "information", "decorator-rerun",
                f"The decorators of {key} ran again because their expression, or a name they read, changed.{where} "
                f"Registrations they make outside your loaded modules may now hold both versions.",
                None, text=self.scope.text))

    def _def_line(self, name: str) -> int:
        assert self.parsed is not None
        for st in self.parsed.stmts:
            if st.def_name == name:
                return st.first
        return 1

    def propagate(self, rebound: dict[str, tuple[Any, Any]], removed: dict[str, Any]) -> None:
        """Rebind ``from <name> import X`` copies; report copies of names that no longer exist.

        A copy of a module (``import a`` in the user's cells while ``b``, which imported ``a``
        too, stops binding it) holds the live module, never an old version: not reported."""
        removed = {k: v for k, v in removed.items() if not is_live_module(v)}
        if not rebound and not removed:
            return
        name = self.name
        ns = self.ctx.namespace
        handled_ns: set[str] = set()
        for h in holders_of(name, list(rebound) + list(removed), ns):
            local, remote = h.ref.local, h.ref.remote
            if h.kind == "namespace":
                handled_ns.add(local)
            current = h.namespace.get(local, MISSING)
            if remote in rebound:
                old, new = rebound[remote]
                if current is old:
                    h.namespace[local] = new
            elif remote in removed and current is removed[remote]:
                TRACKER.add_binding(Binding(h.kind, h.owner, local, current, name, remote, h.file or self.real,
                                             h.ref.lineno if h.file else 1, h.ref.col if h.file else None,
                                             h.ref.end_col if h.file else None))
        # A namespace without import history (plain REPL, a dict): same name, same old object.
        refs, _f = namespace_imports(ns)
        if not refs:
            for key, (old, new) in rebound.items():
                if key not in handled_ns and ns.get(key, MISSING) is old:
                    ns[key] = new
            for key, old in removed.items():
                if key not in handled_ns and ns.get(key, MISSING) is old:
                    TRACKER.add_binding(Binding("namespace", "", key, old, name, key, self.real, 1, None, None))
        # Other references by name (aliases, re-exports, registries, enum members held elsewhere)
        references.rebind(references.pairs_for(rebound), ns)
        references.note_removed(name, self.real, removed)


# ------------------------------------------------------------------ helpers on statements and code

def _def_nodes(tree: ast.Module) -> dict[str, ast.stmt]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _top_codes(full_code: types.CodeType) -> dict[tuple[str, int], types.CodeType]:
    return {(c.co_name, c.co_firstlineno): c for c in full_code.co_consts if isinstance(c, types.CodeType)}


def _live_matches(node: ast.stmt, d: dict[str, Any], codes: dict[tuple[str, int], types.CodeType]) -> bool:
    """Does the live object behind a definition already run the code of ``node``?"""
    name = getattr(node, "name", "")
    code = codes.get((name, first_line(node)))
    old = d.get(name, MISSING)
    if code is None or old is MISSING:
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


def _plain_value(e: ast.expr | None) -> bool:
    """An expression whose evaluation runs no user code: a literal or a name (``-1`` too)."""
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        e = e.operand
    return e is None or isinstance(e, (ast.Constant, ast.Name))


def _only_makes_functions(nodes: list[ast.stmt]) -> bool:
    """True when running ``nodes`` only makes functions and binds them: each is a ``def`` without
    decorators (or with only ``KEEPER``, which hands the new function to the engine), whose
    defaults and annotations are literals or names. No user code runs then, so nothing but the
    module's own name can hold the new function (nor any object made earlier in the reload)."""
    for n in nodes:
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) or getattr(n, "type_params", None):
            return False
        if any(not (isinstance(dec, ast.Name) and dec.id == KEEPER) for dec in n.decorator_list):
            return False
        a = n.args
        every = [*a.posonlyargs, *a.args, *a.kwonlyargs, *([a.vararg] if a.vararg else []), *([a.kwarg] if a.kwarg else [])]
        exprs = [*a.defaults, *a.kw_defaults, *(x.annotation for x in every), n.returns]
        if not all(_plain_value(e) for e in exprs):
            return False
    return True


def _bound_by(nodes: list[ast.stmt]) -> set[str]:
    return bound_names(nodes)


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
