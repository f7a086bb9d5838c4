"""Which top-level statements read what other statements bind (the module's def-use graph).

Running only the statements whose text changed keeps module state, but leaves a statement
computed from a changed one with its old value (``ALLOWED = BASE | {...}`` after ``BASE``
changed). For each top-level statement this records the names it reads while it runs --
expressions, decorators, default values, base classes, class bodies, comprehensions, and
annotations unless ``from __future__ import annotations`` defers them -- but not function
bodies, which run only when called. Three sets per statement:

- ``reads``: every global name it reads;
- ``uses``: the names it does more with than pass the object along: calls it, reads an
  attribute or item of it (``build()``, ``Foo.method``, ``f.__code__``). An object updated in
  place still behaves differently for these, while a plain reference (``Alias = A``,
  ``{"a": f}``, ``atexit.register(f)``) already sees the update;
- ``mutates``: names whose object the statement changes without rebinding them
  (``ITEMS.append(x)``, ``TABLE[k] = v``): running it again needs a fresh object first.

The reload uses these after running the changed statements (see ``pipeline``): a statement
runs again when a name it reads now holds a different object, or when a name it uses was
updated in place; and so on, transitively, in source order.
"""

from __future__ import annotations

import __future__
import ast
from typing import Iterable, Protocol, Sequence

from .diff import bound_names

