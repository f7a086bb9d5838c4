"""Differential fuzzing of the engine against fresh imports (issue 9, "Tests").

Random programs of the grammar in ``fuzz_program`` and random edit sequences: after each
reload every reference the user holds must behave as in a fresh import of the new source in
a clean interpreter, or a diagnostic must name it. ``make test`` runs a bounded, derandomized
number of sequences (``HOTSWAP_FUZZ_SEQUENCES``, 200 by default); ``make fuzz`` runs 10,000
random ones.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz_driver import Fuzzer, describe
from fuzz_program import Program
from fuzz_strategies import edit_sequences, programs

SEQUENCES = int(os.environ.get("HOTSWAP_FUZZ_SEQUENCES", "200"))


@pytest.fixture(scope="module")
def fuzzer() -> Iterator[Fuzzer]:
    fz = Fuzzer()
    yield fz
    fz.close()
    print(f"\nfuzz: {dict(fz.totals)}")


@pytest.mark.timeout(600)
def test_every_held_reference_behaves_as_a_fresh_import_or_is_reported(fuzzer: Fuzzer) -> None:
    @settings(max_examples=SEQUENCES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(programs(), edit_sequences())
    def play(program: Program, edits: list[tuple[str, int, int]]) -> None:
        out = fuzzer.run(program, edits)
        assert not out.crashes, describe(out)
        assert not out.silent, describe(out)

    play()
    assert fuzzer.totals["sequences"] >= SEQUENCES
    assert fuzzer.totals["reloads"] > SEQUENCES // 2


def test_the_harness_tells_reported_mismatches_from_silent_ones() -> None:
    """Deleting a function the user holds gives mismatches (the old function still answers);
    the engine reports them. With the report's diagnostics dropped, the same run must count
    silent misses: the comparison itself is checked."""
    from typing import Any

    from fuzz_program import Func

    program = Program(consts=[1], derived=[False], funcs=[Func("f0", 1, 0), Func("f1", 2, 0)], classes=[])
    fz = Fuzzer()
    try:
        out = fz.run(program, [("delete_func", 0, 0)])
        assert out.reloads == 1 and out.mismatches
        assert all(m.covered for m in out.mismatches)
        assert "f1(3)" in [m.probe.engine for m in out.mismatches]

        ask = fz.engine.ask

        def without_diagnostics(req: dict[str, Any]) -> dict[str, Any]:
            got = ask(req)
            for state in got["states"]:
                state["diagnostics"] = []
            return got

        fz.engine.ask = without_diagnostics  # type: ignore[method-assign]
        muted = fz.run(program, [("delete_func", 0, 0)])
        assert len(muted.silent) == len(out.mismatches)
    finally:
        fz.close()
