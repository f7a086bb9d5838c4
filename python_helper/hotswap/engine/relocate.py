"""Unchanged definitions that moved in the file get their new line numbers.

An edit above a function moves it without changing it. Its code is not executed again (that
would run its decorators and registrations a second time), but tracebacks, breakpoints
and ``inspect.getsource`` need the new lines, so only the code objects' line numbers change.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .diff import nested_codes, same_code, same_position
from .modules import realpath
from .values import functions_in, unwrap_function


Moved = dict[types.CodeType, types.CodeType]  # old inner code -> the same code at its new lines


def _inner_moves(old: types.CodeType, new: types.CodeType, moves: Moved | None) -> None:
    """Closures made earlier from the old code's inner functions must follow the move too,
    or the next edit of the factory would no longer find them."""
    if moves is None or not any(isinstance(c, types.CodeType) for c in old.co_consts):
        return
    fresh = nested_codes(new)
    for qual, inner in nested_codes(old).items():
        moved = fresh.get(qual)
        if moved is not None and moved is not inner and not inner.co_name.startswith("<"):
            moves[inner] = moved


def relocate(obj: Any, code: types.CodeType, depth: int = 0, moves: Moved | None = None) -> None:
    """Give unchanged definitions that moved in the file their new line numbers (inner code
    objects that moved are added to ``moves``)."""
    if depth > 10:
        return
    if isinstance(obj, type):
        _set_firstlineno(obj, code.co_firstlineno)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                member = obj.__dict__.get(c.co_name)
                if member is not None:
                    relocate(member, c, depth + 1, moves)
        return
    fn = unwrap_function(obj)
    if fn is None:
        return
    old = fn.__code__
    if old is code or same_position(old, code):
        return
    if old.co_freevars == code.co_freevars and same_code(old, code):
        _inner_moves(old, code, moves)
        fn.__code__ = code


def shifted_code(code: types.CodeType, delta: int) -> types.CodeType:
    """The same code, ``delta`` lines further down (line tables are relative to the first line)."""
    consts = tuple(shifted_code(c, delta) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + delta, co_consts=consts)


def shift(obj: Any, delta: int, lo: int, hi: int, real: str, seen: set[int], depth: int = 0,
          moves: Moved | None = None) -> None:
    """Move the code of an unchanged definition (that used to span lines lo..hi) by delta lines.

    Only code compiled from this file within that span is touched: a class attribute may be a
    function defined elsewhere.
    """
    if depth > 10:
        return
    if isinstance(obj, type):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        first = obj.__dict__.get("__firstlineno__")
        if type(first) is int and lo <= first <= hi and _defined_in_file(obj, real):
            _set_firstlineno(obj, first + delta)
        for member in list(obj.__dict__.values()):
            shift(member, delta, lo, hi, real, seen, depth + 1, moves)
        return
    for fn in functions_in(obj):
        code = fn.__code__
        if id(fn) not in seen and lo <= code.co_firstlineno <= hi and realpath(code.co_filename) == real:
            seen.add(id(fn))
            new = shifted_code(code, delta)
            _inner_moves(code, new, moves)
            fn.__code__ = new


def _set_firstlineno(cls: type, line: int) -> None:
    """3.13+: ``inspect.getsource`` finds a class by its ``__firstlineno__``."""
    if type(cls.__dict__.get("__firstlineno__")) is int and cls.__dict__["__firstlineno__"] != line:
        try:
            cls.__firstlineno__ = line  # type: ignore[attr-defined]
        except (AttributeError, TypeError):  # a metaclass that refuses attribute assignment
            pass


def _defined_in_file(cls: type, real: str) -> bool:
    """Is the class from the reloaded file (a class attribute may be a class from elsewhere)?"""
    module = sys.modules.get(getattr(cls, "__module__", "") or "")
    f = getattr(module, "__file__", None) if module is not None else None
    return isinstance(f, str) and realpath(f) == real
