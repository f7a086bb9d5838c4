"""One path for every reload: saves before any kernel is attached, restarts, changes made
outside the editor, and kernels only the editor can reach — all through the real server and
real kernels. Nothing here sleeps to synchronise; each wait has a timeout.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path

from kernel_support import GREETER_V1, GREETER_V2
from lsp_support import TIMEOUT, attach, command, diagnostics_for, open_and_save, save


def did_reloads(rec, kernel_id=None):
    return [p for p in rec.of("hotswap/didReload") if kernel_id is None or p["kernel"] == kernel_id]


def will_reloads(rec, kernel_id=None):
    return [p for p in rec.of("hotswap/willReload") if kernel_id is None or p["kernel"] == kernel_id]


def kernel_lists(rec) -> list[list[dict]]:
    return [p["kernels"] for p in rec.of("hotswap/kernelsChanged")]


def stale_names(rec, path: Path) -> list[str]:
    return [n for d in diagnostics_for(rec, path) or [] if d.code == "stale-instance" for n in d.data["names"]]


async def wait_for_file(path: Path, timeout: float = TIMEOUT) -> None:
    """Wait until another process created ``path``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not path.exists():
        assert loop.time() < deadline, f"timed out waiting for {path}"
        await asyncio.sleep(0.05)


async def settled(client) -> None:
    """Every message sent before this one has been handled (the server answers in order)."""
    await command(client, "hotswap.listKernels")


async def test_save_before_the_kernel_registers_is_applied_once_it_attaches(server_factory, start_kernel, workdir: Path) -> None:
    """The start-up race: the user saves before the server has found their kernel."""
    (workdir / "greeter.py").write_text(GREETER_V1)
    client, rec = await server_factory()
    kernel = await start_kernel()
    await kernel.run("import greeter\ng = greeter.Greeter('Ada')")

    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    await settled(client)
    assert will_reloads(rec) == [] and kernel_lists(rec) in ([], [[]])  # no kernel yet: nothing sent

    await kernel.run("%load_ext hotswap")  # the kernel announces itself in the registry
    done = await rec.wait_for(lambda: [d for d in did_reloads(rec) if d["reloaded"]], what="catch-up reload")
    assert [m["name"] for m in done[0]["modules"] if m["status"] == "reloaded"] == ["greeter"]
    assert await kernel.eval("greeter.Greeter('Bo').greet()") == "Hello, Bo!"
    await rec.wait_for(lambda: "g" in stale_names(rec, workdir / "greeter.py"), what="stale warning for g")
    assert len(will_reloads(rec)) == 1  # once, not once per trigger


async def test_edit_made_before_attach_is_caught_up_from_what_the_kernel_imported(server_factory, start_kernel, workdir: Path) -> None:
    """No save reached the server at all (the file changed while it was not running): the
    kernel says which loaded modules differ from their files, and those are reloaded."""
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("%load_ext hotswap\nimport mathx")
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 30\n")
    client, rec = await server_factory()
    await rec.wait_for(lambda: [d for d in did_reloads(rec) if d["reloaded"]], what="catch-up reload on first sight")
    assert await kernel.eval("mathx.scale(1)") == 30


def _restart_profile(root: Path, gate: Path, marker: Path, imported: Path) -> dict[str, str]:
    """An IPython profile whose kernels import mathx at start and, once ``marker`` exists,
    say so (``imported``) and wait for ``gate`` before loading hotswap: a restart the test
    can hold half-way."""
    profile = root / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    lines = [
        "import sys, os; sys.path.insert(0, os.getcwd()); import mathx",
        f"import os, time\nif os.path.exists({str(marker)!r}): open({str(imported)!r}, 'w').close()\n"
        f"while os.path.exists({str(marker)!r}) and not os.path.exists({str(gate)!r}): time.sleep(0.02)",
        "%load_ext hotswap",
    ]
    (profile / "ipython_kernel_config.py").write_text(f"c.IPKernelApp.exec_lines = {lines!r}\n")
    return {"IPYTHONDIR": str(root / "ipython")}


