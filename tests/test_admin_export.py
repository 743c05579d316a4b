"""Export of lists: what is filtered is exported, XLSX with real dates and print setup, CSV in UTF-8 with
BOM, formula-looking text kept as text; both read back with pandas to the database's values."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.registry import CLASSES, GUARDIANS, PUPILS
from bbbms_app.models import AuditEvent, Pupil
from bbbms_app.services import data_export, data_import
from tests.test_admin_crud import principal

ROOT = Path(__file__).resolve().parent.parent


def _export(spec, fmt="xlsx", user="t_clerk", **kw) -> bytes:
    buf = io.BytesIO()
    with db.session() as s:
        data_export.export(s, spec, principal(user), buf, fmt=fmt, **kw)
    return buf.getvalue()


def _set(pid: int, **values) -> None:
    with db.session() as s:
        p = s.get(Pupil, pid)
        for k, v in values.items():
            setattr(p, k, v)
        s.add(p)


def test_xlsx_export_reads_back_with_pandas_to_the_same_values(school):
    _set(school.pupils_6b[0], alpha_book_no="=1+2")  # user text that looks like a formula
    data = _export(PUPILS)
    frame = pd.read_excel(io.BytesIO(data), dtype={"ПИН (14 сан)": str})
    assert list(frame.columns) == [
        "ПИН (14 сан)",
        "Фамилиясы",
        "Аты",
        "Атасынын аты",
        "Туулган күнү",
        "Жынысы",
        "Алиппе китеби №",
        "Класс",
    ]
    with db.session() as s:
        pupils = {p.pin: p for p in s.exec(select(Pupil)).all()}
    assert len(frame) == 5
    for _i, row in frame.iterrows():
        p = pupils[row["ПИН (14 сан)"]]
        assert row["Фамилиясы"] == p.last_name and row["Аты"] == p.first_name
        assert row["Туулган күнү"].date() == p.birth_date  # a real date, not text
        assert row["Жынысы"] == {"m": "Эркек", "f": "Аял"}[p.sex]
    assert frame.loc[frame["Фамилиясы"] == "Петрова", "Алиппе китеби №"].item() == "=1+2"
    assert set(frame["Класс"]) == {"5-А", "6-Б"}
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H6"
    assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$1:$1"
    assert ws["A1"].font.b and ws.column_dimensions["A"].width > 10
    assert ws["E2"].is_date and ws["E2"].number_format == "dd.mm.yyyy"
    formula_cell = next(c for c in ws["G"] if c.value == "=1+2")
    assert formula_cell.data_type == "s"  # text, never a formula


def test_what_is_filtered_or_selected_is_what_is_exported(school):
    frame = pd.read_excel(io.BytesIO(_export(PUPILS, filters={"class_id": str(school.class_6b)})), dtype=str)
    assert sorted(frame["Фамилиясы"]) == ["Орозов", "Петрова"]
    frame = pd.read_excel(io.BytesIO(_export(PUPILS, search="үсөн")), dtype=str)
    assert list(frame["Фамилиясы"]) == ["Үсөнов"]
    frame = pd.read_excel(io.BytesIO(_export(PUPILS, ids=school.pupils_5a[:2])), dtype=str)
    assert len(frame) == 2
    # A teacher's export is his own list: only his classes' pupils.
    frame = pd.read_excel(io.BytesIO(_export(PUPILS, user="t_teacher")), dtype=str)
    assert sorted(frame["Фамилиясы"]) == ["Орозов", "Петрова"]
    with db.session() as s:
        exports = s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 4 and {e.entity for e in exports} == {"pupil"}


def test_csv_is_utf8_with_bom_and_imports_back_unchanged(school):
    _set(school.pupils_5a[1], alpha_book_no="+А/2")
    data = _export(PUPILS, fmt="csv", lang="ru")
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = frame.loc[frame["Фамилия"] == "Абдыкадырова"].iloc[0]
    assert row["Имя"] == "Мөлдир" and row["Дата рождения"] == "01.05.2014" and row["Пол"] == "Жен."
    assert row["№ по алфавитной книге"] == "'+А/2"  # a spreadsheet shows it as text
    with db.session(write=True) as s:
        result = data_import.run(s, PUPILS, principal("t_clerk"), data, "pupils.csv", lang="ru")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 5), result.errors


def test_guardians_export_one_row_per_child_and_classes_their_list(school):
    frame = pd.read_excel(io.BytesIO(_export(GUARDIANS)), dtype=str, keep_default_na=False)
    assert sorted(zip(frame["Фамилиясы"], frame["Туугандыгы"], strict=True)) == [
        ("Петров", "Атасы"),
        ("Үсөнова", "Апасы"),
        ("Үсөнова", "Апасы"),
    ]
    frame = pd.read_excel(io.BytesIO(_export(CLASSES, user="t_director")), dtype=str, keep_default_na=False)
    assert list(frame["Класс (параллель)"]) == ["5", "6"] and list(frame["Класс жетекчи"]) == ["Өмүрбекова Айжан", ""]


def test_cli_export_writes_the_file(school, db_url, tmp_path):
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "pupils.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "pupil", "--out", str(out), "--lang", "en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    frame = pd.read_excel(out, dtype={"PIN (14 digits)": str})
    assert len(frame) == 5 and frame["Date of birth"].min().date() == date(2013, 2, 1)
    bad = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "nothing", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
