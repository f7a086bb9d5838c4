"""Where an old object is still reachable by name: rebinding replaced ones, naming removed ones.

Import statements tell who copied a name (``imports.py``); other references are only found by
looking: module attributes bound some other way (``Alias = a.C``, ``DEFAULT = Color.RED``,
re-exports through a package ``__init__``), entries of lists, dicts, sets and tuples held by
loaded user modules or the user's namespace (registries, handler tables), function defaults
and closure cells of user functions. A *replaced* object (a class whose layout changed, an
enum member of a replaced enum) is rebound there to its new version. A *removed* definition
has no new version: whoever still holds it is named (``stale-reference``) until it lets go.
"""

from __future__ import annotations

import ast
import enum
import os
import types
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .modules import user_module_objects
from .report import Diagnostic, and_list, at_line
from .source import SourceProblem, read_source
from .values import is_lru_wrapper

MAX_INSIDE = 10000  # entries of one container looked at, one level below a namespace
_MISSING: Any = object()
_SKIP_NAMES = ("In", "Out", "_ih", "_oh", "_dh", "exit", "quit", "get_ipython")


def _rebindable(obj: Any) -> bool:
    """Only objects with an identity of their own: never rebind an int or string by identity."""
    return isinstance(obj, (type, types.FunctionType, enum.Enum)) or is_lru_wrapper(obj)


def pairs_for(rebound: dict[str, tuple[Any, Any]]) -> dict[int, tuple[Any, Any]]:
    """id(old) -> (old, new) for the replaced values worth rebinding, with enum members of a
    replaced enum mapped by name to the new members."""
    out: dict[int, tuple[Any, Any]] = {}
    for old, new in rebound.values():
        if old is new or not _rebindable(old):
            continue
        out[id(old)] = (old, new)
        if isinstance(old, enum.EnumMeta) and isinstance(new, enum.EnumMeta):
            new_members = new.__dict__.get("_member_map_", {})
            for mname, member in old.__dict__.get("_member_map_", {}).items():
                if mname in new_members:
                    out[id(member)] = (member, new_members[mname])
    return out


