"""The year archive (services/reports/archive.py, `export archive`): one ZIP of the year's results,
attendance, journals, summary sheets and marks with a manifest of hashes, audited with its purpose.
Read back: the manifest's hashes, the workbooks with openpyxl, the figures of tests/reports_factory.py."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import cli, db
from bbbms_app.models import AcademicYear, AuditEvent
from bbbms_app.services.reports import archive
from tests import reports_factory


def test_export_archive_writes_the_year_with_a_manifest_and_is_audited(school, tmp_path, capsys):
    reports_factory.build(school)
    with db.session() as s:
        year = s.get(AcademicYear, school.year_id).name  # type: ignore[union-attr]
    out = tmp_path / "archive.zip"
    argv = ["--lang", "ru", "export", "archive", "--year", year, "--out", str(out)]
    assert cli.main(argv) == 2 and not out.exists()  # pupils' names and marks: a purpose first
    capsys.readouterr()
    assert cli.main([*argv, "--purpose", "архив года, хранить 25 лет"]) == 0
    assert "Архив учебного года записан" in capsys.readouterr().out
    assert out.stat().st_mode & 0o077 == 0
    assert archive.verify(out) == []
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read(archive.MANIFEST))
        names = set(zf.namelist())
        book = lambda name: openpyxl.load_workbook(io.BytesIO(zf.read(name)))  # noqa: E731
        assert {f["file"] for f in manifest["files"]} | {archive.MANIFEST} == names
        assert manifest["skipped"] == [] and manifest["year"] == year and manifest["purpose"].startswith("архив")
        kinds = {f["kind"] for f in manifest["files"]}
        assert kinds == {"results", "attendance", "journals", "summary", "marks"}
        assert {f["keep_years"] for f in manifest["files"] if f["kind"] == "journals"} == {5}
        assert {f["keep_years"] for f in manifest["files"] if f["kind"] == "summary"} == {25}
        # Each term and the year: results, attendance, a summary sheet per class; journals per term.
        assert {"results/results-quarter1.xlsx", "results/results-year.xlsx"} <= names
        assert "summary/5-А/summary-5-А-quarter1.xlsx" in names and "summary/10-А/summary-10-А-year.xlsx" in names
        results = book("results/results-quarter1.xlsx")["Итоги"]
        header = [c.value for c in results[1]]
        school_row = next(
            dict(zip(header, r, strict=True)) for r in results.iter_rows(values_only=True) if r[1] == "По школе"
        )
        assert (school_row["Учтено"], school_row["СОУ, %"]) == (8, 57.8)
        journals = book("journals/journals-quarter1.xlsx")
        assert "5-А Математика" in journals.sheetnames
        assert "архив года" in (journals.properties.description or "")  # the marking of personal data
        summary = book("summary/5-Б/summary-5-Б-quarter1.xlsx").active
        pupils = [r[1] for r in summary.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
        assert pupils == ["Асанова Айгерим", "Бекова Нургүл — выбыл 15.10.2025", "Жумаев Азамат", "Токтогулов Бекзат"]
    with db.session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.entity == "archive")).one()
    assert event.action == "export" and event.reason == "архив года, хранить 25 лет" and event.field == "zip"
    assert manifest["audit_event_id"] == event.id

    # A changed file is found by the manifest's hash.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data + b"x" if item.filename == "results/results-year.xlsx" else data)
    assert archive.verify(tampered) == ["results/results-year.xlsx"]


def test_the_year_is_named_with_a_hyphen_or_its_first_year(school):
    """The years are stored as «2025–2026» (an en dash); `--year 2025-2026`, as typed on a console, finds it."""
    with db.session() as s:
        year = s.get(AcademicYear, school.year_id)
    assert "–" in year.name  # type: ignore[union-attr]
    for asked in (year.name, year.name.replace("–", "-"), year.name[:4]):  # type: ignore[union-attr]
        assert cli._year_asked(school.school_id, asked).id == school.year_id
    with pytest.raises(cli.CliError):
        cli._year_asked(school.school_id, "1999-2000")
