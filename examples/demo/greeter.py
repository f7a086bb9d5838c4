"""A class with instances living in the kernel: add an attribute to see stale objects reported."""


class Greeter:
    """Greets one person by name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def greet(self) -> str:
        return f"Hello, {self.name}"
