"""Updating classes in place, or replacing them when their layout changed.

Keeping the class object means ``isinstance(old_instance, C)`` and ``type(obj) is m.C`` hold
wherever ``C`` was taken from, old instances run the new methods, and pickling still finds
the class by name. Only a changed layout (slots, bases, metaclass, enum members, named tuple
fields) forces a new class; then old instances are reported as stale.
"""

from __future__ import annotations

import ast
import enum
import types
from typing import Any

from .context import ClassReplacement, InitExpectation, Outcome, ReloadContext
from .diff import bound_names
from .modules import realpath
from .patch_functions import retarget_class_cell
from .values import safe_same, unwrap_function

# Entries every class has that describe the class object itself, not its behaviour.
_SKIP = {"__dict__", "__weakref__", "__module__", "__qualname__", "_abc_impl", "__slots__"}
_SLOT_TYPES = (types.MemberDescriptorType, types.GetSetDescriptorType)


def _slots(cls: type) -> tuple[str, ...] | None:
    s = cls.__dict__.get("__slots__")
    if s is None:
        return None
    if isinstance(s, str):
        return (s,)
    try:
        return tuple(str(x) for x in s)
    except TypeError:
        return ("<unreadable>",)


def _enum_members(cls: type) -> list[tuple[str, Any]]:
    return [(k, getattr(v, "_value_", None)) for k, v in cls.__dict__.get("_member_map_", {}).items()]


def layout_change(old: type, new: type, ctx: ReloadContext) -> str | None:
    """Why ``new`` cannot be merged into ``old``, or None when it can."""
    new_bases = tuple(ctx.old_for(b) for b in new.__bases__)
    if len(new_bases) != len(old.__bases__) or any(a is not b for a, b in zip(new_bases, old.__bases__)):
        return "its base classes changed"
    if ctx.old_for(type(new)) is not type(old):
        return "its metaclass changed"
    if _slots(old) != _slots(new):
        return "its __slots__ changed"
    for attr in ("__basicsize__", "__itemsize__", "__dictoffset__", "__weakrefoffset__"):
        if getattr(old, attr, None) != getattr(new, attr, None):
            return "its memory layout changed"
    if isinstance(old, enum.EnumMeta):
        om, nm = _enum_members(old), _enum_members(new)
        if len(om) != len(nm) or any(a[0] != b[0] or not safe_same(a[1], b[1]) for a, b in zip(om, nm)):
            return "its members changed"
    of, nf = old.__dict__.get("_fields"), new.__dict__.get("_fields")
    if (of is not None or nf is not None) and not safe_same(of, nf):
        return "its fields changed"
    return None


def _member_line(node: ast.ClassDef | None, name: str, default: int) -> int:
    if node is None:
        return default
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and item.name == name:
            return item.lineno
        if isinstance(item, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in item.targets):
            return item.lineno
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.target.id == name:
            return item.lineno
    return default


def _child_class(node: ast.ClassDef | None, name: str) -> ast.ClassDef | None:
    if node is None:
        return None
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == name:
            return item
    return None


_INIT_METHODS = ("__init__", "__post_init__")


def _init_names(cls: type) -> set[str]:
    """Attribute names the class's ``__init__``/``__post_init__`` and the methods they call on
    ``self`` mention (a superset of what they assign).

    Python 3.13's ``__static_attributes__`` is not added: it lists what *any* method assigns, and
    an old instance may never have run that method, so it would hide attributes it lacks.
    """
    names: set[str] = set()
    todo = [n for n in _INIT_METHODS if n in cls.__dict__]
    seen: set[str] = set()
    while todo:
        meth = todo.pop()
        if meth in seen:
            continue
        seen.add(meth)
        fn = unwrap_function(cls.__dict__.get(meth))
        if fn is None:
            continue
        for n in fn.__code__.co_names:
            names.add(n)
            if n not in seen and isinstance(cls.__dict__.get(n), types.FunctionType):
                todo.append(n)
    return names


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {item.name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}


