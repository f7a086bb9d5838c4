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
        """Every name bound at top level (None when a star import hides some)."""
        if any(s.star for s in self.stmts):
            return None
        out: set[str] = set()
        for s in self.stmts:
            out |= s.names
        return out

    def rebound(self) -> set[str]:
        """Names bound by more than one statement (``_`` of registrations, redefinitions)."""
        seen: set[str] = set()
        dup: set[str] = set()
        for s in self.stmts:
            for n in s.names:
                (dup if n in seen else seen).add(n)
        return dup


def stmt_of(node: ast.stmt, lines: list[str], flags: int = 0) -> Stmt:
    first = first_line(node)
    end = getattr(node, "end_lineno", None) or node.lineno
    is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    reads, uses, mutates = analyse(node, flags)
    return Stmt(
        "".join(lines[first - 1 : end]),
        first,
        end,
        frozenset(bound_names([node])),
        binds_star([node]),
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
    p = 0
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[n_old - 1 - s] == new[n_new - 1 - s]:
        s += 1
    c0, c1 = p + 1, n_old - s  # changed old lines, 1-based inclusive (c1 < c0: pure insertion)
    delta = n_new - n_old
    prefix = [st for st in old_stmts if st.end < c0]
    suffix = [st for st in old_stmts if st.first > c1 and st.first >= c0]
    affected = [st for st in old_stmts if st.end >= c0 and not (st.first > c1 and st.first >= c0)]
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
    return Parsed(src.text, stmts, nodes, None, flags)


def _moved(st: Stmt, delta: int) -> Stmt:
    """``st`` ``delta`` lines further down (built directly: dataclasses.replace is slow per statement)."""
    return Stmt(st.key, st.first + delta, st.end + delta, st.names, st.star, st.def_name, st.is_class, delta,
                st.reads, st.uses, st.mutates)


def reparse_all(parsed: Parsed, filename: str) -> ast.Module:
    """The full tree, for the rare paths that need nodes of unchanged statements."""
    if parsed.tree is None:
        parsed.tree = ast.parse(parsed.text, filename=filename)
    return parsed.tree