def namespaces(ns: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """(owner, dict): every loaded user module's globals, then the user namespace ("")."""
    out: list[tuple[str, dict[str, Any]]] = [(name, m.__dict__) for name, m, _f in user_module_objects()]
    if ns is not None and not any(d is ns for _n, d in out):
        out.append(("", ns))
    return out


def _user_key(owner: str, key: str) -> bool:
    if owner:
        return not (key.startswith("__") and key.endswith("__"))
    return not key.startswith("_") and key not in _SKIP_NAMES


def _hit(pairs: dict[int, tuple[Any, Any]], x: Any) -> Any:
    """The replacement for ``x``, or MISSING."""
    hit = pairs.get(id(x))
    return hit[1] if hit is not None and hit[0] is x else _MISSING


def _swap_in(value: Any, pairs: dict[int, tuple[Any, Any]]) -> tuple[Any, int]:
    """``value`` with old objects inside it (one level) replaced; (replacement or value, count).

    Lists, dicts and sets are changed in place; a tuple comes back as a new tuple. An entry
    whose replacement is already there is dropped: a registration that ran again for the new
    version (a class decorator appending the class) must not leave the entry twice.
    """
    t = type(value)
    n = 0
    if t is list:
        if len(value) > MAX_INSIDE or not any(id(x) in pairs for x in value):
            return value, 0
        out: list[Any] = []
        for x in value:
            y = _hit(pairs, x)
            if y is _MISSING:
                out.append(x)
                continue
            n += 1
            if not any(z is y for z in value) and not any(z is y for z in out):
                out.append(y)
        value[:] = out
    elif t is dict:
        if len(value) > MAX_INSIDE:
            return value, 0
        keys = [k for k in value if id(k) in pairs and pairs[id(k)][0] is k]
        if keys:
            rebuilt: dict[Any, Any] = {}
            for k, v in value.items():
                y = _hit(pairs, k)
                if y is _MISSING:
                    rebuilt.setdefault(k, v)
                elif not any(k2 is y for k2 in value):
                    rebuilt[y] = v
                n += 0 if y is _MISSING else 1
            value.clear()
            value.update(rebuilt)
        for k, v in list(value.items()):
            y = _hit(pairs, v)
            if y is not _MISSING:
                value[k] = y
                n += 1
    elif t is set:
        for x in [x for x in list(value)[:MAX_INSIDE] if _hit(pairs, x) is not _MISSING]:
            value.discard(x)
            value.add(_hit(pairs, x))
            n += 1
    elif t is tuple and len(value) <= MAX_INSIDE:
        if any(_hit(pairs, x) is not _MISSING for x in value):
            new = tuple(x if _hit(pairs, x) is _MISSING else _hit(pairs, x) for x in value)
            return new, sum(1 for x in value if _hit(pairs, x) is not _MISSING)
    return value, n


def _functions_of(d: dict[str, Any], module_name: str) -> Iterable[types.FunctionType]:
    """Functions a module defines, and the methods of its classes (their defaults and cells)."""
    for v in list(d.values()):
        if isinstance(v, types.FunctionType) and v.__module__ == module_name:
            yield v
        elif isinstance(v, type) and v.__module__ == module_name:
            for member in list(v.__dict__.values()):
                fn = getattr(member, "__func__", member)
                if isinstance(fn, types.FunctionType):
                    yield fn


def rebind(pairs: dict[int, tuple[Any, Any]], ns: dict[str, Any] | None, functions: bool = True) -> int:
    """Point every name, container entry, default and cell that holds an old object at its new
    version; returns how many references were rebound."""
    if not pairs:
        return 0
    count = 0
    for owner, d in namespaces(ns):
        for key, value in list(d.items()):
            if not _user_key(owner, key):
                continue
            hit = pairs.get(id(value))
            if hit is not None and hit[0] is value:
                d[key] = hit[1]
                count += 1
                continue
            new, n = _swap_in(value, pairs)
            if n:
                count += n
                if new is not value:
                    d[key] = new
        if owner and functions:
            for fn in _functions_of(d, owner):
                count += _rebind_function(fn, pairs)
    return count


def _rebind_function(fn: types.FunctionType, pairs: dict[int, tuple[Any, Any]]) -> int:
    n = 0
    if fn.__defaults__ and any(id(x) in pairs for x in fn.__defaults__):
        new, k = _swap_in(fn.__defaults__, pairs)
        fn.__defaults__ = new
        n += k
    # cells pair with their names by position: cells compare by contents, so two holding the
    # same object cannot be told apart by looking one up
    for cell, name in zip(fn.__closure__ or (), fn.__code__.co_freevars):
        if name == "__class__":
            continue
        try:
            v = cell.cell_contents
        except ValueError:
            continue
        hit = pairs.get(id(v))
        if hit is not None and hit[0] is v:
            cell.cell_contents = hit[1]
            n += 1
    return n


def fold_merged(keep: list[Any], new_to_old: dict[int, Any], ns: dict[str, Any] | None) -> int:
    """New objects merged into old ones during a reload (a re-run class decorator registered
    the throw-away new class) are replaced by the old object users hold, wherever named."""
    pairs: dict[int, tuple[Any, Any]] = {}
    for new in keep:
        old = new_to_old.get(id(new))
        if old is not None and old is not new and _rebindable(new):
            pairs[id(new)] = (new, old)
    return rebind(pairs, ns, functions=False)


# ------------------------------------------------------------------ removed definitions


@dataclass
class Holder:
    """One place still holding a removed definition."""

    label: str  # "b.HANDLERS[0]", "handlers[0]", "b.f"
    owner: str  # module name, or "" for the user namespace
    var: str  # the name in that namespace


def holders(targets: dict[int, Any], ns: dict[str, Any] | None, skip: Callable[[str, str, Any], bool]) -> dict[int, list[Holder]]:
    """id(target) -> places holding it directly or one container deep.

    ``skip(owner, name, obj)`` leaves out direct bindings reported otherwise (import copies).
    """
    out: dict[int, list[Holder]] = {}
    if not targets:
        return out

    def add(obj: Any, h: Holder) -> None:
        if id(obj) in targets and targets[id(obj)] is obj:
            lst = out.setdefault(id(obj), [])
            if all(x.label != h.label for x in lst):
                lst.append(h)

    for owner, d in namespaces(ns):
        prefix = f"{owner}." if owner else ""
        for key, value in list(d.items()):
            if not _user_key(owner, key):
                continue
            if id(value) in targets and not skip(owner, key, value):
                add(value, Holder(f"{prefix}{key}", owner, key))
            t = type(value)
            if t in (list, tuple):
                for i, x in enumerate(value[:MAX_INSIDE]):
                    add(x, Holder(f"{prefix}{key}[{i}]", owner, key))
            elif t is dict:
                for i, (k, x) in enumerate(list(value.items())):
                    if i >= MAX_INSIDE:
                        break
                    add(x, Holder(f"{prefix}{key}[{k!r}]", owner, key))
                    add(k, Holder(f"{prefix}{key} (a key)", owner, key))
            elif t in (set, frozenset):
                for i, x in enumerate(list(value)):
                    if i >= MAX_INSIDE:
                        break
                    add(x, Holder(f"{prefix}{key} (an element)", owner, key))
    return out


@dataclass
class _Removed:
    ref: Callable[[], Any]  # weak where the object allows it
    module: str
    name: str
    file: str


_removed: dict[tuple[str, str], _Removed] = {}
# file -> (mtime_ns, size, name -> 1-based line of the statement binding it)
_lines: dict[str, tuple[int, int, dict[str, int]]] = {}


def note_removed(module: str, file: str, removed: dict[str, Any]) -> None:
    """Remember definitions a reload removed; they are checked for holders with the stale objects."""
    for name, obj in removed.items():
        if not _rebindable(obj):
            continue
        try:
            ref: Callable[[], Any] = weakref.ref(obj)
        except TypeError:
            ref = (lambda o: (lambda: o))(obj)
        _removed[(module, name)] = _Removed(ref, module, name, file)


def forget_all() -> None:
    _removed.clear()


def _binding_line(file: str, name: str) -> int:
    """Line of the top-level statement that binds ``name`` in ``file`` (1 when unknown)."""
    try:
        st = os.stat(file)
    except OSError:
        return 1
    hit = _lines.get(file)
    if hit is None or hit[0] != st.st_mtime_ns or hit[1] != st.st_size:
        table: dict[str, int] = {}
        try:
            tree = ast.parse(read_source(file).text, filename=file)
        except (SourceProblem, SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        for node in tree.body:
            for sub in ast.walk(node) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) else [node]:
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    table.setdefault(sub.id, node.lineno)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                table.setdefault(node.name, node.lineno)
        if len(_lines) > 2000:
            _lines.clear()
        hit = (st.st_mtime_ns, st.st_size, table)
        _lines[file] = hit
    return hit[2].get(name, 1)


def removed_diagnostics(ns: dict[str, Any] | None, skip: Callable[[str, str, Any], bool]) -> list[Diagnostic]:
    """stale-reference warnings: removed definitions that something still holds; entries whose
    object is gone or no longer held are dropped."""
    if not _removed:
        return []
    live: dict[int, Any] = {}
    for key, r in list(_removed.items()):
        obj = r.ref()
        if obj is None:
            del _removed[key]
        else:
            live[id(obj)] = obj
    found = holders(live, ns, skip)
    files = {name: f for name, _m, f in user_module_objects()}
    out: list[Diagnostic] = []
    for key, r in list(_removed.items()):
        obj = r.ref()
        hs = found.get(id(obj), []) if obj is not None else []
        if not hs:
            del _removed[key]
            continue
        labels = [h.label for h in hs[:8]]
        more = f" and {len(hs) - 8} more" if len(hs) > 8 else ""
        names = list(dict.fromkeys(h.var for h in hs if not h.owner))
        first = next((h for h in hs if h.owner and h.owner in files), None)
        file, line = (files[first.owner], _binding_line(files[first.owner], first.var)) if first else (r.file, 1)
        one = len(hs) == 1
        msg = (f"{r.name} was removed from {r.module}, but {and_list(labels)}{more} still "
               f"hold{'s' if one else ''} the old {r.name} and run{'s' if one else ''} its code when called; "
               f"remove {'that reference' if one else 'those references'} or point "
               f"{'it' if one else 'them'} at what replaced {r.name}.")
        out.append(at_line(file, line, "warning", "stale-reference", msg, names))
    return out