def self_assignments(node: ast.ClassDef | None) -> tuple[dict[str, int], int]:
    """``self.x = ...`` targets -> line, in ``__init__``/``__post_init__`` and every method they
    call on ``self`` (``self._setup()``), transitively; and the line of the first init method.

    This is what Python 3.13 records in ``__static_attributes__``, restricted to what runs when
    an instance is made, with the lines a diagnostic points at.
    """
    if node is None:
        return {}, 0
    methods = _methods(node)
    starts = [methods[n] for n in _INIT_METHODS if n in methods]
    if not starts:
        return {}, 0
    init_line = starts[0].lineno
    found: dict[str, int] = {}
    todo = list(starts)
    seen: set[str] = set()
    while todo:
        item = todo.pop(0)
        if item.name in seen:
            continue
        seen.add(item.name)
        args = item.args.posonlyargs + item.args.args
        if not args or any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in item.decorator_list):
            continue
        me = args[0].arg
        for sub in ast.walk(item):
            targets: list[ast.expr] = []
            if isinstance(sub, ast.Assign):
                targets = list(sub.targets)
            elif isinstance(sub, (ast.AnnAssign, ast.AugAssign)) and getattr(sub, "value", None) is not None:
                targets = [sub.target]
            elif isinstance(sub, ast.Call):
                f = sub.func
                if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == me
                        and f.attr in methods and f.attr not in seen):
                    todo.append(methods[f.attr])
            for t in targets:
                for el in ast.walk(t):
                    if isinstance(el, ast.Attribute) and isinstance(el.value, ast.Name) and el.value.id == me:
                        found.setdefault(el.attr, el.lineno)
    return found, init_line


def _expectation(old: type, new: type, node: ast.ClassDef | None, old_init: set[str], old_fields: set[str], lineno: int, ctx: ReloadContext) -> None:
    """Record attributes old instances will lack, checked later against the heap."""
    added: dict[str, int] = {}
    assigned, init_line = self_assignments(node)
    for attr, line in assigned.items():
        if attr not in old_init:
            added[attr] = line
    fields = getattr(new, "__dataclass_fields__", None)
    new_fields: set[str] = set()
    if isinstance(fields, dict):
        for fname, f in fields.items():
            if fname not in old_fields and getattr(f, "init", True) and getattr(getattr(f, "_field_type", None), "name", "_FIELD") == "_FIELD":
                added.setdefault(fname, _member_line(node, fname, lineno))
                new_fields.add(fname)
    current: dict[str, int] | None = None
    if node is not None:
        current = {f: _member_line(node, f, lineno) for f in (fields or ())}
        current.update(assigned)
    ctx.expectations.append(InitExpectation(old, added, ctx.module.file, init_line or lineno, frozenset(new_fields), current))


def _field_names(cls: type) -> list[str]:
    """Per-instance data a class declares: named tuple fields, dataclass fields, slots."""
    names: list[str] = []
    fields = cls.__dict__.get("_fields")
    if isinstance(fields, tuple):
        names += [str(f) for f in fields]
    dc = cls.__dict__.get("__dataclass_fields__")
    if isinstance(dc, dict):
        names += [str(f) for f in dc]
    names += [s for s in (_slots(cls) or ()) if s not in ("__dict__", "__weakref__")]
    return list(dict.fromkeys(names))


def _gained(old: type, new: type, node: ast.ClassDef | None) -> tuple[str, ...]:
    """What instances of the new class have that instances of the old one lack."""
    old_names = set(_field_names(old)) | _init_names(old)
    gained = [n for n in _field_names(new) if n not in old_names]
    gained += [a for a in self_assignments(node)[0] if a not in old_names and a not in gained]
    return tuple(gained)


