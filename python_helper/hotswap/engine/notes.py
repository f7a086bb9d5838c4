"""A note for an ``AttributeError`` raised on an object a reload left stale.

``g.greet()`` failing with ``'Greeter' object has no attribute 'punctuation'`` right after an
edit that added ``self.punctuation`` looks like a bug in the new code. The real cause is that
``g`` was created before the edit; the note says so where the user looks: under the traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from .stale import TRACKER


def _tracked(cls: type, table: Any) -> Any:
    """The entry for ``cls`` or the nearest tracked class it derives from."""
    try:
        mro = type.__dict__["__mro__"].__get__(cls)
    except (TypeError, KeyError):
        return None
    for c in mro:
        try:
            hit = table.get(c)
        except TypeError:
            continue
        if hit is not None:
            return c, hit
    return None


def attribute_error_note(exc: BaseException) -> str | None:
    """Why ``exc`` happened, if it is an AttributeError on an object known to be stale."""
    if not isinstance(exc, AttributeError):
        return None
    obj = getattr(exc, "obj", None)
    name = getattr(exc, "name", None)
    if obj is None or not isinstance(name, str):
        return None
    cls = type(obj)
    hit = _tracked(cls, TRACKER.expect)
    if hit is not None:
        _c, exp = hit
        d = getattr(obj, "__dict__", None)
        if name in exp.attrs and isinstance(d, dict) and name not in d:
            return (f"hotswap: this {cls.__qualname__} object was created before {exp.name} gained {name!r} "
                    f"(a reload added it to {exp.name}.__init__); recreate the object to use the new code.")
    hit = _tracked(cls, TRACKER.replaced)
    if hit is not None:
        _old, info = hit
        return (f"hotswap: this {cls.__qualname__} object was made from the old {info.name}, which a reload "
                f"replaced because {info.reason}; recreate the object to use the new class.")
    return None


def add_note(exc: BaseException) -> bool:
    """Attach the note to ``exc`` (Python 3.11+; once); True when one was added."""
    note = attribute_error_note(exc)
    if note is None or sys.version_info < (3, 11):
        return False
    if note in (getattr(exc, "__notes__", None) or ()):
        return False
    getattr(exc, "add_note")(note)  # 3.11+, checked above
    return True
