"""Every %autoreload / %aimport form, over a real IPython shell, as a user would type them."""

from __future__ import annotations

import io
import logging
import os
import sys

import pytest

from hotswap.ipython.magics import HotswapMagics

from shell_support import Workspace


def test_load_ext_turns_on_mode_2_and_new_code_runs(loaded: Workspace) -> None:
    m = loaded.module("def f():\n    return 1\n")
    loaded.run(f"import {m}")
    assert loaded.run(f"{m}.f()") == 1
    loaded.write(m, "def f():\n    return 2\n")
    assert loaded.run(f"{m}.f()") == 2


def test_from_import_function_is_updated(loaded: Workspace) -> None:
    m = loaded.module("def f():\n    return 'old'\n")
    loaded.run(f"from {m} import f")
    loaded.write(m, "def f():\n    return 'new'\n")
    assert loaded.run("f()") == "new"


def test_load_ext_adds_no_user_names(ws: Workspace) -> None:
    before = set(ws.shell.user_ns)
    ws.run("%load_ext hotswap")
    assert set(ws.shell.user_ns) - before - {"_i", "_ii", "_iii", "_i1", "_i2", "_ih", "_oh", "_dh"} == set()


@pytest.mark.parametrize("line, mode", [
    ("0", 0), ("off", 0), ("1", 1), ("explicit", 1), ("2", 2), ("all", 2), ("3", 3), ("complete", 3),
    ("2 # turn it on", 2), ("ALL", 2), ("2-", 2), ("1 --full", 1),
])
def test_modes_and_aliases(loaded: Workspace, line: str, mode: int) -> None:
    loaded.run("%autoreload 0")
    loaded.run(f"%autoreload {line}")
    magics = loaded.shell.magics_manager.registry["HotswapMagics"]
    assert magics.mode() == mode


def test_mode_0_does_not_reload(loaded: Workspace) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload off")
    loaded.write(m, "X = 2\n")
    assert loaded.run(f"{m}.X") == 1


def test_no_argument_and_now_reload_immediately(loaded: Workspace) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload 0")
    loaded.write(m, "X = 2\n")
    loaded.run("%autoreload")
    assert loaded.ns(m).X == 2
    loaded.write(m, "X = 3\n")
    loaded.run("%autoreload now")
    assert loaded.ns(m).X == 3


def test_mode_1_reloads_only_aimported(loaded: Workspace) -> None:
    a = loaded.module("X = 1\n")
    b = loaded.module("X = 1\n")
    loaded.run("%autoreload 1")
    loaded.run(f"%aimport {a}")
    loaded.run(f"import {b}")
    loaded.write(a, "X = 2\n")
    loaded.write(b, "X = 2\n")
    assert loaded.run(f"({a}.X, {b}.X)") == (2, 1)


def test_unknown_mode_is_a_value_error(loaded: Workspace) -> None:
    with pytest.raises(ValueError, match='Unrecognized autoreload mode "sometimes"'):
        loaded.run("%autoreload sometimes")


