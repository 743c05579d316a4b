"""Reading and writing the school's tables as XLSX and CSV, safely.

Reading: size and zip limits before openpyxl touches a file (defusedxml guards its XML), every
cell read raw so a formula is seen as one and refused, CSV decoded as UTF-8 with or without BOM,
and a Windows-1251 file (which cannot hold ө, ү, ң) recognised and reported rather than read with
question marks. Writing: xlsxwriter with a styled, frozen, filtered header, column widths, real
dates and an A4 print setup; CSV in UTF-8 with BOM. User text is always written as text: nothing
that starts with = + - @ becomes a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_ROWS = 20_000
MAX_COLUMNS = 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
DATE_FORMAT = "dd.mm.yyyy"


class FileProblem(ValueError):
    """The file as a whole cannot be read; `key` names the translated message."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


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


@dataclass(frozen=True)
class Column:
    """A column to write: its header, its kind (text, number, date, datetime) and width in characters."""

    header: str
    kind: str = "text"
    width: int = 16


def safe_text(value: str) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write_xlsx(
    out: BinaryIO | Path | str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    title: str = "",
    footer: str = "",
    progress: Any = None,
    properties: dict[str, Any] | None = None,
    custom_properties: dict[str, str | int] | None = None,
) -> int:
    """Write rows to an XLSX workbook; returns the number of data rows written.

    `properties` (xlsxwriter's document properties) and `custom_properties` record who made the
    file, when and why (export_marking gives them for a personal-data export)."""
    import xlsxwriter

    # constant_memory streams rows to disk: a 100,000-row export stays small in memory.
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    if properties:
        wb.set_properties(properties)
    for name, value in (custom_properties or {}).items():
        wb.set_custom_property(name, value)
    ws = wb.add_worksheet(sheet[:31])
    head = wb.add_format({"bold": True, "bg_color": "#D9EAD3", "border": 1, "text_wrap": True, "valign": "top"})
    text_fmt = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": DATE_FORMAT})
    datetime_fmt = wb.add_format({"num_format": DATE_FORMAT + " hh:mm"})
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width)
        ws.write_string(0, i, col.header, head)
    n = 0
    for n, row in enumerate(rows, start=1):
        for i, (col, value) in enumerate(zip(columns, row, strict=False)):
            if value is None or value == "":
                continue
            if col.kind == "date" and isinstance(value, date):
                ws.write_datetime(n, i, datetime(value.year, value.month, value.day), date_fmt)
            elif col.kind == "datetime" and isinstance(value, datetime):
                ws.write_datetime(n, i, value.replace(tzinfo=None), datetime_fmt)
            elif col.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(n, i, value)
            else:
                # write_string never makes a formula, whatever the text starts with.
                ws.write_string(n, i, str(value), text_fmt)
        if progress is not None and n % 1000 == 0:
            progress(n)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), max(len(columns) - 1, 0))
    ws.set_paper(9)  # A4
    ws.set_landscape() if len(columns) > 6 else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    if title:
        ws.set_header('&L&"Calibri,Bold"' + title.replace("&", "&&") + "&R&D")
    # Excel allows 255 characters in a footer, codes included; "&" starts a code there.
    ws.set_footer("&L&8" + footer[:200].replace("&", "&&")[:220].rstrip("&") + "&R&8&P / &N")
    wb.close()
    return n


def write_csv(out: io.TextIOBase | Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows as CSV (the caller opens the file as utf-8-sig); dates as dd.mm.yyyy."""
    w = csv.writer(out, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
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
                out_row.append(f"{value:g}")
            else:
                out_row.append(safe_text(str(value)))
        w.writerow(out_row)
    return n
