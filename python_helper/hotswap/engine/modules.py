"""Finding loaded modules by their real source path, and telling user code from libraries.

Editors send file paths; the kernel asks which modules are worth watching many times a
second. Both questions are answered from caches keyed by the path string so the cost stays a
dictionary lookup per module.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
import types
import weakref
from typing import Iterable

_SOURCE_SUFFIXES = (".py", ".pyw")

_realpath_cache: dict[str, str] = {}
_user_cache: dict[str, bool] = {}
_library_roots: tuple[str, ...] | None = None
_root_kinds: tuple[tuple[str, str], ...] | None = None
# module name -> (weak reference to the module, its real source file or None)
_module_file_cache: dict[str, tuple["weakref.ref[types.ModuleType] | None", str | None]] = {}


def realpath(path: str) -> str:
    """``os.path.realpath`` with a cache: paths of loaded modules do not move while loaded."""
    real = _realpath_cache.get(path)
    if real is None:
        real = os.path.realpath(path)
        if len(_realpath_cache) > 20000:
            _realpath_cache.clear()
        _realpath_cache[path] = real
    return real


def _scheme_paths() -> dict[str, str] | None:
    """sysconfig's install paths, or None while sysconfig initialises: it imports its data
    module then (3.13+), and asked from inside that import it raises (AttributeError
    'abi_thread' / 'installed_base'). Callers answer from what is known without it and do not
    keep that answer, so the next call asks again."""
    try:
        return sysconfig.get_paths()
    except Exception:  # noqa: BLE001
        return None


def _roots() -> tuple[str, ...]:
    """Folders whose files are libraries: the standard library, site-packages, and hotswap."""
    global _library_roots
    if _library_roots is None:
        roots: set[str] = set()
        paths = _scheme_paths()
        for scheme_key in ("stdlib", "platstdlib", "purelib", "platlib"):
            p = (paths or {}).get(scheme_key)
            if p:
                roots.add(os.path.realpath(p))
        roots.add(os.path.realpath(os.path.dirname(os.__file__)))  # the standard library, always
        try:
            roots.update(os.path.realpath(p) for p in site.getsitepackages())
        except Exception:  # some embedded/virtualenv builds lack it
            pass
        try:
            roots.add(os.path.realpath(site.getusersitepackages()))
        except Exception:
            pass
        # The engine must never reload itself from under a running reload.
        roots.add(os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        found = tuple(sorted(r.rstrip(os.sep) + os.sep for r in roots if r))
        if paths is None:
            return found
        _library_roots = found
    return _library_roots


def library_roots() -> tuple[str, ...]:
    """The library folders, computed now: the import hook calls it before it is installed."""
    return _roots()


def _kinds() -> tuple[tuple[str, str], ...]:
    """(root folder, what it holds), longest first: site-packages often sits inside the stdlib."""
    global _root_kinds
    if _root_kinds is None:
        found: dict[str, str] = {os.path.realpath(os.path.dirname(os.__file__)): "the standard library"}
        paths = _scheme_paths()
        for scheme_key in ("stdlib", "platstdlib"):
            p = (paths or {}).get(scheme_key)
            if p:
                found[os.path.realpath(p)] = "the standard library"
        site_dirs: list[str] = []
        for scheme_key in ("purelib", "platlib"):
            p = (paths or {}).get(scheme_key)
            if p:
                site_dirs.append(p)
        try:
            site_dirs.extend(site.getsitepackages())
        except Exception:  # some embedded/virtualenv builds lack it
            pass
        try:
            site_dirs.append(site.getusersitepackages())
        except Exception:
            pass
        for p in site_dirs:
            found[os.path.realpath(p)] = "an installed package (site-packages)"
        found[os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))] = "hotswap itself"
        kinds = tuple(sorted(((r.rstrip(os.sep) + os.sep, k) for r, k in found.items() if r), key=lambda rk: -len(rk[0])))
        if paths is None:
            return kinds
        _root_kinds = kinds
    return _root_kinds


def library_reason(name: str, module: types.ModuleType) -> str | None:
    """Why ``module`` is not the user's own code ("the standard library", "a built-in module",
    ...), or None for user code. Reloading library code re-runs statements that hold the
    interpreter's own state (``threading`` then never answers again), so callers refuse it."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) if spec is not None else None
    loader = getattr(spec, "loader", None) if spec is not None else None
    loader = loader if loader is not None else getattr(module, "__loader__", None)
    loader_name = getattr(loader, "__name__", None) or type(loader).__name__
    if origin == "built-in" or loader_name == "BuiltinImporter" or name in sys.builtin_module_names:
        return "a built-in module"
    if origin == "frozen" or loader_name == "FrozenImporter":
        return "a frozen standard-library module"
    f = module_file(module)
    if f is None:
        return None
    real = realpath(f)
    for root, kind in _kinds():
        if real.startswith(root):
            return kind
    return None


