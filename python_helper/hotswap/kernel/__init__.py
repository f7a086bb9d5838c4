"""The kernel side of hotswap: the JSON service editors call, and the kernel registry.

Standard library only: it is imported inside users' kernels and debuggees, with or without
the IPython extension. ``handle`` is reached as ``__import__('hotswap.kernel').kernel.handle``.
"""

from __future__ import annotations

from .service import handle

__all__ = ["handle"]
