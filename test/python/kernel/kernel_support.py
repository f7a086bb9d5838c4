"""Real ipykernel kernels for tests, started with jupyter_client (fixtures re-exported by conftest).

``kernel`` is a factory: ``k = kernel()`` starts a kernel whose working directory is a fresh
temp folder (``k.cwd``, also first on its ``sys.path``) and whose Jupyter runtime dir is a
per-test temp folder (so the user's real registry is never touched). ``k.run(code)`` runs a
cell and returns what it printed; ``k.second_client()`` connects another client through
the connection file, as an editor would. Every kernel is shut down at teardown.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

TIMEOUT = 60.0
SERVICE_EXPR = "__import__('hotswap.kernel').kernel.handle(%r)"

# A user module and its edit, as the kernel and language server suites both write them: the
# edit adds an attribute in __init__, so instances made before it are stale.
GREETER_V1 = '''\
class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return "Hello, " + self.name
'''

GREETER_V2 = '''\
class Greeter:
    def __init__(self, name):
        self.name = name
        self.punctuation = "!"

    def greet(self):
        return "Hello, " + self.name + self.punctuation
'''


@dataclass
class CellResult:
    reply: dict[str, Any]
    stdout: str = ""
    stderr: str = ""
    results: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reply["content"]["status"] == "ok"


def run_on(kc: BlockingKernelClient, code: str, *, silent: bool = False, store_history: bool = True,
           user_expressions: Optional[dict[str, str]] = None, timeout: float = TIMEOUT) -> CellResult:
    """Execute on ``kc`` and collect this request's IOPub output."""
    out = CellResult(reply={})

    def hook(msg: dict[str, Any]) -> None:
        out.messages.append(msg)
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            if content["name"] == "stdout":
                out.stdout += content["text"]
            else:
                out.stderr += content["text"]
        elif kind in ("execute_result", "display_data"):
            out.results.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            out.stderr += "\n".join(content.get("traceback", [])) + f"\n{content['ename']}: {content['evalue']}"

    out.reply = kc.execute_interactive(code, silent=silent, store_history=store_history,
                                       user_expressions=user_expressions or {}, timeout=timeout,
                                       output_hook=hook, allow_stdin=False)
    return out


def service_call(kc: BlockingKernelClient, command: str, args: Optional[dict[str, Any]] = None,
                 timeout: float = TIMEOUT) -> tuple[dict[str, Any], CellResult]:
    """Send one protocol request the way editors do: a silent user expression."""
    request = json.dumps({"protocol": 1, "id": "test", "command": command, "args": args or {}})
    cell = run_on(kc, "", silent=True, store_history=False, user_expressions={"hotswap": SERVICE_EXPR % request},
                  timeout=timeout)
    expr = cell.reply["content"]["user_expressions"]["hotswap"]
    assert expr["status"] == "ok", expr
    return json.loads(ast.literal_eval(expr["data"]["text/plain"])), cell


class Kernel:
    """A started kernel with its manager, a client and its working directory."""

    def __init__(self, km: KernelManager, kc: BlockingKernelClient, cwd: Path) -> None:
        self.km, self.kc, self.cwd = km, kc, cwd
        self._clients: list[BlockingKernelClient] = []

    def run(self, code: str, **kwargs: Any) -> CellResult:
        return run_on(self.kc, code, **kwargs)

    def check(self, code: str) -> CellResult:
        """Run a cell that must succeed."""
        cell = self.run(code)
        assert cell.ok, cell.stderr
        return cell

    def write(self, name: str, text: str) -> Path:
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def second_client(self) -> BlockingKernelClient:
        kc = BlockingKernelClient(connection_file=self.km.connection_file)
        kc.load_connection_file()
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
        self._clients.append(kc)
        return kc

    @property
    def pid(self) -> int:
        return int(self.kc.execute_interactive("", silent=True, store_history=False,
                                               user_expressions={"p": "__import__('os').getpid()"},
                                               timeout=TIMEOUT)["content"]["user_expressions"]["p"]["data"]["text/plain"])

    def stop(self) -> None:
        for kc in [*self._clients, self.kc]:
            try:
                kc.stop_channels()
            except Exception:
                pass
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=False)


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private Jupyter runtime dir (and kernelspec running this interpreter) for the test."""
    rt = tmp_path / "runtime"
    rt.mkdir(mode=0o700)
    spec = tmp_path / "jupyter" / "kernels" / "hotswap-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hotswap test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(rt))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return rt


@pytest.fixture
def kernel(tmp_path: Path, runtime_dir: Path) -> Iterator[Callable[..., Kernel]]:
    """Factory starting real kernels; all are shut down at teardown."""
    kernels: list[Kernel] = []

    def start(cwd: Optional[Path] = None, env: Optional[dict[str, str]] = None,
              extra_arguments: Optional[list[str]] = None) -> Kernel:
        work = cwd or tmp_path / f"work{len(kernels)}"
        work.mkdir(parents=True, exist_ok=True)
        km = KernelManager(kernel_name="hotswap-test")
        km.start_kernel(cwd=str(work), env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                        extra_arguments=extra_arguments or [])
        kc = km.client()
        kc.start_channels()
        kernel = Kernel(km, kc, work)
        kernels.append(kernel)
        kc.wait_for_ready(timeout=TIMEOUT)
        kernel.check(f"import sys as _s; _s.path.insert(0, {str(work)!r}); del _s")
        return kernel

    yield start
    for k in kernels:
        try:
            k.stop()
        except Exception:
            k.km.shutdown_kernel(now=True)


def wait_for(cond: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``cond`` until it is truthy or ``timeout`` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
