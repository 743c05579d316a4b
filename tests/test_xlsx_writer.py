"""engine/xlsx.py, the app's one XLSX writer: a laid-out sheet (merged headers, styled cells) beside
a list sheet in one workbook, read back with openpyxl and pandas."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from bbbms_app.services.engine import xlsx

HEAD = xlsx.Style(bold=True, align="center", valign="vcenter", border=True, fill="#E6F2F0")
GREY = xlsx.Style(border=True, fill="#EEEEEE")


def _workbook() -> bytes:
    C = xlsx.Cell
    cells = [
        C(0, 0, "Title & co", xlsx.Style(bold=True, size=13)),
        C(1, 0, "№", HEAD, rows=2),
        C(1, 1, "сен", HEAD, cols=3),
        C(2, 1, 2, HEAD),
        C(2, 2, 3, HEAD),
        C(2, 3, 4, HEAD),
        C(1, 4, "", HEAD, rows=2, cols=2),  # an empty merged block keeps its look
        C(3, 0, '=HYPERLINK("http://x")', xlsx.Style(wrap=True)),
        C(3, 1, 5, xlsx.Style(bold=True, color="#B42318")),
        C(3, 2, None, GREY),
        C(3, 3, date(2025, 9, 2)),
        C(3, 4, "+1-1"),
        C(3, 5, True),
    ]
    layout = xlsx.Layout("Журнал", cells, widths={0: 4, (1, 3): 3.6}, freeze=(3, 1), repeat=(1, 2))
    listing = xlsx.Sheet("Журнал", [xlsx.Column("Name"), xlsx.Column("N", "number", 8)], [("=1+1", 7)])
    return xlsx.to_bytes([layout, listing], footer="BBBMS")


def test_a_layout_sheet_keeps_merges_styles_and_text():
    wb = openpyxl.load_workbook(io.BytesIO(_workbook()))
    assert wb.sheetnames == ["Журнал", "Журнал (2)"]  # names stay unique across both kinds
    ws = wb["Журнал"]
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["A2:A3", "B2:D2", "E2:F3"]
    assert ws["A2"].value == "№" and ws["B2"].value == "сен" and [ws.cell(3, c).value for c in (2, 3, 4)] == [2, 3, 4]
    head = ws["B2"]
    assert head.font.b and head.alignment.horizontal == "center" and head.fill.fgColor.rgb.endswith("E6F2F0")
    assert ws["E2"].value is None and ws["E2"].fill.fgColor.rgb.endswith("E6F2F0")
    assert ws["A4"].value == '=HYPERLINK("http://x")' and ws["A4"].data_type == "s"  # never a formula
    assert ws["B4"].value == 5 and ws["B4"].font.b and ws["B4"].font.color.rgb.endswith("B42318")
    assert ws["C4"].value is None and ws["C4"].fill.fgColor.rgb.endswith("EEEEEE") and ws["C4"].border.left.style
    assert ws["D4"].value.date() == date(2025, 9, 2) and ws["D4"].number_format == xlsx.DATE_FORMAT
    assert ws["E4"].value == "+1-1" and ws["E4"].data_type == "s" and ws["F4"].value == "1"
    assert ws["A1"].font.sz == 13 and ws.column_dimensions["A"].width < 5
    assert ws.freeze_panes == "B4" and ws.print_title_rows == "$2:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert "BBBMS" in ws.oddFooter.left.text
    listing = wb["Журнал (2)"]
    assert [c.value for c in listing[2]] == ["=1+1", 7] and listing["A2"].data_type == "s"
    frame = pd.read_excel(io.BytesIO(_workbook()), sheet_name=0, header=None, skiprows=2, nrows=2)
    assert frame.iloc[1, 1] == 5 and frame.iloc[1, 4] == "+1-1"
