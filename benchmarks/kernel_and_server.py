"""A real ipykernel and a client for the real language server, for one benchmark run.

Each run gets its own folder and private Jupyter runtime (the kernelspec runs this
interpreter, so the kernel imports this checkout), and both processes are stopped whatever
happens, so a failed run leaves no kernel or server behind to skew the next measurement.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

TIMEOUT = 60.0


@dataclass
class Bench:
    """What a benchmark drives: its work folder, the environment, the kernel and the client."""

    work: Path
    env: dict[str, str]
    km: Any  # jupyter_client AsyncKernelManager
    kc: Any  # its AsyncKernelClient, channels started and ready
    client: Any  # pygls LanguageClient, server not started yet: register features first

    async def start_server(self) -> None:
        """Start ``python -m hotswap.lsp`` over stdio in the work folder and initialise it."""
        from lsprotocol import types
        from pygls.uris import from_fs_path

        await self.client.start_io(sys.executable, "-m", "hotswap.lsp", "--log-level", "WARNING",
                                   env=self.env, cwd=str(self.work))
        await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(self.work)))), TIMEOUT)
        self.client.initialized(types.InitializedParams())

    async def attach(self) -> None:
        """Attach the server to the kernel by its connection file (``hotswap.attachKernel``)."""
        from lsprotocol import types

        await asyncio.wait_for(self.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="hotswap.attachKernel", arguments=[{"connectionFile": self.km.connection_file}])), TIMEOUT)


def _kernelspec(root: Path) -> Path:
    """A kernelspec that runs this interpreter, so the kernel imports this checkout."""
    spec = root / "jupyter" / "kernels" / "hotswap-bench"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hotswap bench", "language": "python"}))
    return root / "jupyter"


@asynccontextmanager
async def kernel_and_server() -> AsyncIterator[Bench]:
    """A started kernel and an unstarted client; both shut down on exit."""
    from jupyter_client.manager import AsyncKernelManager
    from pygls.lsp.client import LanguageClient

    with tempfile.TemporaryDirectory(prefix="hotswap-bench-") as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        runtime = root / "runtime"
        runtime.mkdir(mode=0o700)
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_PATH": str(_kernelspec(root))}
        os.environ.update({"JUPYTER_RUNTIME_DIR": env["JUPYTER_RUNTIME_DIR"], "JUPYTER_PATH": env["JUPYTER_PATH"]})
        km = AsyncKernelManager(kernel_name="hotswap-bench")
        km.connection_file = str(runtime / "kernel-bench.json")
        await km.start_kernel(cwd=str(work), env=env)
        kc = km.client()
        client = LanguageClient("hotswap-bench", "1")
        try:
            kc.start_channels()
            await kc.wait_for_ready(timeout=TIMEOUT)
            yield Bench(work, env, km, kc, client)
        finally:
            try:
                await asyncio.wait_for(client.shutdown_async(None), 10)
                client.exit(None)
            except Exception:
                pass
            try:
                await asyncio.wait_for(client.stop(), 10)
            except Exception:
                pass
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
