"""Objects a reload could not bring up to date, and the diagnostics that name them.

The tracker remembers, per class / inner function / binding, what makes old objects stale.
Entries are replaced on the next reload of the same thing and dropped as soon as no stale
object remains, so the state never grows with the number of reloads. Re-checking walks the
heap once (``hotswap.stale()``), which lets editors clear a warning once the user recreated
the object.
"""

from __future__ import annotations

import itertools
import re
import sys
import types
import weakref
from dataclasses import dataclass
from typing import Any, Iterable

from . import class_holders, heap, references
from .context import FactoryClass, ReloadContext
from .factories import factory_class_diagnostics
from .report import Diagnostic, and_list, at_line

_CONTAINERS = (list, tuple, set, frozenset)
_MAX_INSIDE = 1_000_000  # items of one container looked at for holders (linear, but bounded)
MAX_NAMED = 20  # holder names a message lists before giving an exact count of the others


@dataclass
class _Expect:
    """Attributes a class's new __init__ sets that instances made before the edit may lack."""

    name: str
    attrs: dict[str, int]
    file: str
    init_line: int
    fields: frozenset[str]


@dataclass
class _Replaced:
    """A class replaced by a new one: every surviving instance of it is stale."""

    name: str
    reason: str
    file: str
    lineno: int
    gained: tuple[str, ...]


@dataclass
class _Closure:
    """Closures that kept old code because the variables they capture changed."""

    code: types.CodeType  # the old inner code the stale closures still run
    maker: str
    inner: str
    file: str
    lineno: int


@dataclass
class Binding:
    """A `from m import X` copy of a name that m no longer has (reported as stale-binding)."""

    kind: str  # "module" | "namespace"
    owner: str
    local: str
    obj: Any
    module: str
    remote: str
    file: str
    lineno: int
    col: int | None
    end_col: int | None


