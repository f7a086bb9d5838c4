"""Issue 9, item 8: attributes set by methods that ``__init__``/``__post_init__`` call on
``self`` count for the stale-instance report, transitively."""

from __future__ import annotations

import hotswap
from engine_support import Project

SETUP = """
    class Greeter:
        def __init__(self, name):
            self.name = name
            self._setup()

        def _setup(self):
            self.greeting = "Hello"

        def greet(self):
            return f"{self.greeting}, {self.name}"
"""

SETUP_NEW = """
    class Greeter:
        def __init__(self, name):
            self.name = name
            self._setup()

        def _setup(self):
            self.greeting = "Hello"
            self._style()

        def _style(self):
            self.punctuation = "!"

        def greet(self):
            return f"{self.greeting}, {self.name}{self.punctuation}"
"""


def test_attribute_set_in_a_helper_two_calls_deep_is_reported(project: Project) -> None:
    project.load("helpers_a", SETUP)
    project.run("from helpers_a import Greeter\ng = Greeter('Ada')")
    project.edit("helpers_a", SETUP_NEW)
    report = project.reload("helpers_a")
    [d] = report.by_code("stale-instance")
    assert d.names == ["g"]
    assert "gained 'punctuation'" in d.message
    assert d.line == 10  # `self.punctuation = "!"` (0-based), inside _style
    # a new instance has it; recreating g clears the warning
    project.run("g = Greeter('Ada')")
    assert project.ns["g"].greet() == "Hello, Ada!"
    assert hotswap.stale(project.ns).diagnostics == []


def test_attribute_set_in_post_init_helper_of_a_dataclass(project: Project) -> None:
    project.load("helpers_b", """
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int

            def __post_init__(self):
                self.norm = abs(self.x)
    """)
    project.run("from helpers_b import Point\np = Point(-2)")
    project.edit("helpers_b", """
        from dataclasses import dataclass

        @dataclass
        class Point:
            x: int

            def __post_init__(self):
                self.norm = abs(self.x)
                self._derive()

            def _derive(self):
                self.double = 2 * self.x
    """)
    report = project.reload("helpers_b")
    [d] = report.by_code("stale-instance")
    assert d.names == ["p"] and "gained 'double'" in d.message


def test_helper_not_called_by_init_does_not_count(project: Project) -> None:
    project.load("helpers_c", SETUP)
    project.run("from helpers_c import Greeter\ng = Greeter('Ada')")
    project.edit("helpers_c", SETUP.replace("def greet(self):", "def later(self):\n            self.extra = 1\n\n        def greet(self):"))
    report = project.reload("helpers_c")
    assert report.by_code("stale-instance") == []
    assert project.ns["g"].greet() == "Hello, Ada"


def test_attribute_the_old_helper_already_set_is_not_reported(project: Project) -> None:
    project.load("helpers_d", SETUP)
    project.run("from helpers_d import Greeter\ng = Greeter('Ada')")
    project.edit("helpers_d", SETUP.replace('return f"{self.greeting}, {self.name}"', 'return f"{self.greeting}; {self.name}"'))
    report = project.reload("helpers_d")
    assert report.by_code("stale-instance") == []
    assert project.ns["g"].greet() == "Hello; Ada"


def test_attribute_an_old_method_set_but_init_did_not_is_still_gained(project: Project) -> None:
    """An old instance that never ran ``reset()`` lacks what only ``reset()`` set, so once
    ``__init__`` sets it the instance is stale (3.13's ``__static_attributes__`` of the old class
    lists ``total`` and must not hide that)."""
    project.load("helpers_reset", """
        class Counter:
            def __init__(self):
                self.count = 0

            def reset(self):
                self.total = 0
    """)
    project.run("from helpers_reset import Counter\nc = Counter()")
    project.edit("helpers_reset", """
        class Counter:
            def __init__(self):
                self.count = 0
                self.total = 0

            def reset(self):
                self.total = 0
    """)
    report = project.reload("helpers_reset")
    [d] = report.by_code("stale-instance")
    assert d.names == ["c"] and "gained 'total'" in d.message
