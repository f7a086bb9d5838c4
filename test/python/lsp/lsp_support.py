"""Helpers shared by the language server tests (the fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Any, Callable, Optional

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp.client import LanguageClient

from hotswap.lsp.transport import plain

TIMEOUT = 60.0  # generous: the CI machine is shared; a pass is normally a few seconds


class Recorder:
    """Everything the server sent, and a way to wait for a condition on it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Event()
        self.transport = EditorTransport(self)

    def add(self, method: str, params: Any) -> None:
        self.events.append((method, params))
        self._changed.set()

    def of(self, method: str) -> list[Any]:
        return [p for m, p in self.events if m == method]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = TIMEOUT, what: str = "condition") -> Any:
        """Wait until ``predicate()`` is truthy; re-checked whenever a message arrives."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; received: {self.summary()}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def summary(self) -> str:
        return "\n".join(f"{m}: {_short(p)}" for m, p in self.events[-30:])


def _short(p: Any) -> str:
    s = repr(p)
    return s if len(s) < 400 else s[:400] + "..."


# Custom notification params arrive as pygls namedtuples ("Object"): the server's own
# conversion makes them JSON-like.
as_dict = plain


class Kernel:
    """A kernel we started, plus our own client to run cells in it like a user would."""

    def __init__(self, km: AsyncKernelManager, kc: AsyncKernelClient) -> None:
        self.km = km
        self.kc = kc

    @property
    def connection_file(self) -> str:
        return self.km.connection_file

    @property
    def pid(self) -> int:
        return self.km.provisioner.pid  # type: ignore[union-attr]

    async def run(self, code: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Run a cell as the user; fail the test on an exception in it."""
        reply = await self.kc.execute(textwrap.dedent(code), reply=True, timeout=timeout)
        content = reply["content"]
        assert content["status"] == "ok", f"cell failed: {content.get('ename')}: {content.get('evalue')}"
        return content

    async def eval(self, expr: str, timeout: float = TIMEOUT) -> Any:
        """Value of ``expr`` in the user namespace (as ``repr`` text, literal-evaluated)."""
        import ast

        reply = await self.kc.execute("", silent=True, user_expressions={"v": expr}, reply=True, timeout=timeout)
        value = reply["content"]["user_expressions"]["v"]
        assert value["status"] == "ok", f"{expr}: {value.get('ename')}: {value.get('evalue')}"
        return ast.literal_eval(value["data"]["text/plain"])

    def start_cell(self, code: str) -> str:
        """Send a cell without waiting for it (a long-running cell)."""
        return self.kc.execute(textwrap.dedent(code))

    async def wait_started(self, msg_id: str, timeout: float = TIMEOUT) -> None:
        """Wait until the kernel publishes that it began running our cell ``msg_id``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            msg = await self.kc.get_iopub_msg(timeout=max(0.0, deadline - loop.time()))
            if msg["header"]["msg_type"] == "execute_input" and msg["parent_header"].get("msg_id") == msg_id:
                return

    async def wait_reply(self, msg_id: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        return await self.kc._async_recv_reply(msg_id, timeout=timeout)

    async def stop(self) -> None:
        self.kc.stop_channels()
        if await self.km.is_alive():
            await self.km.shutdown_kernel(now=True)
        await self.km.cleanup_resources()


async def command(client: LanguageClient, name: str, *args: Any) -> Any:
    return await asyncio.wait_for(client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(args))), TIMEOUT)


async def attach(client: LanguageClient, rec: Recorder, kernel: Kernel) -> dict[str, Any]:
    """Attach the server to ``kernel`` with the command (no reliance on the registry)."""
    result = await command(client, "hotswap.attachKernel", {"connectionFile": kernel.connection_file})
    return as_dict(result)


def open_and_save(client: LanguageClient, path: Path, text: Optional[str] = None) -> None:
    """Write ``text`` (if given) to disk, then tell the server it was saved, like an editor."""
    if text is not None:
        path.write_text(textwrap.dedent(text))
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=path.read_text())))
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def save(client: LanguageClient, path: Path, text: Optional[str] = None) -> None:
    if text is not None:
        path.write_text(textwrap.dedent(text))
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=from_fs_path(str(path)))))


def diagnostics_for(rec: Recorder, path: Path) -> Optional[list[types.Diagnostic]]:
    """The last diagnostics published for ``path`` (None if never published)."""
    uri = from_fs_path(str(path))
    found = [p for p in rec.of(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS) if p.uri == uri]
    return list(found[-1].diagnostics) if found else None


class EditorTransport:
    """Plays the editor's part for kernels only it can reach: answers the server's
    ``hotswap/kernelRequest`` by running the request in a real kernel, unchanged, the way the
    extension does through ``Kernel.executeCode`` or DAP ``evaluate``."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.kernels: dict[str, Kernel] = {}
        self.denied: set[str] = set()
        self.requests: list[tuple[str, str]] = []  # (kernel id, command)

    async def answer(self, params: Any) -> dict[str, Any]:
        p = as_dict(params)
        kid, request = p["kernel"], p["request"]
        self.requests.append((kid, request["command"]))
        self.rec.add("hotswap/kernelRequest", p)
        if kid in self.denied:
            return {"error": {"type": "access-denied", "message": "Hotswap is not allowed to use Jupyter kernels"}}
        kernel = self.kernels.get(kid)
        if kernel is None:
            return {"error": {"type": "gone", "message": f"{kid} is gone"}}
        text = await kernel.eval(f"__import__('hotswap.kernel').kernel.handle({json.dumps(request)!r})")
        return {"response": json.loads(text)}

    def announce(self, client: LanguageClient, *entries: dict[str, Any]) -> None:
        """Send the editor's full list of its kernels."""
        client.protocol.notify("hotswap/transportKernels", {"kernels": list(entries)})

    def commands(self, kid: str) -> list[str]:
        return [c for k, c in self.requests if k == kid]
