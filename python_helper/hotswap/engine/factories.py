"""Classes made by a function (a class factory) whose class body changed.

Methods of such classes are functions whose code the heap pass swaps like any closure. What
else the new body does -- new methods, other class attributes -- reaches only classes made by
new calls. Classes made before, wherever loaded user modules or the user's namespace hold
them, are named in a warning, unless this reload made them again (a module-level
``Model = make_model()`` runs again when ``make_model`` changed, see ``depgraph``). The old
classes found are remembered (weakly), so every later stale check names them again until
the user makes them anew.
"""

from __future__ import annotations

import weakref
from typing import Any, Iterator

from .context import FactoryClass, ReloadContext
from .modules import user_module_objects
from .report import Diagnostic, at_line


def _key(cls: type) -> tuple[str, str]:
    return getattr(cls, "__module__", ""), getattr(cls, "__qualname__", "")


def _places(namespace: dict[str, Any]) -> Iterator[tuple[str, str, type]]:
    """(owner, name, class) for each class held directly by the user's namespace (owner "")
    and then by each loaded user module (owner: the module's name)."""
    dicts = [("", namespace)] + [(owner, vars(module)) for owner, module, _f in user_module_objects()
                                 if isinstance(getattr(module, "__dict__", None), dict)]
    for owner, d in dicts:
        for attr, value in list(d.items()):
            if isinstance(value, type):
                yield owner, attr, value


def remember_factory_classes(ctx: ReloadContext, namespace: dict[str, Any],
                             remembered: "weakref.WeakKeyDictionary[type, FactoryClass]") -> None:
    """At a reload: the classes made before the factory's class body changed, wherever held
    (not those this reload made again), join ``remembered``."""
    if not ctx.factory_classes:
        return
    wanted = {(f.module, f.qualname): f for f in ctx.factory_classes}
    for _owner, _attr, cls in _places(namespace):
        f = wanted.get(_key(cls))
        if f is not None and id(cls) not in ctx.changed_objects:
            remembered[cls] = f


def factory_class_diagnostics(namespace: dict[str, Any],
                              remembered: "weakref.WeakKeyDictionary[type, FactoryClass]") -> list[Diagnostic]:
    """stale-factory-class warnings for the remembered classes still held (one look at the
    namespace and the user modules, only while some are remembered); the others are forgotten."""
    if not len(remembered):
        return []
    held: set[type] = set()
    holders: dict[tuple[str, str], list[str]] = {}
    names: dict[tuple[str, str], list[str]] = {}
    factories: dict[tuple[str, str], FactoryClass] = {}
    for owner, attr, cls in _places(namespace):
        f = remembered.get(cls)
        if f is None:
            continue
        held.add(cls)
        key = (f.module, f.qualname)
        factories.setdefault(key, f)
        if owner:
            holders.setdefault(key, []).append(f"{owner}.{attr}")
        else:
            names.setdefault(key, []).append(attr)
    for cls in [c for c in list(remembered.keys()) if c not in held]:
        del remembered[cls]
    out: list[Diagnostic] = []
    for key, f in factories.items():
        where = holders.get(key, []) + [n for n in names.get(key, []) if n not in holders.get(key, [])]
        listed = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        cls_name = f.qualname.rsplit(".", 1)[-1]
        out.append(at_line(
            f.file, f.lineno, "warning", "stale-factory-class",
            f"{listed}: made by {f.maker}() before the body of class {cls_name} changed; their methods run the new "
            f"code, but what else the new class body defines (added methods, class attributes) is missing. "
            f"Call {f.maker}() again.", names.get(key, [])))
    return out
