"""Item 9: the smaller faults, each with what the user sees (real kernels through the service,
and a real IPython kernel running cells)."""

from __future__ import annotations

import json

import pytest

from kernel_support import SERVICE_EXPR, run_on, service_call


def _raw_service(kc, request_text: str) -> dict:
    """Send a request text as is (it may not even be valid JSON)."""
    import ast

    cell = run_on(kc, "", silent=True, store_history=False, user_expressions={"h": SERVICE_EXPR % request_text})
    expr = cell.reply["content"]["user_expressions"]["h"]
    assert expr["status"] == "ok", expr
    return json.loads(ast.literal_eval(expr["data"]["text/plain"]))


def test_deleted_file_is_reported_on_the_next_cell(kernel) -> None:
    k = kernel()
    path = k.write("gone.py", "def f():\n    return 1\n")
    k.check("%load_ext hotswap\nimport gone")
    path.unlink()
    cell = k.check("print('still', gone.f())")
    assert "still 1" in cell.stdout
    assert "[autoreload of gone failed:" in cell.stderr and "no longer exists" in cell.stderr
    assert "no longer exists" not in k.check("print(2)").stderr  # said once


def test_nul_byte_reported_at_its_line(kernel) -> None:
    k = kernel()
    path = k.write("nul.py", "X = 1\n")
    k.check("import hotswap.kernel\nimport nul")
    path.write_bytes(b"X = 1\nY = 2\nZ = '\x00'\n")
    report, _ = service_call(k.kc, "reload", {"paths": [str(path)]})
    [d] = report["result"]["diagnostics"]
    assert d["code"] == "syntax-error" and d["range"]["start"] == {"line": 2, "character": 5}
    assert "NUL byte at line 3, column 6" in d["message"]
    assert k.check("print(nul.X)").stdout.strip() == "1"


@pytest.mark.parametrize("request_text", [
    json.dumps({"protocol": 1, "command": "reload", "args": {"paths": ["/w/\x00a.py"]}}),
    json.dumps({"protocol": 1, "command": "reload", "args": {"modules": ["a\udcff"]}}),
    '{"protocol": 1, "command": "reload", "args": ' + "[" * 50000 + "]" * 50000 + "}",
], ids=["nul-path", "surrogate-name", "deep-json"])
def test_unusable_requests_are_bad_requests(kernel, request_text: str) -> None:
    k = kernel()
    response = _raw_service(k.kc, request_text)
    assert response["ok"] is False and response["error"]["type"] == "bad-request", response
    assert k.check("print('answering')").stdout.strip() == "answering"
