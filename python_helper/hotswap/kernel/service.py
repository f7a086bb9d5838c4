"""The kernel service: one JSON request in, one JSON response out (docs/protocol.md).

Editors call ``handle`` as a silent ``user_expressions`` entry, through the Jupyter
extension's ``executeCode`` or through a debugger's ``evaluate``. Whatever the caller does,
the user must not notice: ``handle`` never raises, never prints (output of reloaded module
code is captured and returned in the response), binds no name in the user namespace and
touches no history. Standard library only; works without the IPython extension.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
from typing import Any, Callable, ContextManager, Iterator, Optional

from . import activity, engine_api, outdated, progress

PROTOCOL = 1
COMMANDS = ("reload", "modules", "stale", "status", "outdated")


class RequestError(Exception):
    """A request the service cannot act on; ``kind`` is the protocol error type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def handle(request_json: str) -> str:
    """Answer one protocol request (a JSON string) with one JSON response string."""
    request_id: Any = None
    out = io.StringIO()
    try:
        request = _parse(request_json)
        request_id = request.get("id")
        _check(request)
        command = request["command"]
        args = request.get("args")
        args = {} if args is None else args
        if not isinstance(args, dict):
            raise RequestError("bad-request", "'args' must be an object")
        with activity.lock, _capture(out):
            result = _COMMANDS[command](args)
        response: dict[str, Any] = {"protocol": PROTOCOL, "id": request_id, "ok": True, "result": result}
    except RequestError as exc:
        response = _error(request_id, exc.kind, str(exc))
    except Exception as exc:  # a bug in hotswap: say what, never raise into the caller
        response = _error(request_id, "internal", f"{type(exc).__name__}: {exc}")
    if out.getvalue():
        response["output"] = out.getvalue()
    try:
        return json.dumps(response, default=_json_default)
    except Exception as exc:
        return json.dumps(_error(request_id, "internal", f"response not serialisable: {exc}"))


class _ThreadOutput(io.TextIOBase):
    """Stands in for sys.stdout/stderr while a command runs: this thread's writes (module code
    run by a reload) go to the response; other threads' (the user's program, when a debugger
    calls us from its own thread) still reach the original stream."""

    def __init__(self, original: Any, sink: io.StringIO) -> None:
        self._original = original
        self._sink = sink
        self._thread = threading.get_ident()

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread:
            return self._sink.write(text)
        return self._original.write(text) if self._original is not None else len(text)

    def flush(self) -> None:
        if threading.get_ident() != self._thread and self._original is not None:
            self._original.flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


