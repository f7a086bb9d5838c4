"""Runs code for the Jupyter extension stand-in in an existing kernel, as the Jupyter extension
does for other extensions: silent execute requests (no history, no execution count). One JSON
object per line on stdin, {"id", "code"}; answers {"id", "type": "stream"|"error"|"done", ...}."""

from __future__ import annotations

import json
import sys

from jupyter_client.blocking.client import BlockingKernelClient


def emit(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    client = BlockingKernelClient(connection_file=sys.argv[1])
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        rid = request["id"]
        msg_id = client.execute(request["code"], silent=False, store_history=False)
        while True:
            msg = client.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "stream":
                emit({"id": rid, "type": "stream", "name": content["name"], "text": content["text"]})
            elif msg["msg_type"] == "error":
                emit({"id": rid, "type": "error", "ename": content["ename"], "evalue": content["evalue"]})
            elif msg["msg_type"] == "status" and content["execution_state"] == "idle":
                break
        emit({"id": rid, "type": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
