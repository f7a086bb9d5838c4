"""``make fuzz``: many random edit sequences, with counts.

    python test/python/fuzz/run_fuzz.py [--sequences N] [--kinds k1,k2] [--show N]

Prints sequences, reloads, mismatches, mismatches with a diagnostic and silent misses, silent
misses by edit kind, and one sequence per kind that shows a silent miss. Exits 1 when any
silent miss was found.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from fuzz_driver import Fuzzer, describe  # noqa: E402
from fuzz_program import EDITS  # noqa: E402
from fuzz_strategies import edit_sequences, programs  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sequences", type=int, default=10000)
    ap.add_argument("--kinds", default=",".join(EDITS))
    ap.add_argument("--show", type=int, default=3, help="example sequences to print")
    ap.add_argument("--seed", type=int, default=None, help="random seed (runs are random otherwise)")
    ap.add_argument("--without-dependencies", action="store_true",
                    help="leave out the features that need the dependency graph (as make test does)")
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    fz = Fuzzer()
    start = time.perf_counter()

    @settings(max_examples=args.sequences, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(programs(dependencies=not args.without_dependencies), edit_sequences(kinds))
    def play(program, edits):  # type: ignore[no-untyped-def]
        fz.run(program, edits)

    if args.seed is not None:
        play = seed(args.seed)(play)
    try:
        play()
    finally:
        fz.close()
    took = time.perf_counter() - start
    for key in ("sequences", "reloads", "mismatches", "mismatches with diagnostic", "silent misses", "harness problems"):
        print(f"{key:>28}: {fz.totals[key]}")
    print(f"{'seconds':>28}: {took:.0f}")
    if fz.by_edit:
        print("silent misses by edit kind:")
        for kind, n in fz.by_edit.most_common():
            print(f"  {kind}: {n}")
        for kind, out in list(fz.silent_examples.items())[: args.show]:
            print(f"\n===== example: {kind}\n{describe(out)}")
    return 1 if fz.totals["silent misses"] else 0


if __name__ == "__main__":
    sys.exit(main())