async def test_a_save_during_a_kernel_restart_is_applied_after_it(server_factory, start_kernel, workdir: Path, tmp_path: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    gate, marker, imported = tmp_path / "gate", tmp_path / "restarting", tmp_path / "imported"
    kernel = await start_kernel(extra_env=_restart_profile(tmp_path, gate, marker, imported))
    client, rec = await server_factory()
    await rec.wait_for(lambda: any(ks and ks[0]["pid"] == kernel.pid for ks in kernel_lists(rec)),
                       what="kernel found in the registry")

    marker.touch()
    await kernel.km.restart_kernel(now=True)
    # The new process has imported mathx and waits; the old one is gone from the registry.
    await wait_for_file(imported)
    await rec.wait_for(lambda: kernel_lists(rec)[-1] == [], what="the old process detached")
    save(client, workdir / "mathx.py", "def scale(x):\n    return x * 5\n")
    await settled(client)
    gate.touch()  # the restart completes: the kernel loads hotswap and registers again
    await kernel.kc.wait_for_ready(timeout=TIMEOUT)
    await rec.wait_for(lambda: [d for d in did_reloads(rec) if d["reloaded"]], what="the save applied after the restart")
    assert await kernel.eval("mathx.scale(1)") == 5


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    out = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


SHAPES_V1 = {
    "units.py": "FACTOR = 2\n",
    "shapes.py": "import units\n\n\nclass Square:\n    def __init__(self, side):\n        self.side = side\n\n"
                 "    def area(self):\n        return self.side * self.side * units.FACTOR\n",
    "report.py": "import shapes\n\n\ndef describe(side):\n    return f'area {shapes.Square(side).area()}'\n",
}
SHAPES_V2 = {
    "units.py": "FACTOR = 10\n",
    "shapes.py": "import units\n\n\nclass Square:\n    def __init__(self, side):\n        self.side = side\n        self.color = 'red'\n\n"
                 "    def area(self):\n        return self.side * self.side * units.FACTOR\n",
    "report.py": "import shapes\n\n\ndef describe(side):\n    return f'square of area {shapes.Square(side).area()}'\n",
}


async def test_git_checkout_reloads_each_kernel_once_in_dependency_order(server_factory, start_kernel, workdir: Path) -> None:
    _git(workdir, "init", "-q", "-b", "main")
    for name, text in SHAPES_V1.items():
        (workdir / name).write_text(text)
    _git(workdir, "add", ".")
    _git(workdir, "commit", "-q", "-m", "v1")
    _git(workdir, "checkout", "-q", "-b", "feature")
    for name, text in SHAPES_V2.items():
        (workdir / name).write_text(text)
    _git(workdir, "commit", "-q", "-am", "v2")
    _git(workdir, "checkout", "-q", "main")

    k1, k2 = await start_kernel(), await start_kernel()
    for k in (k1, k2):
        # hotswap records each module's source as it is imported (as after `%load_ext hotswap`)
        await k.run("import hotswap.kernel\nimport report, shapes\nsq = shapes.Square(3)")
    client, rec = await server_factory()  # this client cannot watch files: the server does
    id1 = (await attach(client, rec, k1))["id"]
    id2 = (await attach(client, rec, k2))["id"]
    before = {kid: len(will_reloads(rec, kid)) for kid in (id1, id2)}

    _git(workdir, "checkout", "-q", "feature")  # no editor involved
    for kid in (id1, id2):
        done = await rec.wait_for(lambda kid=kid: [d for d in did_reloads(rec, kid) if d["reloaded"]],
                                  what=f"reload in {kid}")
        assert [m["name"] for m in done[0]["modules"]] == ["units", "shapes", "report"]  # dependencies first
    for k in (k1, k2):
        assert await k.eval("report.describe(1)") == "square of area 10"
    stale = await rec.wait_for(lambda: stale_names(rec, workdir / "shapes.py"), what="Problems updated")
    assert stale.count("sq") == 2  # one warning per kernel
    await settled(client)
    assert {kid: len(will_reloads(rec, kid)) - before[kid] for kid in (id1, id2)} == {id1: 1, id2: 1}


async def test_client_watches_files_for_the_server_when_it_can(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory(watch_files=True)
    registered = await rec.wait_for(lambda: rec.of(types.CLIENT_REGISTER_CAPABILITY), what="registerCapability")
    [reg] = registered[0].registrations
    assert reg.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = reg.register_options
    watchers = options["watchers"] if isinstance(options, dict) else options.watchers
    assert [w["globPattern"] if isinstance(w, dict) else w.glob_pattern for w in watchers] == ["**/*.py"]
    info = await attach(client, rec, kernel)

    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 4\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=from_fs_path(str(workdir / "mathx.py")), type=types.FileChangeType.Changed)]))
    await rec.wait_for(lambda: [d for d in did_reloads(rec, info["id"]) if d["reloaded"]], what="reload from a watched change")
    assert await kernel.eval("mathx.scale(1)") == 4


