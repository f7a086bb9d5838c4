"""Deciding which top-level statements of a module changed since it was last loaded.

State is preserved by executing only changed statements, so "changed" must be exact. Three
baselines answer it, best first:

- the source text the engine loaded last time (exact comparison of statement texts);
- the module's cached bytecode (``__pycache__``), which is what the import system executed
  when it was not reloaded by hotswap before: each new statement is compiled on its own and
  looked up in the old module bytecode, ignoring line numbers;
- nothing: definitions are compared with the live objects' code; other statements run only
  when they bind names the module lacks or set a constant (one name, an immutable literal)
  to another value; anything else may hold state and is kept.
"""

from __future__ import annotations

import ast
import bisect
import dis
import importlib.util
import marshal
import os
import types
from typing import Any, Iterable, Protocol


DEF_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

_SENTINEL = "__hotswap_statement_end__"
_SKIP_OPS = {"CACHE", "NOP", "EXTENDED_ARG", "RESUME"}
_JUMPS = set(dis.hasjrel) | set(dis.hasjabs)


def is_def(node: ast.stmt) -> bool:
    return isinstance(node, DEF_NODES)


def first_line(node: ast.stmt) -> int:
    """Line where a statement starts, counting decorators (as code objects do)."""
    decorators: list[ast.expr] | None = getattr(node, "decorator_list", None)
    if decorators:
        return min(d.lineno for d in decorators)
    return node.lineno


def describe(node: ast.stmt, text: str) -> str:
    """Short label for an executed statement: ``line 3: X = compute()``."""
    seg = ast.get_source_segment(text, node) or type(node).__name__
    first = seg.splitlines()[0] if seg else ""
    if len(first) > 60:
        first = first[:57] + "..."
    return f"line {node.lineno}: {first}"


