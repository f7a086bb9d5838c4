"""Who imported what from whom: read from import statements, never guessed from values.

``from m import X`` copies a reference; after ``m.X`` changes, the copy must be rebound.
Finding those copies by value identity would also hit unrelated names that happen to hold the
same small int or string, so the engine reads the import statements of other loaded modules
(their source, parsed once per file version) and of the user's cells (IPython keeps them in
``In``/``_ih``; a script's ``__main__`` has its ``__file__``).
"""

from __future__ import annotations

import ast
import os
import types
from dataclasses import dataclass
from typing import Any, Iterable

from .modules import user_module_objects
from .source import SourceProblem, read_source


@dataclass(frozen=True)
class ImportRef:
    """``from <module> import <remote> as <local>`` at a line of some file or cell."""

    module: str
    remote: str
    local: str
    lineno: int
    col: int
    end_col: int


@dataclass
class Holder:
    """A namespace that bound a name of the reloaded module through an import statement."""

    kind: str  # "module" or "namespace"
    owner: str  # module name, or "" for the user namespace
    namespace: dict[str, Any]
    ref: ImportRef
    file: str | None  # where the import statement is, when it is in a file


# file path -> (mtime_ns, size, import refs, plain-imported modules)
_file_cache: dict[str, tuple[int, int, list[ImportRef], set[str]]] = {}
# cell text -> refs (bounded by the number of cells the user has run)
_cell_cache: dict[str, list[ImportRef]] = {}


def _resolve(node: ast.ImportFrom, package: str | None) -> str | None:
    if node.level == 0:
        return node.module
    if not package:
        return None
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def _scan(tree: ast.Module, package: str | None) -> tuple[list[ImportRef], set[str]]:
    """Module-level import statements (also inside if/try/with, not inside def/class)."""
    refs: list[ImportRef] = []
    plain: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ImportFrom):
            mod = _resolve(node, package)
            if mod is None:
                continue
            plain.add(mod)
            for alias in node.names:
                if alias.name == "*":
                    refs.append(ImportRef(mod, "*", "*", node.lineno, node.col_offset, getattr(node, "end_col_offset", node.col_offset) or node.col_offset))
                    continue
                refs.append(ImportRef(mod, alias.name, alias.asname or alias.name, node.lineno, node.col_offset, getattr(node, "end_col_offset", node.col_offset) or node.col_offset))
                plain.add(f"{mod}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                plain.add(alias.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    stack.append(child)
    refs.sort(key=lambda r: r.lineno)
    return refs, plain


def _package_of(name: str, module: types.ModuleType) -> str | None:
    pkg = getattr(module, "__package__", None)
    if isinstance(pkg, str):
        return pkg
    return name if hasattr(module, "__path__") else name.rpartition(".")[0]


def file_imports(path: str, package: str | None) -> tuple[list[ImportRef], set[str]]:
    """Import statements of a source file, cached until the file changes."""
    try:
        st = os.stat(path)
    except OSError:
        return [], set()
    hit = _file_cache.get(path)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
        return hit[2], hit[3]
    try:
        tree = ast.parse(read_source(path).text, filename=path)
    except (SourceProblem, SyntaxError, ValueError):
        return [], set()
    refs, plain = _scan(tree, package)
    _file_cache[path] = (st.st_mtime_ns, st.st_size, refs, plain)
    return refs, plain


def _cell_imports(text: str) -> list[ImportRef]:
    hit = _cell_cache.get(text)
    if hit is None:
        try:
            hit = _scan(ast.parse(text), None)[0]
        except (SyntaxError, ValueError):
            hit = []
        _cell_cache[text] = hit
    return hit


def namespace_imports(namespace: dict[str, Any]) -> tuple[list[ImportRef], str | None]:
    """Import statements the user namespace was built from: IPython cells or a script file."""
    cells = namespace.get("_ih")
    if not isinstance(cells, list):
        cells = namespace.get("In")
    refs: list[ImportRef] = []
    if isinstance(cells, list):
        if len(_cell_cache) > 4 * len(cells) + 64:
            _cell_cache.clear()
        for text in cells:
            if isinstance(text, str) and "import" in text:
                refs.extend(_cell_imports(text))
        return refs, None
    f = namespace.get("__file__")
    if isinstance(f, str) and f.endswith(".py") and os.path.exists(f):
        return file_imports(f, None)[0], f
    return refs, None


def holders_of(target: str, names: Iterable[str], namespace: dict[str, Any] | None) -> list[Holder]:
    """Every namespace that bound one of ``names`` from module ``target`` by import."""
    wanted = set(names)
    out: list[Holder] = []
    if not wanted:
        return out
    for name, module, file in user_module_objects():
        if name == target:
            continue
        refs, plain = file_imports(file, _package_of(name, module))
        if target not in plain:
            continue
        for ref in refs:
            if ref.module == target:
                out.extend(Holder("module", name, module.__dict__, r, file) for r in _expand(ref, wanted))
    if namespace is not None:
        refs, ns_file = namespace_imports(namespace)
        seen: set[str] = set()
        for ref in refs:
            if ref.module != target:
                continue
            for r in _expand(ref, wanted):
                if r.local not in seen:
                    seen.add(r.local)
                    out.append(Holder("namespace", "", namespace, r, ns_file))
    return out


def _expand(ref: ImportRef, wanted: set[str]) -> list[ImportRef]:
    """A star import binds every wanted (public) name under its own name."""
    if ref.remote == "*":
        return [ImportRef(ref.module, n, n, ref.lineno, ref.col, ref.end_col) for n in sorted(wanted) if not n.startswith("_")]
    return [ref] if ref.remote in wanted else []


def importers(target: str) -> list[str]:
    """Loaded user modules whose import statements name ``target`` (directly)."""
    out: list[str] = []
    for name, module, file in user_module_objects():
        if name == target:
            continue
        _refs, plain = file_imports(file, _package_of(name, module))
        if target in plain:
            out.append(name)
    return out
