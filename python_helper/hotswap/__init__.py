"""Hotswap: update imported Python modules in place and report the live objects left stale.

The engine (``hotswap.engine``) uses the standard library only, because it is injected into
users' kernels and debuggees. IPython, Jupyter and LSP support live in adapters that import
their libraries lazily.

The engine loads on first use of ``hotswap.reload``/``stale``/``Report`` (or ``import
hotswap.engine``), and with it the import hook that records the source each user module is
imported from. Importing the package alone -- as the language server does to read
``__version__`` -- loads neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .engine import Report, reload, stale

__all__ = ["Report", "reload", "stale", "__version__", "load_ipython_extension", "unload_ipython_extension"]

_ENGINE_NAMES = ("Report", "reload", "stale")


def __getattr__(name: str) -> Any:
    """``hotswap.reload`` and friends load the engine on first use."""
    if name in _ENGINE_NAMES:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'hotswap' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """Entry point of ``%load_ext hotswap``."""
    from .ipython.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Entry point of ``%unload_ext hotswap``."""
    from .ipython.extension import unload

    unload(ipython)
