"""Clearing ``functools.lru_cache`` / ``cache`` results computed from what a reload changed.

A cached function's results depend on more than its own body: the globals it reads and the
functions it calls, which may live in other modules. After every module of a call was
reloaded, each cache in loaded user modules is checked against what the call changed -- names
rebound or removed, functions and classes updated in place -- following the names its code
reads through functions, classes and modules of user files, and cleared when any of them
changed. Its own body changing is handled when it is patched (``patch_functions.patch_lru``).
"""

from __future__ import annotations

import functools
import linecache
import sys
import types
import weakref
from typing import Any, Iterator

from .context import ReloadContext
from .modules import is_user_file, realpath, user_module_objects
from .values import functions_in, is_lru_wrapper

_MAX_DEPTH = 12
# a cache wrapper -> the wrappers it replaced when the decorator's arguments changed (``maxsize``):
# references taken earlier still call those, so they are cleared with it
_EARLIER: "weakref.WeakKeyDictionary[Any, list[weakref.ref[Any]]]" = weakref.WeakKeyDictionary()


def replaced_cache(old: Any, new: Any) -> None:
    """``new`` took the place of ``old`` (other cache parameters); clear them together from now on."""
    try:
        _EARLIER[new] = [weakref.ref(old), *_EARLIER.get(old, [])]
    except TypeError:
        pass


def clear_cache(wrapper: Any) -> None:
    """Empty a cache and the caches it replaced (they run the same function)."""
    wrapper.cache_clear()
    for ref in _EARLIER.get(wrapper, []):
        earlier = ref()
        if earlier is not None:
            try:
                earlier.cache_clear()
            except Exception:  # noqa: BLE001 - a cache that cannot be cleared is left as it is
                continue
_LRU: type = type(functools.lru_cache(maxsize=None)(lambda: None))


def clear_dependent_caches(ctx: ReloadContext) -> None:
    """Clear every cache in loaded user modules that depends on something this call changed."""
    if not ctx.changed_names and not ctx.changed_objects:
        return
    seen: set[int] = set(ctx.caches_cleared)
    for wrapper in _caches():
        if id(wrapper) in seen:
            continue
        seen.add(id(wrapper))
        fn = next(iter(functions_in(wrapper)), None)
        if fn is None:
            continue
        cause = _changed_dependency(fn, ctx)
        if cause is None:
            continue
        try:
            clear_cache(wrapper)
        except Exception:  # noqa: BLE001 - a cache that cannot be cleared is left as it is
            continue
        file = _real(fn.__code__.co_filename)
        ctx.cache_cleared.append((file, fn.__qualname__, _def_line(fn), cause))


def _caches() -> Iterator[Any]:
    """lru_cache wrappers bound in loaded user modules: module attributes and class attributes."""
    lru = _LRU
    for _name, module, _file in user_module_objects():
        try:
            values = list(vars(module).values())
        except TypeError:
            continue
        # a plain loop over every value: modules with thousands of functions are common
        for v in [v for v in values if type(v) is lru or isinstance(v, type)]:
            if is_lru_wrapper(v):
                yield v
            elif isinstance(v, type) and _from_user_file(v):
                for member in list(v.__dict__.values()):
                    inner = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                    if is_lru_wrapper(inner):
                        yield inner


def _from_user_file(cls: type) -> bool:
    module = getattr(cls, "__module__", None)
    m = sys.modules.get(module) if isinstance(module, str) else None
    f = getattr(m, "__file__", None)
    return isinstance(f, str) and is_user_file(f)


def _changed_dependency(fn: types.FunctionType, ctx: ReloadContext) -> str | None:
    """The name of something ``fn`` depends on that changed in this call, or None."""
    visited: set[int] = set()
    stack: list[tuple[types.FunctionType, int]] = [(fn, 0)]
    while stack:
        f, depth = stack.pop()
        if id(f) in visited or depth > _MAX_DEPTH:
            continue
        visited.add(id(f))
        if depth and (id(f) in ctx.changed_objects or f.__code__ in ctx.closure_changes):
            # (a closure whose code the heap pass swaps: a wrapper made by an edited decorator)
            return f.__qualname__
        g = f.__globals__
        changed = ctx.changed_names.get(id(g), set())
        names = set(_names(f.__code__))
        for name in names:
            if name in changed:
                return name
            value = g.get(name)
            if value is None:
                continue
            if isinstance(value, types.ModuleType):
                # ``helpers.scale(x)``: the attributes it names are among the code's names too
                hit = _module_attributes(value, names, ctx, stack, depth)
                if hit is not None:
                    return hit
            elif isinstance(value, type):
                if id(value) in ctx.changed_objects:
                    return name
            else:
                stack.extend((inner, depth + 1) for inner in functions_in(value) if _is_user_code(inner))
    return None


def _module_attributes(module: types.ModuleType, names: set[str], ctx: ReloadContext,
                       stack: list[tuple[types.FunctionType, int]], depth: int) -> str | None:
    f = getattr(module, "__file__", None)
    if not isinstance(f, str) or not is_user_file(f):
        return None
    d = module.__dict__
    changed = ctx.changed_names.get(id(d), set())
    for attr in names:
        if attr in changed:
            return f"{module.__name__}.{attr}"
        value = d.get(attr)
        if isinstance(value, type):
            if id(value) in ctx.changed_objects:
                return f"{module.__name__}.{attr}"
        elif value is not None and not isinstance(value, types.ModuleType):
            stack.extend((inner, depth + 1) for inner in functions_in(value) if _is_user_code(inner))
    return None


def _names(code: types.CodeType) -> Iterator[str]:
    """Global and attribute names ``code`` and the code nested in it (lambdas, comprehensions) use."""
    todo = [code]
    while todo:
        c = todo.pop()
        yield from c.co_names
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))


def _is_user_code(fn: types.FunctionType) -> bool:
    try:
        return is_user_file(fn.__code__.co_filename)
    except (TypeError, ValueError):
        return False


def _real(path: str) -> str:
    try:
        return realpath(path)
    except (TypeError, ValueError):
        return path


def _def_line(fn: types.FunctionType) -> int:
    """Line of the ``def`` (the code's first line is its first decorator's)."""
    first = fn.__code__.co_firstlineno
    lines = linecache.getlines(fn.__code__.co_filename)
    for n in range(first, min(first + 50, len(lines) + 1)):
        text = lines[n - 1].lstrip()
        if text.startswith(("def ", "async def ")):
            return n
    return first
