"""The version string is readable without loading the engine or installing its import hook."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_language_server_reads_version_without_the_engine() -> None:
    code = (
        "import sys, hotswap.lsp.server, hotswap\n"
        "print(hotswap.__version__)\n"
        "print('hotswap.engine' in sys.modules)\n"
        "print(any(type(f).__name__ == 'SourceRecorder' for f in sys.meta_path))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    version, engine_loaded, hook = out.stdout.split()
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None and version == declared.group(1)
    assert engine_loaded == "False" and hook == "False"


def test_engine_loads_on_first_use() -> None:
    code = "import sys, hotswap\nhotswap.reload(modules=[])\nprint(any(type(f).__name__ == 'SourceRecorder' for f in sys.meta_path))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["True"]
