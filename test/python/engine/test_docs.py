"""Every diagnostic code the engine emits has its section in docs/diagnostics.md (editors link there)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / "python_helper" / "hotswap" / "engine"

# where a code is given: the 4th argument of at_line(), the 1st of SourceProblem()
_CODE_ARG = {"at_line": 3, "SourceProblem": 0}


def _emitted_codes() -> set[str]:
    codes: set[str] = set()
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func not in _CODE_ARG:
                continue
            args = list(node.args)
            arg = args[_CODE_ARG[func]] if len(args) > _CODE_ARG[func] else None
            arg = next((k.value for k in node.keywords if k.arg == "code"), arg)
            if isinstance(arg, ast.Attribute) and arg.attr == "code":
                continue  # forwards a SourceProblem's code, checked where the problem is made
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                f"{path.name}:{node.lineno}: diagnostic code must be a literal so it can be checked against the docs")
            codes.add(arg.value)
    return codes


def test_every_emitted_code_is_documented() -> None:
    emitted = _emitted_codes()
    documented = set(re.findall(r"^## ([a-z-]+)$", (ROOT / "docs" / "diagnostics.md").read_text(), re.M))
    assert {"stale-instance", "stale-closure", "stale-binding", "cache-cleared", "reload-error", "syntax-error",
            "decode-error", "file-missing", "empty-file", "full-reload", "internal-error"} <= emitted
    assert emitted <= documented, emitted - documented
    assert documented <= emitted, f"documented but never emitted: {documented - emitted}"
