"""``python -m hotswap kernels``: list the kernels that announced themselves in the registry.

Lets a user (or a bug report) see which kernels editors can reach, without an editor.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hotswap", description="Hot reload for Python.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    kernels = sub.add_parser("kernels", help="list live kernels that have hotswap loaded")
    kernels.add_argument("--json", action="store_true", help="print the entries as JSON")
    kernels.add_argument("-v", "--verbose", action="store_true", help="also say why entries were skipped")
    args = parser.parse_args(argv)
    if args.command != "kernels":
        parser.print_help(sys.stderr)
        return 2

    from .kernel import registry

    skipped: list[str] = []
    entries = registry.read_entries(skipped=skipped)
    if args.json:
        print(json.dumps(entries, indent=2))
    elif not entries:
        print(f"No live kernels with hotswap loaded (registry: {registry.registry_dir()}).")
    else:
        print(f"{'PID':>7}  {'STARTED':19}  {'PYTHON':8}  {'CWD'}")
        for e in entries:
            started = e.get("started")
            when = datetime.datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S") if isinstance(started, (int, float)) else "?"
            print(f"{e['pid']:>7}  {when:19}  {str(e.get('python_version', '?')):8}  {e.get('cwd', '?')}")
            print(f"{'':>7}  connection file: {e['connection_file']}")
    if args.verbose:
        for reason in skipped:
            print(f"skipped: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