class Tracker:
    """Everything currently known to be stale, keyed so that re-reporting replaces entries."""

    def __init__(self) -> None:
        self.expect: "weakref.WeakKeyDictionary[type, _Expect]" = weakref.WeakKeyDictionary()
        self.replaced: "weakref.WeakKeyDictionary[type, _Replaced]" = weakref.WeakKeyDictionary()
        self.closures: dict[int, _Closure] = {}
        self.bindings: dict[tuple[str, str, str], Binding] = {}
        # classes a factory made before its class body changed (``factories``)
        self.factory_classes: "weakref.WeakKeyDictionary[type, FactoryClass]" = weakref.WeakKeyDictionary()
        self.version = 0  # bumped whenever something new is recorded (stale_watch compares it)
        # what the last check found, for stale_watch: the stale objects and the names holding them
        self.last_objects: list[object] = []
        self.last_holders: list[str] = []
        references.forget_all()

    # ------------------------------------------------------------ recording

    def record(self, ctx: ReloadContext) -> None:
        """Take over what a reload found; an attribute stays expected while the new __init__ sets it."""
        if ctx.expectations or ctx.replaced_classes:
            self.version += 1
        for e in ctx.expectations:
            prev = self.expect.get(e.cls)
            attrs: dict[str, int] = {}
            if prev is not None:  # still expected only if the new __init__ still sets it
                attrs = {a: (e.current or {}).get(a, ln) for a, ln in prev.attrs.items() if e.current is None or a in e.current}
            attrs.update(e.attrs)
            if not attrs:
                self.expect.pop(e.cls, None)
                continue
            fields = ((prev.fields if prev is not None else frozenset()) | e.fields) & frozenset(attrs)
            self.expect[e.cls] = _Expect(e.cls.__qualname__, attrs, e.file, e.init_line, fields)
        for r in ctx.replaced_classes:
            self.replaced[r.old] = _Replaced(r.old.__qualname__, r.reason, r.file, r.lineno, r.gained)
            self.expect.pop(r.old, None)

    def add_closure(self, code: types.CodeType, maker: str, inner: str, file: str, lineno: int) -> None:
        self.version += 1
        self.closures[id(code)] = _Closure(code, maker, inner, file, lineno)

    def add_binding(self, b: Binding) -> None:
        self.version += 1
        self.bindings[(b.kind, b.owner, b.local)] = b

    def needs_heap(self) -> bool:
        return bool(len(self.expect) or len(self.replaced) or self.closures)

    def classes(self) -> dict[type, type]:
        """Classes whose instances must be looked at -> the tracked class they belong to."""
        out: dict[type, type] = {}
        for cls in list(self.replaced.keys()):
            out[cls] = cls
            for sub in _with_subclasses(cls)[1:]:
                # a subclass elsewhere still derives from the old class: its instances are stale too
                if sub not in self.replaced:
                    out.setdefault(sub, cls)
        for cls in list(self.expect.keys()):
            for sub in _with_subclasses(cls):
                out.setdefault(sub, cls)
        return out

    # ------------------------------------------------------------ checking

    def binding_diagnostics(self, namespace: dict[str, Any]) -> list[Diagnostic]:
        """stale-binding warnings (one lookup per binding), stale-reference warnings (removed
        definitions still held) and stale-factory-class warnings (classes made before their
        factory's class body changed); the last two take one look at loaded user modules and
        the namespace, only while such a definition or class is tracked -- no heap pass."""
        return (self._binding_diags(namespace) + references.removed_diagnostics(namespace, self._is_binding)
                + factory_class_diagnostics(namespace, self.factory_classes))

    def object_diagnostics(self, namespace: dict[str, Any], found: heap.HeapResult,
                           targets: dict[type, type], ignore: set[int] | None = None) -> list[Diagnostic]:
        """stale-instance, stale-closure and stale-reference (old class held) warnings; remembers
        what they rest on (``last_*``). ``ignore``: ids of the caller's own containers."""
        stale_objs: dict[type, list[object]] = {}
        seen: set[int] = set()
        for t, objs in found.instances.items():
            root = targets.get(t)
            if root is not None:
                stale_objs.setdefault(root, []).extend(objs)
                seen.update(id(o) for o in objs)
        # Tuples of atomic values can be untracked by the garbage collector (named tuples,
        # enum members): also look at what the user namespace holds directly.
        for obj in (_namespace_objects(namespace) if targets else ()):
            root = targets.get(type(obj))
            if root is not None and id(obj) not in seen:
                seen.add(id(obj))
                stale_objs.setdefault(root, []).append(obj)
        wanted_ids = set(seen)
        for fns in found.functions.values():
            wanted_ids.update(id(f) for f in fns)
        index = _holders(namespace, wanted_ids)
        out: list[Diagnostic] = self._class_holder_diags(namespace, found, ignore)
        held = {cls for cls in list(self.replaced.keys()) if id(cls) in found.referrers}
        out += self._instance_diags(stale_objs, index, held)
        out += self._closure_diags(found, index)
        self.last_objects = [o for objs in stale_objs.values() for o in objs]
        self.last_objects += [f for fns in found.functions.values() for f in fns]
        self.last_holders = list(dict.fromkeys(n for names in index.values() for n in names))
        return out

    def _is_binding(self, owner: str, name: str, obj: Any) -> bool:
        """An import copy of a removed name: stale-binding reports it already."""
        b = self.bindings.get(("module" if owner else "namespace", owner, name))
        return b is not None and b.obj is obj

    def held_classes(self) -> list[type]:
        """Replaced classes whose holders the heap pass should collect."""
        return list(self.replaced.keys())

    def _class_holder_diags(self, namespace: dict[str, Any], found: heap.HeapResult,
                            ignore: set[int] | None) -> list[Diagnostic]:
        """stale-reference warnings: the old object of a replaced class still held where
        rebinding by name does not reach (an instance attribute, an inner closure, a nested
        container); drops referrers that are not the user's references."""
        out: list[Diagnostic] = []
        index: class_holders.Index | None = None
        for cls, info in list(self.replaced.items()):
            refs = found.referrers.get(id(cls))
            if not refs:
                continue
            if index is None:
                index = class_holders.Index(namespace)
            found_at = class_holders.find(cls, refs, namespace, index, ignore)
            labels = [label for label, _place in found_at]
            if not labels:
                del found.referrers[id(cls)]
                continue
            shown = labels[:MAX_NAMED]
            who = and_list(shown) if len(labels) <= MAX_NAMED else f"{', '.join(shown)} and {len(labels) - MAX_NAMED} other places"
            names = list(dict.fromkeys(n for n in (_variable(namespace, place) for _l, place in found_at[:MAX_NAMED]) if n))
            verb = "holds" if len(labels) == 1 else "hold"
            msg = (f"{who} still {verb} the old class {info.name}, which was replaced because {info.reason}; "
                   f"objects made or checked through it use the old class. Point it at the new {info.name} "
                   f"(or run again the code that stored it).")
            out.append(at_line(info.file, info.lineno, "warning", "stale-reference", msg, names))
        return out

    def _instance_diags(self, stale_objs: dict[type, list[object]], index: dict[int, list[str]],
                        held: set[type] | None = None) -> list[Diagnostic]:
        """stale-instance warnings: old instances of replaced classes, then instances lacking new
        attributes. A replaced class still ``held`` by something stays tracked without instances."""
        out: list[Diagnostic] = []
        for cls, info in list(self.replaced.items()):
            objs = stale_objs.get(cls, [])
            elsewhere: dict[int, list[references.Holder]] = {}
            if isinstance(cls, type) and hasattr(cls, "_member_map_"):
                # old members of a replaced enum: the old class holds them all; they matter where
                # a variable or another module still does (the others were rebound by name)
                members = {id(m): m for m in cls._member_map_.values()}
                elsewhere = references.holders(members, None, lambda owner, name, obj: False)
                objs = [o for o in objs if id(o) not in members or id(o) in index or id(o) in elsewhere]
            if not objs:
                if not held or cls not in held:
                    self.replaced.pop(cls, None)
                continue
            # old enum members held by other modules are named by where they are (settings.DEFAULT)
            labels = list(dict.fromkeys(h.label for o in objs if id(o) not in index for h in elsewhere.get(id(o), [])))
            plain = [o for o in objs if id(o) in index or id(o) not in elsewhere]
            who, names = _who(plain, index, info.name) if plain else ("", [])
            if labels:
                who = and_list(labels[:MAX_NAMED] + ([who] if who else []))
            verb = "was" if len(objs) == 1 else "were"
            it = "it" if len(objs) == 1 else "them"
            they = "it lacks" if len(objs) == 1 else "they lack"
            lacks = f" ({they} {and_list([repr(a) for a in info.gained])})" if info.gained else ""
            msg = (
                f"{who} {verb} made from the old {info.name}, which was replaced because {info.reason}{lacks}; "
                f"recreate {it} to use the new class."
            )
            out.append(at_line(info.file, info.lineno, "warning", "stale-instance", msg, names))
        for cls, exp in list(self.expect.items()):
            groups: dict[tuple[str, ...], list[object]] = {}
            for o in stale_objs.get(cls, []):
                d = getattr(o, "__dict__", None)
                if not isinstance(d, dict):
                    continue
                t = type(o)
                missing = tuple(a for a in exp.attrs if a not in d and (a in exp.fields or not hasattr(t, a)))
                if missing:
                    groups.setdefault(missing, []).append(o)
            if not groups:
                self.expect.pop(cls, None)
                continue
            for missing, objs in groups.items():
                who, names = _who(objs, index, exp.name)
                verb = "was" if len(objs) == 1 else "were"
                it = "it" if len(objs) == 1 else "them"
                attrs = and_list([f"'{a}'" for a in missing])
                line = min(exp.attrs[a] for a in missing) or exp.init_line
                msg = f"{who} {verb} created before {exp.name} gained {attrs}; recreate {it} to use the new code."
                out.append(at_line(exp.file, line, "warning", "stale-instance", msg, names))
        return out

    def _closure_diags(self, found: heap.HeapResult, index: dict[int, list[str]]) -> list[Diagnostic]:
        """stale-closure warnings, with how many old closures are left; forgets code no closure runs."""
        out: list[Diagnostic] = []
        for cid, info in list(self.closures.items()):
            fns = found.functions.get(cid, [])
            if not fns:
                del self.closures[cid]
                continue
            names = _names(fns, index)
            n = len(fns)
            plural = "closure" if n == 1 else "closures"
            still = "still runs" if n == 1 else "still run"
            if len(names) > MAX_NAMED:
                names = names[:MAX_NAMED]
                named = f" ({', '.join(names)}, ...)"
            else:
                named = f" ({and_list(names)})" if names else ""
            msg = (
                f"{n} {plural}{named} made by {info.maker}() before the edit {still} the old {info.inner}: "
                f"the variables it captures changed, so its code could not be swapped. Call {info.maker}() again."
            )
            out.append(at_line(info.file, info.lineno, "warning", "stale-closure", msg, names))
        return out

    def _binding_diags(self, namespace: dict[str, Any]) -> list[Diagnostic]:
        """stale-binding warnings for copies still holding a removed name; forgets rebound ones."""
        out: list[Diagnostic] = []
        for key, b in list(self.bindings.items()):
            holder: dict[str, Any] | None
            if b.kind == "namespace":
                holder = namespace
            else:
                mod = sys.modules.get(b.owner)
                holder = getattr(mod, "__dict__", None) if mod is not None else None
            if holder is None or holder.get(b.local, _MISSING) is not b.obj:
                del self.bindings[key]
                continue
            alias = f" (as {b.local})" if b.local != b.remote else ""
            if b.kind == "namespace":
                msg = (
                    f"{b.local} still holds the old {b.module}.{b.remote}{alias}, which no longer exists in {b.module}; "
                    f"delete it or import what replaced it."
                )
                names = [b.local]
            else:
                msg = (
                    f"'{b.remote}'{alias} was removed from {b.module}, but {b.owner} still holds the old value "
                    f"imported here; update this import."
                )
                names = []
            out.append(at_line(b.file, b.lineno, "warning", "stale-binding", msg, names, b.col, b.end_col))
        return out


