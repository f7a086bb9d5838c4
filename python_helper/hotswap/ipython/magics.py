"""``%autoreload``, ``%aimport`` and ``%hotswap``: IPython's autoreload interface over the
hotswap engine.

The class mirrors IPython's ``AutoreloadMagics`` (built as ``Cls(shell=shell)``, with
``autoreload(line)``, ``aimport(line, stream=None)``, ``pre_run_cell(info=None)`` and
``post_execute_hook()``) so users keep their habits and tools that embed IPython's class can
swap this one in. What differs is underneath: changes are found by file events instead of
``stat``ing every module before every cell, and the engine patches code in place and reports
the objects it could not update.
"""

from __future__ import annotations

import argparse
import ast
import logging
import shlex
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, TextIO, TypeVar

from IPython.core import magic_arguments
from IPython.core.magic import Magics, line_magic, magics_class

from ..kernel import activity, engine_api
from .status import format_status, where
from .watcher import ModuleWatcher, listener_for

MODE_NAMES = {0: "off", 1: "explicit", 2: "all", 3: "complete"}
_MODES = {"0": 0, "off": 0, "1": 1, "explicit": 1, "2": 2, "all": 2, "3": 3, "complete": 3}
log = logging.getLogger("autoreload")

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

_F = TypeVar("_F", bound=Callable[..., Any])


class _Decorator(Protocol):
    def __call__(self, func: _F, /) -> _F: ...


# IPython's magic_arguments module has no annotations. Its decorators return the function they
# are given (they attach the argument parser to it), which these typed names state once.
_magic_arguments: Callable[[], _Decorator] = magic_arguments.magic_arguments
_argument: Callable[..., _Decorator] = magic_arguments.argument
_parse_argstring: Callable[[Callable[..., Any], str], argparse.Namespace] = magic_arguments.parse_argstring


def _line_magic(func: _F) -> _F:
    """IPython's ``@line_magic`` used bare. It returns the method it is given, but its
    annotation also covers the ``@line_magic("name")`` form, so its result is typed as a union."""
    line_magic(func)
    return func


def _strip_comment(line: str) -> str:
    """``%autoreload 2 # comment`` means mode 2 (IPython rejects or ignores the comment)."""
    if "#" not in line:
        return line
    try:
        return shlex.join(shlex.split(line, comments=True))
    except ValueError:
        return line


class ImportTracker:
    """``from m import x [as y]`` statements seen in cells, for mode 3 (complete)."""

    def __init__(self) -> None:
        self.names: dict[str, dict[str, set[str]]] = {}  # module -> imported name -> bound names

    def track_code(self, code: str) -> None:
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                per = self.names.setdefault(node.module, {})
                for alias in node.names:
                    per.setdefault(alias.name, set()).add(alias.asname or alias.name)

    def bindings(self, module: str, module_names: Any) -> dict[str, str]:
        """``{bound name in user namespace: name in module}`` for a reloaded module."""
        per = self.names.get(module)
        if not per:
            return {}
        out: dict[str, str] = {}
        if "*" in per:
            public = getattr(module_names, "get", lambda k, d=None: d)("__all__")
            for name in (public if isinstance(public, (list, tuple)) else [n for n in module_names if not n.startswith("_")]):
                out[name] = name
        for name, bound in per.items():
            if name != "*":
                for b in bound:
                    out[b] = name
        return out


