"""The id of a message the server could not parse is found at its top level only, so the
error answer settles the editor's request and not some other one."""

from __future__ import annotations

from hotswap.lsp.envelope import read_envelope

DEEP = b"[" * 50_000 + b"]" * 50_000


def test_id_after_a_deep_params_is_found_and_nested_ids_are_not() -> None:
    env = read_envelope(b'{"jsonrpc": "2.0", "method": "m", "params": {"id": 3, "x": ' + DEEP + b'}, "id": 12}')
    assert (env.id, env.method, env.has_id, env.notification) == (12, "m", True, False)


def test_brackets_and_quotes_inside_strings_do_not_count() -> None:
    env = read_envelope(b'{"params": ["]]}}", "{\\"id\\": 5"], "id": "a\\"b", "method": "x\\u00e9"}')
    assert (env.id, env.method) == ('a"b', "x\u00e9")


def test_a_complete_message_without_id_is_a_notification_a_truncated_one_is_not_known() -> None:
    assert read_envelope(b'{"method": "n", "params": ' + DEEP + b'}').notification
    truncated = read_envelope(b'{"method": "n", "params": [[[')
    assert not truncated.notification and truncated.id is None


def test_ids_json_rpc_does_not_allow_are_not_answered() -> None:
    for raw in (b"true", b"1.5", b"[1]", b"null"):
        env = read_envelope(b'{"id": ' + raw + b', "method": "m"}')
        assert env.id is None and env.has_id, raw
    assert read_envelope(b"[1, 2]").id is None and read_envelope(b"").method is None
