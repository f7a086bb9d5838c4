"""Behaviour 12: unchanged top-level statements computed from a changed one run again (and only those)."""

from __future__ import annotations

from engine_support import Project


def test_constant_derived_from_changed_constant(project: Project) -> None:
    src = """
        BASE = {"read"}
        ALLOWED = BASE | {"admin"}
        seen = []

        def allowed(x):
            return x in ALLOWED
    """
    m = project.load("perms", src)
    other = project.load("perms_user", "from perms import ALLOWED\n")
    m.seen.append("state")
    project.run("from perms import ALLOWED")
    project.ns["_ih"] = ["", "from perms import ALLOWED"]
    project.edit("perms", src.replace('{"read"}', '{"read", "write"}'))
    report = project.reload("perms")
    assert m.ALLOWED == {"read", "write", "admin"}
    assert m.allowed("write")
    assert other.ALLOWED == {"read", "write", "admin"}
    assert project.ns["ALLOWED"] == {"read", "write", "admin"}
    assert m.seen == ["state"]  # unrelated state is kept
    assert report.module("perms").executed == ['line 1: BASE = {"read", "write"}', 'line 2: ALLOWED = BASE | {"admin"}']


def test_chain_of_derived_values_in_source_order(project: Project) -> None:
    src = """
        A = 1
        B = A + 1
        C = [B * 10 for _ in range(2)]
        D = {k: C for k in "x"}
        UNRELATED = object()
    """
    m = project.load("chain", src)
    keep = m.UNRELATED
    project.edit("chain", src.replace("A = 1", "A = 5"))
    project.reload("chain")
    assert (m.A, m.B, m.C, m.D) == (5, 6, [60, 60], {"x": [60, 60]})
    assert m.UNRELATED is keep


def test_regex_compiled_from_changed_pattern(project: Project) -> None:
    src = """
        import re

        PATTERN = r"[0-9]+"
        NUMBER = re.compile(PATTERN)

        def numbers(text):
            return NUMBER.findall(text)
    """
    m = project.load("rx", src)
    numbers = m.numbers
    project.run("from rx import NUMBER")
    project.ns["_ih"] = ["", "from rx import NUMBER"]
    assert numbers("a1b22") == ["1", "22"]
    project.edit("rx", src.replace('r"[0-9]+"', 'r"[0-9]"'))
    project.reload("rx")
    assert numbers("a1b22") == ["1", "2", "2"]
    assert project.ns["NUMBER"].pattern == "[0-9]"


def test_class_body_attribute_computed_from_module_constant(project: Project) -> None:
    src = """
        SCALE = 2

        class Box:
            factor = SCALE * 10
            label = "box"

            def size(self):
                return self.factor
    """
    m = project.load("box", src)
    Box = m.Box
    old = m.Box()
    m.Box.label = "changed at run time"
    project.edit("box", src.replace("SCALE = 2", "SCALE = 3"))
    project.reload("box")
    assert m.Box is Box
    assert old.size() == 30
    assert m.Box.label == "changed at run time"  # its statement reads nothing that changed


def test_class_attribute_refreshed_when_class_and_constant_change_together(project: Project) -> None:
    src = """
        SCALE = 2

        class Box:
            factor = SCALE * 10

            def size(self):
                return self.factor
    """
    m = project.load("box2", src)
    project.edit("box2", src.replace("SCALE = 2", "SCALE = 3").replace("return self.factor", "return self.factor + 1"))
    project.reload("box2")
    assert m.Box().size() == 31


def test_alias_of_replaced_class_follows_it(project: Project) -> None:
    src = """
        class Point:
            def norm(self):
                return 1

        Alias = Point
        TYPES = {"point": Point}
    """
    m = project.load("alias", src)
    project.edit("alias", src.replace("class Point:\n", "class Point:\n            __slots__ = ('x',)\n"))
    report = project.reload("alias")
    assert report.by_code("class-replaced")
    assert m.Alias is m.Point and "__slots__" in m.Point.__dict__
    assert m.TYPES["point"] is m.Point


def test_table_of_functions_keeps_its_object_when_the_function_is_patched(project: Project) -> None:
    src = """
        def handle(x):
            return x + 1

        REGISTRY = {"a": handle}
    """
    m = project.load("table", src)
    table = m.REGISTRY
    m.REGISTRY["b"] = len  # state added at run time
    project.edit("table", src.replace("x + 1", "x + 2"))
    report = project.reload("table")
    assert m.REGISTRY is table and m.REGISTRY["b"] is len
    assert m.REGISTRY["a"](1) == 3
    assert report.module("table").executed == []


def test_handler_taken_from_class_runs_new_method(project: Project) -> None:
    src = """
        class Base:
            def run(self):
                return "base"

        class Foo(Base):
            def run(self):
                return "foo"

        handler = Foo.run
    """
    m = project.load("hnd", src)
    project.edit("hnd", src.replace('return "foo"', 'return "foo+" + super().run()'))
    project.reload("hnd")
    assert m.Foo().run() == "foo+base"
    assert m.handler(m.Foo()) == "foo+base"


