"""The id and method of a JSON-RPC message that ``json`` could not parse.

A message nested deeper than Python's recursion limit (``[[[[...]]]]`` in a command's
arguments), or one that is not JSON at all, cannot be read, yet the editor is waiting on its
id: an error answer with ``id: null`` settles nothing, the request hangs for good. This reads
only the top level of the message, without recursion and in one pass, to find that id (and
the method, to say which request failed). What is nested deeper is skipped, never decoded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional, TypeGuard, Union

MsgId = Union[int, str]

# A string, a run of openers or a run of closers: everything else (numbers, commas, spaces) is
# passed over by the regex engine itself, so skipping a deep value costs a few tokens per level.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+')
_COLON = re.compile(rb"\s*:\s*")
_SCALAR = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?![.eE\d])|null|true|false')
_MAX_TOKENS = 1_000_000  # about a second at most; beyond that the id is given up on


@dataclass(frozen=True)
class Envelope:
    """What the top level of a message says about itself (``None`` where it could not be read)."""

    id: Optional[MsgId]
    method: Optional[str]
    has_id: bool  # an "id" key stands at the top level (a request or a response, not a notification)
    complete: bool  # the top-level object was read to its end (so a missing id is really missing)

    @property
    def notification(self) -> bool:
        return self.method is not None and not self.has_id and self.complete


def is_msg_id(value: object) -> TypeGuard[MsgId]:
    """A JSON-RPC id we can answer under: a number or a string (``true`` is not one)."""
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def read_envelope(body: bytes) -> Envelope:
    """The top-level ``id`` and ``method`` of ``body``; never raises, never recurses."""
    found: dict[str, object] = {}
    has_id = False
    depth = 0
    complete = False
    if body.lstrip()[:1] != b"{":
        return Envelope(id=None, method=None, has_id=False, complete=False)  # not an object: no id to find
    for count, token in enumerate(_TOKEN.finditer(body)):
        if count >= _MAX_TOKENS:
            break
        text = token.group()
        first = text[:1]
        if first in (b"[", b"{"):
            depth += len(text)
        elif first in (b"]", b"}"):
            depth -= len(text)
            if depth <= 0:
                complete = depth == 0
                break  # the end of the top-level object
        elif depth == 1:
            colon = _COLON.match(body, token.end())
            if colon is None:
                continue  # a value at the top level, not a key
            key = _string(text)
            if key not in ("id", "method"):
                continue
            has_id = has_id or key == "id"
            value = _SCALAR.match(body, colon.end())
            if value is not None:
                found[key] = _scalar(value.group())
    msg_id = found.get("id")
    method = found.get("method")
    return Envelope(id=msg_id if is_msg_id(msg_id) else None,
                    method=method if isinstance(method, str) else None,
                    has_id=has_id, complete=complete)


def _string(token: bytes) -> Optional[str]:
    value = _scalar(token)
    return value if isinstance(value, str) else None


def _scalar(token: bytes) -> object:
    try:
        return json.loads(token)
    except ValueError:  # a string with a bad escape or bad UTF-8: not an id we can answer
        return None
