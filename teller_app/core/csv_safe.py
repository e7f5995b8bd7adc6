"""CSV a spreadsheet opens without running anything (the audit and history exports).

A cell starting with = + - @ TAB CR is read as a formula (or DDE call), so it gets a leading
quote — unless it is a plain number ("-1234.56", "-1234,56"): that is data, and a quote
would make it text. Inside a cell only a formula character right after a list separator
(``;`` ``,`` TAB, no space between) is quoted: a spreadsheet reading the file with another
separator (";" in Ukrainian Excel) starts a new cell there; "5, -10%" is left as typed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from teller_app.core.private_files import write_private

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_INNER_FORMULA = re.compile(r"(?<=[;,\t])(?=[=+\-@])")


def csv_cell(value: Any) -> str:
    """``value`` as a cell that cannot run as a formula (see the module's note)."""
    text = "" if value is None else str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    text = _INNER_FORMULA.sub("'", text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_lines(rows: Iterable[Iterable[Any]], delimiter: str = ",") -> str:
    """Rows as formula-safe CSV lines, CRLF line ends (a file written as it goes:
    ``core/csv_file``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def csv_text(headers: Iterable[Any], rows: Iterable[Iterable[Any]],
             delimiter: str = ",") -> str:
    """Rows as formula-safe CSV, CRLF line ends."""
    return csv_lines([headers, *rows], delimiter)


def export_rows(headers: Iterable[Any], rows: Iterable[Iterable[Any]],
                path: Path | None = None, delimiter: str = ",") -> str:
    """Rows as formula-safe CSV (and written to ``path`` when given, UTF-8 with BOM, 0600:
    exports name customers)."""
    text = csv_text(headers, rows, delimiter)
    if path is not None:
        write_private(Path(path), text.encode("utf-8-sig"))
    return text
