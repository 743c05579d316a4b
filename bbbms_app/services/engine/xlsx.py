"""The one XLSX writer of the app: lists, import templates and reports, credential sheets, the
marked personal-data exports and the paper-like journal all go through `write()`.

Two kinds of sheet: a `Sheet` is a list (a header row and rows of typed columns); a `Layout` is a
document laid out cell by cell (a title, headers merged over several rows or columns, cells with
their own look: the journal of services/journal_export.py), with its own frozen panes, repeated
rows and column widths.

Every workbook gets the same safety and the same paper: user text is always written as a string
(never a formula, a URL or a number, whatever it starts with), a bold filled header row that is
frozen, filtered and repeated on every printed page, A4 fit to width, real dates (dd.mm.yyyy), an
optional header title and footer line, and document properties when the caller gives them (who
exported personal data, when and why: engine/marking.py). Big lists stream (`constant_memory`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

DATE_FORMAT = "dd.mm.yyyy"
KINDS = ("text", "number", "date", "datetime", "auto")


@dataclass(frozen=True)
class Column:
    """A column: its header, its kind and its width in characters.

    `text` cells are strings (a PIN stays 14 digits), `number` and `date` / `datetime` cells are
    typed when the value is; `auto` types a cell by its value (numbers, dates; True/False as 1/0;
    a timestamp as ISO text). `bold` makes the column's cells bold (a help sheet's names);
    `num_format` is a number column's Excel format ("0.0" for a percent figure, "0.00");
    `vertical` turns the header's text upwards (a summary sheet's narrow subject columns); `wrap`
    breaks a long text into lines inside the column (text spilling to the right widened the printed
    page and shrank every sheet of a report to an unreadable scale)."""

    header: str
    kind: str = "text"
    width: int = 16
    bold: bool = False
    num_format: str = ""
    vertical: bool = False
    wrap: bool = False


@dataclass(frozen=True)
class Chart:
    """A native Excel chart over a `Sheet`'s own data rows, placed under them.

    `categories` is the column index of the labels (a grade, a week), `series` the column indexes
    of the values, each named by its header; `kind` is xlsxwriter's: "column", "bar", "line"."""

    title: str
    categories: int
    series: Sequence[int]
    kind: str = "column"
    y_title: str = ""
    y_max: float | None = None


