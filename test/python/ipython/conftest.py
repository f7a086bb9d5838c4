"""Fixtures: a real IPython shell per test with a temp folder of user modules.
The helpers live in ``shell_support`` so tests can import them by a unique name."""

from shell_support import loaded, shell, ws  # noqa: F401  (fixtures)
