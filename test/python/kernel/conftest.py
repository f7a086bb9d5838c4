"""Fixtures: real ipykernel kernels (``kernel`` factory) with a private Jupyter runtime dir.
The helpers live in ``kernel_support`` so tests can import them by a unique name."""

from kernel_support import kernel, runtime_dir  # noqa: F401  (fixtures)