async def test_a_file_changed_on_disk_with_unsaved_edits_is_left_to_the_save(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "mathx.py"
    path.write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory(watch_files=True)
    info = await attach(client, rec, kernel)
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=path.read_text())))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="def scale(x):\n    return x * 7\n")]))
    path.write_text("def scale(x):\n    return x * 3\n")  # a formatter in a terminal, say
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri, type=types.FileChangeType.Changed)]))
    await settled(client)
    assert will_reloads(rec, info["id"]) == []
    assert await kernel.eval("mathx.scale(1)") == 2

    save(client, path, "def scale(x):\n    return x * 7\n")  # the user's save decides
    await rec.wait_for(lambda: [d for d in did_reloads(rec, info["id"]) if d["reloaded"]], what="reload on save")
    assert await kernel.eval("mathx.scale(1)") == 7
    # The save's own disk change is not sent a second time.
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri, type=types.FileChangeType.Changed)]))
    await settled(client)
    assert len(will_reloads(rec, info["id"])) == 1


async def test_kernel_behind_the_editor_is_caught_up_reloaded_and_rechecked(server_factory, start_kernel, workdir: Path) -> None:
    """An Interactive Window kernel: reached only through the editor's kernelRequest."""
    (workdir / "greeter.py").write_text(GREETER_V1)
    kernel = await start_kernel()
    await kernel.run("import greeter\ng = greeter.Greeter('Ada')")
    client, rec = await server_factory()
    kid = "jupyter:vscode-interactive:/Interactive-1.interactive"
    rec.transport.kernels[kid] = kernel
    rec.transport.announce(client, {"id": kid, "label": "Interactive Window", "kind": "jupyter", "generation": 1, "ready": True})
    listed = await rec.wait_for(lambda: [k for ks in kernel_lists(rec) for k in ks if k["id"] == kid and k["pid"]],
                                what="transport kernel attached")
    assert listed[-1]["label"] == "Interactive Window" and listed[-1]["kind"] == "jupyter" and listed[-1]["pid"] == kernel.pid
    await rec.wait_for(lambda: "outdated" in rec.transport.commands(kid), what="catch-up asked")

    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    await rec.wait_for(lambda: [d for d in did_reloads(rec, kid) if d["reloaded"]], what="reload through the editor")
    assert await kernel.eval("greeter.Greeter('Bo').greet()") == "Hello, Bo!"
    diags = await rec.wait_for(lambda: [d for d in diagnostics_for(rec, workdir / "greeter.py") or [] if d.code == "stale-instance"],
                               what="stale warning")
    assert diags[0].data["kernel"] == kid and "Interactive Window" in diags[0].data["source"]

    await kernel.run("g = greeter.Greeter('Ada')")  # the user recreates g in the window
    client.protocol.notify("hotswap/userExecuted", {"kernel": kid})
    await rec.wait_for(lambda: diagnostics_for(rec, workdir / "greeter.py") == [], what="warning cleared")

    rec.transport.announce(client)  # the window was closed
    await rec.wait_for(lambda: kernel_lists(rec)[-1] == [], what="transport kernel gone")


