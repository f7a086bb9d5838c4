"""Fast checks of the server's pure parts: settings and globs, diagnostics merging."""

from __future__ import annotations

from lsprotocol import types

from hotswap.lsp.diagnostics import DiagnosticStore, summary, to_lsp
from hotswap.lsp.settings import Settings, glob_to_regex, parse


def test_globs_follow_editor_conventions() -> None:
    assert glob_to_regex("**/*.py").fullmatch("/w/pkg/mod.py")
    assert not glob_to_regex("src/*.py").fullmatch("src/pkg/mod.py")
    assert glob_to_regex("src/**/*.py").fullmatch("src/pkg/mod.py")
    assert glob_to_regex("src/{a,b}/*.py").fullmatch("src/b/x.py")
    assert glob_to_regex("test_*.py").fullmatch("/w/tests/test_x.py")  # no '/': a name anywhere


def test_settings_defaults_relative_globs_and_bad_values() -> None:
    settings, problems = parse({"hotswap": {"exclude": ["tests/**"], "reloadOnSave": "yes", "staleSeverity": "hint"}})
    assert problems == ["hotswap.reloadOnSave must be true or false, got 'yes'"]
    assert settings.reload_on_save is True and settings.stale_severity == "hint"
    assert settings.wants("/w/pkg/mod.py", ["/w"])
    assert not settings.wants("/w/tests/test_mod.py", ["/w"])
    assert not settings.wants("/w/pkg/data.json", ["/w"])
    assert not Settings().wants("/w/.venv/lib/python3.11/site-packages/x.py", ["/w"])
    same, problems = parse({"include": 3}, settings)
    assert same.include == settings.include and "include" in problems[0]


def _diag(file: str, code: str, line: int = 1) -> dict:
    return {"file": file, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 4}},
            "severity": "warning" if code.startswith("stale") else "error", "code": code, "message": code, "names": ["g"]}


def test_reload_replaces_mentioned_files_and_stale_replaces_only_stale_codes() -> None:
    store = DiagnosticStore()
    touched = store.apply_reload("k1", {"modules": [{"file": "/w/a.py"}], "diagnostics": [_diag("/w/a.py", "stale-instance"), _diag("/w/b.py", "syntax-error")]})
    assert {t.rsplit("/", 1)[1] for t in touched} == {"a.py", "b.py"}
    store.apply_reload("k2", {"modules": [], "diagnostics": [_diag("/w/a.py", "stale-closure")]})
    uri, merged = store.merged(next(t for t in touched if t.endswith("a.py")), {"k1": "kernel one"}, "warning")
    assert uri == "file:///w/a.py" and sorted(d.code for d in merged) == ["stale-closure", "stale-instance"]
    # A stale refresh from k1 with nothing stale: k1's stale warning goes, its syntax error and k2's warning stay.
    store.apply_stale("k1", {"modules": [], "diagnostics": []})
    keys = {k.rsplit("/", 1)[1]: k for k in store.all_files()}
    assert [d.code for d in store.merged(keys["a.py"], {}, "warning")[1]] == ["stale-closure"]
    assert [d.code for d in store.merged(keys["b.py"], {}, "warning")[1]] == ["syntax-error"]
    assert store.drop_source("k2") == {keys["a.py"]}
    assert store.merged(keys["a.py"], {}, "warning")[1] == []


def test_lsp_diagnostic_fields() -> None:
    d = to_lsp(_diag("/w/a.py", "stale-instance", 4), "kernel k (pid 7)", "information")
    assert d.severity == types.DiagnosticSeverity.Information and d.source == "hotswap"
    assert d.code_description.href == "https://github.com/hotswap-dev/hotswap/blob/main/docs/diagnostics.md#stale-instance"
    assert d.related_information[0].location.range.start.line == 4
    assert "recreate g in kernel k (pid 7)" in d.related_information[0].message
    assert to_lsp(_diag("/w/a.py", "syntax-error"), "k", "hint").severity == types.DiagnosticSeverity.Error
    s = summary({"duration_ms": 2.5, "modules": [{"name": "a", "status": "reloaded", "duration_ms": 2.0}, {"name": "b", "status": "failed"}],
                 "diagnostics": [_diag("/w/a.py", "stale-instance")]})
    assert (s["reloaded"], s["failed"], s["stale"], s["durationMs"]) == (1, 1, 1, 2.5)


