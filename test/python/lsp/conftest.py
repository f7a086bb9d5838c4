"""Fixtures for the language server tests: real ipykernel kernels (jupyter_client) and the real
server over stdio (pytest-lsp), both pointed at a per-test Jupyter runtime directory.

Nothing here sleeps to synchronise: tests wait for notifications or kernel replies, each
with a timeout. Every kernel and server started here is stopped at teardown.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional

import pytest
import pytest_asyncio
from jupyter_client.manager import AsyncKernelManager
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features

_KERNEL_SUPPORT = str(Path(__file__).resolve().parent.parent / "kernel")
if _KERNEL_SUPPORT not in sys.path:  # kernel_support: the user modules both suites write
    sys.path.insert(0, _KERNEL_SUPPORT)

from lsp_support import TIMEOUT, Kernel, Recorder, as_dict  # noqa: E402


def _recording(rec: Recorder, method: str) -> Callable[..., None]:
    def handler(ls: LanguageClient, params: Any) -> None:  # `ls`: pygls passes the client first
        rec.add(method, as_dict(params))

    return handler


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment shared by the kernels and the server: a private runtime dir and a
    kernelspec that runs this interpreter."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    jpath = tmp_path / "jupyter"
    spec = jpath / "kernels" / "hotswap-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hotswap test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("JUPYTER_PATH", str(jpath))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    return {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_PATH": str(jpath), "PYTHONUNBUFFERED": "1"}


@pytest_asyncio.fixture
async def start_kernel(env: dict[str, str], workdir: Path) -> AsyncIterator[Callable[..., Any]]:
    """Factory: start an ipykernel in ``workdir`` (optionally with extra env)."""
    kernels: list[Kernel] = []

    async def start(extra_env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> Kernel:
        km = AsyncKernelManager(kernel_name="hotswap-test")
        km.connection_file = os.path.join(env["JUPYTER_RUNTIME_DIR"], f"kernel-{uuid.uuid4()}.json")
        await km.start_kernel(cwd=str(cwd or workdir), env={**env, **(extra_env or {})})
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=TIMEOUT)
        kernel = Kernel(km, kc)
        kernels.append(kernel)
        await kernel.run("import sys, os; sys.path.insert(0, os.getcwd())")
        return kernel

    yield start
    for kernel in kernels:
        try:
            await kernel.stop()
        except Exception:
            pass


@pytest_asyncio.fixture
async def server_factory(env: dict[str, str], workdir: Path) -> AsyncIterator[Callable[..., Any]]:
    """Factory: start ``python -m hotswap.lsp`` and initialise it with ``settings``."""
    clients: list[LanguageClient] = []

    async def start(settings: Optional[dict[str, Any]] = None, extra_env: Optional[dict[str, str]] = None,
                    configuration: Optional[dict[str, Any]] = None,
                    watch_files: bool = False) -> tuple[LanguageClient, Recorder]:
        rec = Recorder()
        features = dict(DEFAULT_CLIENT_FEATURES)
        base_publish = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
        base_show = features[types.WINDOW_SHOW_MESSAGE]

        def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            base_publish(client, params)
            rec.add(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

        def show(client: LanguageClient, params: Any) -> None:
            base_show(client, params)
            rec.add(types.WINDOW_SHOW_MESSAGE, params)

        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
        features[types.WINDOW_SHOW_MESSAGE] = show
        base_log = features[types.WINDOW_LOG_MESSAGE]

        def log_message(client: LanguageClient, params: types.LogMessageParams) -> None:
            base_log(client, params)
            rec.add(types.WINDOW_LOG_MESSAGE, params)

        features[types.WINDOW_LOG_MESSAGE] = log_message
        for method in ("hotswap/willReload", "hotswap/didReload", "hotswap/kernelsChanged", "hotswap/kernelEvent"):
            features[method] = _recording(rec, method)

        async def kernel_request(client: LanguageClient, params: Any) -> dict[str, Any]:
            return await rec.transport.answer(params)

        features["hotswap/kernelRequest"] = kernel_request

        def register_capability(client: LanguageClient, params: Any) -> None:
            rec.add(types.CLIENT_REGISTER_CAPABILITY, params)
            return None

        features[types.CLIENT_REGISTER_CAPABILITY] = register_capability
        client = LanguageClient(converter_factory=default_converter, configuration={"": configuration} if configuration else None)
        register_lsp_features(client, features)
        await client.start_io(sys.executable, "-m", "hotswap.lsp", "--log-level", "DEBUG",
                              env={**env, **(extra_env or {})}, cwd=str(workdir))
        clients.append(client)
        await asyncio.wait_for(client.initialize_session(types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                        related_information=True, code_description_support=True, data_support=True)),
                window=types.WindowClientCapabilities(show_message=types.ShowMessageRequestClientCapabilities()),
                workspace=types.WorkspaceClientCapabilities(
                    configuration=configuration is not None,
                    did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                        dynamic_registration=watch_files))),
            root_uri=from_fs_path(str(workdir)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(workdir)), name="work")],
            initialization_options={"hotswap": settings or {}})), TIMEOUT)
        return client, rec

    yield start
    for client in clients:
        try:
            await asyncio.wait_for(client.shutdown_session(), 20)
        except Exception:
            pass
        try:
            await asyncio.wait_for(client.stop(), 20)
        except Exception:
            pass
        server = client._server
        if server is not None and server.returncode is None:
            server.kill()
            await server.wait()
