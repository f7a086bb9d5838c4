"""State shared by the patching steps of one reload call, dropped when the call ends.

Patching functions and classes discovers work that needs the heap (closures made from old
code, instances of changed classes). It is collected here so the reload does it all in one
heap pass at the end, whatever the number of changed objects. What belongs to one module of
the call (its file, its class records) is a ``ModuleScope``, replaced for each module.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol



class Outcome(Enum):
    """What happened to an old object when compared with its new version."""

    UNCHANGED = "unchanged"  # same behaviour; at most line numbers were refreshed
    PATCHED = "patched"  # updated in place, identity kept
    REPLACED = "replaced"  # could not be updated in place; the new object must be bound


@dataclass
class ClosureChange:
    """An inner function's code changed; closures made from ``old`` should get ``new``."""

    new: types.CodeType
    file: str
    maker: str


@dataclass
class FactoryClass:
    """The body of a class made inside a function changed beyond its methods' code: classes
    made by earlier calls lack what the new body adds."""

    qualname: str  # e.g. "make_model.<locals>.Model"
    module: str
    file: str
    lineno: int
    maker: str


@dataclass
class ClassReplacement:
    """A class that could not be updated in place; its old instances are stale."""

    old: type
    new: type
    reason: str
    file: str
    lineno: int
    gained: tuple[str, ...] = ()  # attributes new instances have and old ones lack


@dataclass
class InitExpectation:
    """Attributes a patched class's new ``__init__`` sets that old instances may lack."""

    cls: type
    attrs: dict[str, int]  # attribute -> 1-based line of the assignment (or field)
    file: str
    init_line: int
    fields: frozenset[str] = frozenset()  # dataclass fields: class-level defaults do not count
    current: dict[str, int] | None = None  # everything the new __init__ sets -> line (None: unknown)


@dataclass
class ModuleScope:
    """What patching needs to know about the module whose objects are being merged."""

    name: str = ""
    file: str = ""  # real path: diagnostics point here
    text: str = ""  # the new source
    patched: list[str] = field(default_factory=list)  # labels of members updated in place
    # class qualname -> data attributes whose statement did not change: keep their old values
    keep_class_data: dict[str, set[str]] = field(default_factory=dict)
    # class qualname -> every name its previous source bound (absent: previous source unknown)
    old_class_names: dict[str, set[str]] = field(default_factory=dict)


class PatchValue(Protocol):
    """Signature of the dispatcher that merges any new value into its old version."""

    def __call__(self, old: Any, new: Any, ctx: "ReloadContext", label: str, lineno: int,
                 node: Any = None) -> Outcome: ...


def _no_patching(old: Any, new: Any, ctx: "ReloadContext", label: str, lineno: int, node: Any = None) -> Outcome:
    raise RuntimeError("this context was made for checking stale objects, not for patching")


@dataclass
class ReloadContext:
    """Per-call scratch state; nothing here outlives the call.

    ``patch`` is the dispatcher (``merge.patch_value``): function and class patching recurse
    into each other's values through it, so neither module imports the other.
    """

    namespace: dict[str, Any]
    patch: PatchValue = _no_patching
    module: ModuleScope = field(default_factory=ModuleScope)  # the module being merged now
    # id(new object) -> old object it was merged into; new objects are kept alive by `keep`
    new_to_old: dict[int, Any] = field(default_factory=dict)
    keep: list[Any] = field(default_factory=list)
    closure_changes: dict[types.CodeType, ClosureChange] = field(default_factory=dict)
    factory_classes: list[FactoryClass] = field(default_factory=list)
    replaced_classes: list[ClassReplacement] = field(default_factory=list)
    expectations: list[InitExpectation] = field(default_factory=list)
    # (file, label, line, what changed: "" for its own code) of each cache cleared
    cache_cleared: list[tuple[str, str, int, str]] = field(default_factory=list)
    caches_cleared: set[int] = field(default_factory=set)  # ids of those cache wrappers
    # what the call changed, for caches computed from it: id(module dict) -> names rebound or
    # removed there; ids of objects updated in place (kept alive by `keep`)
    changed_names: dict[int, set[str]] = field(default_factory=dict)
    changed_objects: set[int] = field(default_factory=set)
    # id(new class) -> (new class, old class) for classes merged in place: objects made from the
    # new class while the module ran must become instances of the old one
    retype: dict[int, tuple[type, type]] = field(default_factory=dict)
    instances_possible: bool = False  # code other than def/class statements ran

    def merged(self, new: Any, old: Any) -> None:
        """Remember that ``new`` now lives on as ``old`` (used to fix closure cells)."""
        self.new_to_old[id(new)] = old
        self.keep.append(new)

    def updated(self, old: Any) -> None:
        """``old`` was updated in place: what was computed from it may be out of date."""
        self.changed_objects.add(id(old))
        self.keep.append(old)

    def rebound(self, namespace: dict[str, Any], names: Any) -> None:
        """Names of a module now hold other objects (or none)."""
        self.changed_names.setdefault(id(namespace), set()).update(names)

    def old_for(self, new: Any) -> Any:
        """The old object a new one was merged into, or the new object itself."""
        return self.new_to_old.get(id(new), new)
