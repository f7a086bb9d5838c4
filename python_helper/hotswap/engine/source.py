"""Reading, decoding, parsing and compiling a module's source, and refreshing linecache.

The engine compiles from the file itself rather than through the import system, so a .pyc
that looks fresh (same size, same second) can never hide an edit, and the source text used for
diffs and diagnostics is exactly what was executed.
"""

from __future__ import annotations

import __future__
import ast
import hashlib
import io
import linecache
import os
import tokenize
import types
from dataclasses import dataclass


@dataclass
class SourceProblem(Exception):
    """The file could not be turned into code; carries what the diagnostic needs."""

    code: str
    message: str
    lineno: int = 1
    col: int | None = None
    end_col: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        return self.message


@dataclass
class Source:
    """Decoded text of a file with its digest, so identical content is recognised cheaply."""

    path: str
    text: str
    digest: str


def read_source(path: str) -> Source:
    """Read and decode a source file as Python does (PEP 263 cookie, BOM, UTF-8 default)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise SourceProblem("file-missing", f"{path} no longer exists; the loaded module was kept as it was.") from None
    except OSError as exc:
        raise SourceProblem("file-missing", f"{path} could not be read ({exc.strerror or exc}); the loaded module was kept as it was.") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise _undecodable(data, bad, "utf-8") from None
        raise SourceProblem(
            "decode-error", f"Bad encoding declaration ({exc.msg}); the module was not reloaded.", exc.lineno or 1
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, encoding) from None
    except LookupError:
        raise SourceProblem("decode-error", f"Unknown encoding {encoding!r} declared; the module was not reloaded.") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:  # Python's own message gives no position; say where it is
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1)
        raise SourceProblem("syntax-error", f"The file contains a NUL byte at line {line}, column {col + 1}; the "
                            f"module was not reloaded.", line, col, col + 1)
    return Source(path, text, hashlib.sha1(data).hexdigest())


def _undecodable(data: bytes, exc: UnicodeDecodeError, encoding: str) -> SourceProblem:
    """A decode-error at the first byte that does not decode (what the editor underlines)."""
    lineno = data[: exc.start].count(b"\n") + 1
    col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
    name = "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") else encoding
    return SourceProblem(
        "decode-error",
        f"The file is not valid {name} (byte 0x{data[exc.start]:02x} at line {lineno}); save it as UTF-8 "
        f"or declare its encoding (# -*- coding: latin-1 -*-). The module was not reloaded.",
        lineno,
        col,
        col + 1,
    )


def parse(source: Source, filename: str) -> ast.Module:
    """Parse; a SyntaxError becomes a ``syntax-error`` problem at its line and column."""
    try:
        return ast.parse(source.text, filename=filename, type_comments=False)
    except SyntaxError as exc:
        raise _syntax_problem(exc) from None
    except ValueError as exc:  # null bytes
        raise SourceProblem("syntax-error", f"The file cannot be parsed: {exc}. The module was not reloaded.") from None


def future_flags(tree: ast.Module) -> int:
    """Compiler flags of the module's ``from __future__ import ...`` statements.

    A partial module (only the changed statements) no longer starts with them, but its code
    must be compiled as the whole file would be (e.g. ``annotations`` changes what a
    function's annotations are).
    """
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break  # future imports only count before any other statement
    return flags


def compile_module(tree: ast.Module, filename: str, flags: int = 0) -> types.CodeType:
    """Compile a (possibly partial) module tree; nodes keep their original line numbers."""
    try:
        code: types.CodeType = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
    except SyntaxError as exc:  # errors only the compiler sees, e.g. 'return' outside function
        raise _syntax_problem(exc) from None
    return code


def _syntax_problem(exc: SyntaxError) -> SourceProblem:
    """A syntax-error at Python's line and column (converted to 0-based columns)."""
    lineno = exc.lineno or 1
    col = (exc.offset - 1) if exc.offset else None
    end_col = None
    end_lineno = getattr(exc, "end_lineno", None)
    end_offset = getattr(exc, "end_offset", None)
    if col is not None and end_lineno == lineno and end_offset and end_offset - 1 > col:
        end_col = end_offset - 1
    elif col is not None:
        end_col = col + 1
    return SourceProblem(
        "syntax-error",
        f"SyntaxError: {exc.msg}. Nothing was changed; the module keeps running its previous code.",
        lineno,
        col,
        end_col,
    )


def refresh_linecache(filename: str, text: str) -> None:
    """Make tracebacks and inspect.getsource show the text that now runs."""
    try:
        st = os.stat(filename)
        size, mtime = st.st_size, st.st_mtime
    except OSError:
        size, mtime = len(text), None
    lines = text.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[filename] = (size, mtime, lines, filename)
