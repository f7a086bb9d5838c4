"""Turning source text into top-level statements, parsing only what an edit touched.

Parsing a whole file costs about as much as ``importlib.reload`` itself. After the first
reload the engine knows the previous text and where each top-level statement was, so it
compares lines, keeps the statements before and after the edit as they were (their text is
identical, only their line numbers may shift) and parses just the lines in between. Whenever
that region does not parse on its own -- an edit that opens a bracket, adds a decorator to
the next function, continues an ``if`` with ``else`` -- the whole file is parsed instead, so
the result is always what a full parse would give.
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field, replace

from .depgraph import analyse
from .diff import bound_names, binds_star, first_line
from .source import Source, future_flags, parse


@dataclass(frozen=True)
class Stmt:
    """What the engine remembers about one top-level statement."""

    key: str  # its exact text, decorators included
    first: int  # 1-based first line (of the first decorator)
    end: int  # 1-based last line
    names: frozenset[str]  # names it binds
    star: bool  # a `from x import *` (its names are unknown)
    def_name: str | None  # name of a def/class statement
    is_class: bool
    moved_by: int = 0  # lines it moved since the previous text (carried-over statements)
    # what it reads while it runs (see depgraph): every name, those it calls or looks into,
    # those whose object it changes in place
    reads: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    mutates: frozenset[str] = frozenset()


@dataclass
class Parsed:
    """The new source as statements; ``nodes`` holds the AST of those parsed this time."""

    text: str
    stmts: list[Stmt]
    nodes: dict[int, ast.stmt] = field(default_factory=dict)
    tree: ast.Module | None = None  # set when the whole file was parsed
    flags: int = 0  # __future__ compiler flags
    extra: dict[int, ast.stmt] = field(default_factory=dict)  # carried-over statements parsed later
    # the previous statements the parsed region replaced (None: the whole file was parsed)
    replaced: list[Stmt] | None = None
    shifted: bool = True  # some carried-over statement moved (False: none did)
    _names: set[str] | None = None
    _names_known: bool = False
    _rebound: set[str] | None = None
    _readers: list[int] | None = None

    def node(self, i: int, filename: str) -> ast.stmt:
        """The AST of statement ``i``, parsing its text alone when it was carried over."""
        node = self.nodes.get(i) or self.extra.get(i)
        if node is None:
            st = self.stmts[i]
            try:
                tree = ast.parse(st.key, filename=filename)
            except (SyntaxError, ValueError):
                tree = ast.Module(body=[], type_ignores=[])
            if len(tree.body) == 1:
                if st.first > 1:
                    ast.increment_lineno(tree, st.first - 1)
                node = tree.body[0]
            else:  # several statements on its line (``a = 1; b = 2``): take it from the whole file
                node = reparse_all(self, filename).body[i]
            self.extra[i] = node
        return node

    def parsed_nodes(self) -> list[ast.stmt]:
        return [self.nodes[i] for i in sorted(self.nodes)]

    def names(self) -> set[str] | None:
        """Every name bound at top level (None when a star import hides some); do not mutate."""
        if not self._names_known:
            out: set[str] | None = set()
            for s in self.stmts:
                if s.star:
                    out = None
                    break
                out |= s.names  # type: ignore[operator]
            self._names, self._names_known = out, True
        return self._names

    def rebound_among(self, names: set[str]) -> set[str]:
        """Which of ``names`` more than one statement binds (cheaper than ``rebound`` for a few)."""
        if self._rebound is not None or not names:
            return self.rebound() & names
        seen: set[str] = set()
        dup: set[str] = set()
        for bound in [st.names for st in self.stmts if not st.names.isdisjoint(names)]:
            for n in bound & names:
                (dup if n in seen else seen).add(n)
        return dup

    def readers(self) -> list[int]:
        """Indexes of statements that read any name (the only ones that can depend on others)."""
        if self._readers is None:
            self._readers = [i for i, st in enumerate(self.stmts) if st.reads or st.mutates]
        return self._readers

    def rebound(self) -> set[str]:
        """Names bound by more than one statement (``_`` of registrations, redefinitions)."""
        if self._rebound is None:
            seen: set[str] = set()
            dup: set[str] = set()
            for s in self.stmts:
                if len(s.names) == 1:
                    (n,) = s.names
                    (dup if n in seen else seen).add(n)
                    continue
                for n in s.names:
                    (dup if n in seen else seen).add(n)
            self._rebound = dup
        return self._rebound


def stmt_of(node: ast.stmt, lines: list[str], flags: int = 0) -> Stmt:
    first = first_line(node)
    end = getattr(node, "end_lineno", None) or node.lineno
    is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    reads, uses, mutates = analyse(node, flags)
    if is_def:  # binds its name and nothing else (no walk needed: most statements of big modules)
        names, star = frozenset((node.name,)), False  # type: ignore[attr-defined]
    else:
        names, star = frozenset(bound_names([node])), binds_star([node])
    return Stmt(
        "".join(lines[first - 1 : end]),
        first,
        end,
        names,
        star,
        node.name if is_def else None,  # type: ignore[attr-defined]
        isinstance(node, ast.ClassDef),
        0,
        reads,
        uses,
        mutates,
    )


def parse_full(src: Source, filename: str) -> Parsed:
    """Parse the whole file (raises SourceProblem on a syntax error)."""
    tree = parse(src, filename)
    lines = src.text.splitlines(True)
    flags = future_flags(tree)
    stmts = [stmt_of(n, lines, flags) for n in tree.body]
    return Parsed(src.text, stmts, dict(enumerate(tree.body)), tree, flags)


def parse_changed(old_text: str, old_stmts: list[Stmt], flags: int, src: Source, filename: str,
                  markers: tuple[str, ...] = ()) -> Parsed | None:
    """Parse only the region an edit touched; None when the whole file must be parsed."""
    old = old_text.splitlines(True)
    new = src.text.splitlines(True)
    n_old, n_new = len(old), len(new)
    limit = min(n_old, n_new)
    p = _common_run(old, new, limit, from_end=False)
    s = _common_run(old, new, limit - p, from_end=True)
    c0, c1 = p + 1, n_old - s  # changed old lines, 1-based inclusive (c1 < c0: pure insertion)
    delta = n_new - n_old
    # statements are in source order and do not overlap: split them by binary search
    k = bisect.bisect_left(old_stmts, c0, key=_end)  # first statement ending at or after c0
    j = max(k, bisect.bisect_right(old_stmts, max(c1, c0 - 1), key=_first))  # first one below the edit
    prefix, affected, suffix = old_stmts[:k], old_stmts[k:j], old_stmts[j:]
    start = min([c0] + [st.first for st in affected])
    end = max([c1] + [st.end for st in affected])
    region = "".join(new[start - 1 : max(end + delta, start - 1)])
    if "__future__" in region or any(m in region for m in markers):
        return None
    try:
        tree = ast.parse(region, filename=filename)
    except (SyntaxError, ValueError):
        return None
    if start > 1:
        ast.increment_lineno(tree, start - 1)
    stmts: list[Stmt] = [replace(st, moved_by=0) if st.moved_by else st for st in prefix]
    nodes: dict[int, ast.stmt] = {}
    for node in tree.body:
        nodes[len(stmts)] = node
        stmts.append(stmt_of(node, new, flags))
    # most edits keep the line count: then statements below are reused as they are
    stmts += [st if not (delta or st.moved_by) else _moved(st, delta) for st in suffix]
    shifted = bool(delta and suffix)  # only statements below the edit move, by ``delta``
    return Parsed(src.text, stmts, nodes, None, flags, replaced=affected, shifted=shifted)


def _end(st: Stmt) -> int:
    return st.end


def _first(st: Stmt) -> int:
    return st.first


def _common_run(old: list[str], new: list[str], limit: int, from_end: bool) -> int:
    """How many lines are equal at the start (or end) of both, at most ``limit``.

    Binary search with list slice comparisons, which run in C: a large file costs a few
    comparisons of its lines instead of a Python loop over all of them.
    """
    lo, hi = 0, limit
    n_old, n_new = len(old), len(new)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        same = old[n_old - mid:] == new[n_new - mid:] if from_end else old[:mid] == new[:mid]
        if same:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _moved(st: Stmt, delta: int) -> Stmt:
    """``st`` ``delta`` lines further down (built directly: dataclasses.replace is slow per statement)."""
    return Stmt(st.key, st.first + delta, st.end + delta, st.names, st.star, st.def_name, st.is_class, delta,
                st.reads, st.uses, st.mutates)


def reparse_all(parsed: Parsed, filename: str) -> ast.Module:
    """The full tree, for the rare paths that need nodes of unchanged statements."""
    if parsed.tree is None:
        parsed.tree = ast.parse(parsed.text, filename=filename)
    return parsed.tree
