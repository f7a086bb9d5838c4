"""Issue 9, item 9: class state set outside the class body -- by a metaclass, a class decorator
or assignments after the class statement -- survives an edit of a method."""

from __future__ import annotations

from engine_support import Project


def test_singleton_cached_by_a_metaclass_stays_the_same_object(project: Project) -> None:
    src = """
        class Singleton(type):
            _instances = {}

            def __call__(cls, *args, **kwargs):
                if cls not in cls._instances:
                    cls._instances[cls] = super().__call__(*args, **kwargs)
                return cls._instances[cls]

        class Config(metaclass=Singleton):
            def __init__(self):
                self.loaded = []

            def value(self):
                return 1
    """
    m = project.load("single", src)
    first = m.Config()
    first.loaded.append("x")
    project.edit("single", src.replace("return 1", "return 2"))
    report = project.reload("single")
    assert report.ok
    assert m.Config() is first and first.loaded == ["x"]
    assert first.value() == 2


def test_singleton_kept_on_the_class_itself(project: Project) -> None:
    src = """
        class Service:
            _instance = None

            @classmethod
            def get(cls):
                if cls._instance is None:
                    cls._instance = cls()
                return cls._instance

            def ping(self):
                return "old"
    """
    m = project.load("single2", src)
    first = m.Service.get()
    project.edit("single2", src.replace('"old"', '"new"'))
    project.reload("single2")
    assert m.Service.get() is first and first.ping() == "new"


def test_state_a_class_decorator_set_survives(project: Project) -> None:
    src = """
        PLUGINS = []

        def plugin(cls):
            PLUGINS.append(cls)
            cls.slot = len(PLUGINS)
            cls.seen = []
            return cls

        @plugin
        class Exporter:
            def run(self):
                return "v1"
    """
    m = project.load("plugins", src)
    Exporter = m.Exporter
    Exporter.seen.append("used")
    project.edit("plugins", src.replace('"v1"', '"v2"'))
    project.reload("plugins")
    assert m.Exporter is Exporter and Exporter().run() == "v2"
    assert m.PLUGINS == [Exporter]  # registered once, with the class users hold
    assert Exporter.slot == 1 and Exporter.seen == ["used"]


def test_assignments_after_the_class_statement_survive(project: Project) -> None:
    src = """
        class Model:
            def predict(self):
                return 1

        Model.cache = {}
        Model.version = 3
    """
    m = project.load("after", src)
    m.Model.cache["k"] = "v"
    m.Model.version = 4  # changed at run time too
    project.edit("after", src.replace("return 1", "return 2"))
    project.reload("after")
    assert m.Model().predict() == 2
    assert m.Model.cache == {"k": "v"} and m.Model.version == 4
