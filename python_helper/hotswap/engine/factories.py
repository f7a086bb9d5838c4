"""Classes made by a function (a class factory) whose class body changed.

Methods of such classes are functions whose code the heap pass swaps like any closure. What
else the new body does -- new methods, other class attributes -- reaches only classes made by
new calls. Classes made before, wherever loaded user modules or the user's namespace hold
them, are named in a warning, unless this reload made them again (a module-level
``Model = make_model()`` runs again when ``make_model`` changed, see ``depgraph``).
"""

from __future__ import annotations

from typing import Any

from .context import ReloadContext
from .modules import user_module_objects
from .report import Diagnostic, at_line


def factory_class_diagnostics(ctx: ReloadContext, namespace: dict[str, Any]) -> list[Diagnostic]:
    if not ctx.factory_classes:
        return []
    wanted = {(f.module, f.qualname): f for f in ctx.factory_classes}
    holders: dict[tuple[str, str], list[str]] = {}
    names: dict[tuple[str, str], list[str]] = {}
    places: list[tuple[str, dict[str, Any], bool]] = [("", namespace, True)]
    places += [(name, vars(module), False) for name, module, _f in user_module_objects() if isinstance(getattr(module, "__dict__", None), dict)]
    for owner, d, is_namespace in places:
        for attr, value in list(d.items()):
            if not isinstance(value, type):
                continue
            key = (getattr(value, "__module__", ""), getattr(value, "__qualname__", ""))
            if key not in wanted or id(value) in ctx.changed_objects:
                continue
            if is_namespace:
                names.setdefault(key, []).append(attr)
            else:
                holders.setdefault(key, []).append(f"{owner}.{attr}")
    out: list[Diagnostic] = []
    for key, f in wanted.items():
        where = holders.get(key, []) + [n for n in names.get(key, []) if n not in holders.get(key, [])]
        if not where:
            continue
        listed = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        cls = f.qualname.rsplit(".", 1)[-1]
        out.append(at_line(
            f.file, f.lineno, "warning", "stale-factory-class",
            f"{listed}: made by {f.maker}() before the body of class {cls} changed; their methods run the new "
            f"code, but what else the new class body defines (added methods, class attributes) is missing. "
            f"Call {f.maker}() again.", names.get(key, [])))
    return out