def patch_class(old: type, new: type, ctx: ReloadContext, label: str, lineno: int, node: ast.ClassDef | None = None) -> Outcome:
    """Merge the new class body into the old class object; REPLACED if the layout changed."""
    if old is new:
        return Outcome.UNCHANGED
    reason = layout_change(old, new, ctx)
    if reason is not None:
        ctx.replaced_classes.append(ClassReplacement(old, new, reason, ctx.module.file, lineno, _gained(old, new, node)))
        carry_outside_state(old, new, ctx.module.old_class_names.get(label), ctx.module.name)
        return Outcome.REPLACED
    ctx.merged(new, old)
    ctx.retype[id(new)] = (new, old)
    old_init = _init_names(old)
    old_fields = set(getattr(old, "__dataclass_fields__", None) or ())
    members = set(old.__dict__.get("_member_map_", {})) if isinstance(old, enum.EnumMeta) else set()
    is_enum = isinstance(old, enum.EnumMeta)
    changed = False
    new_dict = dict(new.__dict__)
    body = _body_names(node)
    for name, nv in new_dict.items():
        if name in _SKIP or name in members or (is_enum and _sunder(name)):
            continue
        if isinstance(nv, _SLOT_TYPES) and getattr(nv, "__objclass__", None) is new:
            continue  # slot/dict descriptors belong to the new layout; the old ones are equal
        member_label = f"{label}.{name}"
        line = _member_line(node, name, lineno)
        ov = old.__dict__.get(name, _MISSING)
        if ov is _MISSING:
            retarget_class_cell(nv, new, old)
            setattr(old, name, nv)
            ctx.module.patched.append(member_label)
            changed = True
            continue
        if name in ctx.module.keep_class_data.get(label, ()) and not _behaviour(ov) and not _behaviour(nv):
            continue  # e.g. `registry = []`: unchanged statement, keep the state it accumulated
        if body is not None and name not in body and not _dunder(name) and not _behaviour(ov) and not _behaviour(nv):
            continue  # data a class decorator or metaclass put there (`cls.slot = n`): the old class keeps its own
        child = _child_class(node, name) if isinstance(nv, type) else None
        out = ctx.patch(ov, nv, ctx, member_label, line, child)
        if out is Outcome.REPLACED:
            retarget_class_cell(nv, new, old)
            setattr(old, name, nv)
            changed = True
            if not _dunder(name) or _behaviour(nv):
                ctx.module.patched.append(member_label)
        elif out is Outcome.PATCHED:
            changed = True
            ctx.module.patched.append(member_label)
    declared = ctx.module.old_class_names.get(label)
    for name in list(old.__dict__):
        if name in new_dict or name in _SKIP or name in members or (is_enum and _sunder(name)):
            continue
        value = old.__dict__[name]
        if isinstance(value, _SLOT_TYPES):
            continue
        # Remove what the old class body defined; keep attributes set on the class at run time
        # (``Cls.cache = {}`` elsewhere). Without the old source, only remove code from this file.
        if declared is not None:
            if name not in declared:
                continue
        elif not _defined_in(value, ctx.module.file):
            continue
        try:
            delattr(old, name)
            ctx.module.patched.append(f"{label}.{name} (removed)")
            changed = True
        except (AttributeError, TypeError):
            pass
    retarget_class_cell_all(new, old)
    if changed and "__annotations_cache__" in old.__dict__:
        # 3.14+: annotations computed from the old __annotate__ (now patched) are cached here
        try:
            delattr(old, "__annotations_cache__")
        except (AttributeError, TypeError):
            pass
    if changed:
        _expectation(old, new, node, old_init, old_fields, lineno, ctx)
    return Outcome.PATCHED if changed else Outcome.UNCHANGED


def carry_outside_state(old: type, new: type, declared: set[str] | None, module_name: str) -> None:
    """Give a replacing class what was set on the old class from outside its body.

    A package re-exporting a class often sets ``__module__`` (or ``__qualname__``) so the class
    shows and pickles under the package's name; assignments after the class statement
    (``C.registry = {}``), class decorators and metaclasses store state on the class. None of
    that runs again when only the class statement is re-executed.
    """
    was_module = old.__dict__.get("__module__")
    if isinstance(was_module, str) and was_module != module_name and new.__dict__.get("__module__") == module_name:
        try:
            new.__module__ = was_module
        except (AttributeError, TypeError):
            pass
    if old.__qualname__ != new.__qualname__ and old.__name__ == new.__name__:
        try:
            new.__qualname__ = old.__qualname__
        except (AttributeError, TypeError):
            pass
    if declared is None:
        return
    for name, value in list(old.__dict__.items()):
        if name in declared or name in new.__dict__ or name in _SKIP or _dunder(name):
            continue
        if isinstance(value, _SLOT_TYPES) or _sunder(name):
            continue
        try:
            setattr(new, name, value)
        except (AttributeError, TypeError):
            pass


def retarget_class_cell_all(new: type, old: type) -> None:
    """All methods compiled in ``new`` share one ``__class__`` cell; point it at ``old``."""
    for v in list(new.__dict__.values()):
        retarget_class_cell(v, new, old)


def _behaviour(value: Any) -> bool:
    """Functions, descriptors and classes are code to update; anything else is data."""
    return isinstance(value, (types.FunctionType, type, staticmethod, classmethod, property)) or hasattr(type(value), "__get__")


def _defined_in(value: Any, real_file: str) -> bool:
    """Is this class attribute code compiled from the reloaded file?"""
    fn = unwrap_function(value)
    if fn is None:
        return False
    try:
        return realpath(fn.__code__.co_filename) == real_file
    except (TypeError, ValueError):
        return False


def _body_names(node: ast.ClassDef | None) -> set[str] | None:
    """Names the class statement's own body binds (None when the source is not known)."""
    return None if node is None else bound_names(node.body)


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _sunder(name: str) -> bool:
    return len(name) > 2 and name[0] == "_" and name[-1] == "_" and name[1] != "_" and name[-2] != "_"


_MISSING = object()

