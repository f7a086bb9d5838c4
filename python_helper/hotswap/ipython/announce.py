"""Announce an ipykernel in the hotswap registry so editors find it without being told.

The entry is written when the extension loads in an ipykernel, removed at exit (or when the
extension is unloaded). A restarted kernel is a new process that loads the extension again
and writes a fresh entry; a killed kernel leaves an entry that readers skip (dead pid).
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Optional

from ..kernel import registry

_announced_pid: Optional[int] = None


def connection_file() -> Optional[str]:
    """This kernel's connection file, or None outside an ipykernel."""
    if "ipykernel" not in sys.modules:
        return None
    try:
        from ipykernel.connect import get_connection_file

        return get_connection_file()
    except Exception:  # no kernel app in this process (e.g. a terminal IPython)
        return None


def announce() -> Optional[str]:
    """Write this kernel's registry entry; returns its path, or None when not a kernel."""
    global _announced_pid
    conn = connection_file()
    if conn is None:
        return None
    path = registry.write_entry(conn)
    if _announced_pid is None:
        atexit.register(_remove_at_exit)
    _announced_pid = os.getpid()
    return path


def withdraw() -> None:
    """Remove this kernel's entry (extension unloaded)."""
    global _announced_pid
    if _announced_pid is not None and _announced_pid == os.getpid():
        registry.remove_entry(_announced_pid)
    _announced_pid = None


def _remove_at_exit() -> None:
    # A forked child inherits atexit handlers: only the announcing process removes the entry.
    if _announced_pid is not None and _announced_pid == os.getpid():
        registry.remove_entry(_announced_pid)
