"""A formula-safe CSV file written as it goes (the audit trail's export of everything a filter
matches: more than fits in memory at a head office). As ``csv_safe.export_rows`` writes it
(UTF-8 with BOM, CRLF, ``csv_cell``), private (0600) from its first byte: rows go to a temp
file beside ``path`` and only ``commit`` puts it under its name, so a read that fails half way
never leaves half a file that looks complete. Blocking: call every method off the UI thread
(one at a time; a lock keeps a ``discard`` from a cancelled task off a running ``write``)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from teller_app.core.csv_safe import csv_cell
from teller_app.core.private_files import fsync_folder

BOM = "\ufeff".encode()


class CsvFile:
    def __init__(self, path: Path, headers: Iterable[Any], delimiter: str = ",") -> None:
        """Opens the temp file and writes the header row; raises ``OSError`` (nothing left)."""
        self.path = Path(path)
        self.delimiter = delimiter
        self.rows = 0
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
        return buf.getvalue().encode("utf-8")

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