def is_user_file(path: str) -> bool:
    """True for a Python source file outside the standard library, site-packages and hotswap.

    Editable installs resolve to the project folder, so they count as user code.
    """
    cached = _user_cache.get(path)
    if cached is not None:
        return cached
    real = realpath(path)
    result = real.endswith(_SOURCE_SUFFIXES) and not any(real.startswith(r) for r in _roots()) and os.path.isfile(real)
    if len(_user_cache) > 20000:
        _user_cache.clear()
    _user_cache[path] = result
    return result


def module_file(module: types.ModuleType) -> str | None:
    """The source file a module was loaded from (as the import system named it), if any."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) if spec is not None else None
    if isinstance(origin, str) and origin.endswith(_SOURCE_SUFFIXES):
        return origin
    f = getattr(module, "__file__", None)
    if isinstance(f, str) and f.endswith(_SOURCE_SUFFIXES):
        return f
    return None


def real_module_file(name: str, module: types.ModuleType) -> str | None:
    """Real path of the module's source file, cached per module object."""
    entry = _module_file_cache.get(name)
    if entry is not None:
        ref, real = entry
        if ref is not None and ref() is module:
            return real
    f = module_file(module)
    real = realpath(f) if f else None
    try:
        ref = weakref.ref(module)
    except TypeError:  # exotic module-like objects in sys.modules
        ref = None
    _module_file_cache[name] = (ref, real)
    return real


def loaded_modules() -> list[tuple[str, types.ModuleType, str]]:
    """Every loaded module with a source file: (name, module, real file)."""
    out: list[tuple[str, types.ModuleType, str]] = []
    for name, module in list(sys.modules.items()):
        # type() rather than isinstance(): objects posing as modules may run code (and fail)
        # when their __class__ is looked up
        if module is None or not issubclass(type(module), types.ModuleType):
            continue
        try:
            real = real_module_file(name, module)
        except Exception:  # noqa: BLE001 - a broken module object must not stop a reload
            continue
        if real is not None:
            out.append((name, module, real))
    return out


def user_modules() -> list[tuple[str, str]]:
    """(name, real file) of loaded modules that are the user's own code (not ``__main__``)."""
    return [(n, f) for n, _m, f in loaded_modules() if n != "__main__" and is_user_file(f)]


# (len(sys.modules), its last key) -> user modules found then; a reload asks several times
_user_objects: tuple[tuple[int, str | None], list[tuple[str, types.ModuleType, str]]] | None = None


def user_module_objects() -> list[tuple[str, types.ModuleType, str]]:
    """Like ``user_modules`` but with the module objects, for the engine's own use.

    Kernels hold thousands of library modules; while no module was added or removed (same
    count, same last entry) and every user module found before is still the one loaded under
    its name, the previous answer stands.
    """
    global _user_objects
    mods = sys.modules
    try:
        key = (len(mods), next(reversed(mods), None))
    except RuntimeError:  # changed size while being read (another thread importing)
        key = (-1, None)
    cached = _user_objects
    if cached is not None and cached[0] == key and key[0] >= 0 and all(mods.get(n) is m for n, m, _f in cached[1]):
        return list(cached[1])
    found = [(n, m, f) for n, m, f in loaded_modules() if n != "__main__" and is_user_file(f)]
    _user_objects = (key, found)
    return list(found)


def modules_for_paths(paths: Iterable[str]) -> dict[str, list[tuple[str, types.ModuleType]]]:
    """Map each requested real path to the loaded modules that come from it."""
    wanted = {realpath(os.path.abspath(p)): [] for p in paths}  # type: dict[str, list[tuple[str, types.ModuleType]]]
    if not wanted:
        return {}
    for name, module, real in loaded_modules():
        hits = wanted.get(real)
        if hits is not None:
            hits.append((name, module))
    return wanted
