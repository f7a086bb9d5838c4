"""JSON-RPC messages the server cannot read still get an answer.

pygls logs a request whose params do not fit the method (``workspace/executeCommand`` with
``params: [1, 2]``) and sends nothing back, so the client waits forever. Here such a request
is answered with an "Invalid Params" error saying what was wrong.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol


class _Unreadable:
    """A request that could not be read: its id and why."""

    def __init__(self, msg_id: int | str, method: str, reason: str) -> None:
        self.id = msg_id
        self.method = method
        self.reason = reason


class CheckedProtocol(LanguageServerProtocol):
    """The LSP protocol of pygls, plus an error answer for requests it cannot read."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id") if isinstance(data, dict) else None
            if isinstance(data, dict) and "method" in data and isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool):
                cause = exc.__cause__ or exc
                return _Unreadable(msg_id, str(data.get("method")), f"{type(cause).__name__}: {cause}"[:300])
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unreadable):
            error = JsonRpcInvalidParams(f"{message.method}: the params cannot be read ({message.reason})")
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)
