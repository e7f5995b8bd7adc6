"""A formula-safe CSV file written as it goes (the audit trail's export of everything a filter
matches: more than fits in memory at a head office). As ``csv_safe.export_rows`` writes it
(UTF-8 with BOM, CRLF, ``csv_cell``), private (0600) from its first byte: rows go to a temp
file beside ``path`` and only ``commit`` puts it under its name, so a read that fails half way
never leaves half a file that looks complete. A temp file a killed export left (partial
customer data) is removed by the next export to the same name once it is STALE_PART_S old; a
missing folder is made private (0700). Blocking: call every method off the UI thread (one at
a time; a lock keeps a ``discard`` from a cancelled task off a running ``write``)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from teller_app.core.csv_safe import csv_lines
from teller_app.core.private_files import fsync_folder

BOM = "\ufeff".encode()
STALE_PART_S = 3600.0  # a temp file this old is a killed export's, not a running one's


class CsvFile:
    def __init__(self, path: Path, headers: Iterable[Any], delimiter: str = ",") -> None:
        """Opens the temp file and writes the header row; raises ``OSError`` (nothing left)."""
        self.path = Path(path)
        self.delimiter = delimiter
        self.rows = 0
        self._lock = threading.Lock()
        _make_folder(self.path.parent)
        _remove_stale_parts(self.path)
        # mkstemp: 0600 and a name of its own (two exports to one path never share a file)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part",
                                   dir=self.path.parent)
        self.tmp: Path | None = Path(tmp)
        try:
            self._fh = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            self._remove()
            raise
        try:
            self._fh.write(BOM + self._lines([headers]))
        except BaseException:
            self._fh.close()
            self._remove()
            raise

    def _lines(self, rows: Iterable[Iterable[Any]]) -> bytes:
        return csv_lines(rows, self.delimiter).encode("utf-8")

    def write(self, rows: list[list[Any]]) -> int:
        """Appends ``rows``; answers how many rows the file holds now."""
        with self._lock:
            if self.tmp is None:
                raise OSError(f"{self.path}: the export was closed")
            self._fh.write(self._lines(rows))
            self.rows += len(rows)
            return self.rows

    def commit(self) -> Path:
        """On disk (fsynced) under its name, replacing any file there; answers the path."""
        with self._lock:
            if self.tmp is None:
                raise OSError(f"{self.path}: the export was closed")
            try:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
                os.replace(self.tmp, self.path)
            except BaseException:
                self._fh.close()
                self._remove()
                raise
            self.tmp = None
        fsync_folder(self.path.parent)
        return self.path

    def discard(self) -> None:
        """Closes and removes the temp file (a failed or cancelled export); nothing under
        ``path`` changes. Safe to call again, or after ``commit``."""
        with self._lock:
            if self.tmp is None:
                return
            self._fh.close()
            self._remove()

    def _remove(self) -> None:
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


def _make_folder(folder: Path) -> None:
    """Each missing folder up to ``folder`` made 0700 (an existing one is left as it is)."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        with contextlib.suppress(FileExistsError):
            each.mkdir(mode=0o700)


def _remove_stale_parts(path: Path) -> None:
    """Removes ``.{name}.*.part`` beside ``path`` last written more than STALE_PART_S ago."""
    prefix, cutoff = f".{path.name}.", time.time() - STALE_PART_S
    with contextlib.suppress(OSError), os.scandir(path.parent) as found:
        for entry in found:
            if not (entry.name.startswith(prefix) and entry.name.endswith(".part")):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and \
                        entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
