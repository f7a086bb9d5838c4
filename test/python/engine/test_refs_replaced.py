"""Issue 9, items 6 and 7: a replaced class (layout change) and the members of a replaced enum
are rebound wherever they are reachable by name; what cannot be rebound is reported."""

from __future__ import annotations

import hotswap
from engine_support import Project

CORE = """
    class Thing:
        __slots__ = ("a",)

        def __init__(self, a):
            self.a = a

    class ParseError(ValueError):
        pass

    def fail():
        raise ParseError("bad")
"""

CORE_NEW = CORE.replace('__slots__ = ("a",)', '__slots__ = ("a", "b")').replace(
    "self.a = a", "self.a = a\n            self.b = 2").replace("class ParseError(ValueError):", "class ParseError(KeyError):")

PKG = """
    from .core import ParseError, Thing

    Thing.__module__ = "pkg"
"""

APP = """
    from pkg import ParseError, Thing
    import pkg as shortcut

    ALIAS = Thing
    KINDS = {"thing": Thing}
    ERRORS = (ParseError, TypeError)

    def parse():
        try:
            shortcut.core.fail()
        except ParseError:
            return "caught"

    def parse_any():
        try:
            shortcut.core.fail()
        except ERRORS:
            return "caught"

    def make(kind=Thing):
        return kind(1)
"""


def _load(project: Project) -> None:
    project.write("pkg.core", CORE)
    project.load("pkg", PKG, package=True)
    project.load("app", APP)
    project.run("from pkg import Thing\nimport app\nt = Thing(1)\nmine = Thing\nregistry = [Thing]")
    project.ns["_ih"] = ["", "from pkg import Thing\nimport app\nt = Thing(1)\nmine = Thing\nregistry = [Thing]"]


def test_replaced_class_is_rebound_through_the_package_and_everywhere_named(project: Project) -> None:
    _load(project)
    import app
    import pkg
    import pkg.core as core
    old = core.Thing
    project.edit("pkg.core", CORE_NEW)
    report = project.reload("pkg.core")
    assert core.Thing is not old
    new = core.Thing
    # package re-export, the module importing from the package, aliases, registries, defaults
    assert pkg.Thing is new
    assert app.Thing is new and app.ALIAS is new and app.KINDS["thing"] is new
    assert app.make().b == 2
    # the user's names: import copy, alias, list entry
    assert project.ns["Thing"] is new and project.ns["mine"] is new and project.ns["registry"] == [new]
    # what the package set on the class is kept
    assert new.__module__ == "pkg"
    # an except clause elsewhere catches the new exception class
    assert app.ParseError is core.ParseError and app.ERRORS[0] is core.ParseError
    assert app.parse() == "caught" and app.parse_any() == "caught"
    # what cannot be rebound -- an instance -- is reported
    [stale] = report.by_code("stale-instance")
    assert stale.names == ["t"] and "Thing" in stale.message
    assert {d.message.split(" ")[0] for d in report.by_code("class-replaced")} == {"Thing", "ParseError"}


def test_instance_of_a_subclass_elsewhere_is_reported(project: Project) -> None:
    project.load("base", "class Base:\n    __slots__ = ()\n\n    def who(self):\n        return 'base'\n")
    project.load("child", "from base import Base\n\nclass Child(Base):\n    pass\n")
    project.run("from child import Child\nc = Child()")
    project.edit("base", "class Base:\n    __slots__ = ('x',)\n\n    def who(self):\n        return 'base'\n")
    report = project.reload("base")
    [info] = report.by_code("class-replaced")
    assert "child.Child" in info.message
    [stale] = report.by_code("stale-instance")
    assert stale.names == ["c"]


def test_enum_members_held_elsewhere_are_rebound_and_a_removed_one_is_reported(project: Project) -> None:
    m = project.load("colors", """
        import enum

        class Color(enum.Enum):
            RED = 1
            GREEN = 2
    """)
    other = project.load("settings", """
        from colors import Color

        DEFAULT = Color.RED
        CHOICES = (Color.RED, Color.GREEN)
        LEGACY = Color.GREEN
    """)
    project.run("from colors import Color\nfav = Color.RED\nold_green = Color.GREEN\npalette = {'main': Color.RED}")
    project.ns["_ih"] = ["", "from colors import Color\nfav = Color.RED\nold_green = Color.GREEN\npalette = {'main': Color.RED}"]
    project.edit("colors", """
        import enum

        class Color(enum.Enum):
            RED = 1
            BLUE = 3
    """)
    report = project.reload("colors")
    new = m.Color
    assert other.Color is new
    assert other.DEFAULT is new.RED and other.CHOICES[0] is new.RED
    assert project.ns["fav"] is new.RED and project.ns["palette"]["main"] is new.RED
    assert project.ns["fav"] == new.RED  # comparisons the user writes hold again
    # GREEN is gone: whoever holds the old member is told
    [stale] = report.by_code("stale-instance")
    assert stale.names == ["old_green"]
    assert "Color" in stale.message
    project.run("del old_green")
    [left] = hotswap.stale(project.ns).by_code("stale-instance")
    assert left.names == [] and "settings.LEGACY" in left.message and "made from the old Color" in left.message


def test_state_another_module_set_on_the_class_is_carried_to_the_new_class(project: Project) -> None:
    m = project.load("carry", """
        class Plugin:
            __slots__ = ()
    """)
    project.load("setup_plugins", """
        from carry import Plugin

        Plugin.registry = {"x": 1}
        Plugin.__qualname__ = "plugins.Plugin"
    """)
    old_registry = m.Plugin.registry
    project.edit("carry", """
        class Plugin:
            __slots__ = ("name",)
    """)
    project.reload("carry")
    assert m.Plugin.__slots__ == ("name",)
    assert m.Plugin.registry is old_registry
    assert m.Plugin.__qualname__ == "plugins.Plugin"
