"""JSON-RPC messages the server cannot read still get an answer.

pygls logs a request whose params do not fit the method (``workspace/executeCommand`` with
``params: [1, 2]``) and sends nothing back, so the client waits forever. Here such a request
is answered with an "Invalid Params" error saying what was wrong.

A message ``json`` itself cannot parse (nested deeper than the recursion limit, not UTF-8,
not JSON) never reaches pygls's handlers at all: its reader logs the error and goes on. The
server keeps the body it last read (``keep_bodies``) so that, when pygls reports the failure,
the top level of the message can still be read (``envelope.py``): a request is answered with
a Parse Error under its own id, so the editor's promise settles; an answer to one of our own
requests fails that request instead of leaving it waiting; a notification is dropped with a
log line. Only when no id can be found at all is the answer the Parse Error with ``id: null``
that JSON-RPC prescribes.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, BinaryIO, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcParseError
from pygls.protocol import LanguageServerProtocol

from .envelope import is_msg_id, read_envelope

log = logging.getLogger("hotswap.lsp")


class _Unreadable:
    """A request that could not be read: its id and why."""

    def __init__(self, msg_id: int | str, method: str, reason: str) -> None:
        self.id = msg_id
        self.method = method
        self.reason = reason


class BodyKeeper:
    """The server's input stream, remembering the message body read last (pygls reads a
    header line at a time, then the body in one ``read``)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.body: Optional[bytes] = None

    def readline(self) -> bytes:
        return self._stream.readline()

    def read(self, n: int) -> bytes:
        data = self._stream.read(n)
        self.body = data
        return data


def why_unreadable(error: BaseException) -> str:
    """What the editor is told about a message that could not be parsed."""
    if isinstance(error, RecursionError):
        return f"it is nested too deeply (the server reads up to about {sys.getrecursionlimit()} levels of [ ] and {{ }})"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8"
    if isinstance(error, json.JSONDecodeError):
        return f"it is not valid JSON ({error})"
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}"[:300]


class CheckedProtocol(LanguageServerProtocol):
    """The LSP protocol of pygls, plus an error answer for requests it cannot read."""

    _keeper: Optional[BodyKeeper] = None

    def keep_bodies(self, stream: BinaryIO) -> BodyKeeper:
        """Wrap the input stream so a message that fails to parse can still be answered."""
        self._keeper = BodyKeeper(stream)
        return self._keeper

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id") if isinstance(data, dict) else None
            if isinstance(data, dict) and "method" in data and is_msg_id(msg_id):
                return _Unreadable(msg_id, str(data.get("method")), why_unreadable(exc))
            raise

    def handle_message(self, message: Any) -> None:
        if self._keeper is not None:
            self._keeper.body = None  # parsed: whatever fails from here on is not a parse failure
        if isinstance(message, _Unreadable):
            error = JsonRpcInvalidParams(f"{message.method}: the params cannot be read ({message.reason})")
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)

    def answer_unparsed(self, error: BaseException) -> bool:
        """Answer the message whose parsing raised ``error``; False if the error came from
        somewhere else (the message was parsed)."""
        body = self._keeper.body if self._keeper is not None else None
        if body is None:
            return False
        assert self._keeper is not None
        self._keeper.body = None
        envelope = read_envelope(body)
        reason = why_unreadable(error)
        size = f"{len(body):,} bytes"
        if envelope.notification:
            self._tell(f"a {envelope.method} notification from the editor ({size}) was ignored: {reason}")
            return True
        if envelope.method is None and envelope.id is not None:
            future = self._request_futures.pop(envelope.id, None)
            self._result_types.pop(envelope.id, None)
            if future is not None:
                future.set_exception(JsonRpcParseError(f"the editor's answer cannot be read: {reason}"))
                self._tell(f"the editor's answer to request {envelope.id!r} ({size}) cannot be read: {reason}")
                return True
        what = envelope.method or "the message"
        answer = JsonRpcParseError(f"Parse error: {what} cannot be read, nothing was done: {reason}")
        self._tell(f"{what} ({size}, id {envelope.id!r}) cannot be read: {reason}")
        if envelope.id is not None:
            self._send_response(envelope.id, None, answer.to_response_error())
        else:  # written out by hand: pygls's encoder leaves out a null id, and JSON-RPC wants it
            self._send_data({"jsonrpc": "2.0", "id": None, "error": {"code": answer.code, "message": answer.message}})
        return True

    def _tell(self, message: str) -> None:
        """A log line for the editor's output (no pop-up: the sender is a program, not the user)."""
        log.warning("%s", message)
        self.notify(types.WINDOW_LOG_MESSAGE, types.LogMessageParams(type=types.MessageType.Warning, message=message))