async def test_a_kernel_reached_both_ways_is_one_kernel_reloaded_once(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    direct = (await attach(client, rec, kernel))["id"]
    kid = "jupyter:/work/analysis.ipynb"
    rec.transport.kernels[kid] = kernel
    rec.transport.announce(client, {"id": kid, "label": "analysis.ipynb", "kind": "jupyter", "generation": 1, "ready": True})
    await rec.wait_for(lambda: [k for k in (kernel_lists(rec) or [[]])[-1] if k["label"] == "analysis.ipynb" and k["id"] == direct],
                       what="the direct kernel takes the name the user knows")
    assert [k["id"] for k in kernel_lists(rec)[-1]] == [direct]

    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 6\n")
    await rec.wait_for(lambda: [d for d in did_reloads(rec) if d["reloaded"]], what="reload")
    await settled(client)
    assert [p["kernel"] for p in will_reloads(rec)] == [direct]
    assert "reload" not in rec.transport.commands(kid)
    assert await kernel.eval("mathx.scale(1)") == 6


async def test_denied_kernel_access_is_a_state_not_a_stream_of_errors(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    kid = "jupyter:/work/denied.ipynb"
    rec.transport.kernels[kid] = kernel
    rec.transport.denied.add(kid)
    rec.transport.announce(client, {"id": kid, "label": "denied.ipynb", "kind": "jupyter", "generation": 1, "ready": True})
    await rec.wait_for(lambda: [k for ks in kernel_lists(rec) for k in ks if k["id"] == kid and k["status"] == "no-access"],
                       what="no-access state")
    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 6\n")
    done = await rec.wait_for(lambda: did_reloads(rec, kid), what="didReload saying why nothing happened")
    assert done[0]["error"] and done[0]["reloaded"] == 0
    assert [m for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "not allowed" in m.message] == []  # the editor says it, with its button

    rec.transport.denied.discard(kid)  # the user allows access in "Manage Access To Jupyter Kernels"
    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 7\n")
    await rec.wait_for(lambda: [d for d in did_reloads(rec, kid) if d["reloaded"]], what="reload once access is granted")
    assert await kernel.eval("mathx.scale(1)") == 7
    # the view follows at once, not at the next check
    await rec.wait_for(lambda: [k for k in kernel_lists(rec)[-1] if k["id"] == kid and k["status"] == "idle"],
                       what="the kernel listed as idle again")


async def test_reports_from_two_kernels_merge_per_kernel(server_factory, start_kernel, workdir: Path) -> None:
    """One kernel direct, one behind the editor: each one's warnings stay until that one's fixed."""
    (workdir / "greeter.py").write_text(GREETER_V1)
    k1, k2 = await start_kernel(), await start_kernel()
    for k in (k1, k2):
        await k.run("import greeter\ng = greeter.Greeter('Ada')")
    client, rec = await server_factory()
    direct = (await attach(client, rec, k1))["id"]
    kid = "debug:1"
    rec.transport.kernels[kid] = k2
    rec.transport.announce(client, {"id": kid, "label": 'debug session "app"', "kind": "debug", "generation": 1, "ready": True})
    await rec.wait_for(lambda: "outdated" in rec.transport.commands(kid), what="debug kernel attached")
    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    await rec.wait_for(lambda: len([d for d in diagnostics_for(rec, workdir / "greeter.py") or [] if d.code == "stale-instance"]) == 2,
                       what="a warning from each kernel")
    await k2.run("g = greeter.Greeter('Ada')")
    client.protocol.notify("hotswap/userExecuted", {"kernel": kid})
    remaining = await rec.wait_for(lambda: (lambda ds: ds if ds is not None and len(ds) == 1 else None)(
        diagnostics_for(rec, workdir / "greeter.py")), what="only the direct kernel's warning left")
    assert remaining[0].data["kernel"] == direct


async def test_configuration_change_applies_stale_severity(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "greeter.py").write_text(GREETER_V1)
    kernel = await start_kernel()
    await kernel.run("import greeter\ng = greeter.Greeter('Ada')")
    client, rec = await server_factory()
    await attach(client, rec, kernel)
    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    await rec.wait_for(lambda: [d.severity for d in diagnostics_for(rec, workdir / "greeter.py") or []] == [types.DiagnosticSeverity.Warning],
                       what="warning")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"hotswap": {"staleSeverity": "error"}}))
    await rec.wait_for(lambda: [d.severity for d in diagnostics_for(rec, workdir / "greeter.py")] == [types.DiagnosticSeverity.Error],
                       what="republished as errors")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"hotswap": {"staleSeverity": "loud"}}))
    msgs = await rec.wait_for(lambda: [m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "staleSeverity" in m.message],
                              what="bad setting message")
    assert "loud" in msgs[0]


async def test_a_kernel_behind_the_editor_gets_the_save_made_while_it_restarted(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    kid = "jupyter:/work/restart.ipynb"
    rec.transport.kernels[kid] = kernel
    entry = {"id": kid, "label": "restart.ipynb", "kind": "jupyter", "generation": 1, "ready": True}
    rec.transport.announce(client, entry)
    await rec.wait_for(lambda: "outdated" in rec.transport.commands(kid), what="attached")

    rec.transport.announce(client, {**entry, "generation": 2, "ready": False})  # the Jupyter extension restarts it
    await rec.wait_for(lambda: [k for k in kernel_lists(rec)[-1] if k["id"] == kid and k["status"] == "restarting"],
                       what="restarting state")
    told = [e for e in rec.of("hotswap/kernelEvent") if e["kernel"] == kid and e["event"] == "restarted"]
    assert len(told) == 1 and told[0]["message"].startswith("restart.ipynb restarted: its variables are gone")
    save(client, workdir / "mathx.py", "def scale(x):\n    return x * 9\n")
    await settled(client)
    assert "reload" not in rec.transport.commands(kid)  # held, not sent into a restarting kernel
    rec.transport.announce(client, {**entry, "generation": 2, "ready": True})
    await rec.wait_for(lambda: [d for d in did_reloads(rec, kid) if d["reloaded"]], what="held save applied")
    assert await kernel.eval("mathx.scale(1)") == 9