@dataclass
class Sheet:
    """One worksheet: its name, columns, rows, and a line written two rows under the last one."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = ()
    header: bool = True  # False: no header row (a help sheet of name → explanation lines)
    last_line: str = ""
    header_height: float = 0  # points; 0 leaves the row's default (one line)
    charts: Sequence[Chart] = ()  # drawn under the rows (not with `streaming`)
    landscape: bool | None = None  # None: landscape when it has more than 6 columns (a report: always)


@dataclass(frozen=True)
class Style:
    """How a `Layout` cell looks (the writer makes one workbook format per distinct style)."""

    bold: bool = False
    italic: bool = False
    size: int = 0  # points; 0: the default
    align: str = ""  # "", "left", "center", "right"
    valign: str = ""  # "", "top", "vcenter", "bottom"
    border: bool = False
    wrap: bool = False
    fill: str = ""  # "#RRGGBB"
    color: str = ""  # font colour "#RRGGBB"

    def options(self) -> dict[str, Any]:
        pairs = {
            "bold": self.bold,
            "italic": self.italic,
            "font_size": self.size,
            "align": self.align,
            "valign": self.valign,
            "border": 1 if self.border else 0,
            "text_wrap": self.wrap,
            "bg_color": self.fill,
            "font_color": self.color,
        }
        return {key: value for key, value in pairs.items() if value}


@dataclass(frozen=True)
class Cell:
    """One cell of a `Layout` at (row, col), 0-based; `rows` × `cols` > 1 merges it over a block.

    Strings are written as strings (never a formula or a link), int/float as numbers, dates as dates,
    None as an empty cell that still has the style (a border, a grey fill)."""

    row: int
    col: int
    value: Any = None
    style: Style = Style()
    rows: int = 1
    cols: int = 1


@dataclass
class Layout:
    """A sheet laid out cell by cell, printed A4 one page wide.

    `widths` maps a column, or an inclusive (first, last) range of columns, to its width in
    characters; `freeze` is the (row, col) of the first scrolling cell; `repeat` the inclusive
    (first, last) rows printed on every page."""

    name: str
    cells: Iterable[Cell]
    widths: dict[int | tuple[int, int], float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    repeat: tuple[int, int] | None = None
    landscape: bool = True
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.7, 0.7)  # left, right, top, bottom (inches)
    heights: dict[int, float] = field(default_factory=dict)  # a row's height in points (a wrapped header)


def write(
    out: BinaryIO | Path | str,
    sheets: Sequence[Sheet | Layout],
    *,
    title: str = "",
    footer: str = "",
    properties: dict[str, Any] | None = None,
    custom_properties: dict[str, str | int] | None = None,
    progress: Callable[[int], None] | None = None,
    streaming: bool = False,
) -> int:
    """Write `sheets` to `out`; returns the number of data rows of the first sheet.

    `streaming` writes rows to disk as they come (a 100,000-row list stays small in memory);
    `progress(n)` is told every 1000 rows."""
    return _write(out, sheets, title, footer, properties, custom_properties, progress, streaming)[0]


def _write(out, sheets, title, footer, properties, custom_properties, progress, streaming) -> tuple[int, dict]:
    """`write()`'s work; also the formats it used (their `xf_index` is set once the workbook is closed)."""
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    options["constant_memory" if streaming else "in_memory"] = True
    wb = xlsxwriter.Workbook(out, options)
    if properties:
        wb.set_properties(properties)
    for name, value in (custom_properties or {}).items():
        wb.set_custom_property(name, value)
    formats = {
        "head": wb.add_format({"bold": True, "bg_color": "#D9EAD3", "border": 1, "text_wrap": True, "valign": "top"}),
        "text": wb.add_format({"num_format": "@"}),
        "bold": wb.add_format({"num_format": "@", "bold": True}),
        "date": wb.add_format({"num_format": DATE_FORMAT}),
        "datetime": wb.add_format({"num_format": DATE_FORMAT + " hh:mm"}),
        "mark": wb.add_format({"italic": True, "font_color": "#555555"}),
        "wrap": wb.add_format({"num_format": "@", "text_wrap": True, "valign": "top"}),
    }
    used: set[str] = set()
    first_count = 0
    for index, sheet in enumerate(sheets):
        if isinstance(sheet, Layout):
            _write_layout(wb, sheet, _sheet_name(sheet.name, used), title, footer)
            continue
        count = _write_sheet(wb, sheet, _sheet_name(sheet.name, used), formats, title, footer, progress)
        if index == 0:
            first_count = count
    wb.close()
    return first_count, formats


def to_bytes(sheets: Sequence[Sheet | Layout], **kwargs: Any) -> bytes:
    """`write()` into memory: the workbook's bytes."""
    buf = io.BytesIO()
    write(buf, sheets, **kwargs)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# One big list, fast: a sheet of ~200,000 rows in seconds and a few MiB (the school year's marks)
