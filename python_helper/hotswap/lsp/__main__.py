"""``python -m hotswap.lsp``: run the language server over stdio."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Start the server; logs go to stderr (stdout carries the protocol)."""
    parser = argparse.ArgumentParser(prog="python -m hotswap.lsp", description="Hotswap language server (stdio).")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="level of the hotswap log on stderr (default INFO)")
    parser.add_argument("--log-file", help="write the log to this file instead of stderr")
    args = parser.parse_args(argv)
    handler: logging.Handler = logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("hotswap").setLevel(args.log_level)

    from .server import create_server

    create_server().start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
