"""Every diagnostic code the engine emits has its section in docs/diagnostics.md (editors link there)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_emitted_code_is_documented() -> None:
    engine = ROOT / "python_helper" / "hotswap" / "engine"
    source = "\n".join(p.read_text() for p in engine.glob("*.py"))
    emitted = set(re.findall(r'"((?:syntax|reload|decode|file|empty|stale|cache|class|patch)-[a-z-]+)"', source))
    documented = set(re.findall(r"^## ([a-z-]+)$", (ROOT / "docs" / "diagnostics.md").read_text(), re.M))
    assert emitted, "no codes found in the engine source"
    assert emitted <= documented, emitted - documented
    assert {"stale-instance", "stale-closure", "stale-binding", "cache-cleared", "reload-error", "syntax-error"} <= documented
