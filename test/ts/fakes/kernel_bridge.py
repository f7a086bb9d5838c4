"""A real ipykernel behind a pipe, for the TypeScript tests.

Started by the fakes of the Jupyter extension's `Kernel` and of a debug session: they send
JSON lines on stdin and get JSON lines back on stdout, so the code the extension produces
really runs in a kernel. Requests: {"id", "op": "execute", "code", "store_history",
"user_expressions"} and {"id", "op": "restart"} and {"id", "op": "shutdown"}. Answers carry the
request id: {"type": "stream", "name", "text"}, {"type": "error", "ename", "evalue"}, and last
{"type": "done", "status", "user_expressions"}. Kernel status changes are sent as
{"type": "status", "state"} without an id.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from jupyter_client.manager import KernelManager


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def execute(client: Any, request: dict[str, Any]) -> None:
    """Runs one execute_request and streams what the kernel publishes for it."""
    rid = request["id"]
    msg_id = client.execute(
        request.get("code", ""),
        silent=bool(request.get("silent", False)),
        store_history=bool(request.get("store_history", False)),
        user_expressions=request.get("user_expressions") or {},
    )
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            emit({"id": rid, "type": "stream", "name": content["name"], "text": content["text"]})
        elif kind == "error":
            emit({"id": rid, "type": "error", "ename": content["ename"], "evalue": content["evalue"]})
        elif kind in ("execute_result", "display_data"):
            emit({"id": rid, "type": kind, "data": content.get("data", {})})
        elif kind == "status" and content["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=120)
    emit(
        {
            "id": rid,
            "type": "done",
            "status": reply["content"]["status"],
            "execution_count": reply["content"].get("execution_count"),
            "user_expressions": reply["content"].get("user_expressions", {}),
        }
    )


def main() -> int:
    cwd = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
    manager = KernelManager(kernel_name="python3")
    emit({"type": "status", "state": "starting"})
    manager.start_kernel(cwd=cwd, env={**os.environ})
    client = manager.blocking_client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    emit({"type": "status", "state": "idle"})
    emit({"type": "ready", "pid": manager.provisioner.pid if manager.provisioner else None})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            op = request.get("op")
            try:
                if op == "execute":
                    execute(client, request)
                elif op == "restart":
                    emit({"type": "status", "state": "restarting"})
                    manager.restart_kernel(now=True)
                    client.stop_channels()
                    client = manager.blocking_client()
                    client.start_channels()
                    client.wait_for_ready(timeout=120)
                    emit({"type": "status", "state": "idle"})
                    emit({"id": request["id"], "type": "done", "status": "ok"})
                elif op == "shutdown":
                    break
                else:
                    emit({"id": request.get("id"), "type": "done", "status": "error", "evalue": f"unknown op {op!r}"})
            except Exception as exc:  # report, keep serving: a test must see the failure
                emit({"id": request.get("id"), "type": "done", "status": "error", "evalue": repr(exc)})
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        emit({"type": "status", "state": "dead"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
