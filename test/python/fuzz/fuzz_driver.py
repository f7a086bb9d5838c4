"""Run edit sequences through the engine and through fresh imports, and compare.

A *mismatch* is a probe (a reference the user holds) whose value after a reload differs from
what a fresh import of the same source gives. It is *covered* when a diagnostic of that
reload names one of the probe's user variables (``names``), or -- for references reached
through a module (``b.HANDLERS[0]``) -- sits in one of the program's files and mentions one
of the definitions the probe reads. A mismatch nobody reported is a *silent
miss*: the outcome hot reload must never have.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from fuzz_program import Probe, Program, apply_edit, hold, sources

WORKER = str(Path(__file__).with_name("fuzz_worker.py"))


class Worker:
    """One long-lived worker process (it forks a clean child per request)."""

    def __init__(self, mode: str) -> None:
        flags = ["-I"] if mode == "fresh" else []
        env = dict(os.environ)
        env.pop("PYTHONPATH", None) if mode == "fresh" else None
        self.proc = subprocess.Popen([sys.executable, *flags, WORKER, mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, bufsize=1)
        self.lock = threading.Lock()

    def ask(self, req: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("fuzz worker exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


@dataclass
class Mismatch:
    state: int
    edit: str
    probe: Probe
    got: str
    want: str
    covered: bool
    new: bool = True  # first state showing this difference (later states repeat it)


@dataclass
class Outcome:
    reloads: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    skipped: int = 0  # edits that did not apply or gave a program a fresh import rejects
    crashes: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    texts: list[dict[str, str]] = field(default_factory=list)

    @property
    def silent(self) -> list[Mismatch]:
        return [m for m in self.mismatches if not m.covered]


def _covered(probe: Probe, diags: list[dict[str, Any]], reloaded_files: set[str]) -> bool:
    for d in diags:
        if d["severity"] == "information" and d["code"] == "cache-cleared":
            continue
        if set(d["names"]) & set(probe.names):
            return True
        if probe.names:
            continue  # a reference held in a user variable is covered only by naming that variable
        if d["file"] in reloaded_files and any(re.search(rf"\b{re.escape(m)}\b", d["message"]) for m in probe.mentions):
            return True
    return False


class Fuzzer:
    """Both workers; ``run`` plays one sequence and tallies it."""

    def __init__(self) -> None:
        self.engine = Worker("engine")
        self.fresh = Worker("fresh")
        self.totals: Counter[str] = Counter()
        self.by_edit: Counter[str] = Counter()
        self.silent_examples: dict[str, Outcome] = {}

    def close(self) -> None:
        self.engine.close()
        self.fresh.close()

    def run(self, program: Program, edits: Sequence[tuple[str, int, int]]) -> Outcome:
        out = Outcome()
        versions: list[Program] = [program]
        changed: list[dict[str, str]] = []
        for kind, i, n in edits:
            applied = apply_edit(versions[-1], kind, i, n)
            if applied is None:
                out.skipped += 1
                continue
            q, mods = applied
            new_src, old_src = sources(q), sources(versions[-1])
            files = {m: new_src[m] for m in mods if new_src.get(m) != old_src.get(m)}
            if not files:
                out.skipped += 1
                continue
            versions.append(q)
            changed.append(files)
            out.edits.append(kind)
        cell, probes = hold(program)
        first = sources(program)
        out.texts = [sources(v) for v in versions]
        # the engine plays the sequence while the fresh imports are made (two processes)
        answer: dict[str, Any] = {}
        engine_req = {"files": first, "hold": cell, "edits": changed, "probes": [p.engine for p in probes]}
        worker = threading.Thread(target=lambda: answer.update(got=self.engine.ask(engine_req)))
        worker.start()
        fresh_results: list[list[str]] = []
        failed = ""
        for v in versions:
            f = self.fresh.ask({"files": sources(v), "probes": [p.fresh for p in probes]})
            if f.get("error") or f.get("crash"):
                failed = f"fresh import failed: {f.get('error') or f.get('crash')}"
                break
            fresh_results.append(f["results"])
        worker.join()
        if failed:
            out.crashes.append(failed)
            return out
        got = answer["got"]
        if "crash" in got:
            out.crashes.append(f"engine side crashed: {got['crash']}")
            return out
        states = got["states"]
        seen: set[tuple[int, str, str]] = set()
        for s, (state, want) in enumerate(zip(states, fresh_results)):
            if s:
                out.reloads += 1
            reloaded = {f"{m}.py" for m in first}
            for k, (p, g, w) in enumerate(zip(probes, state["results"], want)):
                if g != w:
                    key = (k, g, w)
                    out.mismatches.append(Mismatch(s, out.edits[s - 1] if s else "(initial)", p, g, w,
                                                   bool(s) and _covered(p, state["diagnostics"], reloaded), key not in seen))
                    seen.add(key)
        self.tally(out)
        return out

    def tally(self, out: Outcome) -> None:
        t = self.totals
        t["sequences"] += 1
        t["reloads"] += out.reloads
        t["mismatches"] += len(out.mismatches)
        t["mismatches with diagnostic"] += sum(1 for m in out.mismatches if m.covered)
        t["silent misses"] += len(out.silent)
        t["harness problems"] += len(out.crashes)
        for m in out.silent:
            if m.new:
                self.by_edit[m.edit] += 1
                self.silent_examples.setdefault(m.edit, out)


def describe(out: Outcome) -> str:
    """A readable account of a sequence: sources, edits, and each silent miss."""
    lines = []
    for k, texts in enumerate(out.texts):
        lines.append(f"--- version {k}" + (f" (after {out.edits[k - 1]})" if k else ""))
        for name, text in texts.items():
            lines.append(f"# {name}.py\n{text}")
    for m in out.silent:
        lines.append(f"SILENT after {m.edit} (state {m.state}): {m.probe.engine} -> {m.got}, fresh {m.probe.fresh} -> {m.want}")
    lines += out.crashes
    return "\n".join(lines)
