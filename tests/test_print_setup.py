"""The print set-up of every workbook a school prints and files: the /reports one-click XLSX (results,
attendance, teachers), the whole-school export jobs, the year archive's files (results, attendance,
the term's journals, summary sheets, the year's marks) and the exchange file.

Each was looked at as printed pages (LibreOffice → PDF → PNG, issue 14); this keeps what was seen:
A4 landscape, one page wide (fit to width, as many pages down as needed), the header rows repeated
on every page, a printed title naming the school and the period, the day written as dd.mm.yyyy and
«page / pages» in the footer, and a signature line under every report's table. Read back with
openpyxl from the files the app writes, on tests/reports_factory.py's school."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bbbms_app import cli, db
from bbbms_app.models import AcademicYear, School
from bbbms_app.services import exchange
from bbbms_app.services.reports import export_jobs, teacher_sheets, teachers
from tests import reports_factory
from tests.test_export_jobs import principal

STARTED = date.today()  # a run may cross midnight: the file was written on a day between this and now
SIGNATURE = "Заместитель директора по учебно-воспитательной работе"
WRAPPED: list = []  # the listed pupils' subjects cells checked (the lists of a period can be empty)


def check_page(ws, where: str, *, title: str | None, signed: bool) -> None:
    """One worksheet's printed page: `title` a text the printed header must hold (None: the sheet
    carries its own heading rows, as a journal does); `signed`: a report's signature line under the table."""
    setup = ws.page_setup
    assert setup.orientation == "landscape", f"{where}: {setup.orientation}"
    assert setup.paperSize == 9, f"{where}: paper {setup.paperSize}"  # A4
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage, where
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, f"{where}: not one page wide"
    assert re.fullmatch(r"\$\d+:\$\d+", ws.print_title_rows or ""), f"{where}: no header rows repeated"
    if title is not None:
        header = ws.oddHeader.left.text or ""
        assert title in header, f"{where}: printed title {header!r}"
        assert "&D" not in header + (ws.oddHeader.right.text or "")  # the reader's locale's date (12/03/2026)
    footer = ws.oddFooter.center.text or ""
    days = {d.strftime("%d.%m.%Y") for d in (STARTED, date.today())}
    assert any(d in footer for d in days), f"{where}: the day it was written: {footer!r}, not {days}"
    assert "&P" in (ws.oddFooter.right.text or ""), f"{where}: no page numbers"
    if signed:
        lines = [r[0] for r in ws.iter_rows(min_col=1, max_col=1, values_only=True) if r[0] is not None]
        assert lines and SIGNATURE in str(lines[-1]), f"{where}: last line {lines[-1:]!r}"
    subjects = [c.column for c in ws[1] if c.value == "Предметы"] if ws.title == "Списки" else []
    for col in subjects:  # a pupil's dozen subjects: wrapped in the column, not spilling over the page
        listed = [c for (c,) in ws.iter_rows(min_row=2, min_col=col, max_col=col) if c.value]
        assert all(c.alignment.wrap_text for c in listed), f"{where}: subjects not wrapped"
        WRAPPED.extend(listed)
    if ws.freeze_panes == "A2":  # a list sheet (not a laid-out journal): its header row tall enough for its headings
        height = ws.row_dimensions[1].height or 15
        for cell in ws[1]:
            width = ws.column_dimensions[cell.column_letter].width or 8
            words = str(cell.value or "").split()
            assert all(len(w) <= width * 1.15 or height >= 30 for w in words), f"{where}: {cell.value!r} cut"


def check_book(data: bytes | Path, where: str, *, title: str | None, signed: bool) -> int:
    book = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    charts = 0
    for ws in book.worksheets:
        check_page(ws, f"{where}[{ws.title}]", title=title, signed=signed)
        charts += len(ws._charts)
    return len(book.worksheets)


@pytest.fixture
def known(school, tmp_path, monkeypatch):
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    reports_factory.build(school)
    with db.session() as s:
        name = s.get(School, school.school_id).name_ru  # type: ignore[union-attr]
    return school, name


def test_the_reports_and_the_year_archive_print_on_landscape_pages(known, tmp_path, capsys):
    school, name = known
    with db.session() as s:
        year = s.get(AcademicYear, school.year_id).name  # type: ignore[union-attr]
    out = tmp_path / "archive.zip"
    argv = ["--lang", "ru", "export", "archive", "--year", year, "--out", str(out), "--purpose", "архив"]
    assert cli.main(argv) == 0
    capsys.readouterr()
    seen = set()
    with zipfile.ZipFile(out) as zf:
        for entry in zf.namelist():
            if not entry.endswith(".xlsx"):
                continue
            kind = entry.split("/")[0]
            seen.add(kind)
            data = zf.read(entry)
            if kind == "journals":  # the sheet's own heading names the class and subject, the page the school
                check_book(data, entry, title=name, signed=False)
            elif kind == "marks":  # one flat table: its title in the properties, the marking under it
                check_book(data, entry, title=None, signed=False)
            else:  # results (with the teachers' sheet and the lists), attendance, summary sheets
                check_book(data, entry, title=name, signed=True)
    assert seen == {"results", "attendance", "journals", "summary", "marks"}
    assert WRAPPED  # some lists had pupils with subjects to check


def test_the_teachers_report_the_export_jobs_and_the_exchange_file(known, tmp_path):
    school, name = known
    director = principal("t_director")
    with db.session() as s:
        rep = teachers.teacher_report(s, director, school.year_id, school.term_ids[0])
        _name, data = teacher_sheets.teacher_xlsx(rep, "ru")
        assert check_book(data, "teachers", title=name, signed=True) >= 4
        params = {"year_id": school.year_id, "term_id": school.term_ids[0], "lang": "ru", "named": True}
        for kind, build in (
            ("results", export_jobs._results_workbook),
            ("attendance", export_jobs._attendance_workbook),
        ):
            path = tmp_path / f"{kind}.xlsx"
            build(s, director, params, path, lambda done, total: None)
            assert check_book(path, f"job {kind}", title=name, signed=True) >= 3
        path = tmp_path / "journals.xlsx"
        export_jobs._journals_workbook(s, director, params, path, lambda done, total: None)
        check_book(path, "job journals", title=name, signed=False)
        made = exchange.export_rows(s, school.school_id, school.term_ids[0])
    check_book(exchange.to_xlsx(made), "exchange", title=f"OKPO {made.okpo}", signed=False)


def test_a_wrapped_cell_makes_its_row_as_tall_as_its_lines():
    """A school's long name wrapped in a 20-digit column takes three lines: its row is three lines
    tall (LibreOffice printed it at one line, over the totals row under it); a short one stays one."""
    from bbbms_app.services.engine import xlsx

    long_name = "№ 20 Т. Сатылганов атындагы жалпы билим берүүчү мектеп"  # 55 letters, 8 words
    sheet = xlsx.Sheet(
        "Жыйынтык",
        [
            xlsx.Column("№", "number", 5),
            xlsx.Column("Мектеп", "text", 20, wrap=True),
            xlsx.Column("Окуучулар", "number"),
        ],
        [[1, long_name, 219], [2, "Район боюнча", 219]],
    )
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.to_bytes([sheet], title="Район"))).active
    # 20 / 1.1 ≈ 18 letters a line: «№ 20 Т. Сатылганов» (18), «атындагы жалпы» (14), «билим берүүчү» (13),
    # «мектеп» — four lines, 60 points.
    assert ws.row_dimensions[2].height == 60
    assert ws.row_dimensions[3].height in (None, 15)
    assert ws.cell(2, 2).alignment.wrap_text
