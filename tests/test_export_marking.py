"""Marked exports of personal data, and the subject access export read back from real JSON and XLSX files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.cli import main as cli
from bbbms_app.models import AuditEvent, PeriodMark
from bbbms_app.services import consent as consent_service
from bbbms_app.services import subject_access
from bbbms_app.services.engine import marking
from tests.consent_support import give, private_dir  # noqa: F401  (fixture)
from tests.factories import principal_of

pytestmark = pytest.mark.usefixtures("private_dir")
PURPOSE = "Ата-энесинин 2025-11-20 арызы боюнча"


def _exports() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)).all())


def test_only_export_personal_with_a_purpose_may_export(school):
    for username in ("t_teacher", "t_classteacher", "t_deputy", "t_parent", "t_admin"):
        with pytest.raises(marking.ExportRefused), db.session() as s:
            marking.begin(s, principal_of(username), purpose=PURPOSE, what="x", rows=1, fmt="xlsx")
    for purpose in ("", "   ", "abc", None):
        with pytest.raises(marking.ExportInvalid) as exc, db.session() as s:
            marking.begin(s, principal_of("t_clerk"), purpose=purpose, what="x", rows=1, fmt="xlsx")
        assert exc.value.key == "export.purpose_required"
    assert _exports() == []
    with db.session() as s:
        stamp = marking.begin(s, principal_of("t_clerk"), purpose=f"  {PURPOSE} ", what="pupils", rows=3, fmt="csv")
    [event] = _exports()
    assert event.username == "t_clerk" and event.role == "clerk" and event.reason == PURPOSE
    assert event.new_value == "pupils: 3 rows" and event.field == "csv"
    assert stamp.audit_id == event.id and stamp.purpose == PURPOSE


def test_xlsx_carries_properties_a_last_line_and_a_printed_footer(school):
    with db.session() as s:
        stamp = marking.begin(s, principal_of("t_clerk"), purpose=PURPOSE, what="pupils", rows=2, fmt="xlsx")
    data = marking.xlsx(
        [
            marking.Sheet(
                "Окуучулар",
                ["Аты-жөнү", "Телефон", "Туулган күнү"],
                [["Үсөнов Нурбек", "+996 555 123", date(2014, 3, 15)], ['=HYPERLINK("x")', "@SUM(A1)", None]],
            )
        ],
        stamp,
        title="5-А",
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    props = wb.properties
    assert props.creator == "t_clerk" and props.title == "5-А"
    assert "t_clerk" in props.description and PURPOSE in props.description and stamp.at_text in props.description
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["BBBMS exported by"] == "t_clerk"
    assert custom["BBBMS purpose"] == PURPOSE
    assert custom["BBBMS exported at (UTC)"] == stamp.at_text
    assert int(custom["BBBMS audit event"]) == stamp.audit_id
    ws = wb["Окуучулар"]
    assert ws["A2"].value == "Үсөнов Нурбек" and ws["B2"].value == "+996 555 123"
    assert ws["C2"].value.date() == date(2014, 3, 15)
    # Text that looks like a formula stays text.
    assert ws["A3"].data_type == "s" and ws["A3"].value == '=HYPERLINK("x")'
    assert ws["B3"].data_type == "s"
    last = ws.cell(row=ws.max_row, column=1).value
    assert last == stamp.line() and "t_clerk" in last and PURPOSE in last and "UTC" in last
    footer = ws.oddFooter.left.text
    assert "t_clerk" in footer and stamp.at_text in footer and PURPOSE in footer
    assert ws.print_title_rows == "$1:$1"


def test_csv_keeps_its_header_first_and_ends_with_the_marking_line(school):
    with db.session() as s:
        stamp = marking.begin(s, principal_of("t_director"), purpose=PURPOSE, what="guardians", rows=2, fmt="csv")
    data = marking.csv_bytes(["Аты", "Телефон"], [["Өмүр", "+996 700"], ["-2+3", "ok"]], stamp)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Аты", "Телефон"]
    assert rows[1] == ["Өмүр", "'+996 700"] and rows[2] == ["'-2+3", "ok"]
    assert marking.is_mark_row(rows[-1]) and not marking.is_mark_row(rows[0])
    assert rows[-1][2] == "t_director" and rows[-1][4] == PURPOSE and "t_director" in rows[-1][1]


def _pupil_sar(school, fmt: str) -> bytes:
    pid = school.pupils_5a[0]
    with db.session(write=True) as s:
        s.add(
            PeriodMark(
                school_id=school.school_id,
                pupil_id=pid,
                subject_id=school.math,
                class_id=school.class_5a,
                academic_year_id=school.year_id,
                kind="quarter",
                number=1,
                value=5,
            )
        )
    give(school)
    with db.session(write=True) as s:
        data, name = subject_access.export(s, principal_of("t_clerk"), "pupil", pid, fmt=fmt, purpose=PURPOSE)
    assert name.startswith(f"personal-data-pupil-{pid}-") and name.endswith(fmt)
    return data


def test_subject_access_json_holds_everything_on_the_pupil(school):
    doc = json.loads(_pupil_sar(school, "json"))
    pid = school.pupils_5a[0]
    assert doc["_export"]["exported_by"] == "t_clerk" and doc["_export"]["purpose"] == PURPOSE
    assert doc["subject"] == {"type": "pupil", "id": pid, "name": "Үсөнов Нурбек"}
    [person] = doc["person"]
    assert person["pin"] == "21503201400011" and person["birth_date"] == "2014-03-15"
    assert "search_key" not in person and "sort_key" not in person
    assert [(g["last_name"], g["relation"]) for g in doc["guardians"]] == [("Үсөнова", "mother")]
    assert [(e["class"], e["starts_on"]) for e in doc["enrollments"]] == [("5-А", "2025-09-01")]
    assert [m["value"] for m in doc["marks"]] == [5, 4]
    assert [(a["code"], a["date"]) for a in doc["attendance"]] == [("б", "2025-09-04")]
    assert [(p["kind"], p["number"], p["value"]) for p in doc["period_marks"]] == [("quarter", 1, 5)]
    [c] = doc["consents"]
    assert c["signed_by_name"] == "Үсөнова Чолпон" and "scan_name" not in c and len(c["scan_sha256"]) == 64
    assert [a["username"] for a in doc["accounts"]] == ["t_pupil"]
    assert all("password_hash" not in a for a in doc["accounts"])
    assert ("create", "consent") in {(e["action"], e["entity"]) for e in doc["audit"]}
    [event] = _exports()
    assert event.entity == "pupil" and event.entity_id == pid and event.pupil_id == pid and event.reason == PURPOSE


def test_subject_access_xlsx_reads_back_sheet_by_sheet(school):
    wb = openpyxl.load_workbook(io.BytesIO(_pupil_sar(school, "xlsx")))
    assert wb.sheetnames[0] == "Мазмуну"
    assert set(wb.sheetnames[1:]) == {
        "person",
        "guardians",
        "enrollments",
        "marks",
        "attendance",
        "period_marks",
        "consents",
        "accounts",
        "audit",
    }
    contents = {r[0]: r[1] for r in wb["Мазмуну"].iter_rows(min_row=2, values_only=True) if r[1] is not None}
    assert contents["marks"] == 2 and contents["attendance"] == 1 and contents["guardians"] == 1
    marks = wb["marks"]
    header = [c.value for c in marks[1]]
    values = [row[header.index("value")] for row in marks.iter_rows(min_row=2, max_row=3, values_only=True)]
    assert values == [5, 4]
    assert wb.properties.creator == "t_clerk" and PURPOSE in wb.properties.description
    assert "t_clerk" in marks.oddFooter.left.text


def test_subject_access_for_guardian_and_staff_and_its_scope(school):
    give(school, "guardian", school.guardian_1, categories=("contacts",))
    with db.session(write=True) as s:
        data, _ = subject_access.export(
            s, principal_of("t_director"), "guardian", school.guardian_1, fmt="json", purpose=PURPOSE
        )
    doc = json.loads(data)
    assert {c["pupil_id"] for c in doc["children"]} == set(school.pupils_5a[:2])
    assert [a["username"] for a in doc["accounts"]] == ["t_parent"]
    assert len(doc["consents"]) == 1
    with db.session(write=True) as s:
        data, _ = subject_access.export(
            s, principal_of("t_director"), "staff", school.teacher_a, fmt="json", purpose=PURPOSE
        )
    doc = json.loads(data)
    assert [(t["class"], t["hours_per_week"]) for t in doc["teaching"]] == [("5-А", 5)]
    assert [c["class"] for c in doc["classes_led"]] == ["5-А"]
    with pytest.raises(marking.ExportRefused), db.session(write=True) as s:
        subject_access.export(
            s, principal_of("t_classteacher"), "pupil", school.pupils_5a[0], fmt="json", purpose=PURPOSE
        )
    with pytest.raises(marking.ExportInvalid), db.session(write=True) as s:
        subject_access.export(s, principal_of("t_clerk"), "pupil", school.pupils_5a[0], fmt="pdf", purpose=PURPOSE)
    assert len(_exports()) == 2


def test_register_export_is_marked_and_filtered(school):
    give(school)
    with db.session(write=True) as s:
        data, name = consent_service.export_register(
            s, principal_of("t_clerk"), purpose=PURPOSE, subject_type="pupil", status="active", lang="ru"
        )
    assert name.startswith("consent-register-pupil-")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert [c.value for c in ws[1]][:3] == ["ФИО", "Класс", "Статус"]
    assert ws["A2"].value == "Үсөнов Нурбек" and ws["C2"].value == "Действует"
    assert ws["D2"].value == "Личность, Контакты, Адрес"
    assert ws["A3"].value is None  # only the active one
    assert "Выгрузил: t_clerk" in ws.cell(row=ws.max_row, column=1).value
    assert wb.properties.creator == "t_clerk"
    with pytest.raises(marking.ExportRefused), db.session(write=True) as s:
        consent_service.export_register(s, principal_of("t_classteacher"), purpose=PURPOSE)


def test_cli_export_person_writes_a_marked_file_and_audits_the_operator(school, tmp_path, capsys):
    out = tmp_path / "sar.json"
    pid = school.pupils_5a[1]
    code = cli(["export-person", "--pupil", str(pid), "--format", "json", "--out", str(out), "--purpose", PURPOSE])
    assert code == 0, capsys.readouterr().err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["subject"]["id"] == pid and [m["value"] for m in doc["marks"]] == [3]
    assert doc["_export"]["exported_by"].startswith("cli:") and doc["_export"]["role"] == "operator"
    [event] = _exports()
    assert event.username.startswith("cli:") and event.user_id is None and event.pupil_id == pid
    xlsx = tmp_path / "sar.xlsx"
    assert (
        cli(["export-person", "--pupil", str(pid), "--format", "xlsx", "--out", str(xlsx), "--purpose", PURPOSE]) == 0
    )
    assert openpyxl.load_workbook(xlsx)["marks"].max_row >= 2
    assert cli(["export-person", "--pupil", str(pid), "--out", str(out), "--purpose", "x"]) == 2
    assert cli(["export-person", "--pupil", "999999", "--out", str(out), "--purpose", PURPOSE]) == 2
    assert len(_exports()) == 2
