"""Small numeric helpers: edit `scale` and save to see it change in the running kernel."""


def scale(value: float) -> float:
    """Return value doubled."""
    return value * 2


def offset(value: float, by: float = 1.0) -> float:
    """Return value moved by `by`."""
    return value + by
