"""Behaviour 4: classes keep their identity; old instances run the new methods."""

from __future__ import annotations

import pickle

from engine_support import Project

SHAPES = """
    class Base:
        def describe(self):
            return "base"

    class Shape(Base):
        kind = "shape"

        def __init__(self, size):
            self.size = size

        def area(self):
            return self.size

        def describe(self):
            return super().describe() + ":shape"

        def __eq__(self, other):
            return isinstance(other, Shape) and other.size == self.size

        def __hash__(self):
            return hash(self.size)

        def gone(self):
            return "gone"

        class Meta:
            label = "old"

            def tag(self):
                return "old-tag"
"""


def test_methods_added_changed_removed_and_identity(project: Project) -> None:
    m = project.load("shapes", SHAPES)
    Shape = m.Shape
    project.run("from shapes import Shape")
    old = Shape(3)
    project.edit("shapes", SHAPES.replace("return self.size\n", "return self.size ** 2\n")
                 .replace('kind = "shape"', 'kind = "square"')
                 .replace("        def gone(self):\n            return \"gone\"\n", "        def perimeter(self):\n            return 4 * self.size\n")
                 .replace('label = "old"', 'label = "new"').replace('"old-tag"', '"new-tag"'))
    report = project.reload("shapes")
    assert report.module("shapes").status == "reloaded"
    assert m.Shape is Shape
    assert project.ns["Shape"] is Shape
    assert old.area() == 9
    assert old.perimeter() == 12
    assert not hasattr(old, "gone")
    assert Shape.kind == "square"
    assert Shape.Meta.label == "new"
    assert Shape.Meta().tag() == "new-tag"
    assert isinstance(old, m.Shape) and type(old) is m.Shape
    assert isinstance(old, project.ns["Shape"])
    new = m.Shape(3)
    assert new == old
    assert pickle.loads(pickle.dumps(old)) == old


def test_zero_arg_super_in_changed_and_added_methods(project: Project) -> None:
    m = project.load("sup", SHAPES)
    old = m.Shape(2)
    project.edit("sup", SHAPES.replace('":shape"', '":changed"').replace(
        "        def gone(self):\n", "        def extra(self):\n            return super().describe() + '+extra'\n\n        def gone(self):\n"))
    project.reload("sup")
    assert old.describe() == "base:changed"
    assert old.extra() == "base+extra"
    assert m.Shape(1).describe() == "base:changed"


def test_method_gains_super_call(project: Project) -> None:
    m = project.load("gain", """
        class A:
            def f(self):
                return "A"

        class B(A):
            def f(self):
                return "B"
    """)
    b = m.B()
    project.edit("gain", """
        class A:
            def f(self):
                return "A"

        class B(A):
            def f(self):
                return "B" + super().f()
    """)
    project.reload("gain")
    assert b.f() == "BA"


def test_init_change_used_by_new_instances(project: Project) -> None:
    m = project.load("ini", """
        class P:
            def __init__(self, x):
                self.x = x
    """)
    P = m.P
    project.edit("ini", """
        class P:
            def __init__(self, x, y=0):
                self.x = x
                self.y = y
    """)
    project.reload("ini")
    p = P(1, 2)
    assert (p.x, p.y) == (1, 2)


def test_class_attribute_state_preserved_when_class_unchanged(project: Project) -> None:
    m = project.load("reg", """
        class Registry:
            items = []

        def add(x):
            Registry.items.append(x)
    """)
    m.add(1)
    project.edit("reg", """
        class Registry:
            items = []

        def add(x):
            Registry.items.append(x * 10)
    """)
    project.reload("reg")
    m.add(2)
    assert m.Registry.items == [1, 20]


def test_subclass_in_other_module_sees_patched_base(project: Project) -> None:
    m = project.load("base_mod", """
        class Base:
            def hello(self):
                return "hello"
    """)
    sub = project.load("sub_mod", """
        from base_mod import Base

        class Child(Base):
            def hello(self):
                return super().hello() + " child"
    """)
    c = sub.Child()
    project.edit("base_mod", """
        class Base:
            def hello(self):
                return "hi"
    """)
    project.reload("base_mod")
    assert c.hello() == "hi child"
    assert issubclass(sub.Child, m.Base)


def test_class_data_state_kept_when_its_statement_is_unchanged(project: Project) -> None:
    src = """
        class Registry:
            items = []
            LIMIT = 3

            def add(self, x):
                self.items.append(x)
                return len(self.items)
    """
    m = project.load("reg2", src)
    r = m.Registry()
    r.add("a")
    items = m.Registry.items
    project.edit("reg2", src.replace("return len(self.items)", "return len(self.items) * 10").replace("LIMIT = 3", "LIMIT = 4"))
    project.reload("reg2")
    assert m.Registry.items is items
    assert r.add("b") == 20
    assert m.Registry.LIMIT == 4


def test_attributes_set_on_the_class_at_run_time_survive(project: Project) -> None:
    src = """
        class Service:
            def ping(self):
                return "pong"

        Service.instances = []
    """
    m = project.load("svc", src)
    m.Service.instances.append(1)
    m.Service.extra = "set elsewhere"
    project.edit("svc", src.replace('"pong"', '"PONG"'))
    project.reload("svc")
    assert m.Service().ping() == "PONG"
    assert m.Service.instances == [1]
    assert m.Service.extra == "set elsewhere"


def test_objects_made_while_the_module_ran_belong_to_the_kept_class(project: Project) -> None:
    src = """
        class Config:
            def __init__(self, level):
                self.level = level

            def describe(self):
                return f"level {self.level}"

        DEFAULT = Config(1)
        REGISTRY = {"default": DEFAULT}
    """
    m = project.load("cfg", src)
    Config = m.Config
    project.edit("cfg", src.replace('f"level {self.level}"', 'f"LEVEL {self.level}"').replace("Config(1)", "Config(2)"))
    project.reload("cfg")
    assert m.Config is Config
    assert type(m.DEFAULT) is Config and isinstance(m.REGISTRY["default"], Config)
    assert m.DEFAULT.describe() == "LEVEL 2"


def test_full_reload_instances_belong_to_the_kept_class(project: Project) -> None:
    src = """
        __hotswap_full_reload__ = True

        class Config:
            pass

        DEFAULT = Config()
    """
    m = project.load("cfg_full", src)
    Config = m.Config
    project.edit("cfg_full", src + "\n        OTHER = Config()\n")
    project.reload("cfg_full")
    assert m.Config is Config
    assert type(m.DEFAULT) is Config and type(m.OTHER) is Config
