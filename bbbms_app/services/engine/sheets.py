"""Reading the school's tables from XLSX and CSV safely, and writing CSV (XLSX: engine/xlsx.py).

Reading: size and zip limits before openpyxl touches a file (defusedxml guards its XML), every
cell read raw so a formula is seen as one and refused, CSV decoded as UTF-8 with or without BOM,
and a Windows-1251 file (which cannot hold ө, ү, ң) recognised and reported rather than read with
question marks. Writing CSV: UTF-8 with BOM, and user text that starts with = + - @ prefixed with
an apostrophe so no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bbbms_app.services.engine import xlsx
from bbbms_app.services.errors import Refused

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


class FileProblem(Refused):
    """The file as a whole cannot be read; `key` names the translated message."""


class Formula:
    """A cell holding a formula (refused by the import, never evaluated)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    """A read sheet: its header texts and its data rows (row numbers as the user sees them)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""


def kind_of(filename: str, data: bytes) -> str:
    """'xlsx' or 'csv', from the content first (a name is only a claim)."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem("admin.import.old_excel")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem("admin.import.unreadable")
    return "csv"


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet (XLSX) or the rows (CSV) of an uploaded file; FileProblem if unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem("admin.import.too_big", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise FileProblem("admin.import.empty")
    table = _read_xlsx(data) if kind_of(filename, data) == "xlsx" else _read_csv(data)
    if not table.headers or not any(h.strip() for h in table.headers):
        raise FileProblem("admin.import.empty")
    if len(table.rows) > MAX_ROWS:
        raise FileProblem("admin.import.too_many_rows", max=MAX_ROWS)
    return table


def _read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise FileProblem("admin.import.too_big", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    except zipfile.BadZipFile as exc:
        raise FileProblem("admin.import.unreadable") from exc
    from openpyxl import load_workbook  # defusedxml is installed: openpyxl parses through it

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem("admin.import.unreadable") from exc
    try:
        ws = wb.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        headers: list[str] = []
        for index, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
            values = [_cell(c) for c in row]
            if index == 1:
                headers = ["" if v is None else str(v).strip() for v in values]
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((index, values))
            if len(rows) > MAX_ROWS:
                break
    finally:
        wb.close()
    return Table(headers, rows, "xlsx")


def _cell(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    return value


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and its encoding; a Windows-1251 (or other non-UTF-8) file is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileProblem("admin.import.not_utf8") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise FileProblem("admin.import.not_utf8") from exc
        cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
        if cyrillic:
            # Excel's "CSV (Windows)" in a Russian locale: ө, ү, ң became "?" when it was saved.
            raise FileProblem("admin.import.cp1251") from exc
        raise FileProblem("admin.import.not_utf8") from exc


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    sample = text[:4096]
    first = sample.splitlines()[0] if sample else ""
    # Excel in Kyrgyz and Russian locales separates with ";", elsewhere with ",".
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] = []
    for index, values in enumerate(reader, start=1):
        values = values[:MAX_COLUMNS]
        if index == 1:
            headers = [v.strip() for v in values]
            continue
        if not any(v.strip() for v in values):
            continue
        rows.append((index, [Formula(v) if v.startswith("=") else v for v in values]))
        if len(rows) > MAX_ROWS:
            break
    return Table(headers, rows, encoding)


# ---------------------------------------------------------------------------------- writing


def safe_text(value: str) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_delimiter(lang: str | None) -> str:
    """«;» for Kyrgyz and Russian users (what Excel in their locale expects), «,» otherwise."""
    return ";" if lang in ("ky", "ru") else ","


def write_csv(
    out: io.TextIOBase | Any, columns: Sequence[xlsx.Column], rows: Iterable[Sequence[Any]], lang: str | None = None
) -> int:
    """Write rows as CSV (the caller opens the file as utf-8-sig); dates as dd.mm.yyyy.

    In Kyrgyz and Russian the fields are separated by «;» and decimals written with a comma, as
    Excel in those locales reads them, and a long number kept as text (a 14-digit PIN) gets a
    leading tab, so their Excel keeps it as text instead of 2,15E+13 (never a formula; the importer
    strips it)."""
    delimiter = csv_delimiter(lang)
    w = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow([c.header for c in columns])
    n = 0
    for row in rows:
        n += 1
        out_row = []
        for col, value in zip(columns, row, strict=False):
            if value is None:
                out_row.append("")
            elif isinstance(value, datetime):
                out_row.append(value.strftime("%d.%m.%Y %H:%M"))
            elif isinstance(value, date):
                out_row.append(value.strftime("%d.%m.%Y"))
            elif col.kind == "number" and isinstance(value, int | float):
                out_row.append(f"{value:g}" if delimiter == "," else f"{value:g}".replace(".", ","))
            else:
                text = safe_text(str(value))
                guard = delimiter == ";" and len(text) >= 12 and text.isdigit()
                out_row.append("\t" + text if guard else text)
        w.writerow(out_row)
    return n
