"""Exchange files keyed by PIN and OKPO (issue 19 §4): a term's marks, attendance and quarter marks
as one flat table (XLSX and CSV read back, on the console and over HTTP with gradebook:read), and
the contingent imported from an enrolment system's table — all rows or none, each problem with its
row and column, new pupils arriving in their class under the order through the movement book."""

from __future__ import annotations

import csv
import io
import os
from datetime import date

import openpyxl
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import cli, db
from bbbms_app.api.rest import rest_api
from bbbms_app.models import AuditEvent, Enrollment, Mark, MovementRecord, PeriodMark, Pupil, Term
from bbbms_app.services import api_clients, exchange
from tests import factories
from tests.test_admin_import import xlsx
from tests.test_api_rest import bearer, token_for
from tests.test_movement import make_order

OKPO = "10000001"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    api_clients.RATE.reset()
    yield
    api_clients.RATE.reset()


@pytest.fixture
def term(school):
    """The known school's first quarter with a quarter mark, and a pupil without a PIN with a mark."""
    with db.session(write=True) as s:
        s.add(PeriodMark(school_id=school.school_id, pupil_id=school.pupils_5a[0], subject_id=school.math,
                         class_id=school.class_5a, academic_year_id=school.year_id, term_id=school.term_ids[0],
                         number=1, value=5))  # fmt: skip
        nameless = factories.make_pupil(s, school.school_id, pin=None)
        s.add(Mark(school_id=school.school_id, lesson_id=school.lessons_5a_math[1], pupil_id=nameless.id, value=2))
        return s.get(Term, school.term_ids[0]).ends_on


def expected(ends_on: date) -> list[list[object]]:
    common = [OKPO, "5-А", "Математика", "Математика"]
    return [
        ["10105201400022", *common, date(2025, 9, 2), 1, "class", 3],  # Абдыкадырова before Үсөнов
        ["21503201400011", *common, date(2025, 9, 2), 1, "class", 5],
        ["21503201400011", *common, date(2025, 9, 3), 2, "class", 4],
        ["21503201400011", *common, date(2025, 9, 4), 3, "attendance", "б"],
        ["21503201400011", *common, ends_on, None, "quarter", 5],
    ]


def test_the_export_on_the_console_reads_back_as_xlsx_and_csv(school, term, tmp_path, capsys):
    out = tmp_path / "exchange.xlsx"
    assert cli.main(["--lang", "ru", "exchange", "export", "--term", str(school.term_ids[0]), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "Файл обмена записан" in said.out and "(строк: 5)" in said.out
    assert "Строк учеников без ПИН не включено: 1" in said.err
    assert os.stat(out).st_mode & 0o777 == 0o600  # it holds PINs
    sheet = openpyxl.load_workbook(out).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(exchange.COLUMNS)
    got = [[c.date() if hasattr(c, "date") and c is not None and not isinstance(c, str) else c for c in r]
           for r in rows[1:]]  # fmt: skip
    assert got == expected(term)
    assert all(isinstance(r[0], str) and len(r[0]) == 14 for r in rows[1:])  # a PIN stays text

    out_csv = tmp_path / "exchange.csv"
    assert cli.main(["exchange", "export", "--term", str(school.term_ids[0]), "--out", str(out_csv)]) == 0
    lines = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert lines[0] == list(exchange.COLUMNS)
    want = [["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in r] for r in expected(term)]
    assert lines[1:] == want
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "api_exchange", AuditEvent.action == "export"))
        assert [a.username.startswith("cli:") for a in rows] == [True, True]

    with db.session() as s:
        other = factories.build_school(s, okpo="20000002", prefix="b_")
    capsys.readouterr()
    args = ["--lang", "en", "exchange", "export", "--term", str(other.term_ids[0]), "--out", str(out_csv)]
    assert cli.main([*args, "--school", str(school.school_id)]) == 2
    assert f"This school has no term {other.term_ids[0]}" in capsys.readouterr().err


def test_the_export_over_http_needs_gradebook_read_and_keeps_to_the_school(school, term):
    http = TestClient(rest_api)
    url = "/api/v1/exchange"
    assert http.get(url, params={"term": school.term_ids[0]}).status_code == 401
    roster = bearer(token_for(http, school.school_id, scopes=("roster:read",), name="Roster"))
    refused = http.get(url, params={"term": school.term_ids[0]}, headers=roster)
    assert refused.status_code == 403 and refused.json()["error"] == "insufficient_scope"
    h = bearer(token_for(http, school.school_id, scopes=("gradebook:read",), name="E-journal"))
    answer = http.get(url, params={"term": school.term_ids[0]}, headers=h)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["cache-control"] == "no-store" and answer.headers["x-rows-without-pin"] == "1"
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0] == list(exchange.COLUMNS) and len(lines) == 6 and lines[4][7:] == ["attendance", "б"]
    book = http.get(url, params={"term": school.term_ids[0], "format": "xlsx"}, headers=h)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet.max_row == 6 and sheet["A2"].value == "10105201400022"

    missing = http.get(url, headers={**h, "Accept-Language": "ru"})
    assert missing.status_code == 400 and "«term»" in missing.json()["error_description"]
    assert http.get(url, params={"term": "x"}, headers=h).status_code == 400
    assert http.get(url, params={"term": school.term_ids[0], "format": "pdf"}, headers=h).status_code == 400
    with db.session() as s:
        other = factories.build_school(s, okpo="20000002", prefix="b_")
    assert http.get(url, params={"term": other.term_ids[0]}, headers=h).status_code == 404
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "api_exchange", AuditEvent.action == "export"))
        assert [a.username for a in rows] == ["api:E-journal", "api:E-journal"]


