"""Item 7: a kernel that dies or restarts is announced with its name, the reload in flight ends
with an error, and a restarted kernel without hotswap is named with the one action that fixes it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from lsprotocol import types

from lsp_support import TIMEOUT, attach, save

LOOPING = "import time\nwhile True:\n    time.sleep(0.01)\n"


def _events(rec, event: str) -> list:
    return [e for e in rec.of("hotswap/kernelEvent") if e["event"] == event]


async def test_kernel_killed_during_a_reload(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "slow.py"
    path.write_text("X = 1\n")
    kernel = await start_kernel()
    await kernel.run("import hotswap.kernel\nimport slow")
    client, rec = await server_factory({"reloadTimeout": 600})
    kid = (await attach(client, rec, kernel))["id"]
    save(client, path, LOOPING)
    await rec.wait_for(lambda: rec.of("hotswap/willReload"), what="willReload")
    os.kill(kernel.pid, signal.SIGKILL)
    done = await rec.wait_for(lambda: [d for d in rec.of("hotswap/didReload") if d.get("error")], what="didReload error")
    assert done[0]["kernel"] == kid
    [event] = await rec.wait_for(lambda: _events(rec, "died"), what="died event")
    assert kid in event["message"] and "stopped" in event["message"]
    assert any(kid in m.message and "stopped" in m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE))


async def test_restart_is_announced_and_without_hotswap_names_the_fix(server_factory, start_kernel, env, workdir: Path,
                                                                     tmp_path: Path) -> None:
    kernel = await start_kernel()
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]
    await kernel.km.restart_kernel(now=True)
    await kernel.kc.wait_for_ready(timeout=TIMEOUT)
    [event] = await rec.wait_for(lambda: _events(rec, "restarted"), what="restarted event")
    assert event["kernel"] == kid and event["label"] in event["message"] and "restarted (was pid" in event["message"]
    # restarted again, now in an environment where hotswap cannot be imported
    shadow = tmp_path / "shadow"
    (shadow / "hotswap").mkdir(parents=True)
    (shadow / "hotswap" / "__init__.py").write_text("raise ImportError('hotswap is not installed here')\n")
    await kernel.km.restart_kernel(now=True, env={**env, "PYTHONPATH": str(shadow)})
    await kernel.kc.wait_for_ready(timeout=TIMEOUT)
    [missing] = await rec.wait_for(lambda: _events(rec, "no-hotswap"), what="no-hotswap event")
    assert missing["kernel"] == kid and "restarted without hotswap" in missing["message"]
    assert "run `%load_ext hotswap` in it" in missing["message"]