_MISSING = object()


def _variable(namespace: dict[str, Any], label: str) -> str:
    """The user variable a holder label starts from ("obj" for "obj.kind"), or ""."""
    m = re.match(r"[A-Za-z_]\w*", label)  # a module attribute's label starts with the module: not one
    if m is None or m.group() not in namespace or isinstance(namespace[m.group()], types.ModuleType):
        return ""
    return m.group()


def _with_subclasses(cls: type) -> list[type]:
    """The class and its subclasses: their instances lack the new attributes too."""
    out = [cls]
    i = 0
    while i < len(out):
        subs: list[type]
        try:
            subs = type.__subclasses__(out[i])
        except TypeError:
            subs = []
        for s in subs:
            if s not in out:
                out.append(s)
        i += 1
    return out


def _user_names(namespace: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """Variables the user made (not private names, modules, IPython's output history)."""
    for k, v in list(namespace.items()):
        if k.startswith("_") or isinstance(v, types.ModuleType) or k in ("In", "Out", "exit", "quit", "get_ipython"):
            continue
        yield k, v


def _namespace_objects(namespace: dict[str, Any]) -> Iterable[object]:
    """Objects the user namespace holds, directly or one container deep."""
    for _k, v in _user_names(namespace):
        yield v
        if type(v) in _CONTAINERS:
            for i, x in enumerate(v):
                if i >= _MAX_INSIDE:
                    break
                yield x
        elif type(v) is dict:
            for i, x in enumerate(v.values()):
                if i >= _MAX_INSIDE:
                    break
                yield x


def _holders(namespace: dict[str, Any], wanted: set[int]) -> dict[int, list[str]]:
    """id(object) -> user variables holding it directly or one list/tuple/dict/set deep.

    One pass over the namespace and the containers in it (linear: ids are looked up in sets).
    """
    out: dict[int, list[str]] = {}
    if not wanted:
        return out
    for k, v in _user_names(namespace):
        inner: Iterable[object] = ()
        if type(v) in _CONTAINERS:
            inner = v
        elif type(v) is dict:
            inner = itertools.chain(v.values(), v.keys())
        for x in itertools.chain((v,), itertools.islice(inner, _MAX_INSIDE)):
            oid = id(x)
            if oid in wanted:
                lst = out.get(oid)
                if lst is None:
                    out[oid] = [k]
                elif lst[-1] != k:
                    lst.append(k)
    return out


def _names(objs: list[Any], index: dict[int, list[str]]) -> list[str]:
    names: dict[str, None] = {}
    for o in objs:
        for n in index.get(id(o), ()):
            names[n] = None
    return list(names)


def _who(objs: list[Any], index: dict[int, list[str]], cls_name: str) -> tuple[str, list[str]]:
    """Who is stale, bounded: 'g', 'g and h', 'objs (100000 Greeter objects)',
    'g0, g1, ... g19 and 9980 other Greeter objects', '3 Greeter objects'; and the names listed.

    At most MAX_NAMED holder names; every object not held by one of them is counted, exactly.
    """
    ids = {id(o) for o in objs}
    held: dict[str, int] = {}
    for oid, holder_names in index.items():  # in namespace order
        if oid in ids:
            for n in holder_names:
                held[n] = held.get(n, 0) + 1
    listed = list(held)[:MAX_NAMED]
    chosen = set(listed)
    rest = sum(1 for o in objs if not chosen.intersection(index.get(id(o), ())))

    def objects(n: int) -> str:
        return f"{n} {cls_name} object" + ("s" if n != 1 else "")

    parts = [n if held[n] == 1 else f"{n} ({objects(held[n])})" for n in listed]
    if not parts:
        return objects(rest), []
    if rest <= 0:
        return and_list(parts), listed
    return ", ".join(parts) + " and " + objects(rest).replace(" ", " other ", 1), listed


TRACKER = Tracker()
