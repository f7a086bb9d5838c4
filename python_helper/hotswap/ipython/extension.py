"""``%load_ext hotswap`` / ``%unload_ext hotswap``.

Loading turns hot reload on (mode 2: users ask for autoreload on by default), starts the
file watcher, hooks the magics into IPython's cell events and, in an ipykernel, announces
the kernel in the registry. Nothing is added to the user namespace.
"""

from __future__ import annotations

import sys
from typing import Any

from ..kernel import activity, engine_api
from . import announce
from .magics import HotswapMagics

_loaded: dict[int, HotswapMagics] = {}
_noting: set[int] = set()  # shells whose AttributeError handler is ours


def load(ip: Any) -> HotswapMagics:
    """Register the magics and hooks on ``ip``; loading twice changes nothing."""
    magics = _loaded.get(id(ip))
    if magics is not None:
        return magics
    magics = HotswapMagics(shell=ip)
    magics.enabled, magics.check_all, magics.autoload_obj = True, True, False
    _take_over_from_ipython_autoreload(ip, magics)
    ip.register_magics(magics)
    ip.events.register("pre_run_cell", magics.pre_run_cell)
    ip.events.register("post_execute", magics.post_execute_hook)
    magics.start()
    _explain_attribute_errors(ip)
    _loaded[id(ip)] = magics
    activity.front_end = magics
    try:
        announce.announce()
    except Exception as exc:  # reloading works without the announcement; say why editors won't see it
        print(f"hotswap: could not announce this kernel to editors: {exc}", file=sys.stderr)
    return magics


def _note_stale(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
    """IPython custom exception handler: add hotswap's note, then show the usual traceback."""
    engine_api.add_stale_note(value)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _explain_attribute_errors(ip: Any) -> None:
    """An AttributeError on an object a reload left stale gets a note saying why (Python
    3.11+). Uses IPython's custom exception hook, unless the user installed their own."""
    if sys.version_info < (3, 11) or getattr(ip, "custom_exceptions", ()) or not hasattr(ip, "set_custom_exc"):
        return
    ip.set_custom_exc((AttributeError,), _note_stale)
    _noting.add(id(ip))


def _take_over_from_ipython_autoreload(ip: Any, magics: HotswapMagics) -> None:
    """Users often have ``%load_ext autoreload`` in their startup commands. Two reloaders
    would reload every change twice, so IPython's stops reloading and ours keeps its
    settings (an enabled mode, %aimport lists, flags); our magics replace its ``%autoreload``."""
    registry = getattr(getattr(ip, "magics_manager", None), "registry", {})
    other = registry.get("AutoreloadMagics")
    reloader = getattr(other, "_reloader", None)
    if other is None or reloader is None:
        return
    for event, name in (("pre_run_cell", "pre_run_cell"), ("post_execute", "post_execute_hook")):
        try:
            ip.events.unregister(event, getattr(other, name))
        except (ValueError, AttributeError):
            pass
    if getattr(reloader, "enabled", False):
        magics.check_all = bool(reloader.check_all)
        magics.autoload_obj = bool(reloader.autoload_obj)
    magics.modules.update(getattr(reloader, "modules", {}))
    magics.skip_modules.update(getattr(reloader, "skip_modules", {}))
    magics.hide_errors = bool(getattr(reloader, "hide_errors", False))
    magics._report = getattr(reloader, "_report", magics._report)


def unload(ip: Any) -> None:
    """Undo ``load``: stop watching, unhook, withdraw the registry entry."""
    magics = _loaded.pop(id(ip), None)
    if magics is None:
        return
    for event, fn in (("pre_run_cell", magics.pre_run_cell), ("post_execute", magics.post_execute_hook)):
        try:
            ip.events.unregister(event, fn)
        except ValueError:
            pass
    magics.enabled = False
    magics.stop()
    if id(ip) in _noting and getattr(ip, "custom_exceptions", ()) == (AttributeError,):
        ip.set_custom_exc((), None)
    _noting.discard(id(ip))
    if activity.front_end is magics:
        activity.front_end = None
    announce.withdraw()


def loaded(ip: Any) -> HotswapMagics | None:
    """The magics instance registered on ``ip``, if the extension is loaded there."""
    return _loaded.get(id(ip))
