"""Import from real XLSX and CSV files: the whole file checked first, a row-level report, all or nothing,
no duplicates on re-import, Excel's habits (dates, 2.01E+13 PINs, formulas) and encodings."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Enrollment, Guardian, Pupil, PupilGuardian, Subject
from bbbms_app.services.engine import imports
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import principal_of

GUARDIANS = ENTITIES.get("guardian")
PUPILS = ENTITIES.get("pupil")
STAFF = ENTITIES.get("staff")
SUBJECTS = ENTITIES.get("subject")
USERS = ENTITIES.get("user")

ROOT = Path(__file__).resolve().parent.parent
KY_HEADERS = [
    "ПИН (14 сан)",
    "Фамилиясы",
    "Аты",
    "Атасынын аты",
    "Туулган күнү",
    "Жынысы",
    "Алфавиттик китеп боюнча №",
    "Класс",
    "Кабыл алуу буйругу",
]
RU_HEADERS = [
    "ПИН (14 цифр)",
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Пол",
    "№ по алфавитной книге",
    "Класс",
    "Приказ о зачислении",
]
# The template adds the admission's date and where the pupil came from (both optional).
RU_TEMPLATE = [
    *RU_HEADERS,
    "Дата зачисления",
    "Откуда прибыл",
    "Какой район, область или страна",
    "Из какой школы прибыл",
]


@pytest.fixture(autouse=True)
def admission_order(school):
    """The director's order «3-у» the files' new pupils are admitted under (services.movement)."""
    from tests.test_admin_crud import admission_order as make

    return make(school.school_id)


def xlsx(headers: list[str], rows: list[list], formulas: dict[tuple[int, int], str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for (r, c), formula in (formulas or {}).items():
        ws.cell(row=r, column=c, value=formula)  # openpyxl stores "=…" as a formula cell
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8", sep: str = ";") -> bytes:
    lines = [sep.join(headers)] + [sep.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding, errors="replace")


def run(spec, data: bytes, name: str = "file.xlsx", user: str = "t_clerk", **kw) -> imports.ImportResult:
    with db.session(write=True) as s:
        return imports.run(s, spec, principal_of(user), data, name, **kw)


def count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


GOOD = [
    ["21001201500101", "Токтогулов", "Азамат", "Бакытович", date(2015, 1, 10), "Эркек", "Т/1", "5-А", "3-у"],
    [21001201500102, "Сыдыкова", "Бүбүсара", "", "11.02.2015", "Аял", "", "5а", "3-у"],
    ["21001201500103", "Ивченко", "Ольга", "Петровна", datetime(2015, 3, 12), "f", "И/4", "6 Б", "3-у"],
]


def test_a_good_xlsx_imports_all_rows_and_a_second_import_duplicates_nothing(school):
    before = count(Pupil)
    result = run(PUPILS, xlsx(KY_HEADERS, GOOD))
    assert result.ok and result.written, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    with db.session() as s:
        p = s.exec(select(Pupil).where(Pupil.pin == "21001201500102")).one()
        assert (p.last_name, p.first_name, p.birth_date, p.sex) == ("Сыдыкова", "Бүбүсара", date(2015, 2, 11), "f")
        assert p.search_key.startswith("сыдыкова бүбүсара")
        classes = dict(
            s.exec(select(Enrollment.pupil_id, Enrollment.class_id).where(Enrollment.pupil_id == p.id)).all()
        )
        assert classes == {p.id: school.class_5a}
        created = s.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "create", AuditEvent.entity == "pupil")
        ).one()
        assert created == 3
    again = run(PUPILS, xlsx(KY_HEADERS, GOOD))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [row[:] for row in GOOD]
    changed[2][6] = "И/5"
    third = run(PUPILS, xlsx(KY_HEADERS, changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert count(Pupil) == before + 3


def test_one_bad_row_writes_nothing_and_every_problem_is_reported(school):
    before = count(Pupil), count(AuditEvent)
    rows = [
        GOOD[0],
        ["2.01E+13", "Асанов", "Бек", "", "01.09.2015", "Эркек", "", "5-А", "3-у"],  # Excel ate the PIN
        ["21001201500105", "Бекова", "", "", "31.02.2015", "кыз", "", "9-Я", "3-у"],  # no name, bad date, sex, class
        ["21001201500101", "Токтогулов", "Азамат", "", date(2015, 1, 10), "m", "", "5-А", "3-у"],  # same PIN as row 2
        ["21001201500106", "Формулов", "Ф", "", date(2015, 1, 1), "m", "", "5-А", "3-у"],
    ]
    result = run(PUPILS, xlsx(KY_HEADERS, rows, formulas={(6, 7): "=1+1"}))
    assert not result.written
    problems = {(e.row, e.column, e.message) for e in result.errors}
    assert (3, "ПИН (14 сан)", imports.t("admin.import.pin_scientific", "ky")) in problems
    assert (4, "Аты", "Толтуруу милдеттүү") in problems
    assert (4, "Туулган күнү", imports.t("admin.error.date", "ky")) in problems
    sex = f"{imports.t('admin.import.unknown_choice', 'ky')}. Болушу мүмкүн: Эркек, Аял"  # the allowed values
    assert (4, "Жынысы", sex) in problems
    assert (4, "Класс", imports.t("admin.import.unknown_reference", "ky")) in problems
    assert (5, "ПИН (14 сан)", imports.t("admin.import.duplicate_in_file", "ky", row=2)) in problems
    assert (6, "Алфавиттик китеп боюнча №", imports.t("admin.import.formula", "ky")) in problems
    values = {(e.row, e.column): e.value for e in result.errors}
    assert values[(3, "ПИН (14 сан)")] == "2.01E+13" and values[(6, "Алфавиттик китеп боюнча №")] == "=1+1"
    assert (count(Pupil), count(AuditEvent)) == before
    report = openpyxl.load_workbook(io.BytesIO(imports.error_report(result, "ky"))).active
    assert [c.value for c in report[1]] == ["Сап", "Мамыча", "Мааниси", "Эмне туура эмес"]
    assert report.max_row == len(result.errors) + 1


def test_a_problem_found_only_when_writing_still_rolls_back_everything(school):
    before = count(Pupil)
    rows = [GOOD[0], ["21001201500109", "Узун", "А" * 81, "", "01.01.2015", "m", "", "5-А", "3-у"]]
    result = run(PUPILS, xlsx(RU_HEADERS, rows), lang="ru")
    assert [(e.row, e.column) for e in result.errors] == [(3, "Имя")]
    assert result.errors[0].message == "Слишком длинно (не более 80 символов)"
    assert count(Pupil) == before


def test_dry_run_checks_without_writing(school):
    before = count(Pupil)
    result = run(PUPILS, xlsx(KY_HEADERS, GOOD), dry_run=True)
    assert result.ok and not result.written and result.created == 3
    assert count(Pupil) == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_in_utf8_with_or_without_bom_and_russian_headers(school, encoding):
    rows = [["21001201500111", "Өмүров", "Үмүт", "", "05.05.2015", "Муж.", "", "6-Б", "3-у"]]
    result = run(PUPILS, csv_bytes(RU_HEADERS, rows, encoding), "pupils.csv")
    assert result.ok and result.written, result.errors
    assert result.encoding == encoding
    with db.session() as s:
        assert s.exec(select(Pupil.first_name).where(Pupil.pin == "21001201500111")).one() == "Үмүт"


def test_a_cp1251_file_is_reported_not_imported_with_question_marks(school):
    before = count(Pupil)
    rows = [["21001201500112", "Өмүров", "Үмүт", "", "05.05.2015", "Муж.", "", "6-Б", "3-у"]]
    result = run(PUPILS, csv_bytes(RU_HEADERS, rows, "cp1251"), "pupils.csv", lang="en")
    assert [e.message for e in result.errors] == [imports.t("admin.import.cp1251", "en")]
    assert "Windows-1251" in result.errors[0].message
    assert count(Pupil) == before


def test_enum_values_and_headers_in_any_ui_language(school):
    headers = ["Last name", "First name", "Patronymic", "PIN (14 digits)", "Child's PIN", "Relation"]
    rows = [
        ["Токтогулова", "Айнура", "", "11001198500001", "21503201400011", "Mother"],
        ["Үсөнов", "Бакыт", "", "", "21503201400011", "Атасы"],
        ["Ким", "Олег", "", "", "10105201400022", "дедушка"],
    ]
    result = run(GUARDIANS, xlsx(headers, rows))
    assert result.ok and result.created == 3, result.errors
    with db.session() as s:
        links = s.exec(
            select(Guardian.first_name, PupilGuardian.relation).join(
                PupilGuardian, PupilGuardian.guardian_id == Guardian.id
            )
        ).all()
    assert {("Айнура", "mother"), ("Бакыт", "father"), ("Олег", "grandfather")} <= set(links)
    # Guardians without a PIN are matched by name and child: a re-import duplicates nobody.
    again = run(GUARDIANS, xlsx(headers, rows))
    assert (again.created, again.unchanged) == (0, 3)


def test_references_by_name_or_code_and_unknown_columns(school):
    result = run(
        SUBJECTS,
        xlsx(["Коду", "Аталышы (кыргызча)", "Аталышы (орусча)"], [["HIST", "Тарых", "История"]]),
        user="t_director",
    )
    assert result.ok and result.written
    bad = run(SUBJECTS, xlsx(["Коду", "Түсү"], [["ART", "кызыл"]]), user="t_director")
    assert {e.message for e in bad.errors} == {
        imports.t("admin.import.unknown_column", "ky"),
        imports.t("admin.import.missing_column", "ky"),
    }
    staff = run(STAFF, xlsx(["Фамилиясы", "Аты", "Кызматы"], [["Жумабеков", "Талант", "Учитель"]]), user="t_director")
    assert staff.ok and staff.written, staff.errors
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Subject).where(Subject.code == "HIST")).one() == 1


def test_a_file_cannot_reach_outside_the_importers_scope(school):
    rows = [["Өзгөчө", "Адам", "", "", "20909201300055", "Энеси"]]
    headers = ["Фамилиясы", "Аты", "Атасынын аты", "ПИН (14 сан)", "Баланын ПИНи", "Туугандыгы"]
    # The class teacher of 5-А may not write guardians at all; the clerk may, for any pupil.
    with db.session(write=True) as s:
        ok = imports.run(s, GUARDIANS, principal_of("t_clerk"), xlsx(headers, rows), "g.xlsx", dry_run=True)
    assert ok.ok
    # Accounts are importable (tests/test_user_import.py); a file without their required columns is not.
    refused = run(USERS, xlsx(["Логин"], [["x"]]), user="t_admin")
    assert refused.errors and not refused.written


def test_pupil_moved_to_another_class_by_file_is_refused(school):
    rows = [["21503201400011", "Үсөнов", "Нурбек", "", date(2014, 3, 15), "m", "", "6-Б", "3-у"]]
    result = run(PUPILS, xlsx(KY_HEADERS, rows))
    assert [e.message for e in result.errors] == [imports.t("admin.import.class_change", "ky")]


def test_template_has_headers_in_the_users_language_and_text_pin_column(school):
    wb = openpyxl.load_workbook(io.BytesIO(imports.template(PUPILS, "ru")))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == RU_TEMPLATE
    assert wb.worksheets[1].title == "Инструкция"
    assert "дд.мм.гггг" in wb.worksheets[1]["B5"].value


def test_cli_import_exits_non_zero_with_the_report_and_zero_on_success(school, db_url, tmp_path):
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(KY_HEADERS, [["2.01E+13", "А", "Б", "", "01.01.2015", "m", "", "5-А", "3-у"]]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(KY_HEADERS, GOOD))
    cmd = [sys.executable, "-m", "bbbms_app", "import", "pupil"]
    out = subprocess.run([*cmd, str(bad), "--lang", "en"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "row 2" in out.stderr and "2.01E+13" in out.stderr
    dry = subprocess.run([*cmd, str(good), "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert count(Pupil) == 5
    real = subprocess.run([*cmd, str(good)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert real.returncode == 0, real.stderr
    assert count(Pupil) == 8
