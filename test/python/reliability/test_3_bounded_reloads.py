"""Item 3: a reload that runs too long is shown with where it runs and an Interrupt action;
interrupting puts the module back and names the line; the same content is not run again by
itself; listModules / reloadModule answer "busy" instead of waiting behind a busy kernel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp_support import attach, command, diagnostics_for, save

LOOPING = "import time\nX = 2\nwhile True:\n    time.sleep(0.01)\n"


def choose_interrupt(client: Any) -> list[str]:
    """The user picks Interrupt whenever asked; returns the messages they were asked with."""
    asked: list[str] = []

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_request(ls: Any, params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        asked.append(params.message)
        return types.MessageActionItem(title="Interrupt")

    return asked


async def test_long_reload_offers_interrupt_and_reports_line(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "loopy.py"
    path.write_text("X = 1\n")
    kernel = await start_kernel()
    await kernel.run("import hotswap.kernel\nimport loopy")  # the import hook records its source
    client, rec = await server_factory({"reloadTimeout": 1})
    asked = choose_interrupt(client)

    await attach(client, rec, kernel)
    started = time.monotonic()
    save(client, path, LOOPING)
    await rec.wait_for(lambda: asked, what="still-running message")
    assert f"still running {path}:4" in asked[0] and "Interrupt" not in asked[0].split(".")[0]
    # Interrupt was chosen: the module is back as it was, the line is in Problems
    diags = await rec.wait_for(lambda: [d for d in diagnostics_for(rec, path) or [] if d.code == "reload-error"],
                               what="interrupted diagnostic")
    assert diags[0].range.start.line == 3 and "Interrupted while running line 4" in diags[0].message
    assert await kernel.eval("loopy.X") == 1
    assert time.monotonic() - started < 30
    shown = [m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE)]
    assert any("interrupted" in m and "line 4" in m for m in shown), shown
    # the same content again (another save) is not run again: the kernel stays free
    n = len(rec.of("hotswap/didReload"))
    save(client, path)
    assert await kernel.eval("loopy.X") == 1
    # an edit runs again
    save(client, path, "X = 3\n")
    await rec.wait_for(lambda: any(m["status"] == "reloaded" for d in rec.of("hotswap/didReload")[n:]
                                   for m in d.get("modules", [])), what="the edit reloaded")
    assert await kernel.eval("loopy.X") == 3


async def test_commands_answer_busy_behind_a_long_cell(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "small.py").write_text("X = 1\n")
    kernel = await start_kernel()
    await kernel.run("import small")
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]
    msg_id = kernel.start_cell("import time\nfor _ in range(3000):\n    time.sleep(0.01)")
    await kernel.wait_started(msg_id)
    started = time.monotonic()
    modules = await command(client, "hotswap.listModules")
    assert modules == [{"kernel": kid, "busy": True, "running": "a cell"}]
    result = await command(client, "hotswap.reloadModule", {"module": "small"})
    assert result["reports"] == [{"kernel": kid, "report": None, "busy": True, "running": "a cell"}]
    assert time.monotonic() - started < 20
    await kernel.km.interrupt_kernel()
    await kernel.wait_reply(msg_id)


async def test_long_reload_behind_the_editor_offers_interrupt_and_reports_line(server_factory, start_kernel,
                                                                               workdir: Path) -> None:
    """An Interactive Window kernel: its output comes back only with the answer, yet the user is
    told where the reload runs, and Interrupt stops it."""
    path = workdir / "loopy.py"
    path.write_text("X = 1\n")
    kernel = await start_kernel()
    await kernel.run("import hotswap.kernel\nimport loopy")
    client, rec = await server_factory({"reloadTimeout": 1})
    asked = choose_interrupt(client)

    kid = "jupyter:vscode-interactive:/Interactive-1.interactive"
    rec.transport.kernels[kid] = kernel
    rec.transport.announce(client, {"id": kid, "label": "Interactive Window", "kind": "jupyter", "generation": 1, "ready": True})
    await rec.wait_for(lambda: "outdated" in rec.transport.commands(kid), what="kernel attached through the editor")
    save(client, path, LOOPING)
    await rec.wait_for(lambda: asked, what="still-running message")
    assert f"still running {path}:4 in Interactive Window" in asked[0]
    diags = await rec.wait_for(lambda: [d for d in diagnostics_for(rec, path) or [] if d.code == "reload-error"],
                               what="interrupted diagnostic")
    assert diags[0].range.start.line == 3 and "Interrupted while running line 4" in diags[0].message
    assert await kernel.eval("loopy.X") == 1
    assert await kernel.eval("1 + 1") == 2  # the kernel answers cells again
