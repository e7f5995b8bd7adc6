"""The audit export cancelled while its file is still being opened (in a thread: a slow or
network folder): the file that thread goes on to make is discarded once made, so no
``.part`` with customer data is left beside the export's name."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.csv_file import CsvFile
from teller_app.ui import audit_pages


def test_a_cancel_while_the_file_opens_leaves_no_part(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    opening, release, discarded = threading.Event(), threading.Event(), threading.Event()

    class SlowFile(CsvFile):
        def __init__(self, *args: Any) -> None:
            opening.set()
            assert release.wait(10)
            super().__init__(*args)

        def discard(self) -> None:
            super().discard()
            discarded.set()

    monkeypatch.setattr(audit_pages, "CsvFile", SlowFile)

    async def run() -> None:
        task = asyncio.ensure_future(audit_pages._opened(tmp_path / "audit.csv", ["#"]))
        assert await asyncio.to_thread(opening.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()  # the thread makes the file after the export was cancelled
        assert await asyncio.to_thread(discarded.wait, 10)

    asyncio.run(run())
    assert list(tmp_path.iterdir()) == []
