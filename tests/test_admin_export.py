"""Export of lists: what is filtered is exported, XLSX with real dates and print setup, CSV in UTF-8 with
BOM, formula-looking text kept as text; both read back with pandas to the database's values. Personal
data (pupils, guardians, staff, users) only with a purpose: audited with it, the file marked."""

from __future__ import annotations

import csv
import getpass
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Pupil
from bbbms_app.services.engine import exports, imports, marking
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import principal_of

CLASSES = ENTITIES.get("class")
GUARDIANS = ENTITIES.get("guardian")
PUPILS = ENTITIES.get("pupil")
STAFF = ENTITIES.get("staff")
SUBJECTS = ENTITIES.get("subject")
USERS = ENTITIES.get("user")

ROOT = Path(__file__).resolve().parent.parent
PURPOSE = "Райондук билим берүү бөлүмүнүн 2025-11-20 суроосу боюнча"


def _export(spec, fmt="xlsx", user="t_clerk", purpose=PURPOSE, **kw) -> bytes:
    buf = io.BytesIO()
    with db.session(write=True) as s:
        exports.export(s, spec, principal_of(user), buf, fmt=fmt, purpose=purpose, **kw)
    return buf.getvalue()


def _exports() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)).all())


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
        "Алфавиттик китеп боюнча №",
        "Класс",
        "Кабыл алуу буйругу",
        "Кабыл алынган күнү",
        "Кайдан келди",
        "Кайсы район, облус же өлкө",
        "Кайсы мектептен келди",
    ]
    with db.session() as s:
        pupils = {p.pin: p for p in s.exec(select(Pupil)).all()}
    assert len(frame) == 5
    for _i, row in frame.iterrows():
        p = pupils[row["ПИН (14 сан)"]]
        assert row["Фамилиясы"] == p.last_name and row["Аты"] == p.first_name
        assert row["Туулган күнү"].date() == p.birth_date  # a real date, not text
        assert row["Жынысы"] == {"m": "Эркек", "f": "Аял"}[p.sex]
    assert frame.loc[frame["Фамилиясы"] == "Петрова", "Алфавиттик китеп боюнча №"].item() == "=1+2"
    assert set(frame["Класс"]) == {"5-А", "6-Б"}
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M6"
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
    # A teacher may not take pupils' personal data out at all (no export.personal), purpose or not.
    with pytest.raises(marking.ExportRefused):
        _export(PUPILS, user="t_teacher")
    exports = _exports()
    assert len(exports) == 3 and {e.entity for e in exports} == {"pupil"} and {e.reason for e in exports} == {PURPOSE}


def test_csv_is_utf8_with_bom_and_imports_back_unchanged(school):
    _set(school.pupils_5a[1], alpha_book_no="+А/2")
    data = _export(PUPILS, fmt="csv", lang="ru")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].count(";") >= 5  # what Excel in a Russian locale expects
    frame = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = frame.loc[frame["Фамилия"] == "Абдыкадырова"].iloc[0]
    assert row["ПИН (14 цифр)"] == "\t10105201400022"  # the PIN stays text in Excel (a tab, not a formula)
    assert row["Имя"] == "Мөлдир" and row["Дата рождения"] == "01.05.2014" and row["Пол"] == "Жен."
    assert row["№ по алфавитной книге"] == "'+А/2"  # a spreadsheet shows it as text
    with db.session(write=True) as s:
        result = imports.run(s, PUPILS, principal_of("t_clerk"), data, "pupils.csv", lang="ru")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 5), result.errors


def test_guardians_export_one_row_per_child_and_classes_their_list(school):
    frame = pd.read_excel(io.BytesIO(_export(GUARDIANS)), dtype=str, keep_default_na=False)
    assert sorted(zip(frame["Фамилиясы"], frame["Туугандыгы"], strict=True)) == [
        ("Петров", "Атасы"),
        ("Үсөнова", "Энеси"),
        ("Үсөнова", "Энеси"),
    ]
    frame = pd.read_excel(io.BytesIO(_export(CLASSES, user="t_director")), dtype=str, keep_default_na=False)
    assert list(frame["Класс (параллель)"]) == ["5", "6"] and list(frame["Класс жетекчи"]) == ["Өмүрбекова Айжан", ""]


def test_only_personal_entities_are_personal():
    assert {s.name for s in (PUPILS, GUARDIANS, STAFF, USERS) if exports.is_personal(s)} == {
        "pupil",
        "guardian",
        "staff",
        "user",
    }
    assert not exports.is_personal(CLASSES) and not exports.is_personal(SUBJECTS)


def test_a_personal_export_without_a_purpose_is_refused_and_nothing_is_written(school):
    for spec in (PUPILS, GUARDIANS, STAFF):
        for fmt in exports.FORMATS:
            for purpose in ("", "   ", "abc"):
                buf = io.BytesIO()
                with pytest.raises(marking.ExportInvalid) as exc, db.session(write=True) as s:
                    exports.export(s, spec, principal_of("t_director"), buf, fmt=fmt, purpose=purpose)
                assert buf.getvalue() == b"", (spec.name, fmt, purpose)
                assert t(exc.value.key, "ky", **exc.value.params) == "Экспорттун максатын жазыңыз (жок дегенде 5 белги)"
    assert _exports() == []
    # A role without export.personal is refused even with a purpose (the screen's guard refuses first).
    with pytest.raises(marking.ExportRefused), db.session(write=True) as s:
        exports.export(s, PUPILS, principal_of("t_teacher"), io.BytesIO(), purpose=PURPOSE)
    assert _exports() == []


