"""The ``hotswap`` settings an editor sends (initializationOptions, didChangeConfiguration).

Kept apart from the server so the editor configs in docs/editors.md and the VS Code
extension have one place that says which keys exist, their defaults and how bad values are
reported (a message, and the default kept: a typo never turns reload-on-save off silently).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

SEVERITIES = ("error", "warning", "information", "hint")

DEFAULT_INCLUDE: tuple[str, ...] = ("**/*.py",)
DEFAULT_EXCLUDE: tuple[str, ...] = ("**/site-packages/**", "**/.venv/**", "**/.git/**")


@dataclass(frozen=True)
class Settings:
    """Server settings, with the defaults of the contract."""

    reload_on_save: bool = True
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    stale_severity: str = "warning"
    preserve_module_state: bool = True
    reload_dependents: bool = False
    reload_timeout: float = 10.0  # seconds before a reload still running is shown with Interrupt
    _include_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _exclude_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def wants(self, path: str, roots: Iterable[str] = ()) -> bool:
        """Should a save of ``path`` trigger a reload? (Python file, included, not excluded.)"""
        if not path.endswith(".py"):
            return False
        candidates = _candidates(path, roots)
        include = self._include_re or tuple(glob_to_regex(g) for g in self.include)
        exclude = self._exclude_re or tuple(glob_to_regex(g) for g in self.exclude)
        if not any(rx.fullmatch(c) for rx in include for c in candidates):
            return False
        return not any(rx.fullmatch(c) for rx in exclude for c in candidates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reloadOnSave": self.reload_on_save,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "staleSeverity": self.stale_severity,
            "preserveModuleState": self.preserve_module_state,
            "reloadDependents": self.reload_dependents,
            "reloadTimeout": self.reload_timeout,
        }


def _candidates(path: str, roots: Iterable[str]) -> list[str]:
    """The absolute path and its paths relative to each workspace root, in POSIX form."""
    absolute = os.path.abspath(path).replace(os.sep, "/")
    out = [absolute]
    for root in roots:
        root_abs = os.path.abspath(root).replace(os.sep, "/").rstrip("/") + "/"
        if absolute.startswith(root_abs):
            out.append(absolute[len(root_abs):])
    return out


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a VS Code-style glob (``**``, ``*``, ``?``, ``[...]``, ``{a,b}``) to a regex.

    ``fnmatch`` lets ``*`` cross ``/`` and ``PurePath.match`` lacks ``**`` before 3.13, so the
    globs users already write for ``files.exclude`` need their own translation. A pattern
    without a ``/`` matches a file name anywhere, like ``.gitignore``.
    """
    pat = pattern.replace("\\", "/")
    if "/" not in pat:
        pat = "**/" + pat
    i, n, out = 0, len(pat), ["(?:/?)"] if pat.startswith("**/") else []
    depth = 0
    while i < n:
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pat[i + 1 : j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    out.append(")" * depth)
    return re.compile("".join(out))


def _plain(value: Any) -> Any:
    """JSON-like data: pygls hands untyped client values over as namedtuples."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Merge ``raw`` (the ``hotswap`` object, or an object holding one) over ``base``.

    Returns the settings and a list of human-readable problems; a bad value keeps the
    previous one instead of failing the whole update.
    """
    current = base or Settings()
    problems: list[str] = []
    if raw is None:
        return current, problems
    raw = _plain(raw)
    if isinstance(raw, Mapping) and isinstance(raw.get("hotswap"), Mapping):
        raw = raw["hotswap"]
    if not isinstance(raw, Mapping):
        return current, [f"hotswap settings must be an object, got {type(raw).__name__}"]
    changes: dict[str, Any] = {}
    for key, attr in (("reloadOnSave", "reload_on_save"), ("preserveModuleState", "preserve_module_state"), ("reloadDependents", "reload_dependents")):
        if key in raw:
            if isinstance(raw[key], bool):
                changes[attr] = raw[key]
            else:
                problems.append(f"hotswap.{key} must be true or false, got {raw[key]!r}")
    for key in ("include", "exclude"):
        if key in raw:
            globs = _strings(raw[key])
            if globs is None:
                problems.append(f"hotswap.{key} must be a list of glob strings, got {raw[key]!r}")
            else:
                try:
                    [glob_to_regex(g) for g in globs]
                except re.error as exc:
                    problems.append(f"hotswap.{key} has a glob that cannot be used: {exc}")
                else:
                    changes[key] = globs
    if "reloadTimeout" in raw:
        limit = raw["reloadTimeout"]
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and 0 < limit <= 3600:
            changes["reload_timeout"] = float(limit)
        else:
            problems.append(f"hotswap.reloadTimeout must be a number of seconds between 0 and 3600, got {limit!r}")
    if "staleSeverity" in raw:
        sev = raw["staleSeverity"]
        if sev in SEVERITIES:
            changes["stale_severity"] = sev
        else:
            problems.append(f"hotswap.staleSeverity must be one of {', '.join(SEVERITIES)}, got {sev!r}")
    merged = replace(current, **changes)
    merged = replace(
        merged,
        _include_re=tuple(glob_to_regex(g) for g in merged.include),
        _exclude_re=tuple(glob_to_regex(g) for g in merged.exclude),
    )
    return merged, problems
