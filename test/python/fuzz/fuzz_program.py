"""The fuzzer's grammar: a small model of two user modules, rendered to source, and the edits
a user makes to it.

Module ``a`` has constants (some derived from others), functions calling each other (plain,
``lru_cache``, a ``functools.wraps`` decorator, a registration decorator), classes with
properties, class and static methods, subclasses using ``super()``, a dataclass, an enum,
aliases and a table. Module ``b`` imports from ``a``: a subclass, a function using an imported
one, an enum member taken as a default, a registry of ``a``'s functions.

Every reference a user holds is described by a :class:`Probe`: an expression evaluated in the
user's namespace after a reload, and the expression that gives the same thing in a fresh
import of the new source. Both sides must agree, or a diagnostic must name the reference.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

ARG = 3  # every probe calls with small fixed arguments: results are plain ints and strings


@dataclass
class Func:
    name: str
    mult: int
    add: int
    calls: int | None = None  # index of an earlier function it calls
    uses_const: int | None = None  # index of a constant it reads
    deco: str = ""  # "" | "lru" | "wraps" | "register"
    maxsize: int | None = None  # lru_cache(maxsize=...)
    deleted: bool = False


@dataclass
class Cls:
    name: str
    base: int | None = None  # index of an earlier class
    mconst: int = 5
    pconst: int = 7
    cmconst: int = 11
    smconst: int = 13
    use_super: bool = False  # subclass method calls super().m(x)
    slots: bool = False
    dataclass: bool = False
    extra: list[tuple[str, int]] = field(default_factory=list)  # attributes __init__ sets, used by m
    helper: list[tuple[str, int]] = field(default_factory=list)  # attributes self._setup() sets
    after: int | None = None  # ``C.tag = n`` after the class statement
    registered: bool = False  # decorated with ``@register_cls`` (appends the class, sets ``cls.order``)


@dataclass
class Enum:
    members: list[tuple[str, int]]
    dconst: int = 4


@dataclass
class Program:
    consts: list[int]  # K0 = lit; Ki = K(i-1) + lit for derived ones
    derived: list[bool]
    funcs: list[Func]
    classes: list[Cls]
    enum: Enum | None = None
    aliases: bool = False
    table: bool = False
    wrap_const: int = 1000
    second: bool = False  # module b exists
    sub_const: int = 17
    factory: int | None = None  # ``make_adder(n)`` factory with an inner function; the constant in it

    def copy(self) -> "Program":
        return copy.deepcopy(self)

    def live_funcs(self) -> list[Func]:
        return [f for f in self.funcs if not f.deleted]


def _const_expr(p: Program, i: int) -> str:
    if i > 0 and p.derived[i]:
        return f"K{i - 1} + {p.consts[i]}"
    return str(p.consts[i])


def render_a(p: Program) -> str:
    out = ["import dataclasses", "import enum", "import functools", "", "REGISTRY = {}", "",
           "def register(fn):", "    REGISTRY[fn.__name__] = fn", "    return fn", "",
           "def deco(fn):", "    @functools.wraps(fn)", "    def wrapper(*args):",
           f"        return fn(*args) + {p.wrap_const}", "    return wrapper", "",
           "CLASSES = []", "", "def register_cls(cls):", "    CLASSES.append(cls)", "    cls.order = len(CLASSES)",
           "    return cls", ""]
    for i in range(len(p.consts)):
        out.append(f"K{i} = {_const_expr(p, i)}")
    out.append("")
    for f in p.funcs:
        if f.deleted:
            continue
        if f.deco == "lru":
            out.append(f"@functools.lru_cache(maxsize={f.maxsize})")
        elif f.deco == "wraps":
            out.append("@deco")
        elif f.deco == "register":
            out.append("@register")
        body = f"x * {f.mult} + {f.add}"
        if f.calls is not None:
            body += f" + {p.funcs[f.calls].name}(x)"
        if f.uses_const is not None:
            body += f" + K{f.uses_const}"
        out += [f"def {f.name}(x):", f"    return {body}", ""]
    for c in p.classes:
        base = p.classes[c.base].name if c.base is not None else ""
        if c.registered:
            out.append("@register_cls")
        if c.dataclass:
            out.append("@dataclasses.dataclass")
        out.append(f"class {c.name}({base}):" if base else f"class {c.name}:")
        if c.slots:
            names = ["v"] + [a for a, _ in c.extra + c.helper]
            if base:
                names = [a for a, _ in c.extra + c.helper]
            out.append(f"    __slots__ = {tuple(names)!r}")
        if c.dataclass:
            out.append("    v: int")
            for a, n in c.extra:
                out.append(f"    {a}: int = {n}")
            if c.helper:
                out += ["", "    def __post_init__(self):", "        self._setup()"]
        else:
            out += ["", "    def __init__(self, v):"]
            if base:
                out.append("        super().__init__(v)")
            else:
                out.append("        self.v = v")
            for a, n in c.extra:
                out.append(f"        self.{a} = {n}")
            if c.helper:
                out.append("        self._setup()")
        if c.helper:
            out += ["", "    def _setup(self):"] + [f"        self.{a} = {n}" for a, n in c.helper]
        extra = "".join(f" + self.{a}" for a, _ in c.extra + c.helper)
        if base and c.use_super:
            m = f"super().m(x) + {c.mconst}{extra}"
        elif base:
            m = f"{base}.m(self, x) + {c.mconst}{extra}"
        else:
            m = f"self.v + x * {c.mconst}{extra}"
        out += ["", "    def m(self, x):", f"        return {m}",
                "", "    @property", "    def p(self):", f"        return self.v * {c.pconst}",
                "", "    @classmethod", "    def cm(cls, x):", f"        return x + {c.cmconst}",
                "", "    @staticmethod", "    def sm(x):", f"        return x - {c.smconst}", ""]
        if c.after is not None:
            out += [f"{c.name}.tag = {c.after}", ""]
    if p.enum is not None:
        out.append("class Color(enum.Enum):")
        out += [f"    {n} = {v}" for n, v in p.enum.members]
        out += ["", "    def describe(self):", f"        return self.name.lower() + '{p.enum.dconst}'", ""]
    if p.factory is not None:
        out += ["def make_adder(n):", "    def add(x):", f"        return x + n * {p.factory}", "    return add", "",
                "adder = make_adder(2)", ""]
    live = p.live_funcs()
    if p.aliases:
        if p.classes:
            out.append(f"Alias = {p.classes[0].name}")
        if live:
            out.append(f"g = {live[0].name}")
    if p.table and live:
        out.append("TABLE = {" + ", ".join(f"'{f.name}': {f.name}" for f in live) + "}")
    return "\n".join(out) + "\n"


def render_b(p: Program) -> str | None:
    if not p.second:
        return None
    live = p.live_funcs()
    out = ["import a"]
    names = ([p.classes[0].name] if p.classes else []) + ([live[0].name] if live else [])
    if names:
        out.append(f"from a import {', '.join(names)}")
    out.append("")
    if p.classes:
        c0 = p.classes[0].name
        out += [f"class Sub({c0}):", "    def m(self, x):", f"        return super().m(x) + {p.sub_const}", ""]
    if live:
        out += ["def use(x):", f"    return {live[0].name}(x) + 1", "",
                f"HANDLERS = [{live[0].name}]", ""]
    if p.enum is not None:
        out.append(f"DEFAULT = a.Color.{p.enum.members[0][0]}")
    return "\n".join(out) + "\n"


def sources(p: Program) -> dict[str, str]:
    out = {"a": render_a(p)}
    b = render_b(p)
    if b is not None:
        out["b"] = b
    return out


@dataclass
class Probe:
    """A held reference, read after each reload in the user's namespace and in a fresh import."""

    engine: str  # evaluated in the user's namespace of the reloading kernel
    fresh: str  # evaluated in a clean interpreter that imported the current source (a, b)
    names: list[str]  # user variables this probe goes through (a diagnostic naming one covers it)
    mentions: list[str]  # definitions it reads (a diagnostic at a module naming one covers it)


