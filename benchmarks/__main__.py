"""Run every benchmark side by side and print their tables (``python -m benchmarks``)."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each entry is a module in this package with a ``main(quick: bool) -> str`` returning a
# Markdown section; a missing optional dependency skips that benchmark with a note.
BENCHMARKS = ["engine_reload", "cell_cost", "lsp_latency", "stale_cells"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {BENCHMARKS})")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller heaps")
    args = parser.parse_args(argv)
    for name in args.names or BENCHMARKS:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            print(f"## {name}\n\nskipped: {exc}\n")
            continue
        print(module.main(quick=args.quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