class _Binder(ast.NodeVisitor):
    """Collects names a module-level statement binds (not descending into def/class bodies)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.star = False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.names.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.names.add(a.asname or a.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for a in node.names:
            if a.name == "*":
                self.star = True
            else:
                self.names.add(a.asname or a.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_ListComp(self, node: ast.AST) -> None:  # comprehension variables are local
        return None

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.target)
        self.visit(node.value)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)


def bound_names(nodes: Iterable[ast.stmt]) -> set[str]:
    b = _Binder()
    for n in nodes:
        b.visit(n)
    return b.names


def binds_star(nodes: Iterable[ast.stmt]) -> bool:
    b = _Binder()
    for n in nodes:
        b.visit(n)
    return b.star


# ---------------------------------------------------------------- code comparison

def _const_key(c: object) -> object:
    if isinstance(c, types.CodeType):
        return code_key(c)
    if isinstance(c, (tuple, frozenset)):
        return (type(c).__name__, tuple(_const_key(x) for x in (sorted(c, key=repr) if isinstance(c, frozenset) else c)))
    return (type(c).__name__, repr(c))


def code_key(code: types.CodeType) -> tuple[object, ...]:
    """Everything that makes code behave differently, but not where it sits in the file."""
    return (
        code.co_name,
        code.co_qualname if hasattr(code, "co_qualname") else None,
        code.co_code,
        tuple(_const_key(c) for c in code.co_consts),
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_flags,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        getattr(code, "co_exceptiontable", b""),
    )


def same_code(a: types.CodeType, b: types.CodeType) -> bool:
    return a is b or code_key(a) == code_key(b)


def same_position(a: types.CodeType, b: types.CodeType) -> bool:
    """True when line information is identical too (nothing to relocate)."""
    return a.co_firstlineno == b.co_firstlineno and a.co_linetable == b.co_linetable if hasattr(a, "co_linetable") else a.co_firstlineno == b.co_firstlineno


def nested_codes(code: types.CodeType) -> dict[str, types.CodeType]:
    """Code objects nested in ``code`` (inner functions, lambdas, comprehensions) by qualname.

    Names that occur twice (two lambdas on one level) are left out: they cannot be matched.
    """
    out: dict[str, types.CodeType] = {}
    dup: set[str] = set()

    def walk(c: types.CodeType) -> None:
        for k in c.co_consts:
            if isinstance(k, types.CodeType):
                q = getattr(k, "co_qualname", k.co_name)
                if q in out:
                    dup.add(q)
                out[q] = k
                walk(k)

    walk(code)
    for q in dup:
        out.pop(q, None)
    return out


# ---------------------------------------------------------------- baselines

class Baseline(Protocol):
    """What the previous version of a module is compared with (see the module docstring)."""

    kind: str

    def unchanged(self, node: ast.stmt, key: str = "") -> bool: ...

    def old_names(self) -> set[str] | None: ...


class SourceBaseline:
    """Exact comparison against the source the engine loaded last (statement texts).

    Built lazily from the previous statements: an edit of a large module asks about a few
    statements, so indexes over all of them are made only when a question needs them.
    """

    kind = "source"

    def __init__(self, stmts: list[Any]) -> None:
        self._stmts = stmts
        self._keys: set[str] | None = None
        self._firsts: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, stmts: Iterable[Any]) -> "SourceBaseline":
        """From the statements (``incremental.Stmt``) the previous source consisted of."""
        return cls(list(stmts))

    def unchanged(self, node: ast.stmt, key: str = "") -> bool:
        if self._keys is None:
            self._keys = {st.key for st in self._stmts}
        return key in self._keys

    def moved(self, node: ast.stmt, key: str) -> bool:
        """Unchanged text at another line: code objects need new line numbers."""
        if self._firsts is None:
            self._firsts = {}
            for st in self._stmts:
                self._firsts.setdefault(st.key, []).append(st.first)
        return first_line(node) not in self._firsts.get(key, ())

    def old_names(self) -> set[str] | None:
        names: set[str] = set()
        for st in self._stmts:
            if st.star:
                return None
            names |= st.names
        return names


def _segment(lines: list[str], node: ast.stmt) -> str:
    return "".join(lines[first_line(node) - 1 : (getattr(node, "end_lineno", None) or node.lineno)])


def class_bodies(nodes: list[ast.stmt], text: str) -> dict[str, dict[str, set[str]]]:
    """For each class (by qualified name): the text of each data statement in its body -> the
    names it binds, and under the key "" every name the body binds. Lets a reload keep
    class-level state whose statement did not change, and remove only what the source removed
    (not attributes other code set on the class at run time)."""
    lines = text.splitlines(True)
    out: dict[str, dict[str, set[str]]] = {}

    def visit(node: ast.ClassDef, prefix: str) -> None:
        qual = f"{prefix}{node.name}"
        body: dict[str, set[str]] = {"": bound_names(node.body)}
        for item in node.body:
            if isinstance(item, ast.ClassDef):
                visit(item, qual + ".")
            elif not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body.setdefault(_segment(lines, item), set()).update(bound_names([item]))
        out[qual] = body

    for n in nodes:
        if isinstance(n, ast.ClassDef):
            visit(n, "")
    return out


def unchanged_class_data(old: dict[str, dict[str, set[str]]], new: dict[str, dict[str, set[str]]]) -> dict[str, set[str]]:
    """Class attributes whose defining statement is textually the same in old and new source."""
    keep: dict[str, set[str]] = {}
    for qual, body in new.items():
        before = old.get(qual)
        if not before:
            continue
        names: set[str] = set()
        for text, bound in body.items():
            if text and text in before:
                names |= bound
        if names:
            keep[qual] = names
    return keep


def _normalize(code: types.CodeType) -> list[tuple[str, object, int, bool]]:
    """Instructions as (opname, comparable argument, index, is_jump), without filler ops.

    Jump targets become instruction indexes, and the two forms of a method call
    (``LOAD_METHOD`` vs ``PUSH_NULL`` + ``LOAD_ATTR``, chosen by whether the name was bound by
    an import elsewhere in the module) are folded into one, so a statement compiled on its own
    compares equal to the same statement inside its module.
    """
    raw = [ins for ins in dis.get_instructions(code) if ins.opname not in _SKIP_OPS and ins.opname != "PUSH_NULL"]
    offsets = [ins.offset for ins in raw]
    out: list[tuple[str, object, int, bool]] = []
    for index, ins in enumerate(raw):
        jump = ins.opcode in _JUMPS
        op = "LOAD_ATTR" if ins.opname == "LOAD_METHOD" else ins.opname
        if jump:
            arg: object = bisect.bisect_left(offsets, ins.argval) if isinstance(ins.argval, int) else ins.argval
        elif isinstance(ins.argval, types.CodeType):
            arg = code_key(ins.argval)
        elif ins.arg is None:
            arg = None
        elif isinstance(ins.argval, str):
            arg = ins.argval
        else:
            arg = _const_key(ins.argval)
        out.append((op, arg, index, jump))
    return out


class BytecodeBaseline:
    """Comparison against the module bytecode the import system executed (from the .pyc)."""

    kind = "bytecode"

    def __init__(self, code: types.CodeType, filename: str, flags: int = 0) -> None:
        self._old = _normalize(code)
        self._filename = filename
        self._flags = flags
        self._first: dict[str, list[int]] = {}
        for i, (op, _a, _o, _j) in enumerate(self._old):
            self._first.setdefault(op, []).append(i)
        self._names = {a for op, a, _o, _j in self._old if op in ("STORE_NAME", "STORE_GLOBAL")}

    def unchanged(self, node: ast.stmt, key: str = "") -> bool:
        # A sentinel statement after the node keeps the compiler from inlining the module's
        # final "return None" into the node's branches, as happens to the last statement only.
        sentinel = ast.Expr(value=ast.Name(id=_SENTINEL, ctx=ast.Load()))
        ast.copy_location(sentinel, node)
        module = ast.fix_missing_locations(ast.Module(body=[node, sentinel], type_ignores=[]))
        try:
            code = compile(module, self._filename, "exec", flags=self._flags, dont_inherit=True)
        except (SyntaxError, ValueError, TypeError):
            return False
        new = _normalize(code)
        for i in range(len(new) - 1, -1, -1):
            if new[i][0] == "LOAD_NAME" and new[i][1] == _SENTINEL:
                new = new[:i]
                break
        else:
            return False
        if not new:
            return True
        base_new = new[0][2]
        n = len(new)
        for i in self._first.get(new[0][0], ()):
            if i + n > len(self._old):
                break
            base_old = self._old[i][2]
            for k in range(n):
                op, arg, off, jump = new[k]
                oop, oarg, ooff, _oj = self._old[i + k]
                if op != oop:
                    break
                if jump:
                    if (arg - base_new) != (oarg - base_old):  # type: ignore[operator]
                        break
                elif arg != oarg:
                    break
            else:
                return True
        return False

    def old_names(self) -> set[str] | None:
        return {a for a in self._names if isinstance(a, str)}


class NoBaseline:
    """Nothing known about the old source: definitions are compared with the live objects by
    the caller; a statement binding names the module lacks is new and runs; any other
    statement is kept as it is, since it may hold state (``_CACHE = {}``, ``REGISTRY = []``,
    ``setup()``) -- a constant too (``COUNT = 0`` may be a counter the program advanced, and
    nothing tells whether ``LIMIT = 20`` is an edit or ``LIMIT`` was set at run time)."""

    kind = "none"

    def __init__(self, module_dict: dict[str, object]) -> None:
        self._d = module_dict

    def unchanged(self, node: ast.stmt, key: str = "") -> bool:
        if is_def(node):
            return True  # the caller compares definitions with the live objects
        if binds_star([node]):
            return True
        names = bound_names([node])
        if not names:
            return True
        return any(n in self._d for n in names)

    def old_names(self) -> set[str] | None:
        return None


_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))


def immutable(value: object) -> bool:
    """Plain immutable data (tuples and frozensets of it too): safe to compare and to repr."""
    if isinstance(value, (tuple, frozenset)) and type(value) in (tuple, frozenset):  # a subclass may define anything
        return all(immutable(v) for v in value)
    return type(value) in _IMMUTABLE


def constant_literal(node: ast.stmt) -> tuple[str, object] | None:
    """(name, value) for ``NAME = <immutable literal>`` (annotated or not): configuration,
    which holds no state a re-run could wipe; None for anything else."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None
    if not isinstance(target, ast.Name):
        return None
    try:
        literal = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return (target.id, literal) if immutable(literal) else None


def cached_module_code(module: types.ModuleType, filename: str) -> types.CodeType | None:
    """The module code the import system cached (``__pycache__``), if it is there and readable."""
    cached = getattr(module, "__cached__", None)
    if not isinstance(cached, str):
        try:
            cached = importlib.util.cache_from_source(filename)
        except (NotImplementedError, ValueError):
            return None
    try:
        with open(cached, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER:
        return None
    try:
        code = marshal.loads(data[16:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, types.CodeType):
        return None
    if os.path.basename(code.co_filename) != os.path.basename(filename):
        return None
    return code


def bytecode_baseline(module: types.ModuleType, filename: str, flags: int = 0) -> BytecodeBaseline | None:
    """A baseline from the module code the import system cached, if there is one."""
    code = cached_module_code(module, filename)
    return BytecodeBaseline(code, filename, flags) if code is not None else None
