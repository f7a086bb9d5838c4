"""The watchdog of a long reload keeps watching when the progress file cannot be written, so
the user's Stop still reaches the reload."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from hotswap.kernel.progress import Watchdog


@pytest.mark.parametrize("progress_name", ["missing-folder/progress.json", "\ud800-progress.json"],
                         ids=["folder-gone", "unencodable-name"])
def test_interrupt_still_stops_the_reload_when_progress_cannot_be_written(tmp_path: Path, progress_name: str) -> None:
    stop = tmp_path / "stop"
    stop.touch()  # asked to stop from the start: the watchdog writes progress first, then looks for it
    outcome: list[str] = []

    def long_reload() -> None:
        deadline = time.monotonic() + 10.0
        try:
            with Watchdog(0.05, [], io.StringIO(), progress_file=str(tmp_path / progress_name),
                          interrupt_file=str(stop)):
                while time.monotonic() < deadline:  # the module's endless top-level loop
                    time.sleep(0.01)
            outcome.append("ran to the end")
        except KeyboardInterrupt:
            outcome.append("interrupted")

    worker = threading.Thread(target=long_reload)
    worker.start()
    worker.join(timeout=15.0)
    assert outcome == ["interrupted"]