@magics_class
class HotswapMagics(Magics, activity.FrontEnd):
    """Drop-in for IPython's ``AutoreloadMagics``, backed by the hotswap engine."""

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self.enabled = False  # like IPython's class: off until %autoreload turns it on
        self.check_all = False  # modes 2/3: all user modules, not only %aimport-ed ones
        self.autoload_obj = False  # mode 3: push new names into the user namespace
        self.hide_errors = False
        self.quiet_stale = False  # '--quiet-stale': no stderr line per stale object after a reload
        self._stale_shown: set[tuple[str, str, str]] = set()  # stale warnings already printed
        self.full = False  # '--full' / '2-': accepted for compatibility; the engine always patches
        self.modules: dict[str, bool] = {}  # %aimport-ed: reload in mode 1
        self.skip_modules: dict[str, bool] = {}  # %aimport -m: never reload
        self._report: Callable[[str], None] = lambda msg: None
        self.imports = ImportTracker()
        self.watcher = ModuleWatcher()
        self._listener = listener_for(self.watcher)
        self._last_execution_info: Any = None
        self.started = False

    # --------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Start watching files (called by the extension; embedders may call it too)."""
        if not self.started:
            self.started = True
            self.watcher.start()
            activity.listeners.append(self._listener)

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.watcher.stop()
            try:
                activity.listeners.remove(self._listener)
            except ValueError:
                pass

    def _user_shell(self) -> InteractiveShell:
        """The shell IPython registered these magics with (it always passes one)."""
        assert self.shell is not None, "hotswap magics need an IPython shell"
        return self.shell

    def _push(self, variables: dict[str, Any]) -> None:
        """Bind names in the user namespace (IPython's ``push`` has no annotations)."""
        push: Callable[[dict[str, Any]], None] = self._user_shell().push
        push(variables)

    def _ensure_started(self) -> None:
        if not self.started:
            self.start()

    # ---------------------------------------------------------- FrontEnd (status)
    def mode(self) -> Optional[int]:
        if not self.enabled:
            return 0
        return 3 if self.autoload_obj else (2 if self.check_all else 1)

    def watched(self) -> int:
        return self.watcher.count

    # ------------------------------------------------------------------ magics
    @_line_magic
    @_magic_arguments()
    @_argument(
        "mode", type=str, default="now", nargs="?",
        help="""blank or 'now' - reload changed modules now (except those skipped with %%aimport).
        '0' or 'off' - disable automatic reloading.
        '1' or 'explicit' - reload only modules imported with %%aimport before each cell.
        '2' or 'all' - reload changed user modules (and %%aimport-ed ones) before each cell.
        '3' or 'complete' - like 2/all, and also put names newly added to a module into the
        namespace for names imported with 'from module import ...'.
        A '-' suffix (e.g. '2-') is accepted for compatibility and changes nothing: hotswap
        always patches code in place.""")
    @_argument("-p", "--print", action="store_true", default=False,
                              help="Show autoreload activity using `print` statements")
    @_argument("-l", "--log", action="store_true", default=False,
                              help="Show autoreload activity using the logger")
    @_argument("--hide-errors", action="store_true", default=False, help="Hide autoreload errors")
    @_argument("--quiet-stale", action="store_true", default=False,
               help="Do not print a line to stderr for each object a reload left stale (see %%hotswap)")
    @_argument("--full", action="store_true", default=False,
                              help="Accepted for compatibility; hotswap always patches in place")
    def autoreload(self, line: str = "") -> None:
        """%autoreload [mode] [-p] [-l] [--hide-errors] [--quiet-stale]: reload modules automatically.

        Modes: now (default), 0|off, 1|explicit, 2|all, 3|complete. See ``%autoreload?``.
        """
        args = _parse_argstring(self.autoreload, _strip_comment(line))
        mode = args.mode.lower()
        self.full = bool(args.full)
        if mode.endswith("-"):
            self.full = True
            mode = mode[:-1]
        if mode not in _MODES and mode not in ("", "now"):
            raise ValueError(f'Unrecognized autoreload mode "{mode}".')

        def log_info(msg: str) -> None:
            log.info(msg)

        def both(msg: str) -> None:
            print(msg)
            log.info(msg)

        if args.print and args.log:
            self._report = both
        elif args.print:
            self._report = print
        elif args.log:
            self._report = log_info
        else:
            self._report = lambda msg: None
        self.hide_errors = bool(args.hide_errors)
        self.quiet_stale = bool(args.quiet_stale)

        self._ensure_started()
        if mode in ("", "now"):
            self.check(everything=True, force=True)
            return
        number = _MODES[mode]
        self.enabled = number > 0
        if number:
            self.check_all = number >= 2
            self.autoload_obj = number == 3

    @_line_magic
    def aimport(self, parameter_s: str = "", stream: Optional[TextIO] = None) -> None:
        """%aimport [mod[, -mod2, mod3 as alias]]: mark modules to reload (or skip) and import them.

        Without arguments, lists the modules to reload and to skip.
        """
        modname = parameter_s.split("#", 1)[0].strip()  # module names never contain '#'
        if not modname:
            out = stream if stream is not None else sys.stdout
            if self.check_all:
                out.write("Modules to reload:\nall-except-skipped\n")
            else:
                out.write("Modules to reload:\n%s\n" % " ".join(sorted(self.modules)))
            out.write("\nModules to skip:\n%s\n" % " ".join(sorted(self.skip_modules)))
            return
        self._ensure_started()
        import importlib

        for item in [part.strip() for part in modname.split(",")]:
            if not item:
                continue
            if item.startswith("-"):
                name = item[1:].strip()
                self.modules.pop(name, None)
                self.skip_modules[name] = True
                continue
            if " as " in item:
                real_name, alias = [p.strip() for p in item.split(" as ", 1)]
            else:
                real_name, alias = item, None
            module = importlib.import_module(real_name)  # ImportError for a missing module, lists untouched
            self.skip_modules.pop(real_name, None)
            self.modules[real_name] = True
            self.watcher.watch_module(real_name)
            if alias:
                self._push({alias: module})
            else:
                top = real_name.split(".")[0]
                self._push({top: sys.modules[top]})

    @_line_magic
    def hotswap(self, line: str = "") -> None:
        """%hotswap: what hot reload is doing (mode, watched modules, recent reloads with
        timings, objects left stale that should be recreated)."""
        try:
            report = engine_api.stale(self._user_shell().user_ns)
            stale = report.get("diagnostics", [])
        except Exception as exc:  # status must show even when the engine is unhappy
            stale = []
            print(f"(could not re-check stale objects: {exc})", file=sys.stderr)
        print(format_status(self.mode(), self.watcher.describe(), list(activity.recent),
                            [d for d in stale if activity.is_stale(d)],
                            list(self.watcher.module_file)))

    # ------------------------------------------------------------------- hooks
    def pre_run_cell(self, info: Any = None) -> None:
        """Before each cell: reload the modules whose files changed. Never raises."""
        self._last_execution_info = info
        if not self.enabled:
            return
        try:
            self.check()
        except Exception:
            pass

    def post_execute_hook(self) -> None:
        """After each cell: start watching modules the cell imported; note from-imports (mode 3)."""
        try:
            if self.enabled and self.autoload_obj:
                info = self._last_execution_info
                code = getattr(info, "transformed_cell", None) or getattr(info, "raw_cell", None)
                if code:
                    self.imports.track_code(code)
            if self.started:
                self.watcher.scan()
        except Exception:
            pass

    # ---------------------------------------------------------------- reloading
    def check(self, *, everything: bool = False, force: bool = False) -> None:
        """Reload changed modules allowed by the mode; ``force`` ignores the mode (``now``)."""
        if not self.started:
            return
        changed = self.watcher.changed(everything=everything)
        if not changed:
            return
        names: list[str] = []
        files: list[str] = []
        held: list[str] = []
        for name, real in changed:
            if name not in sys.modules:
                continue
            if name in self.skip_modules or (not force and not self.check_all and name not in self.modules):
                held.append(real)  # IPython reloads such a change once the module is allowed again
                continue
            names.append(name)
            files.append(real)
        self.watcher.hold(f for f in held if f not in files)
        if not names:
            return
        for name in names:
            self._report(f"Reloading '{name}'.")
        before = self._tracked_values(names) if self.autoload_obj else {}
        try:
            # the watcher watches library modules only when the user %aimport-ed them by name
            report = engine_api.reload(modules=names, namespace=self._user_shell().user_ns, source="autoreload",
                                       force=True)
        except Exception as exc:  # an engine bug: one line, old code keeps running
            report = {"modules": [{"name": n, "status": "failed", "error": f"{type(exc).__name__}: {exc}"} for n in names]}
        finally:
            self.watcher.mark_current(files)
        if not self.hide_errors:
            for m in report.get("modules", []):
                if m.get("status") == "failed":
                    print(f"[autoreload of {m.get('name')} failed: {_failure_text(m, report)}]", file=sys.stderr)
        if report.get("interrupted"):
            raise KeyboardInterrupt  # the user interrupted: the cell does not run either
        if self.autoload_obj:
            self._push_new_names(report, before)
        self._show_stale(report)

    def _show_stale(self, report: dict[str, Any]) -> None:
        """One stderr line per object the reload left stale: without an editor, the cell's
        output is where the user looks. A warning is printed once while it stays the same."""
        current: set[tuple[str, str, str]] = set()
        for d in report.get("diagnostics", []):
            if not activity.is_stale(d):
                continue
            key = (str(d.get("code")), str(d.get("file")), str(d.get("message")))
            current.add(key)
            if key in self._stale_shown or self.quiet_stale:
                continue
            print(f"hotswap: {stale_line(d)}", file=sys.stderr)
        self._stale_shown = current

    def _tracked_values(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """Module values of tracked from-imports before a reload, to spot stale bindings."""
        out: dict[str, dict[str, Any]] = {}
        for name in names:
            module = sys.modules.get(name)
            if module is None:
                continue
            binding = self.imports.bindings(name, vars(module))
            out[name] = {bound: vars(module).get(src, _MISSING) for bound, src in binding.items()}
        return out

    def _push_new_names(self, report: dict[str, Any], before: dict[str, dict[str, Any]]) -> None:
        """Mode 3: bind names the cells imported from a reloaded module that are new, or
        whose binding still holds the value from before the reload."""
        ns = self._user_shell().user_ns
        for m in report.get("modules", []):
            name = m.get("name")
            if m.get("status") != "reloaded" or name not in sys.modules:
                continue
            values = vars(sys.modules[name])
            old = before.get(name, {})
            for bound, src in self.imports.bindings(name, values).items():
                if src not in values:
                    continue
                previous = old.get(bound, _MISSING)
                current = ns.get(bound, _MISSING)
                if current is _MISSING or (previous is not _MISSING and current is previous):
                    ns[bound] = values[src]


_MISSING: Any = object()


def stale_line(d: dict[str, Any]) -> str:
    """``g was created before Greeter gained 'punctuation'; recreate it ... (greeter.py:4)``."""
    at = where(d)
    return f"{d.get('message')} ({at})" if at else str(d.get("message"))


def _failure_text(module: dict[str, Any], report: dict[str, Any]) -> str:
    """One line: the engine's reason and where it happened (``m.py:3``)."""
    lines = str(module.get("error") or "unknown error").strip().splitlines()
    text = lines[0] if lines else "unknown error"
    for d in report.get("diagnostics", []):
        if d.get("severity") == "error" and d.get("file") == module.get("file"):
            at = where(d)
            if at:
                text += f" ({at})"
            break
    return text
