"""Hotswap: update imported Python modules in place and report the live objects left stale.

The engine (``hotswap.engine``) uses the standard library only, because it is injected into
users' kernels and debuggees. IPython, Jupyter and LSP support live in adapters that import
their libraries lazily.
"""

from __future__ import annotations

from typing import Any

from .engine import Report, reload, stale

__version__ = "0.1.0"
__all__ = ["Report", "reload", "stale", "__version__", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Entry point of ``%load_ext hotswap``."""
    from .ipython.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Entry point of ``%unload_ext hotswap``."""
    from .ipython.extension import unload

    unload(ipython)
