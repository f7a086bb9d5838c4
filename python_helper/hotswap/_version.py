"""The package version, importable without loading the engine (or installing its import hook)."""

__version__ = "0.1.0"
