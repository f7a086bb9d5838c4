"""Updating function objects (and the decorators around them) in place.

Every reference to a function -- module attribute, ``from m import f`` names, lists, dicts,
registries, bound methods -- points at the same function object. Replacing what is *inside*
that object (code, defaults, closure cells, ...) makes all of them run the new code at once,
which rebinding names can never achieve. The patched code runs against the old function's
``__globals__``, i.e. the module's own dict, so module identity is kept too.
"""

from __future__ import annotations

import inspect
import types
import warnings
import weakref
from typing import Any

from .caches import clear_cache, replaced_cache
from .context import ClosureChange, FactoryClass, Outcome, ReloadContext
from .diff import nested_codes, same_code, same_position
from .values import MISSING as _MISSING, dict_same, functions_in, is_lru_wrapper, is_singledispatch, safe_same


def _annotations_same(a: dict[str, Any], b: dict[str, Any], ctx: ReloadContext) -> bool:
    if a.keys() != b.keys():
        return False
    return all(safe_same(a[k], ctx.old_for(b[k])) for k in a)


def record_closure_changes(old: types.CodeType, new: types.CodeType, ctx: ReloadContext, label: str) -> None:
    """Inner functions whose code changed: closures made earlier are found in the heap pass."""
    if not any(isinstance(c, types.CodeType) for c in old.co_consts):
        return
    new_inner = nested_codes(new)
    for qual, old_code in nested_codes(old).items():
        new_code = new_inner.get(qual)
        if new_code is None or old_code.co_name.startswith("<") and old_code.co_name != "<lambda>":
            continue  # removed inner function, or a comprehension (never outlives its call)
        if not old_code.co_flags & inspect.CO_OPTIMIZED:
            # a class body: methods are functions (found by their code), the rest is not
            if _body_shape(old_code) != _body_shape(new_code):
                ctx.factory_classes.append(FactoryClass(qual, ctx.module.name, ctx.module.file, new_code.co_firstlineno, label))
            continue
        if not same_code(old_code, new_code) or not same_position(old_code, new_code):
            ctx.closure_changes[old_code] = ClosureChange(new_code, ctx.module.file, label)