RU = ["ПИН (14 цифр)", "Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "Класс", "Язык обучения"]


def _counts() -> tuple[int, int, int]:
    with db.session() as s:
        return tuple(len(s.exec(select(m)).all()) for m in (Pupil, Enrollment, MovementRecord))  # type: ignore[return-value]


def test_the_contingent_imports_all_rows_through_the_movement_book(school, tmp_path, capsys):
    order = make_order(school.school_id, "45-у", date(2025, 9, 1))
    rows = [
        ["21204201500077", "Асанов", "Бакыт", "Маратович", "12.04.2015", "м", "5-А", "кыргызский"],
        ["10811201400088", "Сидорова", "Мария", "", date(2014, 11, 8), "ж", "6-Б", "ru"],
        ["21503201400011", "Үсөнов", "Нурбек", "", "15.03.2014", "м", "5-А", "Кыргыз тили"],  # already there
    ]
    path = tmp_path / "contingent.xlsx"
    path.write_bytes(xlsx(RU, rows))
    before = _counts()
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у", "--dry-run"]) == 0
    assert _counts() == before  # checked, nothing written
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у"]) == 0, capsys.readouterr()
    assert _counts() == (before[0] + 2, before[1] + 2, before[2] + 2)
    with db.session() as s:
        new = s.exec(select(Pupil).where(Pupil.pin == "21204201500077")).one()
        assert (new.last_name, new.patronymic, new.birth_date, new.sex) == ("Асанов", "Маратович", date(2015, 4, 12),
                                                                           "m")  # fmt: skip
        moved = s.exec(select(MovementRecord).where(MovementRecord.pupil_id == new.id)).one()
        assert (moved.kind, moved.order_id, moved.to_class_id) == ("arrival", order, school.class_5a)
        e = s.exec(select(Enrollment).where(Enrollment.pupil_id == new.id)).one()
        assert (e.class_id, e.starts_on) == (school.class_5a, date(2025, 9, 1))
        girl = s.exec(select(Pupil).where(Pupil.pin == "10811201400088")).one()
        assert s.exec(select(Enrollment.class_id).where(Enrollment.pupil_id == girl.id)).one() == school.class_6b
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "movementrecord")).all()


def test_one_bad_row_writes_nothing_and_every_problem_names_its_row_and_column(school, tmp_path, capsys):
    make_order(school.school_id, "45-у", date(2025, 9, 1))
    rows = [
        ["21204201500077", "Асанов", "Бакыт", "", "12.04.2015", "м", "5-А", "орусча"],  # 5-А is Kyrgyz
        ["10811201400088", "Сидорова", "Мария", "", "08.11.2014", "ж", "9-Я", "ru"],  # no such class
        ["10102201300044", "Петрова", "Анна", "", "01.02.2013", "ж", "5-А", ""],  # on 6-Б's list already
        ["20101201500099", "Жаңы", "", "", "01.01.2015", "м", "5-А", ""],  # no first name
    ]
    path = tmp_path / "contingent.xlsx"
    path.write_bytes(xlsx(RU, rows))
    before = _counts()
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у"]) == 1
    err = capsys.readouterr().err
    assert "строка 2, Язык обучения: «орусча»: В этом классе обучение на другом языке" in err
    assert _counts() == before
    rows[0][7] = "ky"
    path.write_bytes(xlsx(RU, rows))
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у"]) == 1
    err = capsys.readouterr().err
    assert "строка 3, Класс: «9-Я»" in err and "строка 5, Имя" in err, err
    assert _counts() == before
    rows[1][6], rows[3][2] = "6-Б", "Айбек"  # the file's own mistakes fixed: now the roll is checked
    path.write_bytes(xlsx(RU, rows))
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у"]) == 1
    err = capsys.readouterr().err
    assert "строка 4, Класс" in err and "строка 2" not in err and "строка 3" not in err, err
    assert _counts() == before
    del rows[2]
    path.write_bytes(xlsx(RU, rows))
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "99-ж"]) == 1
    assert "Приказ о зачислении" in capsys.readouterr().err and _counts() == before
    assert cli.main(["--lang", "ru", "exchange", "import", str(path), "--order", "45-у"]) == 0
    assert _counts() == (before[0] + 3, before[1] + 3, before[2] + 3)