@contextlib.contextmanager
def _capture(sink: io.StringIO) -> Iterator[None]:
    """Capture this thread's output (call with ``activity.lock`` held: swaps are process-wide)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _ThreadOutput(saved[0], sink), _ThreadOutput(saved[1], sink)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _parse(request_json: Any) -> dict[str, Any]:
    if isinstance(request_json, (bytes, bytearray)):
        request_json = request_json.decode("utf-8", "replace")
    if not isinstance(request_json, str):
        raise RequestError("bad-request", f"the request must be a JSON string, not {type(request_json).__name__}")
    try:
        request = json.loads(request_json)
    except ValueError as exc:
        raise RequestError("bad-request", f"the request is not JSON: {exc}") from None
    except RecursionError:
        raise RequestError("bad-request", "the request is nested too deeply to read") from None
    if not isinstance(request, dict):
        raise RequestError("bad-request", "the request must be a JSON object")
    return request


def _check(request: dict[str, Any]) -> None:
    if "id" in request and not isinstance(request["id"], (str, int)):
        raise RequestError("bad-request", "'id' must be a string or an integer")
    version = request.get("protocol")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RequestError("bad-request", "'protocol' must be the integer 1")
    if version > PROTOCOL:
        raise RequestError("unsupported-protocol", f"protocol {version} is not supported; this kernel speaks {PROTOCOL}")
    if version < 1:
        raise RequestError("bad-request", "'protocol' must be the integer 1")
    command = request.get("command")
    if not isinstance(command, str):
        raise RequestError("bad-request", "'command' must be a string")
    if command not in COMMANDS:
        raise RequestError("unknown-command", f"unknown command {command!r}; expected one of {', '.join(COMMANDS)}")


def _error(request_id: Any, kind: str, message: str) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "id": request_id, "ok": False, "error": {"type": kind, "message": message}}


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, tuple, frozenset)):
        return list(value)
    return str(value)


def _str_list(args: dict[str, Any], key: str) -> list[str]:
    value = args.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError("bad-request", f"'{key}' must be a list of strings")
    for v in value:
        _usable(key, v)
    return value


def _usable(key: str, value: str) -> None:
    """A string the file system and the engine can take: JSON lets through NUL characters and
    lone surrogates, on which ``open`` and ``str.encode`` raise deep inside a reload."""
    if "\x00" in value:
        raise RequestError("bad-request", f"'{key}' holds a string with a NUL character: {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError("bad-request", f"'{key}' holds a string that is not valid Unicode: {value!r}") from None


def _abs_path(args: dict[str, Any], key: str) -> Optional[str]:
    value = args.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not os.path.isabs(value):
        raise RequestError("bad-request", f"'{key}' must be an absolute path")
    _usable(key, value)
    return value


def _bool(args: dict[str, Any], key: str, default: bool) -> bool:
    value = args.get(key, default)
    if not isinstance(value, bool):
        raise RequestError("bad-request", f"'{key}' must be true or false")
    return value


def _reload(args: dict[str, Any]) -> dict[str, Any]:
    paths = _str_list(args, "paths")
    modules = _str_list(args, "modules")
    relative = [p for p in paths if not os.path.isabs(p)]
    if relative:
        raise RequestError("bad-request", f"'paths' must be absolute: {relative[0]!r}")
    dependents = _bool(args, "dependents", False)
    preserve = _bool(args, "preserve_state", True) if "preserve_state" in args else None
    force = _bool(args, "force", False)
    after = args.get("progress_after")
    watching: ContextManager[object] = contextlib.nullcontext()
    if after is not None:
        if not isinstance(after, (int, float)) or isinstance(after, bool) or not 0 < after <= 86400:
            raise RequestError("bad-request", "'progress_after' must be a number of seconds")
        control = {key: _abs_path(args, key) for key in ("progress_file", "interrupt_file")}
        # sys.stdout is the capturing stand-in here: the watchdog's thread writes through to the
        # kernel's own stream, which IOPub addresses to this request
        watching = progress.Watchdog(float(after), paths, sys.stdout, **control)
    with watching:
        return engine_api.reload(paths, modules, dependents=dependents, preserve_state=preserve, source="service",
                                 force=force)


def _modules(args: dict[str, Any]) -> dict[str, Any]:
    everything = _bool(args, "all", False)
    pairs = engine_api.all_modules() if everything else engine_api.user_modules()
    return {"modules": [{"name": n, "file": f} for n, f in sorted(pairs)]}


def _stale(args: dict[str, Any]) -> dict[str, Any]:
    report = engine_api.stale()
    report["modules"] = []
    return report


def _outdated(args: dict[str, Any]) -> dict[str, Any]:
    return outdated.outdated_modules()


def _status(args: dict[str, Any]) -> dict[str, Any]:
    from .._version import __version__

    front = activity.front_end
    return {
        "hotswap": __version__,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "mode": front.mode() if front is not None else None,
        "watched": front.watched() if front is not None else len(engine_api.user_modules()),
        "recent": [{k: r[k] for k in ("module", "status", "duration_ms", "time")} for r in activity.recent],
        "stale": len(activity.stale_diagnostics()),
    }


_COMMANDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "reload": _reload, "modules": _modules, "stale": _stale, "status": _status,
    "outdated": _outdated,
}
