"""A worker process for the differential fuzzer: ``python fuzz_worker.py engine|fresh``.

It reads one JSON request per line and answers with one JSON line. Every request runs in a
child forked from the worker, which has imported nothing of the user's, so each sequence
starts from a clean interpreter without paying for a new one each time.

- ``fresh``: import the given sources (modules ``a`` and ``b``) and evaluate expressions: what
  a user would see after restarting and importing the new source.
- ``engine``: import the first sources, run the user's cell that takes references, then for
  each later version write the changed files, ``hotswap.reload`` them, and evaluate the probes
  in the user's namespace; answers with the results and the report's diagnostics.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import tempfile
from typing import Any

CHILD_SECONDS = 20


def _value(v: Any) -> str:
    if isinstance(v, (int, str, bool, type(None))) or (isinstance(v, (tuple, list)) and all(isinstance(x, (int, str)) for x in v)):
        return repr(v)
    return f"<{type(v).__name__}>"


def _evaluate(exprs: list[str], ns: dict[str, Any]) -> list[str]:
    out = []
    for e in exprs:
        try:
            out.append(_value(eval(e, ns)))
        except Exception as exc:  # noqa: BLE001 - a probe's exception is its result
            out.append(f"!{type(exc).__name__}")
    return out


def _write(root: str, files: dict[str, str]) -> list[str]:
    paths = []
    for name, text in files.items():
        path = os.path.join(root, f"{name}.py")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        paths.append(path)
    return paths


def _import_all(names: list[str], ns: dict[str, Any]) -> str | None:
    for name in names:
        try:
            ns[name] = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001
            return f"{name}: {type(exc).__name__}: {exc}"
    return None


def fresh(req: dict[str, Any]) -> dict[str, Any]:
    root = tempfile.mkdtemp(prefix="hsfz-")
    _write(root, req["files"])
    sys.path.insert(0, root)
    sys.dont_write_bytecode = True
    ns: dict[str, Any] = {}
    error = _import_all(sorted(req["files"]), ns)
    return {"error": error, "results": _evaluate(req["probes"], ns)}


def engine(req: dict[str, Any]) -> dict[str, Any]:
    import hotswap

    root = tempfile.mkdtemp(prefix="hsfz-")
    _write(root, req["files"])
    sys.path.insert(0, root)
    sys.dont_write_bytecode = True
    ns: dict[str, Any] = {"__name__": "__main__", "_ih": ["", req["hold"]]}
    exec(req["hold"], ns)
    states = [{"results": _evaluate(req["probes"], ns), "diagnostics": [], "modules": []}]
    for files in req["edits"]:
        paths = _write(root, files)
        report = hotswap.reload(paths=paths, namespace=ns)
        results = _evaluate(req["probes"], ns)
        states.append({
            "results": results,
            "diagnostics": [
                {"code": d.code, "names": d.names, "message": d.message, "file": os.path.basename(d.file),
                 "line": d.line, "severity": d.severity}
                for d in report.diagnostics
            ],
            "modules": [{"name": m.name, "status": m.status, "error": m.error} for m in report.modules],
        })
    return {"states": states}


def main() -> None:
    mode = sys.argv[1]
    handler = engine if mode == "engine" else fresh
    # The standard library the generated modules import is loaded once and inherited by every
    # child: a child still imports the user's modules into an interpreter that never saw them.
    import dataclasses  # noqa: F401
    import enum  # noqa: F401
    import functools  # noqa: F401

    if mode == "engine":
        import hotswap.engine  # noqa: F401 - loaded once (with its import hook), inherited by every child

    for line in sys.stdin:
        req = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            signal.alarm(CHILD_SECONDS)
            try:
                answer = handler(req)
            except BaseException as exc:  # noqa: BLE001 - reported to the driver
                answer = {"crash": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
            os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as fh:
            data = fh.read()
        _pid, status = os.waitpid(pid, 0)
        if not data:
            data = json.dumps({"crash": f"child exited with status {status}"}).encode()
        sys.stdout.write(data.decode() + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