# ---------------------------------------------------------------------------------------------

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _col_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_table(
    out: Path | str,
    sheet: Sheet,
    *,
    title: str = "",
    footer: str = "",
    properties: dict[str, Any] | None = None,
    custom_properties: dict[str, str | int] | None = None,
) -> int:
    """One list sheet written fast; the number of data rows.

    The workbook (header row, column formats, frozen and filtered header, A4 landscape, printed
    header and footer, properties) is made by `write()` with the header alone; the rows are then
    written as the sheet's XML straight into the file's ZIP, each distinct text escaped once, every
    text cell an inline string (never a formula), numbers as numbers, dates as real dates in the
    date format, streamed through a temporary file (memory stays flat). The same cells as
    `write(streaming=True)` gives, several times faster (about 2 µs a cell instead of 10).
    """
    import shutil
    import tempfile
    import zipfile

    empty = Sheet(sheet.name, sheet.columns, (), header=True, header_height=sheet.header_height)
    with tempfile.TemporaryDirectory(prefix="bbbms-xlsx-") as tmp:
        base = Path(tmp) / "base.xlsx"
        _n, formats = _write(base, [empty], title, footer, properties, custom_properties, None, False)
        columns = list(sheet.columns)
        styles = []
        for col in columns:
            fmt = formats.get("num:" + col.num_format) if col.num_format else None
            if col.kind in ("text", "auto"):
                fmt = formats["bold" if col.bold else "text"]
            styles.append(fmt.xf_index if fmt is not None and fmt.xf_index else 0)
        date_xf = formats["date"].xf_index or 0
        letters = [_col_letters(i) for i in range(len(columns))]
        rows_path = Path(tmp) / "rows.xml"
        n = _table_rows(rows_path, sheet, columns, styles, date_xf, letters)
        last = n + 1
        with zipfile.ZipFile(base) as src:
            names = src.namelist()
            sheet_name = next(name for name in names if name.startswith("xl/worksheets/sheet"))
            xml = src.read(sheet_name).decode()
            book = src.read("xl/workbook.xml").decode()
            end = letters[-1] if letters else "A"
            top = last + (2 if sheet.last_line else 0)
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{end}{top}"/>', xml, count=1)
            xml = re.sub(r'<autoFilter ref="A1:([A-Z]+)\d+"/>', rf'<autoFilter ref="A1:\g<1>{last}"/>', xml, count=1)
            book = re.sub(r"(_xlnm\._FilterDatabase[^>]*>[^<]*\$)(\d+)(<)", rf"\g<1>{last}\3", book, count=1)
            cut = xml.index("</sheetData>") if "</sheetData>" in xml else xml.index("<sheetData/>")
            if xml[cut:].startswith("<sheetData/>"):
                head, tail = xml[:cut] + "<sheetData>", "</sheetData>" + xml[cut + len("<sheetData/>") :]
            else:
                head, tail = xml[:cut], xml[cut:]
            if sheet.last_line:
                text = _xml_text(sheet.last_line)
                tail = (
                    f'<row r="{last + 2}"><c r="A{last + 2}" t="inlineStr"><is><t xml:space="preserve">{text}'
                    f"</t></is></c></row>" + tail
                )
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
                for name in names:
                    if name == sheet_name:
                        with dst.open(name, "w", force_zip64=True) as fh, open(rows_path, "rb") as rows:
                            fh.write(head.encode())
                            shutil.copyfileobj(rows, fh, 1 << 20)
                            fh.write(tail.encode())
                    elif name == "xl/workbook.xml":
                        dst.writestr(name, book)
                    else:
                        dst.writestr(src.getinfo(name), src.read(name))
    return n


def _xml_text(text: str) -> str:
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _table_rows(path: Path, sheet: Sheet, columns, styles, date_xf: int, letters) -> int:
    """The data rows' XML into `path`; the number of rows. Texts are escaped once each (a cache)."""
    escaped: dict[str, str] = {}
    kinds = [col.kind for col in columns]
    width = len(columns)
    n = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        for n, row in enumerate(sheet.rows, start=1):
            r = n + 1
            parts = [f'<row r="{r}">']
            for i, value in enumerate(row[:width]):
                if value is None or value == "":
                    continue
                kind = kinds[i]
                ref = f"{letters[i]}{r}"
                if isinstance(value, bool):
                    value = "1" if value else "0"
                if kind in ("number", "auto") and isinstance(value, int | float) and not isinstance(value, bool):
                    s = f' s="{styles[i]}"' if styles[i] and kind == "number" else ""
                    parts.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
                elif kind in ("date", "auto") and isinstance(value, date) and not isinstance(value, datetime):
                    parts.append(f'<c r="{ref}" s="{date_xf}"><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>')
                else:
                    if isinstance(value, datetime):
                        value = value.isoformat(sep=" ", timespec="seconds")
                    text = value if isinstance(value, str) else str(value)
                    esc = escaped.get(text)
                    if esc is None:
                        esc = escaped[text] = _xml_text(text)
                    s = f' s="{styles[i]}"' if styles[i] else ""
                    parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{esc}</t></is></c>')
            parts.append("</row>")
            fh.write("".join(parts))
    return n


