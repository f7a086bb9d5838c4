"""``make fuzz``: many random edit sequences, with counts.

    python test/python/fuzz/run_fuzz.py [--sequences N] [--jobs J] [--kinds k1,k2] [--seed S]
                                        [--without-dependencies] [--show N]

Prints sequences, reloads, mismatches, mismatches with a diagnostic and silent misses, silent
misses by edit kind, and one sequence per kind that shows a silent miss. ``--jobs`` splits the
sequences over that many processes (each with its own workers and seed). Exits 1 when any
silent miss (or harness problem) was found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from fuzz_driver import Fuzzer, describe  # noqa: E402
from fuzz_program import EDITS  # noqa: E402
from fuzz_strategies import edit_sequences, programs  # noqa: E402

KEYS = ("sequences", "reloads", "mismatches", "mismatches with diagnostic", "silent misses", "harness problems")


def shard(args: argparse.Namespace) -> dict[str, object]:
    """Run this process's share; counts, silent misses by kind and example texts."""
    kinds = [k for k in args.kinds.split(",") if k]
    fz = Fuzzer()

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
    return {"totals": dict(fz.totals), "by_edit": dict(fz.by_edit),
            "examples": {k: describe(o) for k, o in fz.silent_examples.items()}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sequences", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--kinds", default=",".join(EDITS))
    ap.add_argument("--show", type=int, default=3, help="example sequences to print")
    ap.add_argument("--seed", type=int, default=None, help="random seed (runs are random otherwise)")
    ap.add_argument("--without-dependencies", action="store_true",
                    help="leave out the features that need the dependency graph")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one shard, for --jobs
    args = ap.parse_args()
    start = time.perf_counter()
    if args.json:
        print(json.dumps(shard(args)))
        return 0
    jobs = max(1, min(args.jobs, args.sequences))
    results = []
    if jobs == 1:
        results.append(shard(args))
    else:
        base = args.seed if args.seed is not None else random.randrange(1 << 30)
        procs = []
        for j in range(jobs):
            n = args.sequences // jobs + (1 if j < args.sequences % jobs else 0)
            cmd = [sys.executable, __file__, "--json", "--sequences", str(n), "--kinds", args.kinds,
                   "--seed", str(base + j)] + (["--without-dependencies"] if args.without_dependencies else [])
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
        for p in procs:
            out, _ = p.communicate()
            results.append(json.loads(out.strip().splitlines()[-1]))
    totals: Counter[str] = Counter()
    by_edit: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for r in results:
        totals.update(r["totals"])  # type: ignore[arg-type]
        by_edit.update(r["by_edit"])  # type: ignore[arg-type]
        for k, text in r["examples"].items():  # type: ignore[attr-defined]
            examples.setdefault(k, text)
    took = time.perf_counter() - start
    for key in KEYS:
        print(f"{key:>28}: {totals[key]}")
    print(f"{'seconds':>28}: {took:.0f} ({jobs} job{'s' if jobs != 1 else ''})")
    if by_edit:
        print("silent misses by edit kind (first appearance):")
        for kind, n in by_edit.most_common():
            print(f"  {kind}: {n}")
        for kind, text in list(examples.items())[: args.show]:
            print(f"\n===== example: {kind}\n{text}")
    return 1 if totals["silent misses"] or totals["harness problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
