"""Shared formatting for benchmark output: Markdown tables that paste into docs/benchmarks.md."""

from __future__ import annotations

import platform
import statistics
from typing import Sequence


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: honest for the small samples benchmarks take."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    return f"Python {platform.python_version()} on {platform.machine()} {platform.system()}"