def _write_sheet(wb: Any, sheet: Sheet, name: str, formats: dict, title: str, footer: str, progress) -> int:
    ws = wb.add_worksheet(name)
    columns = list(sheet.columns)
    for i, col in enumerate(columns):
        # The column's format reaches the empty cells too: a PIN typed into a template stays text.
        text = formats["wrap" if col.wrap else "bold" if col.bold else "text"]
        column_format = {"text": text, "date": formats["date"]}.get(col.kind)
        if col.num_format:
            column_format = formats.setdefault("num:" + col.num_format, wb.add_format({"num_format": col.num_format}))
        ws.set_column(i, i, col.width, column_format)
        if sheet.header:
            if col.vertical and "head_up" not in formats:
                formats["head_up"] = wb.add_format(
                    {
                        "bold": True,
                        "bg_color": "#D9EAD3",
                        "border": 1,
                        "text_wrap": True,
                        "rotation": 90,
                        "valign": "bottom",
                    }
                )
            ws.write_string(0, i, col.header, formats["head_up" if col.vertical else "head"])
    if sheet.header and (height := max(sheet.header_height, _header_height(columns))) > 15:
        ws.set_row(0, height)
    start = 1 if sheet.header else 0
    n = 0
    wrapped = [i for i, col in enumerate(columns) if col.wrap]
    for n, row in enumerate(sheet.rows, start=1):
        if wrapped:
            # A wrapped cell's row is as tall as its lines: LibreOffice prints a row of default height
            # with a long school name written over the row below.
            lines = max(
                (_lines(str(row[i]), columns[i].width, 1.1) for i in wrapped if i < len(row) and row[i]), default=1
            )
            if lines > 1:
                ws.set_row(n - 1 + start, 15.0 * lines)
        for i, (col, value) in enumerate(zip(columns, row, strict=False)):
            _write_cell(ws, n - 1 + start, i, col, value, formats)
        if progress is not None and n % 1000 == 0:
            progress(n)
    if sheet.last_line:
        ws.write_string(n + start + 1, 0, sheet.last_line, formats["mark"])
    for k, spec in enumerate(sheet.charts):
        _insert_chart(wb, ws, name, spec, start, n, n + start + 3 + 18 * k)
    if not sheet.header:
        return n
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), max(len(columns) - 1, 0))
    ws.set_paper(9)  # A4
    landscape = sheet.landscape if sheet.landscape is not None else len(columns) > 6
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    _page_header_footer(ws, title, footer)
    return n


def _page_header_footer(ws: Any, title: str, footer: str) -> None:
    """The printed page's header (the title, alone: a long one overlapped a date beside it) and footer
    (the caller's line, the day it was written as dd.mm.yyyy — Excel's own &D prints the reader's
    locale, 12/03/2026 in LibreOffice — and «page / pages»). Excel allows 255 characters in each,
    codes included; "&" starts a code there."""
    # A font size's digits run on into digits after them («&8» + «03.12.2026» is size 803): a space between.
    if title:
        ws.set_header('&L&"Calibri,Bold"&9 ' + title[:200].replace("&", "&&")[:220].rstrip("&"))
    written = date.today().strftime("%d.%m.%Y")
    ws.set_footer("&L&8 " + footer[:180].replace("&", "&&")[:200].rstrip("&") + f"&C&8 {written}&R&8 &P / &N")


def _header_height(columns: Sequence[Column]) -> float:
    """Points the header row needs so that every wrapped heading shows all its lines: words laid
    into the column's width (a bold letter is about 1.15 of a digit's width), 15 points a line;
    vertical headings are the caller's to size (`Sheet.header_height`)."""
    lines = 1
    for col in columns:
        if col.vertical or not col.header:
            continue
        lines = max(lines, _lines(col.header, col.width, 1.15))
    return 15.0 * lines


