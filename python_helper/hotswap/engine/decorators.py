"""Decorated functions: patching the function a decorator wrapped, and the entries a decorator
that had to run again made.

Running a decorator again has effects beyond the module: ``@app.route`` adds a second route,
``@register`` appends to a plugin list, ``@atexit.register`` runs the function twice at exit.
When a decorated function's body changed but its decorator expressions did not (and read
nothing that changed), the reload runs the ``def`` with its decorators replaced by the
identity and patches the function the old decorators wrapped -- the wrapper, and whatever the
decorators registered, then run the new code.

When decorators must run again (their text, or a name they read, changed), the containers of
loaded user modules are searched for what they registered: where the new run put the new
object, entries the old run made for the old version are removed, and the new entry becomes
the object the module now binds.
"""

from __future__ import annotations

import ast
import copy
import types
from typing import Any, Iterator

from .modules import realpath, user_module_objects
from .values import functions_in, is_lru_wrapper

_CONTAINERS = (list, dict, set)  # and their subclasses (defaultdict, OrderedDict)


def decorator_text(key: str) -> str:
    """The decorator lines of a top-level ``def`` statement's text (everything before ``def``)."""
    out: list[str] = []
    for line in key.splitlines(True):
        if line.startswith(("def ", "async def ")):
            return "".join(out)
        out.append(line)
    return "".join(out)


def decorator_reads(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    return {n.id for d in node.decorator_list for n in ast.walk(d) if isinstance(n, ast.Name)}


KEEPER = "__hotswap_keep_decorated__"  # bound in the module only while the statements run


def undecorated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.stmt:
    """A copy of ``node`` whose decorators are replaced by ``KEEPER`` at the first decorator's
    position (so the code keeps its first line): it hands the new function over and leaves the
    name bound to the old decorators' result, which later statements of the same run see."""
    out = copy.copy(node)
    keeper = ast.copy_location(ast.Name(id=KEEPER, ctx=ast.Load()), node.decorator_list[0])
    out.decorator_list = [keeper]
    return ast.fix_missing_locations(out)


class Keeper:
    """The ``KEEPER`` decorator: collects new functions, returns what the name held."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.made: dict[str, types.FunctionType] = {}

    def __call__(self, fn: types.FunctionType) -> Any:
        self.made[fn.__name__] = fn
        return self.namespace.get(fn.__name__, fn)


def wrapped_function(obj: Any, name: str, real: str) -> types.FunctionType | None:
    """The function a top-level ``def name`` made, inside the decorators' result ``obj``.

    Followed through ``__wrapped__`` and caches, then through closure cells (decorators
    without ``functools.wraps``). None when it is not found: the decorators run again then.
    """
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(obj, 0)]
    while todo:
        cur, depth = todo.pop(0)
        for fn in functions_in(cur):
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            code = fn.__code__
            if getattr(code, "co_qualname", code.co_name) == name and _same_file(code.co_filename, real):
                return fn
            if depth < 3:
                for cell in fn.__closure__ or ():
                    try:
                        todo.append((cell.cell_contents, depth + 1))
                    except ValueError:
                        continue
    return None


def caches_around(obj: Any) -> list[Any]:
    """lru_cache wrappers among the decorators' result: patched code means stale answers."""
    out: list[Any] = []
    cur, depth = obj, 0
    while cur is not None and depth < 8:
        if is_lru_wrapper(cur):
            out.append(cur)
        cur = getattr(cur, "__wrapped__", None) if isinstance(cur, types.FunctionType) or is_lru_wrapper(cur) else None
        depth += 1
    return out


def _same_file(a: str, real: str) -> bool:
    try:
        return realpath(a) == real
    except (TypeError, ValueError):
        return False


def replace_registrations(pairs: list[tuple[Any, Any, Any]]) -> list[str]:
    """Fix the entries decorators made, for ``(old, new, bound)`` triples: the previous object,
    the one the decorators just made, the one the module now binds. Returns where entries
    changed (``module.NAME``) for the report."""
    if not pairs:
        return []
    fixed: list[str] = []
    for where, container in _user_containers():
        if _fix(container, pairs):
            fixed.append(where)
    return fixed


def _fix(c: Any, pairs: list[tuple[Any, Any, Any]]) -> bool:
    """Where the new run put ``new``, the old run's ``old`` entries go and ``new`` becomes the
    bound object; where only ``old`` is, it becomes the new object if the module binds that."""
    values = list(c.values()) if isinstance(c, dict) else list(c)
    present = {id(v) for v in values}
    remove: set[int] = set()
    swap: dict[int, Any] = {}
    for old, new, bound in pairs:
        if id(new) in present:
            if old is not new:
                remove.add(id(old))
            if new is not bound:
                swap[id(new)] = bound
        elif id(old) in present and bound is not old:
            swap[id(old)] = bound
    if not remove and not swap:
        return False
    try:
        if isinstance(c, dict):
            for k, v in list(c.items()):
                if id(v) in remove:
                    del c[k]
                elif id(v) in swap:
                    c[k] = swap[id(v)]
        elif isinstance(c, list):
            c[:] = [swap.get(id(v), v) for v in c if id(v) not in remove]
        else:
            for v in [v for v in c if id(v) in remove or id(v) in swap]:
                c.discard(v)
                if id(v) in swap:
                    c.add(swap[id(v)])
    except (TypeError, ValueError, KeyError, RuntimeError):
        return False
    return True


def left_behind(groups: dict[str, tuple[list[tuple[Any, Any, Any]], str]]) -> dict[str, list[str]]:
    """Per decorated name, given its own ``(old, new, bound)`` triples and the text of its old
    decorators: dict entries still holding the previous version under a key those decorators
    named (``ROUTES["/b"]`` after ``@route("/b")`` became ``@register``). The new run did not
    make them, so they are named in the report rather than guessed away. One walk over the
    containers serves every name."""
    out: dict[str, list[str]] = {name: [] for name in groups}
    for where, c in _user_containers():
        if not isinstance(c, dict):
            continue
        present = {id(v) for v in c.values()}
        for name, (pairs, old_text) in groups.items():
            for old, new, bound in pairs:
                if id(old) not in present or id(new) in present:
                    continue
                for k, v in list(c.items()):
                    label = f"{where}[{k!r}]"
                    if (v is old and isinstance(k, str) and k and (repr(k) in old_text or f'"{k}"' in old_text)
                            and label not in out[name]):  # a plain function is also among the functions behind itself
                        out[name].append(label)
    return out


def _user_containers() -> Iterator[tuple[str, Any]]:
    """Lists, dicts and sets of loaded user modules: module attributes, class attributes, and
    the containers directly inside those (``HOOKS = defaultdict(list)``)."""
    seen: set[int] = set()
    for name, module, _file in user_module_objects():
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attr, v in items:
            tops: list[tuple[str, Any]] = []
            if isinstance(v, _CONTAINERS):
                tops.append((f"{name}.{attr}", v))
            elif isinstance(v, type) and getattr(v, "__module__", None) == name:
                tops += [(f"{name}.{attr}.{k}", cv) for k, cv in list(v.__dict__.items())
                         if isinstance(cv, _CONTAINERS) and not k.startswith("__")]
            for where, c in tops:
                if id(c) in seen:
                    continue
                seen.add(id(c))
                yield where, c
                inner = list(c.values()) if isinstance(c, dict) else list(c) if isinstance(c, (list, set)) else []
                for sub in inner[:10_000]:
                    if isinstance(sub, _CONTAINERS) and id(sub) not in seen:
                        seen.add(id(sub))
                        yield where, sub

