"""Hypothesis strategies: random programs of the fuzzer's grammar and random edit sequences."""

from __future__ import annotations

from typing import Sequence

from hypothesis import strategies as st

from fuzz_program import EDITS, Cls, Enum, Func, Program


#: program features whose edits need the top-level dependency graph and cache invalidation
#: across functions (issue 9, items 1 and 2); ``--without-dependencies`` leaves them out
DEPENDENCY_FEATURES = ("derived constants", "cached functions reading other definitions")


@st.composite
def programs(draw: st.DrawFn, dependencies: bool = True) -> Program:
    """A random program; ``dependencies=False`` leaves out DEPENDENCY_FEATURES."""
    n_consts = draw(st.integers(1, 3))
    consts = [draw(st.integers(1, 9)) for _ in range(n_consts)]
    derived = [False] + [draw(st.booleans()) if dependencies else False for _ in range(n_consts - 1)]
    funcs = []
    for i in range(draw(st.integers(1, 4))):
        deco = draw(st.sampled_from(["", "", "lru", "wraps", "register"]))
        reads = dependencies or deco != "lru"
        funcs.append(Func(
            name=f"f{i}", mult=draw(st.integers(1, 5)), add=draw(st.integers(0, 9)),
            calls=draw(st.none() | st.integers(0, i - 1)) if i and reads else None,
            uses_const=draw(st.none() | st.integers(0, n_consts - 1)) if reads else None,
            deco=deco,
        ))
    classes = []
    for i in range(draw(st.integers(0, 3))):
        dc = draw(st.booleans()) if i == 0 else False
        base = None if dc or not i else draw(st.none() | st.integers(0, i - 1))
        if base is not None and classes[base].dataclass:
            base = None
        classes.append(Cls(
            name=f"C{i}", base=base, mconst=draw(st.integers(2, 9)), use_super=draw(st.booleans()),
            dataclass=dc, slots=False,
            after=draw(st.none() | st.integers(1, 9)), registered=draw(st.booleans()),
        ))
    for c in classes:
        if c.base is None and not c.dataclass and not any(d.base is not None and classes[d.base] is c for d in classes):
            c.slots = draw(st.booleans())
    for c in classes:  # a subclass of a slotted class declares its own (empty) slots or none
        if c.base is not None and classes[c.base].slots:
            c.slots = draw(st.booleans())
    enum = None
    if draw(st.booleans()):
        k = draw(st.integers(1, 3))
        enum = Enum([(n, v) for n, v in zip(["RED", "GREEN", "BLUE"][:k], range(1, k + 1))])
    return Program(
        consts=consts, derived=derived, funcs=funcs, classes=classes, enum=enum,
        aliases=draw(st.booleans()), table=draw(st.booleans()), second=draw(st.booleans()),
        factory=draw(st.none() | st.integers(1, 9)),
    )


def edit_sequences(kinds: Sequence[str] = EDITS, max_size: int = 4) -> st.SearchStrategy[list[tuple[str, int, int]]]:
    one = st.tuples(st.sampled_from(list(kinds)), st.integers(0, 7), st.integers(0, 63))
    return st.lists(one, min_size=1, max_size=max_size)
