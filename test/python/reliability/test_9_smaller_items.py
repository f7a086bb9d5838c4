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


# A circular pair: a imports b at its top, b imports a (and copies two of its names).
CIRCLE_A = """\
X = 1
LIMIT = 5
import b


def fa():
    return b.fb() + X
"""
CIRCLE_B = """\
import a
from a import X, LIMIT


def fb():
    return 10


def use():
    return a.X + X
"""
# b stops binding the module a at its top (the import moves into the function that needs it)
CIRCLE_B_EDITED = CIRCLE_B.replace("import a\nfrom a", "from a").replace("def use():\n", "def use():\n    import a\n")
# a loses LIMIT (b's copy of it is really stale) and X changes (b's copy follows)
CIRCLE_A_EDITED = CIRCLE_A.replace("LIMIT = 5\n", "").replace("X = 1", "X = 2")


def _stale_bindings(k) -> list[dict]:
    report, _ = service_call(k.kc, "stale", {})
    return [d for d in report["result"]["diagnostics"] if d["code"] == "stale-binding"]


def _circle(kernel, first: str):
    """A kernel whose folder holds the circular pair a/b, after ``first`` ran in it."""
    k = kernel()
    k.write("a.py", CIRCLE_A)
    k.write("b.py", CIRCLE_B)
    k.check(first)
    return k


def test_own_import_of_a_circular_pair_is_not_a_stale_binding(kernel) -> None:
    k = _circle(kernel, "%load_ext hotswap")
    k.check("import a\nimport b")
    k.write("b.py", CIRCLE_B_EDITED)
    cell = k.check("print(b.use(), a.fa(), b.__dict__.get('a', 'gone'))")
    assert cell.stdout.strip() == "2 11 gone"  # the edit applied: b no longer binds a
    assert "hotswap:" not in cell.stderr, cell.stderr  # the user's own `import a` holds the live module
    assert _stale_bindings(k) == []
    # a name really removed from a is still held by b's `from a import X, LIMIT` (now its first
    # line): that is told, at that line; X changed value and b's copy follows it
    k.write("a.py", CIRCLE_A_EDITED)
    cell = k.check("print(b.X, b.use(), hasattr(a, 'LIMIT'))")
    assert cell.stdout.strip() == "2 4 False"
    lines = [line for line in cell.stderr.splitlines() if line.startswith("hotswap:")]
    assert lines == ["hotswap: 'LIMIT' was removed from a, but b still holds the old value imported here; "
                     "update this import. (b.py:1)"], cell.stderr
    [binding] = _stale_bindings(k)
    assert binding["file"].endswith("b.py") and binding["range"]["start"]["line"] == 0


def test_editor_reload_of_a_circular_pair_names_only_stale_from_imports(kernel) -> None:
    k = _circle(kernel, "import hotswap.kernel")
    k.check("import b\nimport a\nfrom a import X, LIMIT\nfrom b import a as also_a")
    k.write("b.py", CIRCLE_B_EDITED)
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "b.py")]})
    [m] = report["result"]["modules"]
    assert m["status"] == "reloaded" and m["removed"] == ["a"], m
    # `a` and `also_a` hold the module a itself, which every reload updates in place
    assert [d for d in report["result"]["diagnostics"] if d["code"].startswith("stale-")] == []
    k.write("a.py", CIRCLE_A_EDITED)
    report, _ = service_call(k.kc, "reload", {"paths": [str(k.cwd / "a.py")]})
    assert k.check("print(X, b.X, 'LIMIT' in dir(a))").stdout.strip() == "2 2 False"
    stale = sorted((d["file"].rsplit("/", 1)[1], d["range"]["start"]["line"], d["names"], d["message"])
                   for d in report["result"]["diagnostics"] if d["code"] == "stale-binding")
    assert stale == [
        ("a.py", 0, ["LIMIT"], "LIMIT still holds the old a.LIMIT, which no longer exists in a; delete it or import "
                               "what replaced it."),
        ("b.py", 0, [], "'LIMIT' was removed from a, but b still holds the old value imported here; update this "
                        "import."),
    ], stale
