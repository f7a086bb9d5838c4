"""The engine and the kernel service run with the standard library alone: they are injected
into users' kernels and debuggees, which may have nothing else installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HELPER = Path(__file__).resolve().parents[2] / "python_helper"

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import hotswap, hotswap.kernel
from pathlib import Path
Path("mod_a.py").write_text("def f():\n    return 1\n")
sys.path.insert(0, ".")
from mod_a import f
Path("mod_a.py").write_text("def f():\n    return 2\n")
request = {"protocol": 1, "id": "1", "command": "reload", "args": {"paths": [str(Path("mod_a.py").resolve())]}}
response = json.loads(hotswap.kernel.handle(json.dumps(request)))
third_party = sorted(
    name for name, module in sys.modules.items()
    if name.split(".")[0] not in sys.stdlib_module_names
    and name.split(".")[0] not in {"hotswap", "mod_a", "__main__"}
    and not name.startswith("_sysconfigdata_")  # the platform's own sysconfig data, part of the stdlib
)
print(json.dumps({"status": response["result"]["modules"][0]["status"], "f": f(), "third_party": third_party}))
"""


def test_engine_and_kernel_service_need_only_the_standard_library(tmp_path: Path) -> None:
    # -S: no site module, so no site-packages on sys.path at all.
    done = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT, str(HELPER)], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"status": "reloaded", "f": 2, "third_party": []}
