"""Merging a new value into its old version: the one dispatcher over what can be patched.

Functions, classes, caches, descriptors and properties each have their own patching step
(``patch_functions``, ``patch_classes``); they reach each other's values through the
dispatcher held by the reload context, so none of those modules imports another.
"""

from __future__ import annotations

import types
from typing import Any

from .context import Outcome, ReloadContext
from .patch_classes import patch_class
from .patch_functions import patch_descriptor, patch_function, patch_lru, patch_property
from .values import is_lru_wrapper, safe_same


def patch_value(old: Any, new: Any, ctx: ReloadContext, label: str, lineno: int, node: Any = None) -> Outcome:
    """Merge ``new`` into ``old`` when both are the same kind of thing; else REPLACED.

    UNCHANGED and PATCHED mean ``old`` stays bound; REPLACED means the caller binds ``new``.
    Whatever is not UNCHANGED is recorded, for caches computed from it.
    """
    out = _dispatch(old, new, ctx, label, lineno, node)
    if out is not Outcome.UNCHANGED:
        ctx.updated(old)
    return out


def _dispatch(old: Any, new: Any, ctx: ReloadContext, label: str, lineno: int, node: Any) -> Outcome:
    if old is new:
        return Outcome.UNCHANGED
    if isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
        return patch_function(old, new, ctx, label, lineno)
    if isinstance(old, type) and isinstance(new, type):
        return patch_class(old, new, ctx, label, lineno, node)
    if is_lru_wrapper(old) and is_lru_wrapper(new) and type(old) is type(new):
        return patch_lru(old, new, ctx, label, lineno)
    if type(old) is type(new) and isinstance(old, (staticmethod, classmethod)):
        return patch_descriptor(old, new, ctx, label, lineno)
    if type(old) is property and type(new) is property:
        return patch_property(old, new, ctx, label, lineno)
    if safe_same(old, new):
        return Outcome.UNCHANGED
    return Outcome.REPLACED