def hold(p: Program) -> tuple[str, list[Probe]]:
    """The user's cell taking references after the first import, and the probes over them."""
    lines = ["import a"]
    probes: list[Probe] = []
    live = p.live_funcs()
    imported = [f.name for f in live] + [c.name for c in p.classes] + [f"K{i}" for i in range(len(p.consts))]
    if p.enum is not None:
        imported.append("Color")
    lines.append(f"from a import {', '.join(imported)}")
    for i in range(len(p.consts)):
        probes.append(Probe(f"K{i}", f"a.K{i}", [f"K{i}"], [f"K{i}"]))
        probes.append(Probe(f"a.K{i}", f"a.K{i}", [], [f"K{i}"]))
    for f in live:
        probes.append(Probe(f"{f.name}({ARG})", f"a.{f.name}({ARG})", [f.name], [f.name]))
        probes.append(Probe(f"a.{f.name}({ARG})", f"a.{f.name}({ARG})", [], [f.name]))
        lines.append(f"h_{f.name} = [{f.name}]")
        probes.append(Probe(f"h_{f.name}[0]({ARG})", f"a.{f.name}({ARG})", [f"h_{f.name}"], [f.name]))
        if f.deco == "register":
            probes.append(Probe("sorted(a.REGISTRY)", "sorted(a.REGISTRY)", [], ["REGISTRY", f.name]))
    for c in p.classes:
        o = f"o_{c.name}"
        lines += [f"{o} = {c.name}(1)", f"bm_{c.name} = {o}.m"]
        fresh_o = f"a.{c.name}(1)"
        probes += [
            Probe(f"{o}.m({ARG})", f"{fresh_o}.m({ARG})", [o], [c.name]),
            Probe(f"bm_{c.name}({ARG})", f"{fresh_o}.m({ARG})", [f"bm_{c.name}", o], [c.name]),
            Probe(f"{o}.p", f"{fresh_o}.p", [o], [c.name]),
            Probe(f"isinstance({o}, a.{c.name})", "True", [o], [c.name]),
            Probe(f"{c.name}({ARG}).m({ARG})", f"a.{c.name}({ARG}).m({ARG})", [c.name], [c.name]),
            Probe(f"{c.name}.cm({ARG})", f"a.{c.name}.cm({ARG})", [c.name], [c.name]),
            Probe(f"{c.name}.sm({ARG})", f"a.{c.name}.sm({ARG})", [c.name], [c.name]),
            Probe(f"{c.name} is a.{c.name}", "True", [c.name], [c.name]),
            Probe(f"getattr(a.{c.name}, 'tag', None)", f"getattr(a.{c.name}, 'tag', None)", [], [c.name]),
        ]
    for k, c in enumerate(p.classes):
        if c.registered:
            probes += [
                Probe("len(a.CLASSES)", "len(a.CLASSES)", [], ["CLASSES", c.name]),
                Probe(f"any(x is a.{c.name} for x in a.CLASSES)", "True", [], ["CLASSES", c.name]),
                Probe(f"a.{c.name}.order", f"a.{c.name}.order", [], [c.name]),
            ]
    if p.factory is not None:
        lines.append("from a import adder, make_adder\nmine = make_adder(5)")
        probes += [
            Probe(f"adder({ARG})", f"a.adder({ARG})", ["adder"], ["make_adder", "add"]),
            Probe(f"a.adder({ARG})", f"a.adder({ARG})", [], ["make_adder", "add", "adder"]),
            Probe(f"mine({ARG})", f"a.make_adder(5)({ARG})", ["mine"], ["make_adder", "add"]),
        ]
    if p.enum is not None:
        first = p.enum.members[0][0]
        lines.append(f"member = Color.{first}")
        probes += [
            Probe("member.describe()", f"a.Color.{first}.describe()", ["member"], ["Color"]),
            Probe(f"member is a.Color.{first}", "True", ["member"], ["Color"]),
            Probe("member.value", f"a.Color.{first}.value", ["member"], ["Color"]),
            Probe("[m.name for m in Color]", "[m.name for m in a.Color]", ["Color"], ["Color"]),
        ]
    if p.aliases:
        if p.classes:
            probes.append(Probe(f"a.Alias({ARG}).m({ARG})", f"a.Alias({ARG}).m({ARG})", [], ["Alias", p.classes[0].name]))
        if live:
            probes.append(Probe(f"a.g({ARG})", f"a.g({ARG})", [], ["g", live[0].name]))
    if p.table and live:
        for f in live:
            probes.append(Probe(f"a.TABLE['{f.name}']({ARG})", f"a.TABLE['{f.name}']({ARG})", [], ["TABLE", f.name]))
    if p.second:
        lines.append("import b")
        if p.classes:
            c0 = p.classes[0].name
            lines += ["from b import Sub", "s = Sub(1)", f"from b import {c0} as via_b"]
            probes.append(Probe(f"via_b is a.{c0}", "True", ["via_b"], [c0]))
            probes += [
                Probe(f"s.m({ARG})", f"b.Sub(1).m({ARG})", ["s"], ["Sub", p.classes[0].name]),
                Probe(f"b.Sub(1).m({ARG})", f"b.Sub(1).m({ARG})", [], ["Sub", p.classes[0].name]),
                Probe(f"isinstance(s, a.{p.classes[0].name})", "True", ["s"], ["Sub", p.classes[0].name]),
                Probe(f"b.{p.classes[0].name} is a.{p.classes[0].name}", "True", [], [p.classes[0].name]),
            ]
        if live:
            probes += [
                Probe(f"b.use({ARG})", f"b.use({ARG})", [], ["use", live[0].name]),
                Probe(f"b.HANDLERS[0]({ARG})", f"b.HANDLERS[0]({ARG})", [], ["HANDLERS", live[0].name]),
            ]
        if p.enum is not None:
            first = p.enum.members[0][0]
            probes.append(Probe(f"b.DEFAULT is a.Color.{first}", "True", [], ["DEFAULT", "Color"]))
    return "\n".join(lines) + "\n", probes


