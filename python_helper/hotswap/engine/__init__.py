"""The reload engine: update loaded modules in place and report what stayed stale.

Standard library only: this package is injected into users' kernels and debuggees.

Public API::

    reload(paths=(), modules=(), *, dependents=False, namespace=None, preserve_state=None, force=False) -> Report
    stale(namespace=None) -> Report
    user_modules() -> list[tuple[str, str]]
    is_user_file(path) -> bool
    configure(*, preserve_state=None) -> dict
"""

from __future__ import annotations

from . import importhook
from .modules import is_user_file, user_modules
from .reloader import FULL_RELOAD_MARKER, configure, reload, stale
from .report import Diagnostic, ModuleResult, Report

importhook.install()

__all__ = [
    "Diagnostic",
    "FULL_RELOAD_MARKER",
    "ModuleResult",
    "Report",
    "configure",
    "is_user_file",
    "reload",
    "stale",
    "user_modules",
]