def test_print_flag_reports_reloads(loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload -p 2")
    loaded.write(m, "X = 2\n")
    loaded.run("pass")
    assert f"Reloading '{m}'." in capsys.readouterr().out
    loaded.run("%autoreload --print all")
    loaded.write(m, "X = 3\n")
    loaded.run("pass")
    assert f"Reloading '{m}'." in capsys.readouterr().out
    loaded.run("%autoreload 2")
    loaded.write(m, "X = 4\n")
    loaded.run("pass")
    assert "Reloading" not in capsys.readouterr().out


@pytest.mark.parametrize("flag", ["-l", "--log"])
def test_log_flag_logs_at_info(loaded: Workspace, caplog: pytest.LogCaptureFixture, flag: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run(f"%autoreload {flag} 2")
    loaded.write(m, "X = 2\n")
    with caplog.at_level(logging.INFO, logger="autoreload"):
        loaded.run("pass")
    assert f"Reloading '{m}'." in [r.getMessage() for r in caplog.records if r.name == "autoreload"]
    assert "Reloading" not in capsys.readouterr().out


def test_failed_reload_message_once_per_change_and_old_code_keeps_running(
        loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("def f():\n    return 1\n")
    loaded.run(f"import {m}")
    loaded.write(m, "def f(:\n    return 2\n")
    assert loaded.run(f"{m}.f()") == 1
    err = capsys.readouterr().err
    assert err.count(f"[autoreload of {m} failed: ") == 1
    assert "SyntaxError" in err and f"({m}.py:1)" in err
    assert loaded.run(f"{m}.f()") == 1
    assert "autoreload of" not in capsys.readouterr().err
    loaded.write(m, "def f():\n    return 3\n")
    assert loaded.run(f"{m}.f()") == 3


def test_hide_errors(loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("def f():\n    return 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload --hide-errors 2")
    loaded.write(m, "def f(:\n")
    assert loaded.run(f"{m}.f()") == 1
    assert "autoreload of" not in capsys.readouterr().err


def test_aimport_listing(loaded: Workspace) -> None:
    a = loaded.module("X = 1\n")
    b = loaded.module("X = 1\n")
    magics = loaded.shell.magics_manager.registry["HotswapMagics"]
    out = io.StringIO()
    magics.aimport("", stream=out)
    assert out.getvalue() == "Modules to reload:\nall-except-skipped\n\nModules to skip:\n\n"
    loaded.run("%autoreload 1")
    loaded.run(f"%aimport {b}, {a}")
    loaded.run("%aimport -json")
    out = io.StringIO()
    magics.aimport("", stream=out)
    assert out.getvalue() == f"Modules to reload:\n{' '.join(sorted([a, b]))}\n\nModules to skip:\njson\n"


def test_aimport_binds_top_package_and_alias(loaded: Workspace) -> None:
    loaded.write("pkgx.__init__", "")
    loaded.write("pkgx.sub", "Y = 5\n")
    loaded.run("%aimport pkgx.sub")
    assert loaded.ns("pkgx").sub.Y == 5
    loaded.run("%aimport pkgx.sub as s")
    assert loaded.ns("s").Y == 5
    m = loaded.module("Z = 1\n")
    loaded.run(f"%aimport {m} as short")
    assert loaded.ns("short").Z == 1


def test_aimport_skip_then_unskip(loaded: Workspace) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run(f"%aimport -{m}")
    loaded.write(m, "X = 2\n")
    assert loaded.run(f"{m}.X") == 1
    loaded.run(f"%aimport {m}")
    loaded.write(m, "X = 3\n")
    assert loaded.run(f"{m}.X") == 3


def test_aimport_missing_module_is_an_import_error(loaded: Workspace) -> None:
    with pytest.raises(ImportError):
        loaded.run("%aimport no_such_module_anywhere")


def test_library_modules_are_checked_only_when_named(loaded: Workspace) -> None:
    """Site-packages and the standard library are not watched unless the user names them."""
    import json

    magics = loaded.shell.magics_manager.registry["HotswapMagics"]
    json_file = os.path.realpath(json.__file__)
    assert json_file not in magics.watcher.files
    loaded.run("%aimport json")
    assert magics.watcher.explicit["json"] == json_file
    assert json_file in magics.watcher.files


def test_mode_3_pushes_new_names_for_tracked_from_imports(loaded: Workspace) -> None:
    m = loaded.module("def old():\n    return 1\n")
    loaded.run("%autoreload 3")
    loaded.run(f"from {m} import old")
    with pytest.raises(ImportError):
        loaded.run(f"from {m} import fresh")
    loaded.write(m, "def old():\n    return 1\ndef fresh():\n    return 'fresh'\nUNTRACKED = 1\n")
    assert loaded.run("fresh()") == "fresh"
    assert "UNTRACKED" not in loaded.shell.user_ns


def test_mode_3_star_import(loaded: Workspace) -> None:
    m = loaded.module("A = 1\n")
    loaded.run("%autoreload complete")
    loaded.run(f"from {m} import *")
    loaded.write(m, "A = 1\nB = 2\n")
    assert loaded.run("B") == 2


def test_mode_3_rebinds_from_import_of_changed_constant(loaded: Workspace) -> None:
    m = loaded.module("LIMIT = 10\n")
    loaded.run("%autoreload 3")
    loaded.run(f"from {m} import LIMIT as lim")
    loaded.write(m, "LIMIT = 20\n")
    assert loaded.run("lim") == 20


def test_rename_save_is_detected(loaded: Workspace) -> None:
    """Editors save by writing a temp file and renaming it over the module."""
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    tmp = loaded.root / f".{m}.py.tmp"
    tmp.write_text("X = 2\n")
    os.replace(tmp, loaded.root / f"{m}.py")
    assert loaded.run(f"{m}.X") == 2


def test_hotswap_status_magic(loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.write(m, "X = 2\n")
    loaded.run("pass")
    capsys.readouterr()
    loaded.run("%hotswap")
    out = capsys.readouterr().out
    assert "autoreload mode 2" in out
    assert "Watching" in out and "modules" in out and m in out
    assert f"{m}: reloaded in " in out and " ms" in out


def test_class_is_usable_like_ipythons(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    """Embedders build the class themselves and call its methods directly."""
    magics = HotswapMagics(shell=ws.shell)
    try:
        assert magics.mode() == 0
        m = ws.module("X = 1\n")
        ws.run(f"import {m}")
        magics.autoreload("2")
        magics.post_execute_hook()
        ws.write(m, "X = 2\n")
        magics.pre_run_cell()
        assert ws.ns(m).X == 2
        out = io.StringIO()
        magics.aimport("", stream=out)
        assert "all-except-skipped" in out.getvalue()
    finally:
        magics.stop()


def test_unload_stops_reloading(loaded: Workspace) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%unload_ext hotswap")
    loaded.write(m, "X = 2\n")
    assert loaded.run(f"{m}.X") == 1


def test_event_path_reloads_only_nominated_files(loaded: Workspace) -> None:
    """With many watched files the check relies on file events: a save is picked up once its
    event arrives, and files nobody touched are not even looked at."""
    from shell_support import wait_for

    magics = loaded.shell.magics_manager.registry["HotswapMagics"]
    if not magics.watcher.watching:
        pytest.skip("watchdog not running")
    magics.watcher.stat_all_limit = 0
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    path = str((loaded.root / f"{m}.py").resolve())
    # let the import's stamp age so that only the event can tell the save apart
    assert wait_for(lambda: not (magics.watcher.changed() or magics.watcher._racy))
    magics.watcher._hot.clear()
    loaded.write(m, "X = 22\n")
    assert wait_for(lambda: path in magics.watcher._pending), "no file event for the save"
    assert loaded.run(f"{m}.X") == 22


def test_takes_over_from_ipythons_autoreload(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    """`%load_ext autoreload` in startup commands plus ours must not reload twice."""
    m = ws.module("X = 1\n")
    ws.run("%load_ext autoreload")
    ws.run("%autoreload 1 -p")
    ws.run(f"%aimport {m}")
    ws.run("%load_ext hotswap")
    magics = ws.shell.magics_manager.registry["HotswapMagics"]
    assert magics.mode() == 1 and m in magics.modules
    ipython_hooks = [f for f in ws.shell.events.callbacks["pre_run_cell"]
                     if type(getattr(f, "__self__", None)).__name__ == "AutoreloadMagics"]
    assert ipython_hooks == []
    ws.write(m, "X = 2\n")
    capsys.readouterr()
    assert ws.run(f"{m}.X") == 2
    assert capsys.readouterr().out.count(f"Reloading '{m}'.") == 1


def test_without_watchdog_file_times_are_checked(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "watchdog", None)
    monkeypatch.setitem(sys.modules, "watchdog.observers", None)
    ws.run("%load_ext hotswap")
    magics = ws.shell.magics_manager.registry["HotswapMagics"]
    assert not magics.watcher.watching
    assert "file times" in magics.watcher.describe()
    m = ws.module("X = 1\n")
    ws.run(f"import {m}")
    ws.write(m, "X = 2\n")
    assert ws.run(f"{m}.X") == 2


def test_class_works_over_a_minimal_embedding_shell(ws: Workspace) -> None:
    """Embedders (like IPython's own tests) hand the class a shell with just a namespace and
    ``push``; everything it needs must come from those."""

    class Shell:
        def __init__(self) -> None:
            self.user_ns: dict[str, object] = {}
            self.user_ns_hidden: dict[str, object] = {}

        def push(self, items: dict[str, object]) -> None:
            self.user_ns.update(items)

    shell = Shell()
    magics = HotswapMagics(shell=shell)
    try:
        m = ws.module("X = 1\n")
        magics.autoreload("2")
        magics.aimport(m)
        assert shell.user_ns[m].X == 1  # type: ignore[attr-defined]
        magics.post_execute_hook()
        ws.write(m, "X = 2\n")
        magics.pre_run_cell()
        assert shell.user_ns[m].X == 2  # type: ignore[attr-defined]
    finally:
        magics.stop()


def test_folders_beyond_the_watch_limit_are_polled(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotswap.ipython import watcher

    monkeypatch.setattr(watcher, "MAX_FOLDERS", 0)
    ws.run("%load_ext hotswap")
    magics = ws.shell.magics_manager.registry["HotswapMagics"]
    magics.watcher.stat_all_limit = 0
    m = ws.module("X = 1\n")
    ws.run(f"import {m}")
    assert str(ws.root.resolve()) in magics.watcher.unwatched_folders
    ws.write(m, "X = 2\n")
    assert ws.run(f"{m}.X") == 2


def test_stop_then_start_watches_again(ws: Workspace) -> None:
    magics = HotswapMagics(shell=ws.shell)
    try:
        m = ws.module("X = 1\n")
        ws.run(f"import {m}")
        magics.autoreload("2")
        magics.stop()
        magics.autoreload("2")
        ws.write(m, "X = 2\n")
        magics.pre_run_cell()
        assert ws.ns(m).X == 2
    finally:
        magics.stop()


def test_print_and_log_together(loaded: Workspace, caplog: pytest.LogCaptureFixture,
                                capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload -p -l all")
    loaded.write(m, "X = 2\n")
    with caplog.at_level(logging.INFO, logger="autoreload"):
        loaded.run("pass")
    assert f"Reloading '{m}'." in capsys.readouterr().out
    assert f"Reloading '{m}'." in [r.getMessage() for r in caplog.records if r.name == "autoreload"]


def test_flags_alone_mean_now(loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload off")
    loaded.write(m, "X = 2\n")
    loaded.run("%autoreload -p")
    assert loaded.ns(m).X == 2
    assert f"Reloading '{m}'." in capsys.readouterr().out


def test_comment_after_the_mode_is_ignored_not_the_mode(loaded: Workspace) -> None:
    """IPython issue #13915: `%autoreload 2 # comment` must turn reloading on."""
    m = loaded.module("X = 1\n")
    loaded.run(f"import {m}")
    loaded.run("%autoreload 0")
    loaded.run("%autoreload 2  # reload before every cell")
    loaded.write(m, "X = 2\n")
    assert loaded.run(f"{m}.X") == 2
    loaded.run("%autoreload off # pause")
    loaded.write(m, "X = 3\n")
    assert loaded.run(f"{m}.X") == 2
    loaded.run("%autoreload 1")
    loaded.run(f"%aimport {m}  # keep this one fresh")
    assert loaded.run(f"{m}.X") == 3


def test_exception_while_reloading_stays_out_of_the_cell(loaded: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    """Module code that raises during a reload: the cell runs with the old code and one line says why."""
    m = loaded.module("def f():\n    return 'old'\n")
    loaded.run(f"import {m}")
    loaded.write(m, "def f():\n    return 'new'\nraise RuntimeError('database unreachable')\n")
    assert loaded.run(f"{m}.f()") == "old"
    err = capsys.readouterr().err
    assert err.count(f"[autoreload of {m} failed: ") == 1 and "database unreachable" in err
    assert loaded.run(f"{m}.f()") == "old"
    assert "autoreload of" not in capsys.readouterr().err


def test_aimport_of_a_missing_module_changes_no_list(loaded: Workspace) -> None:
    loaded.run("%autoreload 1")
    with pytest.raises(ImportError, match="no_such_module_anywhere"):
        loaded.run("%aimport no_such_module_anywhere")
    out = io.StringIO()
    loaded.shell.magics_manager.registry["HotswapMagics"].aimport("", stream=out)
    assert "no_such_module_anywhere" not in out.getvalue()


def _changes_by(loaded: Workspace, by_events: bool) -> None:
    """Let the watcher find changes by its file events only (skip where watchdog cannot run),
    or by looking at every file's stamp."""
    magics = loaded.shell.magics_manager.registry["HotswapMagics"]
    if by_events:
        if not magics.watcher.watching:
            pytest.skip("watchdog not running")
        magics.watcher.stat_all_limit = 0


@pytest.mark.parametrize("by_events", [False, True], ids=["stat", "events"])
def test_change_left_alone_by_the_mode_is_reloaded_once_allowed(loaded: Workspace, by_events: bool) -> None:
    """As in IPython: a module edited while mode 1 (or %aimport -m) leaves it alone gets the
    edit when it is allowed again, even if cells ran in between."""
    _changes_by(loaded, by_events)
    a, b = loaded.module("X = 1\n"), loaded.module("X = 1\n")
    loaded.run(f"import {a}, {b}")
    loaded.run("%autoreload 1")
    loaded.run(f"%aimport -{b}")
    loaded.write(a, "X = 2\n")
    loaded.write(b, "X = 2\n")
    for _ in range(3):
        assert loaded.run(f"({a}.X, {b}.X)") == (1, 1)
    loaded.run("%autoreload 2")
    assert loaded.run(f"({a}.X, {b}.X)") == (2, 1)
    loaded.run(f"%aimport {b}")
    assert loaded.run(f"({a}.X, {b}.X)") == (2, 2)


@pytest.mark.parametrize("by_events", [False, True], ids=["stat", "events"])
def test_deleted_files_left_alone_by_the_mode_cost_one_grace_then_none(
        loaded: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], by_events: bool) -> None:
    """A deleted module file is given a moment in case an editor is saving it; once found gone
    while mode 1 leaves the module alone, later cells do not wait for it again."""
    from hotswap.ipython import watcher

    _changes_by(loaded, by_events)
    a, b = loaded.module("X = 1\n"), loaded.module("X = 1\n")
    loaded.run(f"import {a}, {b}")
    loaded.run("%autoreload 1")
    graces: list[float] = []
    real_sleep = watcher.time.sleep
    monkeypatch.setattr(watcher.time, "sleep",
                        lambda s: (graces.append(s) if s == watcher.MISSING_GRACE else None, real_sleep(s))[1])
    (loaded.root / f"{a}.py").unlink()
    (loaded.root / f"{b}.py").unlink()
    assert loaded.run(f"({a}.X, {b}.X)") == (1, 1)
    assert graces == [watcher.MISSING_GRACE]  # both files, one wait
    for _ in range(3):
        assert loaded.run(f"({a}.X, {b}.X)") == (1, 1)
    assert graces == [watcher.MISSING_GRACE]
    # still held, not forgotten: allowed again, the deletion is reloaded and the user told
    capsys.readouterr()
    loaded.run("%autoreload 2")
    loaded.run("pass")
    err = capsys.readouterr().err
    assert f"[autoreload of {a} failed:" in err and f"[autoreload of {b} failed:" in err
