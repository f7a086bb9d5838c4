"""Item 8: the registry folder is re-checked on every read, symlinked entries are refused, a
connection file others can read is refused with how to fix it, and the kernels we start
ourselves open no TCP port."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import TIMEOUT, command


def _entry(kernel) -> dict:
    return {"pid": kernel.pid, "connection_file": kernel.connection_file, "cwd": "/", "python": sys.executable,
            "hotswap": "0.1.0", "started": time.time()}


def _warnings(rec) -> list[str]:
    return [m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE)]


async def test_registry_folder_made_writable_by_others_is_not_read(server_factory, start_kernel, env) -> None:
    client, rec = await server_factory()
    folder = Path(env["JUPYTER_RUNTIME_DIR"]) / "hotswap"
    await rec.wait_for(lambda: folder.is_dir(), what="registry folder")
    kernel = await start_kernel()  # without the extension: only a planted entry names it
    folder.chmod(0o777)
    (folder / f"kernel-{kernel.pid}.json").write_text(json.dumps(_entry(kernel)))
    await rec.wait_for(lambda: any("writable by other users" in m for m in _warnings(rec)), what="warning")
    assert await command(client, "hotswap.listKernels") == []
    # made private again: the next read attaches it
    folder.chmod(0o700)
    (folder / f"kernel-{kernel.pid}.json").touch()
    kernels = await rec.wait_for(lambda: [p for p in rec.of("hotswap/kernelsChanged") if p["kernels"]], what="attached")
    assert kernels[-1]["kernels"][0]["connectionFile"] == os.path.realpath(kernel.connection_file)


async def test_symlinked_entry_is_refused(server_factory, start_kernel, env, tmp_path: Path) -> None:
    client, rec = await server_factory()
    folder = Path(env["JUPYTER_RUNTIME_DIR"]) / "hotswap"
    await rec.wait_for(lambda: folder.is_dir(), what="registry folder")
    kernel = await start_kernel()
    elsewhere = tmp_path / "planted.json"
    elsewhere.write_text(json.dumps(_entry(kernel)))
    elsewhere.chmod(0o600)
    (folder / f"kernel-{kernel.pid}.json").symlink_to(elsewhere)
    await rec.wait_for(lambda: any("symbolic link" in m for m in _warnings(rec)), what="warning")
    assert await command(client, "hotswap.listKernels") == []


async def test_connection_file_readable_by_others_is_refused_with_the_fix(server_factory, start_kernel) -> None:
    kernel = await start_kernel()
    os.chmod(kernel.connection_file, 0o644)
    client, rec = await server_factory()
    with pytest.raises(Exception, match="chmod 600"):
        await command(client, "hotswap.attachKernel", {"connectionFile": kernel.connection_file})
    assert any("can be read by other users" in m and f"chmod 600 {kernel.connection_file}" in m for m in _warnings(rec))
    os.chmod(kernel.connection_file, 0o600)
    facts = await command(client, "hotswap.attachKernel", {"connectionFile": kernel.connection_file})
    assert facts["pid"] == kernel.pid


def test_kernels_we_start_listen_on_ipc_not_tcp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
    try:
        import kernel_driver
    finally:
        sys.path.pop(0)
    runtime = tmp_path / "rt"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    manager, client = kernel_driver.start(tmp_path, "x = 1")
    try:
        info = json.loads(Path(manager.connection_file).read_text())
        assert info["transport"] == "ipc"
        assert kernel_driver.execute(client, "print(x + 1)")["stdout"].strip() == "2"
        folder = Path(info["ip"]).parent
        assert len([p for p in folder.iterdir() if p.is_socket()]) == 5 and folder.stat().st_mode & 0o777 == 0o700
    finally:
        kernel_driver.stop(manager, client)
    assert not folder.exists()
