"""Start a real ipykernel with hotswap loaded and drive it over a JSON-lines stdin/stdout protocol.

Why: the end-to-end tests (Node) and the demo need a kernel that looks exactly like a user's
(`%load_ext hotswap`, names imported with `from m import x`) and a way to run code in it and
read results without a Python Jupyter client of their own.

Protocol (one JSON object per line):
  out  {"event": "ready", "connection_file": str, "kernel_pid": int}
  in   {"id": str, "op": "execute", "code": str}          -> {"id", "ok", "stdout", "stderr", "result", "error"}
  in   {"id": str, "op": "eval", "expr": str}             -> {"id", "ok", "result", "error"}  (silent: no cell, no hooks)
  in   {"id": str, "op": "hotswap", "command": str, "args": {}} -> {"id", "ok", "response"}
  in   {"id": str, "op": "shutdown"}                       -> {"id", "ok"} then exit
With --serve there is no stdin protocol: the kernel runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import signal
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager
from jupyter_core.paths import jupyter_runtime_dir

TIMEOUT_S = 60.0

SETUP_CODE = (
    "%load_ext hotswap\n"
    "from math_utils import scale\n"
    "from greeter import Greeter\n"
    "g = Greeter('Ada')\n"
)


def emit(message: dict[str, Any]) -> None:
    """One line per message so the reader can split on newlines."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def execute(client: BlockingKernelClient, code: str, *, silent: bool = False,
            user_expressions: dict[str, str] | None = None) -> dict[str, Any]:
    """Run code and collect what the user would see, matching only this request's messages."""
    msg_id = client.execute(code, silent=silent, store_history=not silent,
                            user_expressions=user_expressions or {}, allow_stdin=False)
    stdout: list[str] = []
    stderr: list[str] = []
    result: str | None = None
    error: str | None = None
    while True:
        try:
            msg = client.get_iopub_msg(timeout=TIMEOUT_S)
        except Empty:
            raise TimeoutError(f"kernel did not finish executing within {TIMEOUT_S}s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            (stdout if content["name"] == "stdout" else stderr).append(content["text"])
        elif kind == "execute_result":
            result = content["data"].get("text/plain")
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=TIMEOUT_S)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content["status"] == "error" and error is None:
        error = f"{content.get('ename')}: {content.get('evalue')}"
    return {"ok": error is None, "stdout": "".join(stdout), "stderr": "".join(stderr),
            "result": result, "error": error,
            "user_expressions": content.get("user_expressions", {})}


def evaluate(client: BlockingKernelClient, expr: str) -> dict[str, Any]:
    """Evaluate without a cell: no history, no pre_run_cell hooks (so no kernel-side autoreload)."""
    reply = execute(client, "", silent=True, user_expressions={"value": expr})
    value = reply["user_expressions"].get("value", {})
    if value.get("status") != "ok":
        return {"ok": False, "result": None,
                "error": f"{value.get('ename')}: {value.get('evalue')}"}
    return {"ok": True, "result": value["data"].get("text/plain"), "error": None}


def hotswap_request(client: BlockingKernelClient, command: str,
                    args: dict[str, Any]) -> dict[str, Any]:
    """Ask the kernel service directly, the way the language server does (docs/protocol.md)."""
    request = json.dumps({"protocol": 1, "id": uuid.uuid4().hex, "command": command, "args": args})
    expr = "__import__('hotswap.kernel').kernel.handle(%r)" % request
    reply = evaluate(client, expr)
    if not reply["ok"]:
        return {"ok": False, "error": reply["error"]}
    return {"ok": True, "response": json.loads(ast.literal_eval(reply["result"]))}


def start(cwd: Path, setup: str) -> tuple[KernelManager, BlockingKernelClient]:
    """Start the kernel in the workspace with a 0600 connection file in the runtime dir.

    Where the platform has them, the kernel listens on IPC sockets (files in a private 0700
    folder with a short path: socket paths are limited to about 100 bytes) instead of TCP
    ports: nothing can connect to it from the network.
    """
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"kernel-{uuid.uuid4()}"
    if os.name == "posix":
        sockets = tempfile.mkdtemp(prefix="hotswap-ipc-")  # created 0700
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
    else:
        manager = KernelManager(kernel_name="python3")
    manager.connection_file = str(runtime / f"{name}.json")
    manager.start_kernel(cwd=str(cwd), env=dict(os.environ))
    client = manager.client()
    try:
        os.chmod(manager.connection_file, 0o600)
        client.start_channels()
        client.wait_for_ready(timeout=TIMEOUT_S)
        if setup:
            reply = execute(client, setup)
            if not reply["ok"]:
                raise RuntimeError(f"kernel setup failed: {reply['error']}\n{reply['stderr']}")
    except BaseException:
        stop(manager, client)
        raise
    return manager, client


def stop(manager: KernelManager, client: BlockingKernelClient) -> None:
    """Shut the kernel down and remove its connection file (and the folder of its sockets)."""
    client.stop_channels()
    manager.shutdown_kernel(now=False)
    manager.cleanup_resources()
    if manager.transport == "ipc":
        import shutil

        shutil.rmtree(os.path.dirname(manager.ip), ignore_errors=True)


def kernel_pid(manager: KernelManager) -> int | None:
    """The kernel's process id, for the caller's cleanup safety net."""
    process = getattr(manager.provisioner, "process", None)
    return getattr(process, "pid", None)


def serve_protocol(client: BlockingKernelClient) -> None:
    """Answer requests from stdin until it closes or asks to shut down."""
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            op = request["op"]
            if op == "execute":
                reply = execute(client, request["code"])
                reply.pop("user_expressions", None)
            elif op == "eval":
                reply = evaluate(client, request["expr"])
            elif op == "hotswap":
                reply = hotswap_request(client, request["command"], request.get("args", {}))
            elif op == "shutdown":
                emit({"id": request_id, "ok": True})
                return
            else:
                reply = {"ok": False, "error": f"unknown op {op!r}"}
        except Exception as exc:  # report, keep serving: one bad request must not end the run
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        emit({"id": request_id, **reply})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", type=Path, required=True, help="workspace folder for the kernel")
    parser.add_argument("--serve", action="store_true",
                        help="no stdin protocol; run until SIGINT/SIGTERM (for the demo)")
    parser.add_argument("--no-setup", action="store_true", help="skip the demo imports")
    args = parser.parse_args()

    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()
        if not args.serve:
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    manager, client = start(args.cwd.resolve(), "" if args.no_setup else SETUP_CODE)
    try:
        emit({"event": "ready", "connection_file": manager.connection_file,
              "kernel_pid": kernel_pid(manager)})
        if args.serve:
            while not stopping.wait(3600):
                pass
        else:
            serve_protocol(client)
    except KeyboardInterrupt:
        pass
    finally:
        stop(manager, client)
    return 0


if __name__ == "__main__":
    sys.exit(main())