def _lines(text: str, width: float, letter: float) -> int:
    """How many lines `text` takes wrapped in a column `width` digits wide, a letter being `letter`
    digits wide (bold about 1.15, plain Cyrillic about 1.1): words laid in, one too long broken."""
    room, count, used = max(1.0, width / letter), 1, 0.0
    for word in text.split():
        if used and used + 1 + len(word) > room:
            count, used = count + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
        count += int(max(0, len(word) - 1) // room)  # a word longer than the column breaks
    return count


def _insert_chart(wb: Any, ws: Any, name: str, spec: Chart, first: int, count: int, at_row: int) -> None:
    """A chart of the rows first … first + count - 1 (the sheet's data), anchored at `at_row`."""
    if count == 0:
        return
    chart = wb.add_chart({"type": spec.kind})
    last = first + count - 1
    for col in spec.series:
        chart.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, first, spec.categories, last, spec.categories],
                "values": [name, first, col, last, col],
                "data_labels": {"value": True, "num_format": "0.0"},
            }
        )
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_legend({"position": "bottom"})
    axis: dict[str, Any] = {"min": 0, "major_gridlines": {"visible": True}}
    if spec.y_max is not None:
        axis["max"] = spec.y_max
    if spec.y_title:
        axis["name"] = spec.y_title
    chart.set_y_axis(axis)
    chart.set_size({"width": 760, "height": 340})
    ws.insert_chart(at_row, 1, chart)


def _write_layout(wb: Any, sheet: Layout, name: str, title: str, footer: str) -> None:
    ws = wb.add_worksheet(name)
    formats: dict[tuple[Style, bool], Any] = {}

    def look(style: Style, dated: bool = False) -> Any:
        if (style, dated) not in formats:
            options = style.options() | ({"num_format": DATE_FORMAT} if dated else {})
            formats[style, dated] = wb.add_format(options)
        return formats[style, dated]

    for cell in sheet.cells:
        fmt = look(cell.style)
        r, c, value = cell.row, cell.col, cell.value
        if cell.rows > 1 or cell.cols > 1:
            # merge_range writes its value with write(); a string goes in as a string first.
            ws.merge_range(r, c, r + cell.rows - 1, c + cell.cols - 1, "", fmt)
            if value is None or value == "":
                continue
        if value is None:
            ws.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(r, c, "1" if value else "0", fmt)
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, fmt)
        elif isinstance(value, date):
            day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
            ws.write_datetime(r, c, day.replace(tzinfo=None), look(cell.style, dated=True))
        else:
            ws.write_string(r, c, str(value), fmt)
    for cols, width in sheet.widths.items():
        first, last = cols if isinstance(cols, tuple) else (cols, cols)
        ws.set_column(first, last, width)
    for row, height in sheet.heights.items():
        ws.set_row(row, height)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    ws.set_landscape() if sheet.landscape else ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if sheet.repeat:
        ws.repeat_rows(*sheet.repeat)
    left, right, top, bottom = sheet.margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if title or footer:
        _page_header_footer(ws, title, footer)


def _write_cell(ws: Any, r: int, c: int, col: Column, value: Any, formats: dict) -> None:
    if value is None or value == "":
        return
    kind = col.kind
    if kind == "auto":
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, int | float):
            kind = "number"
        elif isinstance(value, datetime):
            value = value.isoformat(sep=" ", timespec="seconds")
        elif isinstance(value, date):
            kind = "date"
    if kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), formats["date"])
    elif kind == "datetime" and isinstance(value, datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), formats["datetime"])
    elif kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(r, c, value, formats.get("num:" + col.num_format) if col.num_format else None)
    else:
        # write_string never makes a formula, whatever the text starts with.
        ws.write_string(r, c, str(value), formats["wrap" if col.wrap else "bold" if col.bold else "text"])


def _sheet_name(name: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (31 characters, no []:*?/\\), unique in the workbook."""
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate
