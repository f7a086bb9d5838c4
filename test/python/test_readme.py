"""The README's plain-Python example runs as printed and prints what its comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GREETER = '''class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return f"Hello, {self.name}"
'''
EDIT = '''
from pathlib import Path
Path("math_utils.py").write_text("def scale(value):\\n    return value * 3\\n")
Path("greeter.py").write_text(Path("greeter.py").read_text().replace(
    "self.name = name\\n", "self.name = name\\n        self.punctuation = '!'\\n"))
'''


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Use it from plain Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_runs_as_documented(tmp_path: Path) -> None:
    (tmp_path / "math_utils.py").write_text("def scale(value):\n    return value * 2\n")
    (tmp_path / "greeter.py").write_text(GREETER)
    example = readme_example()
    expected = re.search(r"^# (stale-instance .*)$", example, re.M).group(1)
    script = example.replace("report = hotswap.reload", EDIT + "report = hotswap.reload", 1)
    script += (
        "\nassert scale(2) == 6, scale(2)"
        "\nassert isinstance(g, Greeter) and g.punctuation == '!'"
        "\nassert hotswap.stale().to_dict()['diagnostics'] == []\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [expected]