def test_the_servers_own_watcher_skips_folders_without_user_modules_and_is_bounded(tmp_path) -> None:
    from hotswap.lsp.watch import watched_dirs

    for folder in ("pkg/sub", ".git/objects", ".venv/lib", "node_modules/x", "env2/lib", "pkg/__pycache__"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "env2" / "pyvenv.cfg").write_text("home = /usr\n")
    assert list(watched_dirs([str(tmp_path)])) == [str(tmp_path), str(tmp_path / "pkg"), str(tmp_path / "pkg" / "sub")]
    assert len(list(watched_dirs([str(tmp_path)], limit=2))) == 2


async def test_content_a_kernel_already_got_is_not_sent_to_it_again(tmp_path) -> None:
    """The file watcher and the editor race: a disk change seen after the save that wrote it, or
    a save of content already sent, must not cost the kernel a second (empty) reload."""
    from types import SimpleNamespace

    from hotswap.lsp.server import HotswapServer

    server = HotswapServer()
    sent: list[list[str]] = []
    answer: dict = {"modules": []}

    async def reload(kernel, *, paths=(), modules=()):
        sent.append(list(paths))
        return answer

    server.reload = reload  # type: ignore[method-assign]
    kernel = SimpleNamespace(id="k1", restarts=0)
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("X = 1\n")
    b.write_text("Y = 1\n")
    await server.reload_saved(kernel, [str(a), str(b)])
    await server.reload_saved(kernel, [str(a)])  # same content again: nothing to send
    a.write_text("X = 2\n")
    await server.reload_saved(kernel, [str(a), str(b)])  # only the changed file
    assert sent == [[str(a), str(b)], [str(a)]]

    a.write_text("X = 3\n")
    answer = None  # the kernel did not answer (died, access denied): not delivered
    await server.reload_saved(kernel, [str(a)])
    answer = {"modules": []}
    await server.reload_saved(kernel, [str(a)])  # so the same content is sent again
    kernel.restarts = 1
    await server.reload_saved(kernel, [str(b)])  # a restarted kernel imported afresh
    assert sent[2:] == [[str(a)], [str(a)], [str(b)]]


def test_kernel_status_changes_in_one_place_and_each_change_is_announced() -> None:
    from hotswap.lsp.kernel_state import KernelState
    from hotswap.lsp.kernels import KernelFacts

    facts = KernelFacts(id="k", connection_file="")
    state = KernelState(facts)
    seen: list[str] = []
    state.on_change = lambda: seen.append(facts.status)
    state.executing("busy", announce=False)  # our own request: not news, but the state follows
    assert facts.status == "busy" and seen == []
    state.executing("idle")
    state.access_denied()
    state.executing("busy")  # a cell runs, but the kernel is still out of reach
    assert facts.status == "no-access"
    state.has_hotswap()  # access granted again: shown at once, as what the kernel does now
    assert seen == ["idle", "no-access", "busy"]
    state.hotswap_missing()
    state.may_have_hotswap()
    state.process_ended()
    assert seen[-3:] == ["no-hotswap", "busy", "starting"] and state.execution == "starting"
    state.died()
    state.has_hotswap()  # a late answer from a closed kernel
    assert facts.status == "dead" and seen[-1] == "dead"


def test_the_server_reads_the_progress_lines_the_kernel_writes() -> None:
    from hotswap.kernel.progress import PREFIX
    from hotswap.lsp.kernels import PROGRESS_PREFIX

    assert PROGRESS_PREFIX == PREFIX  # two copies, so that the server does not load the engine
