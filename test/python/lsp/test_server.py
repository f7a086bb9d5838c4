"""The language server end to end: real server over stdio, real ipykernel kernels.

Each test plays what a user does (edit a module, save, run a cell) and checks what they
would see: the kernel running the new code, diagnostics at the right place, messages.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from kernel_support import GREETER_V1, GREETER_V2
from lsp_support import TIMEOUT, attach, command, diagnostics_for, open_and_save, save

ADDED_LINE = 3  # 0-based line of `self.punctuation = "!"`


def did_reloads(rec, kernel_id=None):
    return [p for p in rec.of("hotswap/didReload") if kernel_id is None or p["kernel"] == kernel_id]


async def test_save_reloads_kernel_and_reports_stale_instance(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "greeter.py").write_text(GREETER_V1)
    kernel = await start_kernel()
    await kernel.run("import greeter\ng = greeter.Greeter('Ada')")
    client, rec = await server_factory()
    info = await attach(client, rec, kernel)
    assert info["pid"] == kernel.pid and info["status"] in ("idle", "busy") and info["python"] == sys.executable

    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    done = await rec.wait_for(lambda: did_reloads(rec, info["id"]), what="didReload")
    assert done[0]["reloaded"] == 1 and done[0]["failed"] == 0
    assert [m["name"] for m in done[0]["modules"]] == ["greeter"]

    # The kernel runs the new code (checked through a separate client, like the user's cell).
    assert await kernel.eval("greeter.Greeter('Bo').greet()") == "Hello, Bo!"

    diags = await rec.wait_for(lambda: diagnostics_for(rec, workdir / "greeter.py"), what="stale diagnostic")
    stale = [d for d in diags if d.code == "stale-instance"]
    assert len(stale) == 1, diags
    d = stale[0]
    assert d.source == "hotswap"
    assert d.severity == types.DiagnosticSeverity.Warning
    assert d.range.start.line == ADDED_LINE
    assert "g" in d.data["names"] and "g" in d.message
    assert d.code_description.href.endswith("docs/diagnostics.md#stale-instance")
    assert d.related_information and d.related_information[0].location.uri == from_fs_path(str(workdir / "greeter.py"))
    assert d.related_information[0].location.range.start.line == ADDED_LINE


async def test_recreating_the_object_clears_the_warning_without_a_save(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "greeter.py").write_text(GREETER_V1)
    kernel = await start_kernel()
    await kernel.run("import greeter\ng = greeter.Greeter('Ada')")
    client, rec = await server_factory({"staleSeverity": "information"})
    await attach(client, rec, kernel)
    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    diags = await rec.wait_for(lambda: diagnostics_for(rec, workdir / "greeter.py"), what="stale diagnostic")
    assert [d.severity for d in diags if d.code == "stale-instance"] == [types.DiagnosticSeverity.Information]
    saves_before = len(rec.of("hotswap/willReload"))

    await kernel.run("g = greeter.Greeter('Ada')")  # the user recreates g
    await rec.wait_for(lambda: diagnostics_for(rec, workdir / "greeter.py") == [], what="warning cleared")
    assert len(rec.of("hotswap/willReload")) == saves_before  # no reload was needed


FACTORY_V1 = "def make_model(base):\n    class Model(base):\n        kind = 'v1'\n    return Model\n"
FACTORY_V2 = "def make_model(base):\n    class Model(base):\n        kind = 'v2'\n\n        def stop(self):\n            return 'stop'\n    return Model\n"


async def test_a_class_made_by_a_factory_stays_named_after_later_cells(server_factory, start_kernel, workdir: Path) -> None:
    """The check after each cell keeps the warning (with the holders it finds now) until the
    user makes the class again."""
    (workdir / "models.py").write_text(FACTORY_V1)
    kernel = await start_kernel()
    await kernel.run("import models\nMine = models.make_model(object)")
    client, rec = await server_factory()
    await attach(client, rec, kernel)
    open_and_save(client, workdir / "models.py", FACTORY_V2)

    def factory_names() -> list[list[str]]:
        return [d.data["names"] for d in diagnostics_for(rec, workdir / "models.py") or [] if d.code == "stale-factory-class"]

    await rec.wait_for(lambda: factory_names() == [["Mine"]], what="stale-factory-class warning")
    await kernel.run("Other = Mine")  # a cell: the server checks again afterwards
    await rec.wait_for(lambda: factory_names() == [["Mine", "Other"]], what="warning naming both holders")
    await kernel.run("Mine = Other = models.make_model(object)")
    await rec.wait_for(lambda: factory_names() == [], what="warning cleared")


async def test_two_kernels_both_reload(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    k1, k2 = await start_kernel(), await start_kernel()
    for k in (k1, k2):
        await k.run("import mathx")
    client, rec = await server_factory()
    id1 = (await attach(client, rec, k1))["id"]
    id2 = (await attach(client, rec, k2))["id"]
    assert id1 != id2
    kernels = await command(client, "hotswap.listKernels")
    assert {k["pid"] for k in kernels} == {k1.pid, k2.pid}

    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 3\n")
    await rec.wait_for(lambda: did_reloads(rec, id1) and did_reloads(rec, id2), what="both kernels reloaded")
    assert await k1.eval("mathx.scale(2)") == 6
    assert await k2.eval("mathx.scale(2)") == 6

    assert await command(client, "hotswap.detachKernel", {"id": id2}) is True
    assert [k["id"] for k in await command(client, "hotswap.listKernels")] == [id1]
    save(client, workdir / "mathx.py", "def scale(x):\n    return x * 4\n")
    await rec.wait_for(lambda: len(did_reloads(rec, id1)) == 2, what="second reload in the attached kernel")
    assert await k1.eval("mathx.scale(2)") == 8
    assert await k2.eval("mathx.scale(2)") == 6  # detached: left alone
    assert len(did_reloads(rec, id2)) == 1


async def test_connection_file_writable_by_others_is_refused(server_factory, start_kernel, tmp_path: Path) -> None:
    kernel = await start_kernel()
    exposed = tmp_path / "exposed.json"
    exposed.write_text(Path(kernel.connection_file).read_text())
    exposed.chmod(0o666)
    client, rec = await server_factory()
    with pytest.raises(Exception, match="writable by other users"):
        await command(client, "hotswap.attachKernel", {"connectionFile": str(exposed)})
    assert any("writable by other users" in m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE))
    assert await command(client, "hotswap.listKernels") == []


async def test_busy_kernel_gets_the_reload_after_its_cell_without_interruption(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    gate = workdir / "gate"
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]

    # A long cell: it runs until the test opens the gate, then records what it saw.
    cell = kernel.start_cell(f"""
        import os, time
        while not os.path.exists({str(gate)!r}):
            time.sleep(0.01)
        during = mathx.scale(2)
        finished = True
    """)
    await kernel.wait_started(cell)
    save(client, workdir / "mathx.py", "def scale(x):\n    return x * 3\n")
    await rec.wait_for(lambda: rec.of("hotswap/willReload"), what="willReload")
    assert did_reloads(rec, kid) == []  # queued behind the cell, not done

    gate.write_text("open")
    reply = await kernel.wait_reply(cell)
    assert reply["content"]["status"] == "ok"  # not interrupted
    await rec.wait_for(lambda: did_reloads(rec, kid), what="didReload after the cell")
    assert await kernel.eval("(during, finished, mathx.scale(2))") == (4, True, 6)


async def test_killed_kernel_is_detached_and_server_stays_up(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    other = await start_kernel()
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]
    await attach(client, rec, other)

    os.kill(kernel.pid, signal.SIGKILL)
    await rec.wait_for(lambda: any(kid not in [k["id"] for k in p["kernels"]] for p in rec.of("hotswap/kernelsChanged")[-1:]),
                       what="kernelsChanged without the killed kernel")
    messages = [m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE)]
    assert any(kid in m and "stopped" in m for m in messages), messages
    kernels = await command(client, "hotswap.listKernels")
    assert [k["pid"] for k in kernels] == [other.pid]

    # Still serving: a save reloads the surviving kernel.
    await other.run("import mathx")
    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 5\n")
    await rec.wait_for(lambda: did_reloads(rec), what="didReload on the surviving kernel")
    assert await other.eval("mathx.scale(1)") == 5


async def test_syntax_error_is_an_error_diagnostic_until_fixed(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "mathx.py"
    path.write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    await attach(client, rec, kernel)

    open_and_save(client, path, "def scale(x):\n    return x *\n")
    diags = await rec.wait_for(lambda: diagnostics_for(rec, path), what="syntax error diagnostic")
    assert [d.code for d in diags] == ["syntax-error"]
    assert diags[0].severity == types.DiagnosticSeverity.Error and diags[0].range.start.line == 1
    assert await kernel.eval("mathx.scale(2)") == 4  # old code keeps working

    save(client, path, "def scale(x):\n    return x * 7\n")
    await rec.wait_for(lambda: diagnostics_for(rec, path) == [], what="diagnostic cleared")
    assert await kernel.eval("mathx.scale(2)") == 14


async def test_burst_of_saves_costs_at_most_two_reloads(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "mathx.py"
    path.write_text("def scale(x):\n    return x * 0\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]

    for i in range(1, 21):
        save(client, path, f"def scale(x):\n    return x * {i}\n")
    await rec.wait_for(lambda: did_reloads(rec, kid), what="didReload")
    # Quiescence: list the modules (a request queued behind any reload still running).
    await command(client, "hotswap.listModules")
    assert await kernel.eval("mathx.scale(1)") == 20
    assert 1 <= len(did_reloads(rec, kid)) <= 2, did_reloads(rec, kid)
    assert len(rec.of("hotswap/willReload")) == len(did_reloads(rec, kid))


async def test_excluded_and_non_python_files_are_not_reloaded(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "skip_me.py").write_text("X = 1\n")
    (workdir / "keep.py").write_text("X = 1\n")
    (workdir / "notes.txt").write_text("x\n")
    kernel = await start_kernel()
    await kernel.run("import hotswap.kernel\nimport skip_me, keep")  # their sources are recorded
    client, rec = await server_factory({"exclude": ["**/skip_*.py"]})
    await attach(client, rec, kernel)
    save(client, workdir / "skip_me.py", "X = 2\n")
    save(client, workdir / "notes.txt", "y\n")
    save(client, workdir / "keep.py", "X = 22\n")
    will = await rec.wait_for(lambda: rec.of("hotswap/willReload"), what="willReload")
    assert will[0]["files"] == [str(workdir / "keep.py")]
    await rec.wait_for(lambda: did_reloads(rec), what="didReload")
    assert await kernel.eval("(skip_me.X, keep.X)") == (1, 22)


async def test_reload_on_save_off_then_reload_command(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "mathx.py"
    path.write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory({"reloadOnSave": False})
    kid = (await attach(client, rec, kernel))["id"]
    save(client, path, "def scale(x):\n    return x * 9\n")
    result = await command(client, "hotswap.reloadModule", {"module": "mathx"})
    # Only the command's reload happened: the save did not add its path.
    assert [w["files"] for w in rec.of("hotswap/willReload")] == [[]]
    assert result["reports"][0]["kernel"] == kid
    assert result["reports"][0]["report"]["modules"][0]["status"] == "reloaded"
    assert await kernel.eval("mathx.scale(1)") == 9
    modules = await command(client, "hotswap.listModules")
    assert {"kernel": kid, "name": "mathx", "file": str(path)} in modules

    # Without an argument (Helix's :lsp-workspace-command): the open Python files.
    open_and_save(client, path, "def scale(x):\n    return x * 11\n")
    result = await command(client, "hotswap.reloadModule")
    assert rec.of("hotswap/willReload")[-1]["files"] == [str(path)]
    assert await kernel.eval("mathx.scale(1)") == 11


async def test_kernel_without_hotswap_gets_a_clear_message(server_factory, start_kernel, workdir: Path, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "hotswap"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('hotswap is not installed here')\n")
    kernel = await start_kernel(extra_env={"PYTHONPATH": str(shadow.parent)})
    client, rec = await server_factory()
    info = await attach(client, rec, kernel)
    assert info["status"] == "no-hotswap" and info["pid"] == kernel.pid
    msgs = await rec.wait_for(lambda: [m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "%load_ext hotswap" in m.message],
                              what="showMessage about %load_ext hotswap")
    assert f"kernel (pid {kernel.pid})" in msgs[0]  # named as the user knows it, not by its internal id

    # A save still pairs willReload with a didReload (so no UI keeps spinning), and the
    # advice is not repeated on every save.
    open_and_save(client, workdir / "mathx.py", "X = 1\n")
    done = await rec.wait_for(lambda: did_reloads(rec, info["id"]), what="didReload with an error")
    assert done[0]["reloaded"] == 0 and "not loaded" in done[0]["error"]
    assert len([m for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "%load_ext hotswap" in m.message]) == 1


async def test_server_without_jupyter_client_starts_and_says_how_to_install(server_factory, tmp_path: Path) -> None:
    shadow = tmp_path / "nojc" / "jupyter_client"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named jupyter_client')\n")
    client, rec = await server_factory(extra_env={"PYTHONPATH": str(shadow.parent)})
    msgs = await rec.wait_for(lambda: [m for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "pip install jupyter_client" in m.message],
                              what="showMessage with the pip command")
    assert msgs[0].type == types.MessageType.Error
    assert await command(client, "hotswap.listKernels") == []


def kernel_pids(rec) -> list[list]:
    return [[k["pid"] for k in p["kernels"]] for p in rec.of("hotswap/kernelsChanged")]


async def test_kernel_that_loads_the_extension_is_found_and_reattached_after_restart(server_factory, start_kernel, workdir: Path) -> None:
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    client, rec = await server_factory()
    kernel = await start_kernel()
    await kernel.run("%load_ext hotswap\nimport mathx")
    await rec.wait_for(lambda: any(pids == [kernel.pid] for pids in kernel_pids(rec)), what="kernel found in the registry")
    [info] = await command(client, "hotswap.listKernels")
    assert info["connectionFile"] == os.path.realpath(kernel.connection_file) and info["hotswap"]
    assert info["python"] == sys.executable and info["cwd"] == str(workdir)

    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 3\n")
    await rec.wait_for(lambda: did_reloads(rec), what="didReload")
    assert await kernel.eval("mathx.scale(1)") == 3

    old_pid = kernel.pid
    await kernel.km.restart_kernel(now=True)
    await kernel.kc.wait_for_ready(timeout=TIMEOUT)
    assert kernel.pid != old_pid
    await kernel.run("%load_ext hotswap")
    await rec.wait_for(lambda: kernel_pids(rec) and kernel_pids(rec)[-1] == [kernel.pid], what="restarted kernel re-attached")


async def test_attach_to_a_kernel_running_a_long_cell_answers_and_completes_later(server_factory, start_kernel, workdir: Path) -> None:
    gate = workdir / "gate"
    kernel = await start_kernel()
    cell = kernel.start_cell(f"""
        import os, time
        while not os.path.exists({str(gate)!r}):
            time.sleep(0.01)
    """)
    await kernel.wait_started(cell)
    client, rec = await server_factory()
    info = await attach(client, rec, kernel)
    assert info["status"] == "busy" and info["pid"] is None  # answered without waiting for the cell
    gate.write_text("open")
    assert (await kernel.wait_reply(cell))["content"]["status"] == "ok"
    await rec.wait_for(lambda: kernel_pids(rec) and kernel_pids(rec)[-1] == [kernel.pid], what="pid learned after the cell")


async def test_registry_is_polled_when_watchdog_is_missing(server_factory, start_kernel, tmp_path: Path) -> None:
    shadow = tmp_path / "nowd" / "watchdog"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named watchdog')\n")
    client, rec = await server_factory(extra_env={"PYTHONPATH": str(shadow.parent)})
    kernel = await start_kernel()
    await kernel.run("%load_ext hotswap")
    await rec.wait_for(lambda: any(pids == [kernel.pid] for pids in kernel_pids(rec)), what="kernel found by polling")
    await kernel.km.shutdown_kernel(now=True)
    await rec.wait_for(lambda: kernel_pids(rec)[-1] == [], what="kernel gone after shutdown")


async def test_settings_pulled_with_workspace_configuration(server_factory, workdir: Path) -> None:
    client, rec = await server_factory(configuration={"hotswap": {"staleSeverity": "hint"}})
    await rec.wait_for(lambda: [m for m in rec.of(types.WINDOW_LOG_MESSAGE) if '"staleSeverity": "hint"' in m.message],
                       what="settings pulled with workspace/configuration")


async def test_reload_module_by_file_uri_reports_in_did_reload(server_factory, start_kernel, workdir: Path) -> None:
    path = workdir / "mathx.py"
    path.write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    await kernel.run("import mathx")
    client, rec = await server_factory({"reloadOnSave": False})
    kid = (await attach(client, rec, kernel))["id"]
    path.write_text("def scale(x):\n    return x * 5\n")
    result = await command(client, "hotswap.reloadModule", {"uri": from_fs_path(str(path))})
    [entry] = result["reports"]
    assert entry["kernel"] == kid
    assert [(m["name"], m["status"]) for m in entry["report"]["modules"]] == [("mathx", "reloaded")]
    assert await kernel.eval("mathx.scale(1)") == 5
    [done] = did_reloads(rec, kid)
    assert done["modules"][0]["name"] == "mathx" and done["modules"][0]["status"] == "reloaded"
    assert isinstance(done["durationMs"], float) and isinstance(done["modules"][0]["duration_ms"], float)
    assert (done["reloaded"], done["failed"], done["stale"]) == (1, 0, 0)

    # The same content again changes nothing.
    again = await command(client, "hotswap.reloadModule", {"uri": from_fs_path(str(path))})
    assert [m["status"] for m in again["reports"][0]["report"]["modules"]] == ["unchanged"]
    with pytest.raises(Exception, match="not a file URI"):
        await command(client, "hotswap.reloadModule", {"uri": "untitled:Untitled-1"})


async def test_attaching_to_a_kernel_that_ended_fails_clearly(server_factory, start_kernel, tmp_path: Path) -> None:
    kernel = await start_kernel()
    saved = tmp_path / "ended-kernel.json"
    saved.write_text(Path(kernel.connection_file).read_text())
    saved.chmod(0o600)
    await kernel.stop()
    client, rec = await server_factory()
    with pytest.raises(Exception, match="not running"):
        await command(client, "hotswap.attachKernel", {"connectionFile": str(saved)})
    assert any("not running" in m.message for m in rec.of(types.WINDOW_SHOW_MESSAGE))
    assert await command(client, "hotswap.listKernels") == []


async def test_registry_entry_others_can_write_is_not_used(server_factory, start_kernel, workdir: Path, env: dict) -> None:
    """An entry anyone could have written (pointing at a real kernel) is ignored; a private one is used."""
    from hotswap.kernel import registry

    exposed, trusted = await start_kernel(), await start_kernel()
    directory = str(Path(env["JUPYTER_RUNTIME_DIR"]) / "hotswap")
    bad = registry.write_entry(exposed.connection_file, pid=exposed.pid, cwd=str(workdir), directory=directory)
    os.chmod(bad, 0o666)
    client, rec = await server_factory()
    registry.write_entry(trusted.connection_file, pid=trusted.pid, cwd=str(workdir), directory=directory)
    await rec.wait_for(lambda: any(trusted.pid in pids for pids in kernel_pids(rec)), what="the private entry attached")
    assert [k["pid"] for k in await command(client, "hotswap.listKernels")] == [trusted.pid]
    assert all(exposed.pid not in pids for pids in kernel_pids(rec))


async def test_kernel_attached_by_command_stays_attached_across_a_restart(server_factory, start_kernel, workdir: Path) -> None:
    """"Restart Kernel" keeps the connection file: the server follows the new process."""
    (workdir / "mathx.py").write_text("def scale(x):\n    return x * 2\n")
    kernel = await start_kernel()
    client, rec = await server_factory()
    kid = (await attach(client, rec, kernel))["id"]
    old_pid = kernel.pid
    await kernel.km.restart_kernel(now=True)
    await kernel.kc.wait_for_ready(timeout=TIMEOUT)
    assert kernel.pid != old_pid
    await kernel.run("import sys, os; sys.path.insert(0, os.getcwd()); import mathx")
    await rec.wait_for(lambda: kernel_pids(rec) and kernel_pids(rec)[-1] == [kernel.pid], what="the new process learned")
    open_and_save(client, workdir / "mathx.py", "def scale(x):\n    return x * 3\n")
    await rec.wait_for(lambda: did_reloads(rec, kid), what="didReload in the restarted kernel")
    assert await kernel.eval("mathx.scale(1)") == 3
    assert not [m for m in rec.of(types.WINDOW_SHOW_MESSAGE) if "stopped" in m.message]


async def test_kernels_are_named_as_users_know_them_in_the_list_and_in_problems(server_factory, start_kernel, workdir: Path) -> None:
    """A kernel's registry entry says what it is; the server uses that name in the kernel list,
    the didReload notice and the Problems text ("recreate g in Hot Reload Console")."""
    (workdir / "greeter.py").write_text(GREETER_V1)
    client, rec = await server_factory()
    console = await start_kernel(extra_env={"HOTSWAP_KERNEL_LABEL": "Hot Reload Console"})
    plain = await start_kernel()
    for kernel in (console, plain):
        await kernel.run("%load_ext hotswap\nimport greeter\ng = greeter.Greeter('Ada')")
    await rec.wait_for(lambda: any(sorted(pids) == sorted([console.pid, plain.pid]) for pids in kernel_pids(rec)),
                       what="both kernels found in the registry")
    labels = {k["pid"]: k["label"] for k in await command(client, "hotswap.listKernels")}
    assert labels == {console.pid: "Hot Reload Console", plain.pid: f"kernel (pid {plain.pid})"}

    open_and_save(client, workdir / "greeter.py", GREETER_V2)
    await rec.wait_for(lambda: len([d for d in diagnostics_for(rec, workdir / "greeter.py") or [] if d.code == "stale-instance"]) == 2,
                       what="a stale warning per kernel")
    diags = [d for d in diagnostics_for(rec, workdir / "greeter.py") if d.code == "stale-instance"]
    related = sorted(d.related_information[0].message for d in diags)
    assert related == sorted(["changed here; recreate g in Hot Reload Console", f"changed here; recreate g in kernel (pid {plain.pid})"])
    # The diagnostics of both kernels can be published before the second didReload notice.
    await rec.wait_for(lambda: {p.get("label") for p in did_reloads(rec)} >= {"Hot Reload Console", f"kernel (pid {plain.pid})"},
                       what="a didReload naming each kernel as users know it")