# ------------------------------------------------------------------ edits

#: edit kinds; each takes the program and two small integers choosing what and how
EDITS = (
    "func_body", "func_call", "const", "derived_const", "method", "property", "classmethod",
    "staticmethod", "init_attr", "helper_attr", "slots", "enum_add", "enum_value", "enum_method",
    "delete_func", "super_toggle", "lru_maxsize", "wraps_body", "sub_method", "class_after",
    "dataclass_field", "factory_body", "registered_method",
)


def apply_edit(p: Program, kind: str, i: int, n: int) -> tuple[Program, list[str]] | None:
    """The program after the edit, and which modules' files changed; None if it does not apply."""
    q = p.copy()
    live = [f for f in q.funcs if not f.deleted]
    val = 20 + n % 50
    if kind == "func_body" and live:
        f = live[i % len(live)]
        if n % 2:
            f.mult += 1 + n % 3
        else:
            f.add += 1 + n % 5
        return q, ["a"]
    if kind == "func_call" and len(live) > 1:
        k = 1 + i % (len(live) - 1)
        f = live[k]
        if f.deco == "lru" and f.calls is None and f.uses_const is None:
            return None  # keeps a cached function free of dependencies where the program has none
        idx = q.funcs.index(f)
        earlier = [j for j, g in enumerate(q.funcs[:idx]) if not g.deleted]
        if not earlier:
            return None
        new = earlier[n % len(earlier)]
        f.calls = None if f.calls == new else new
        return q, ["a"]
    if kind == "const":
        q.consts[0] = val if val != q.consts[0] else val + 1
        return q, ["a"]
    if kind == "derived_const" and len(q.consts) > 1:
        j = 1 + i % (len(q.consts) - 1)
        q.consts[j] += 1 + n % 4
        return q, ["a"]
    if q.classes and kind in ("method", "property", "classmethod", "staticmethod"):
        c = q.classes[i % len(q.classes)]
        attr = {"method": "mconst", "property": "pconst", "classmethod": "cmconst", "staticmethod": "smconst"}[kind]
        setattr(c, attr, getattr(c, attr) + 1 + n % 6)
        return q, ["a"]
    if kind in ("init_attr", "helper_attr", "dataclass_field") and q.classes:
        c = q.classes[i % len(q.classes)]
        if kind == "dataclass_field" and not c.dataclass:
            return None
        if kind == "init_attr" and c.dataclass:
            return None
        lst = c.helper if kind == "helper_attr" else c.extra
        lst.append((f"w{len(c.extra) + len(c.helper)}", val))
        return q, ["a"]
    if kind == "slots" and q.classes:
        c = q.classes[i % len(q.classes)]
        if c.dataclass or any(d.base is not None and q.classes[d.base] is c for d in q.classes):
            return None
        if c.base is not None and not q.classes[c.base].slots:
            return None
        c.slots = not c.slots
        return q, ["a"]
    if kind == "enum_add" and q.enum is not None:
        q.enum.members.append((f"X{len(q.enum.members)}", 100 + len(q.enum.members)))
        return q, ["a"]
    if kind == "enum_value" and q.enum is not None:
        name, v = q.enum.members[i % len(q.enum.members)]
        q.enum.members[i % len(q.enum.members)] = (name, v + 10 + n % 5)
        return q, ["a"]
    if kind == "enum_method" and q.enum is not None:
        q.enum.dconst += 1 + n % 3
        return q, ["a"]
    if kind == "delete_func" and len(live) > 1:
        f = live[-1 - i % (len(live) - 1)]
        idx = q.funcs.index(f)
        if any(g.calls == idx and not g.deleted for g in q.funcs):
            return None
        f.deleted = True
        return q, ["a"]
    if kind == "super_toggle":
        subs = [c for c in q.classes if c.base is not None]
        if not subs:
            return None
        c = subs[i % len(subs)]
        c.use_super = not c.use_super
        return q, ["a"]
    if kind == "lru_maxsize":
        lrus = [f for f in live if f.deco == "lru"]
        if not lrus:
            return None
        f = lrus[i % len(lrus)]
        f.maxsize = None if f.maxsize is not None else 16 + n % 8
        return q, ["a"]
    if kind == "wraps_body" and any(f.deco == "wraps" for f in live):
        q.wrap_const += 1 + n % 9
        return q, ["a"]
    if kind == "sub_method" and q.second and q.classes:
        q.sub_const += 1 + n % 4
        return q, ["b"]
    if kind == "factory_body" and q.factory is not None:
        q.factory += 1 + n % 5
        return q, ["a"]
    if kind == "registered_method":
        regs = [c for c in q.classes if c.registered]
        if not regs:
            return None
        regs[i % len(regs)].mconst += 1 + n % 3
        return q, ["a"]
    if kind == "class_after" and q.classes:
        c = q.classes[i % len(q.classes)]
        # an edit of a method while state set after the class statement must survive
        if c.after is None:
            return None
        c.mconst += 1
        return q, ["a"]
    return None