def test_function_built_from_code_of_changed_function(project: Project) -> None:
    src = """
        import types

        def f(x):
            return x * 2

        f2 = types.FunctionType(f.__code__, globals(), "f2")
    """
    m = project.load("fcode", src)
    project.run("from fcode import f2")
    project.ns["_ih"] = ["", "from fcode import f2"]
    project.edit("fcode", src.replace("x * 2", "x * 3"))
    project.reload("fcode")
    assert m.f2(2) == 6
    assert project.ns["f2"](2) == 6


def test_statement_with_effects_runs_again_only_when_its_inputs_change(project: Project) -> None:
    project.load("hooks", "calls = []\n\ndef register(fn):\n    calls.append(fn)\n    return fn\n")
    src = """
        import hooks

        LEVEL = 1

        def on_exit():
            return "bye"

        hooks.register(on_exit)
        hooks.calls.append(("level", LEVEL))
    """
    m = project.load("effects", src)
    hooks = __import__("hooks")
    project.edit("effects", src.replace('"bye"', '"ciao"'))
    report = project.reload("effects")
    assert hooks.calls == [m.on_exit, ("level", 1)]  # not registered twice
    assert hooks.calls[0]() == "ciao"
    assert report.module("effects").executed == []
    project.edit("effects", src.replace('"bye"', '"ciao"').replace("LEVEL = 1", "LEVEL = 2"))
    report = project.reload("effects")
    assert hooks.calls == [m.on_exit, ("level", 1), ("level", 2)]
    assert report.module("effects").executed == ["line 3: LEVEL = 2", 'line 9: hooks.calls.append(("level", LEVEL))']


def test_mutated_container_is_rebuilt_before_mutating_statement_runs_again(project: Project) -> None:
    src = """
        BASE = 2
        ITEMS = []
        ITEMS.append(BASE * 10)
        ITEMS.append("fixed")
    """
    m = project.load("mut", src)
    project.edit("mut", src.replace("BASE = 2", "BASE = 3"))
    project.reload("mut")
    assert m.ITEMS == [30, "fixed"]


def test_error_in_statement_run_again_is_reported_at_its_line(project: Project) -> None:
    src = """
        DIVISOR = 2
        RATIO = 10 // DIVISOR

        def ratio():
            return RATIO
    """
    m = project.load("div", src)
    project.edit("div", src.replace("DIVISOR = 2", "DIVISOR = 0"))
    report = project.reload("div")
    errors = report.by_code("reload-error")
    assert len(errors) == 1 and errors[0].line == 1  # 0-based: `RATIO = 10 // DIVISOR`
    assert "ZeroDivisionError" in errors[0].message and "run again" in errors[0].message
    assert report.module("div").status == "failed"
    assert m.RATIO == 5
    project.edit("div", src.replace("DIVISOR = 2", "DIVISOR = 5"))
    report = project.reload("div")
    assert report.module("div").status == "reloaded"
    assert m.RATIO == 2 and m.ratio() == 2


def test_default_value_and_decorator_argument_follow_constant(project: Project) -> None:
    src = """
        import functools

        LIMIT = 2
        LABEL = "old"

        def tag(label):
            def deco(fn):
                @functools.wraps(fn)
                def wrapper(*a):
                    return (label, fn(*a))
                return wrapper
            return deco

        def clip(x, top=LIMIT):
            return min(x, top)

        @tag(LABEL)
        def labelled(x):
            return x
    """
    m = project.load("defaults", src)
    clip, labelled = m.clip, m.labelled
    project.edit("defaults", src.replace("LIMIT = 2", "LIMIT = 5").replace('LABEL = "old"', 'LABEL = "new"'))
    project.reload("defaults")
    assert clip(10) == 5 and m.clip is clip
    assert labelled(1) == ("new", 1) and m.labelled is labelled


def test_deferred_annotations_are_not_reads(project: Project) -> None:
    src = """
        from __future__ import annotations

        Kind = int
        calls = []

        def f(x: Kind) -> Kind:
            return x

        calls.append(f)
    """
    m = project.load("ann", src)
    project.edit("ann", src.replace("Kind = int", "Kind = str"))
    report = project.reload("ann")
    assert report.module("ann").executed == ["line 3: Kind = str"]
    assert len(m.calls) == 1


def test_augmented_assignment_runs_again_from_its_first_binding(project: Project) -> None:
    src = """
        STEP = 2
        TOTAL = 10
        TOTAL += STEP
        __all__ = ["TOTAL"]
        __all__ += ["STEP"]
    """
    m = project.load("aug", src)
    project.edit("aug", src.replace("STEP = 2", "STEP = 5"))
    project.reload("aug")
    assert m.TOTAL == 15
    assert m.__all__ == ["TOTAL", "STEP"]


def test_unchanged_statement_between_two_edited_ones_runs_between_them(project: Project) -> None:
    src = """
        BASE = 1
        DERIVED = BASE * 10
        TABLE = [DERIVED + i for i in range(2)]
    """
    m = project.load("sandwich", src)
    project.edit("sandwich", src.replace("BASE = 1", "BASE = 2").replace("range(2)", "range(3)"))
    report = project.reload("sandwich")
    assert m.TABLE == [20, 21, 22]
    assert report.module("sandwich").executed == [
        "line 1: BASE = 2", "line 2: DERIVED = BASE * 10", "line 3: TABLE = [DERIVED + i for i in range(3)]"]
