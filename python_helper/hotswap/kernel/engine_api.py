"""The few engine calls the kernel side makes, in one place.

Both doors into the kernel (the service and the IPython magics) go through here so that they
share one lock (a debug adapter evaluates on its own thread while the program runs) and one
record of what happened (``activity``). Standard library only.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Iterable, Optional

from .. import engine
from ..engine import modules as engine_modules
from . import activity


def user_namespace() -> dict[str, Any]:
    """The namespace the user's code runs in: IPython's ``user_ns`` when an IPython shell
    runs in this process (without importing IPython if it is not loaded), else ``__main__``."""
    getipython = sys.modules.get("IPython.core.getipython")
    if getipython is not None:
        try:
            shell = getipython.get_ipython()
        except Exception:
            shell = None
        if shell is not None:
            user_ns: dict[str, Any] = shell.user_ns
            return user_ns
    main = sys.modules.get("__main__")
    return main.__dict__ if main is not None else {}


def reload(paths: Iterable[str] = (), modules: Iterable[str] = (), *, dependents: bool = False,
           namespace: Optional[dict[str, Any]] = None, preserve_state: Optional[bool] = None,
           source: str = "service", force: bool = False) -> dict[str, Any]:
    """Run the engine's reload under the shared lock and record it; returns the report dict."""
    kwargs: dict[str, Any] = {"dependents": dependents,
                              "namespace": user_namespace() if namespace is None else namespace}
    if force:
        kwargs["force"] = True
    if preserve_state is not None:
        kwargs["preserve_state"] = preserve_state
    with activity.lock:
        report = engine.reload(paths=tuple(paths), modules=tuple(modules), **kwargs).to_dict()
        activity.record(report, source)
    return report


def stale(namespace: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Re-check stale objects without reloading; the result also refreshes ``activity``."""
    with activity.lock:
        report = engine.stale(namespace=user_namespace() if namespace is None else namespace).to_dict()
        activity.record_stale(report)
    return report


def add_stale_note(exc: BaseException) -> bool:
    """Explain an AttributeError raised on an object a reload left stale (a note on ``exc``)."""
    from ..engine import notes

    try:
        return notes.add_note(exc)
    except Exception:  # advisory: never make the user's traceback worse
        return False


def is_user_file(path: str) -> bool:
    """User code: not the standard library, site-packages or hotswap itself."""
    return bool(engine.is_user_file(path))


def user_modules() -> list[tuple[str, str]]:
    """(name, file) of loaded user modules."""
    return list(engine.user_modules())


def all_modules() -> list[tuple[str, str]]:
    """(name, real file) of every loaded module that has a Python source file."""
    return [(name, real) for name, _module, real in engine_modules.loaded_modules()]


def real_module_file(name: str, module: object) -> Optional[str]:
    """Real path of a loaded module's source file (cached by the engine), or None."""
    if not isinstance(module, types.ModuleType):
        return None
    return engine_modules.real_module_file(name, module)