_FUTURE_ANNOTATIONS: int = getattr(__future__, "annotations").compiler_flag
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Reads(ast.NodeVisitor):
    """Collects the global names a top-level statement reads while it runs."""

    def __init__(self, lazy_annotations: bool) -> None:
        self.reads: set[str] = set()
        self.uses: set[str] = set()
        self.local: list[set[str]] = []  # names local to enclosing comprehensions / class bodies
        self.lazy = lazy_annotations

    def _read(self, name: str, used: bool) -> None:
        if any(name in scope for scope in self.local):
            return
        self.reads.add(name)
        if used:
            self.uses.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._read(node.id, False)

    def _base(self, node: ast.expr) -> None:
        """The object an attribute, item or call is taken from is *used*."""
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self._read(node.id, True)
        else:
            self.visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # assigning ``N.a = v`` needs N itself, not what N holds: an update of N does not matter
        self._base(node.value) if isinstance(node.ctx, ast.Load) else self.visit(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._base(node.value) if isinstance(node.ctx, ast.Load) else self.visit(node.value)
        self.visit(node.slice)

    def visit_Call(self, node: ast.Call) -> None:
        self._base(node.func)
        for a in node.args:
            self.visit(a)
        for k in node.keywords:
            self.visit(k.value)

    def _annotation(self, node: ast.expr | None) -> None:
        if node is not None and not self.lazy:
            self.visit(node)

    def _arguments(self, args: ast.arguments) -> None:
        for d in args.defaults:
            self.visit(d)
        for kd in args.kw_defaults:
            if kd is not None:
                self.visit(kd)

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        self._arguments(node.args)
        a = node.args
        for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
            if arg is not None:
                self._annotation(arg.annotation)
        self._annotation(node.returns)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._signature(node)  # the body runs when called, not now

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._signature(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._arguments(node.args)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        for b in node.bases:
            self.visit(b)
        for k in node.keywords:
            self.visit(k.value)
        # the body runs now; a name it bound before is its own, not the module's
        scope: set[str] = set()
        self.local.append(scope)
        for item in node.body:
            self.visit(item)
            scope |= bound_here(item)
        self.local.pop()

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._read(node.target.id, False)  # ``X += 1`` reads X first
        else:
            self.visit(node.target)
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self._annotation(node.annotation)
        if not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        gens = node.generators
        # the first iterable is evaluated outside the comprehension's scope
        self.visit(gens[0].iter)
        scope: set[str] = set()
        self.local.append(scope)
        for i, g in enumerate(gens):
            scope |= _stored(g.target)
            if i:
                self.visit(g.iter)
            for cond in g.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.local.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def _stored(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def bound_here(node: ast.stmt) -> set[str]:
    """Names a class-body or top-level statement binds in its own scope (not inside defs)."""
    return bound_names([node])


def _mutated(node: ast.stmt) -> set[str]:
    """Names whose object the statement changes in place: ``N.m(...)``, ``N[k] = v``, ``N.a = v``."""
    out: set[str] = set()
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            out.add(func.value.id)
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    for t in targets:
        for el in ast.walk(t):
            if isinstance(el, (ast.Subscript, ast.Attribute)) and isinstance(el.value, ast.Name):
                out.add(el.value.id)
    return out


_NOTHING: tuple[frozenset[str], frozenset[str], frozenset[str]] = (frozenset(), frozenset(), frozenset())


def analyse(node: ast.stmt, flags: int) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``(reads, uses, mutates)`` of one top-level statement (see the module docstring)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _NOTHING
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.decorator_list:
        a = node.args
        if not (a.defaults or any(a.kw_defaults) or node.returns or a.vararg or a.kwarg or a.kwonlyargs
                or any(arg.annotation for arg in a.posonlyargs + a.args)):
            return _NOTHING  # the most common statement of all: nothing runs but the def itself
    v = _Reads(bool(flags & _FUTURE_ANNOTATIONS))
    v.visit(node)
    return frozenset(v.reads), frozenset(v.uses), frozenset(_mutated(node))


class Dependent(Protocol):
    """What the graph needs to know about a statement (``incremental.Stmt`` provides it)."""

    @property
    def names(self) -> frozenset[str]: ...
    @property
    def reads(self) -> frozenset[str]: ...
    @property
    def uses(self) -> frozenset[str]: ...
    @property
    def mutates(self) -> frozenset[str]: ...


def dependents(stmts: Sequence[Dependent], done: set[int], replaced: set[str], updated: set[str],
               readers: Iterable[int] | None = None) -> list[int]:
    """Indexes of statements not in ``done`` to run again, in source order.

    ``readers``: the indexes worth looking at (those that read something), all by default.
    ``replaced``: names that now hold a different object (or none); ``updated``: names whose
    object was updated in place. A statement that reads a replaced name or uses an updated one
    runs again, together with what it needs to run as in a fresh import: the earlier
    statement that bound a name it rebinds from itself (``X = X + 1``, ``X += 1``) or whose
    object it mutates (``ITEMS.append(x)`` needs ``ITEMS = []`` first).
    """
    if not replaced and not updated:
        return []
    candidates = range(len(stmts)) if readers is None else readers  # statements reading nothing never run again
    picked = {i for i in candidates
              if (not stmts[i].reads.isdisjoint(replaced) or not stmts[i].uses.isdisjoint(updated)) and i not in done}
    if not picked:
        return []
    # what the picked statements need first
    queue = sorted(picked)
    while queue:
        i = queue.pop()
        st = stmts[i]
        needs = (st.reads & st.names) | st.mutates
        for name in needs:
            j = _binder_before(stmts, i, name)
            if j is not None and j not in done and j not in picked:
                picked.add(j)
                queue.append(j)
    return sorted(picked)


def sandwiched(stmts: Sequence[Dependent], seeds: set[int], readers: Iterable[int]) -> set[int]:
    """Unchanged statements to run together with the changed ones, in source order: those that
    may be computed from a changed statement and are read by a *later* changed one.

    ``BASE`` and ``TABLE = [DERIVED ...]`` both edited, ``DERIVED = BASE * 2`` not: DERIVED
    must run between them, or TABLE would be computed from the old DERIVED.
    """
    if len(seeds) < 2:
        return set()
    names: set[str] = set()
    for i in seeds:
        names |= stmts[i].names
    possible: set[int] = set()
    first = min(seeds)
    for i in sorted(readers):
        if i > first and i not in seeds and not stmts[i].reads.isdisjoint(names):
            possible.add(i)
            names |= stmts[i].names
    if not possible:
        return set()
    wanted: set[str] = set()
    out: set[int] = set()
    for i in range(max(seeds), first, -1):
        if i in seeds:
            wanted |= stmts[i].reads
        elif i in possible and not stmts[i].names.isdisjoint(wanted):
            out.add(i)
            wanted |= stmts[i].reads
    return out


def _binder_before(stmts: Sequence[Dependent], i: int, name: str) -> int | None:
    for j in range(i - 1, -1, -1):
        if name in stmts[j].names:
            return j
    return None


def class_data_reading(node: ast.ClassDef, names: Iterable[str], flags: int, prefix: str = "") -> dict[str, set[str]]:
    """Class attributes (by class qualname) whose statement reads one of ``names``: their
    unchanged text must not keep the old value, it was computed from what changed."""
    wanted = set(names)
    qual = f"{prefix}{node.name}"
    out: dict[str, set[str]] = {}
    for item in node.body:
        if isinstance(item, ast.ClassDef):
            out.update(class_data_reading(item, wanted, flags, qual + "."))
        elif not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            reads, _uses, _m = analyse(item, flags)
            if not reads.isdisjoint(wanted):
                out.setdefault(qual, set()).update(bound_here(item))
    return out