def _body_shape(code: types.CodeType) -> tuple[object, ...]:
    """A class body's code with the code of its methods left out (only their names count)."""
    consts = tuple(getattr(c, "co_qualname", c.co_name) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
    return (code.co_code, code.co_names, consts)


def _patch_cells(old: types.FunctionType, new: types.FunctionType, ctx: ReloadContext) -> bool:
    """Give old closure cells the new values, mapping new objects to the old ones they became.

    This carries changed decorator arguments and factory arguments (``make_adder(6)``) while
    a wrapper's cell that held the old wrapped function keeps holding it (now patched).
    """
    changed = False
    if not old.__closure__ or not new.__closure__:
        return False
    for name, ocell, ncell in zip(old.__code__.co_freevars, old.__closure__, new.__closure__):
        try:
            nv = ncell.cell_contents
        except ValueError:
            continue
        mapped = ctx.old_for(nv)
        try:
            ov = ocell.cell_contents
        except ValueError:
            ov = _MISSING
        if ov is mapped or safe_same(ov, mapped):
            continue
        if name == "__class__" and isinstance(ov, type):
            continue  # the old class stays the class the method belongs to
        if isinstance(ov, types.FunctionType) and isinstance(mapped, types.FunctionType):
            # a decorator without functools.wraps holds the decorated function in a cell
            out = patch_function(ov, mapped, ctx, f"{old.__qualname__}.{name}", old.__code__.co_firstlineno)
            if out is not Outcome.REPLACED:
                changed |= out is Outcome.PATCHED
                continue
        ocell.cell_contents = mapped
        changed = True
    return changed


def patch_function(old: types.FunctionType, new: types.FunctionType, ctx: ReloadContext, label: str, lineno: int) -> Outcome:
    """Copy the behaviour of ``new`` into ``old``; REPLACED when the closure shapes differ."""
    if old is new or ctx.new_to_old.get(id(new)) is old:
        return Outcome.UNCHANGED
    ctx.merged(new, old)  # first, so functions reachable from each other do not recurse forever
    outcome = _patch_function(old, new, ctx, label, lineno)
    if outcome is Outcome.REPLACED:
        ctx.new_to_old.pop(id(new), None)
    return outcome


def _patch_function(old: types.FunctionType, new: types.FunctionType, ctx: ReloadContext, label: str, lineno: int) -> Outcome:
    """Update ``old`` in place from ``new`` so every reference to it runs the new code.

    REPLACED when the free variables differ: ``__code__`` cannot be swapped then.
    """
    changed = False
    original = _FORWARDERS.get(old)
    if original is not None:
        if original != new.__code__.co_freevars:
            # still another closure shape: update what it forwards to (or forward to the new one)
            target = old.__dict__.get("__wrapped__")
            out = patch_function(target, new, ctx, label, lineno) if isinstance(target, types.FunctionType) else Outcome.REPLACED
            if out is Outcome.REPLACED:
                return Outcome.PATCHED if forward(old, new, ctx) else Outcome.REPLACED
            return out
        del _FORWARDERS[old]  # the shape is the old one again: run the code directly
        old.__dict__.pop("__wrapped__", None)
        changed = True
    ow = old.__dict__.get("__wrapped__", _MISSING)
    nw = new.__dict__.get("__wrapped__", _MISSING)
    if ow is not _MISSING and nw is not _MISSING:
        inner = ctx.patch(ow, nw, ctx, label, lineno)
        if inner is Outcome.REPLACED:
            old.__wrapped__ = nw  # type: ignore[attr-defined]
        changed |= inner is not Outcome.UNCHANGED
    if is_singledispatch(old) and is_singledispatch(new):
        # the wrapper is functools' own; its cells hold the old dispatcher's registry
        changed |= _patch_dispatch(old, new, ctx, label, lineno)
        return Outcome.PATCHED if changed else Outcome.UNCHANGED
    oc, nc = old.__code__, new.__code__
    if oc.co_freevars != nc.co_freevars:
        # a method started or stopped using super(), a wrapper closes over other variables:
        # the code cannot be swapped, so the old function forwards to the new one
        return Outcome.PATCHED if forward(old, new, ctx) else Outcome.REPLACED
    if not same_code(oc, nc):
        record_closure_changes(oc, nc, ctx, label)
        old.__code__ = nc
        changed = True
    elif not same_position(oc, nc):
        record_closure_changes(oc, nc, ctx, label)
        old.__code__ = nc  # moved only: keep tracebacks and breakpoints on the right lines
    changed |= _patch_cells(old, new, ctx)
    if not safe_same(old.__defaults__, new.__defaults__):
        old.__defaults__ = new.__defaults__
        changed = True
    if not dict_same(old.__kwdefaults__, new.__kwdefaults__):
        old.__kwdefaults__ = new.__kwdefaults__
        changed = True
    changed |= _patch_annotations(old, new, ctx)
    changed |= _patch_type_params(old, new)
    if not safe_same(old.__doc__, new.__doc__):
        old.__doc__ = new.__doc__
        changed = True
    for key, nv in new.__dict__.items():
        if key == "__wrapped__":
            continue
        ov = old.__dict__.get(key, _MISSING)
        if ov is nv or safe_same(ov, nv):
            continue
        old.__dict__[key] = ctx.old_for(nv)
        changed = True
    return Outcome.PATCHED if changed else Outcome.UNCHANGED


def _patch_type_params(old: types.FunctionType, new: types.FunctionType) -> bool:
    """3.12+ generic functions (``def f[T]``): the new code closes over the new type parameters."""
    new_params = getattr(new, "__type_params__", None)
    old_params = getattr(old, "__type_params__", None)
    if not isinstance(new_params, tuple) or new_params is old_params:
        return False
    try:
        old.__type_params__ = new_params  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        return False
    return [repr(p) for p in old_params or ()] != [repr(p) for p in new_params]


def _patch_annotations(old: types.FunctionType, new: types.FunctionType, ctx: ReloadContext) -> bool:
    """Give ``old`` the annotations of ``new``.

    From 3.14 (PEP 649) annotations are computed on first access by ``__annotate__``, which
    runs against the module's globals: handing the new ``__annotate__`` to the old function
    (which drops its cached ``__annotations__``) gives the new values, resolves names defined
    later in the module, and never evaluates anything during the reload (an annotation may
    name something that does not exist yet).
    """
    new_annotate = getattr(new, "__annotate__", _MISSING)
    if new_annotate is not _MISSING and callable(new_annotate):
        old_annotate = getattr(old, "__annotate__", None)
        if old_annotate is new_annotate:
            return False
        same = (isinstance(old_annotate, types.FunctionType) and isinstance(new_annotate, types.FunctionType)
                and same_code(old_annotate.__code__, new_annotate.__code__))
        old.__annotate__ = new_annotate  # type: ignore[attr-defined]
        return not same
    # up to 3.13, or 3.14 under ``from __future__ import annotations``: a plain dict
    if not _annotations_same(old.__annotations__, new.__annotations__, ctx):
        old.__annotations__ = {k: ctx.old_for(v) for k, v in new.__annotations__.items()}
        return True
    return False


_FORWARD_TEMPLATES: dict[int, types.CodeType] = {}
# functions made to forward to a new version -> the free variables of their own closure
_FORWARDERS: "weakref.WeakKeyDictionary[types.FunctionType, tuple[str, ...]]" = weakref.WeakKeyDictionary()


def _forward_template(n_free: int) -> types.CodeType:
    """Code of ``def f(*args, **kwargs): return TARGET(*args, **kwargs)`` with ``n_free`` free
    variables it never reads (a function's closure must match its code's count)."""
    code = _FORWARD_TEMPLATES.get(n_free)
    if code is None:
        free = ", ".join(f"_cell{i}" for i in range(n_free))
        uses = f" if 1 else ({free},)" if n_free else ""
        # one line: every instruction maps to the line of the def it stands for (see forward)
        src = f"def _outer({free}):\n    def f(*args, **kwargs): return (...)(*args, **kwargs){uses}\n    return f\n"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "'ellipsis' object is not callable": it is replaced below
            module = compile(src, "<hotswap-forward>", "exec", dont_inherit=True)
        outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
        code = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
        _FORWARD_TEMPLATES[n_free] = code
    return code


def forward(old: types.FunctionType, new: types.FunctionType, ctx: ReloadContext) -> bool:
    """Make ``old`` call ``new``: every reference to ``old`` (bound methods, callbacks, list
    entries) then runs the new code although the closures differ. ``old.__wrapped__`` is
    ``new``, so ``inspect.signature`` and the next reload see the real function."""
    n_free = len(old.__closure__ or ())
    freevars = _FORWARDERS.get(old, old.__code__.co_freevars)
    template = _forward_template(n_free)
    code = template.replace(
        co_consts=tuple(new if c is Ellipsis else c for c in template.co_consts),
        co_name=new.__code__.co_name,
        co_filename=new.__code__.co_filename,
        co_firstlineno=new.__code__.co_firstlineno,  # tracebacks show this frame at the def line
    )
    if hasattr(code, "co_qualname"):
        qualname: dict[str, Any] = {"co_qualname": getattr(new.__code__, "co_qualname", new.__code__.co_name)}
        code = code.replace(**qualname)
    try:
        old.__code__ = code
    except ValueError:
        return False
    _FORWARDERS[old] = freevars
    old.__defaults__ = None
    old.__kwdefaults__ = None
    old.__wrapped__ = new  # type: ignore[attr-defined]
    old.__doc__ = new.__doc__
    annotate = getattr(new, "__annotate__", None)
    try:
        if callable(annotate):  # 3.14+: evaluating __annotations__ now may raise (a name not defined yet)
            old.__annotate__ = annotate  # type: ignore[attr-defined]
        else:
            old.__annotations__ = new.__annotations__
    except (AttributeError, TypeError):
        pass
    ctx.keep.append(new)
    return True


def _patch_dispatch(old: Any, new: Any, ctx: ReloadContext, label: str, lineno: int) -> bool:
    """Bring a singledispatch function's registrations over to the old dispatcher."""
    changed = False
    old_registry = old.registry
    for cls, impl in list(new.registry.items()):
        if cls is object:
            continue  # the default implementation is __wrapped__, patched already
        cls = ctx.old_for(cls)
        current = old_registry.get(cls)
        if current is impl:
            continue
        if current is not None and isinstance(current, types.FunctionType) and isinstance(impl, types.FunctionType):
            out = patch_function(current, impl, ctx, f"{label}[{getattr(cls, '__name__', cls)}]", lineno)
            if out is not Outcome.REPLACED:
                changed |= out is Outcome.PATCHED
                continue
        old.register(cls, impl)
        changed = True
    return changed


def patch_lru(old: Any, new: Any, ctx: ReloadContext, label: str, lineno: int) -> Outcome:
    """Patch the cached function and clear the cache: old answers would hide the new code.

    With other cache parameters (``maxsize``) the new wrapper must be bound, but the old one
    (still held by earlier references) gets the new code and an empty cache as well.
    """
    try:
        same_params = safe_same(tuple(sorted(old.cache_parameters().items())), tuple(sorted(new.cache_parameters().items())))
    except Exception:
        same_params = True
    inner = ctx.patch(old.__wrapped__, new.__wrapped__, ctx, label, lineno)
    if not same_params:
        # the module binds the new wrapper; the old one (held by earlier references) calls its own
        # function: let that forward to the new one, so later edits of it reach both
        old_fn, new_fn = old.__wrapped__, new.__wrapped__
        if isinstance(old_fn, types.FunctionType) and isinstance(new_fn, types.FunctionType) and old_fn is not new_fn:
            forward(old_fn, new_fn, ctx)
        replaced_cache(old, new)
    if inner is not Outcome.UNCHANGED or not same_params:
        try:
            clear_cache(old)
            ctx.cache_cleared.append((ctx.module.file, label, lineno, ""))
            ctx.caches_cleared.add(id(old))
            ctx.keep.append(old)
        except Exception:
            pass
    if not same_params or inner is Outcome.REPLACED:
        return Outcome.REPLACED
    ctx.merged(new, old)
    return inner


def patch_descriptor(old: Any, new: Any, ctx: ReloadContext, label: str, lineno: int) -> Outcome:
    """staticmethod / classmethod: patch the function they hold."""
    out = ctx.patch(old.__func__, new.__func__, ctx, label, lineno)
    if out is not Outcome.REPLACED:
        ctx.merged(new, old)
    return out


def patch_property(old: property, new: property, ctx: ReloadContext, label: str, lineno: int) -> Outcome:
    """Patch getter, setter and deleter in place; adding or removing one needs a new property."""
    changed = False
    for attr in ("fget", "fset", "fdel"):
        o, n = getattr(old, attr), getattr(new, attr)
        if (o is None) != (n is None):
            return Outcome.REPLACED
        if o is None:
            continue
        out = ctx.patch(o, n, ctx, label, lineno)
        if out is Outcome.REPLACED:
            return Outcome.REPLACED
        changed |= out is Outcome.PATCHED
    if not safe_same(old.__doc__, new.__doc__):
        try:
            old.__doc__ = new.__doc__
            changed = True
        except (AttributeError, TypeError):
            pass
    ctx.merged(new, old)
    return Outcome.PATCHED if changed else Outcome.UNCHANGED


def retarget_class_cell(obj: Any, new_cls: type, old_cls: type) -> None:
    """Point the ``__class__`` cell of methods compiled in ``new_cls`` at ``old_cls``.

    Zero-argument ``super()`` reads that cell; without this, a method moved into the old
    class raises ``TypeError: super(type, obj): obj must be an instance or subtype of type``.
    """
    for fn in functions_in(obj):
        code = fn.__code__
        if "__class__" in code.co_freevars and fn.__closure__:
            cell = fn.__closure__[code.co_freevars.index("__class__")]
            try:
                if cell.cell_contents is new_cls:
                    cell.cell_contents = old_cls
            except ValueError:
                pass