def test_non_personal_lists_export_without_a_purpose(school):
    frame = pd.read_excel(io.BytesIO(_export(SUBJECTS, user="t_director", purpose="")), dtype=str)
    assert len(frame) >= 1
    [event] = _exports()
    assert event.entity == "subject" and event.reason.startswith("search=") and event.username == "t_director"
    wb = openpyxl.load_workbook(io.BytesIO(_export(CLASSES, user="t_director", purpose="")))
    assert "BBBMS purpose" not in {p.name for p in wb.custom_doc_props.props}


def test_xlsx_of_pupils_records_who_when_and_why(school):
    data = _export(PUPILS, filters={"class_id": str(school.class_6b)})
    [event] = _exports()
    assert (event.action, event.entity, event.field, event.username) == ("export", "pupil", "xlsx", "t_clerk")
    assert event.reason == PURPOSE and event.new_value.startswith("pupil (") and event.new_value.endswith(": 2 rows")
    at = event.at.strftime("%Y-%m-%d %H:%M:%S")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    props = wb.properties
    assert props.creator == "t_clerk" and props.title == "Окуучулар" and props.subject == "Жеке маалыматтар"
    assert "t_clerk" in props.description and PURPOSE in props.description and at in props.description
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["BBBMS exported by"] == "t_clerk" and custom["BBBMS purpose"] == PURPOSE
    assert custom["BBBMS exported at (UTC)"] == at and int(custom["BBBMS audit event"]) == event.id
    ws = wb.active
    footer = ws.oddFooter.left.text
    assert "t_clerk" in footer and at in footer and PURPOSE in footer
    # Still the plain list: frozen, filtered header, the rows and nothing under them.
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M3" and ws.max_row == 3
    frame = pd.read_excel(io.BytesIO(data), dtype=str)
    assert sorted(frame["Фамилиясы"]) == ["Орозов", "Петрова"]


def test_csv_of_pupils_ends_with_the_marking_line_and_reads_back_to_the_same_values(school):
    _set(school.pupils_6b[0], alpha_book_no="=1+2")
    data = _export(PUPILS, fmt="csv", lang="en")
    [event] = _exports()
    assert event.reason == PURPOSE and event.field == "csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "PIN (14 digits)" and not marking.is_mark_row(rows[0])
    mark = rows[-1]
    assert marking.is_mark_row(mark) and sum(marking.is_mark_row(r) for r in rows) == 1
    assert mark[2] == "t_clerk" and mark[4] == PURPOSE and "t_clerk" in mark[1] and PURPOSE in mark[1]
    assert mark[3].startswith(event.at.strftime("%Y-%m-%dT%H:%M:%S"))
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert frame.iloc[-1, 0] == marking.MARK_CELL
    frame = frame.iloc[:-1]
    with db.session() as s:
        pupils = {p.pin: p for p in s.exec(select(Pupil)).all()}
    assert len(frame) == 5
    for _i, row in frame.iterrows():
        p = pupils[row["PIN (14 digits)"]]
        assert (row["Last name"], row["First name"]) == (p.last_name, p.first_name)
        assert row["Date of birth"] == p.birth_date.strftime("%d.%m.%Y")
    assert frame.loc[frame["Last name"] == "Петрова", "Alphabetic book no."].item() == "'=1+2"


def test_cli_export_of_pupils_needs_a_purpose(school, db_url, tmp_path):
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "pupils.csv"
    run = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "pupil", "--out", str(out), "--lang", "en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "purpose" in run.stderr and not out.exists()
    assert _exports() == []
    classes = tmp_path / "classes.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "class", "--out", str(classes)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and classes.exists(), run.stderr
    [event] = _exports()
    assert event.entity == "schoolclass" and event.username == f"cli:{getpass.getuser()}"


def test_cli_export_writes_the_file(school, db_url, tmp_path):
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    out = tmp_path / "pupils.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "pupil", "--out", str(out), "--lang", "en", "--purpose", PURPOSE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    frame = pd.read_excel(out, dtype={"PIN (14 digits)": str})
    assert len(frame) == 5 and frame["Date of birth"].min().date() == date(2013, 2, 1)
    [event] = _exports()
    operator = f"cli:{getpass.getuser()}"
    assert (event.entity, event.username, event.reason, event.user_id) == ("pupil", operator, PURPOSE, None)
    wb = openpyxl.load_workbook(out)
    assert wb.properties.creator == operator and PURPOSE in wb.active.oddFooter.left.text
    bad = subprocess.run(
        [sys.executable, "-m", "bbbms_app", "export", "nothing", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2


def test_personal_data_exports_are_rate_limited_per_user_and_the_refusal_is_audited(school):
    for _ in range(marking.EXPORT_LIMIT):
        _export(PUPILS)
    with pytest.raises(marking.ExportInvalid) as limited:
        _export(PUPILS)
    assert limited.value.key == "export.rate_limited"
    with db.session() as s:
        hits = s.exec(select(AuditEvent).where(AuditEvent.action == "rate_limited")).all()
        exports = s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(h.username, h.entity) for h in hits] == [("t_clerk", "pupil")]
    assert len(exports) == marking.EXPORT_LIMIT
    # Another user is not held up by the clerk's exports.
    assert _export(PUPILS, user="t_director")
