"""Movement import: all or nothing, row errors, several lines for one pupil checked against each other."""

from __future__ import annotations

from datetime import date

from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Enrollment, MovementRecord
from bbbms_app.services import movement_import
from tests.factories import principal_of
from tests.test_admin_import import xlsx
from tests.test_movement import make_order, new_pupil

KY = ["ПИН (14 сан)", "Кыймылдын түрү", "Күнү", "Буйрук", "Кайсы класска", "Кайдан келди", "Кайсы район, облус же өлкө"]
RU = [
    "ПИН (14 цифр)",
    "Вид движения",
    "Дата",
    "Приказ",
    "В класс",
    "Куда выбыл",
    "Какой район, область или страна (куда)",
]


def run(headers, rows, lang="ky", **kw):
    with db.session(write=True) as s:
        return movement_import.run(s, principal_of("t_clerk"), xlsx(headers, rows), "book.xlsx", lang=lang, **kw)


def counts():
    with db.session() as s:
        return tuple(
            s.exec(select(func.count()).select_from(m)).one() for m in (MovementRecord, Enrollment, AuditEvent)
        )


def test_lines_of_one_pupil_are_applied_in_date_order_and_checked_against_each_other(school):
    make_order(school.school_id, "12-у", date(2025, 10, 1))
    pid = new_pupil(school.school_id, "21010201500099")
    rows = [
        # The departure comes first in the file but happened later: it is checked after the arrival.
        ["21010201500099", "Кетти", date(2025, 12, 1), "12-у", "", "", ""],
        ["21010201500099", "Келди", "06.10.2025", "12-у 01.10.2025", "5-А", "Башка райондон", "Сокулук району"],
    ]
    result = run(KY, rows)
    assert result.ok and result.written and result.created == 2, result.errors
    with db.session() as s:
        kinds = s.exec(select(MovementRecord.kind).where(MovementRecord.pupil_id == pid).order_by(MovementRecord.date))
        assert list(kinds) == ["arrival", "departure"]
        e = s.exec(select(Enrollment).where(Enrollment.pupil_id == pid)).one()
        assert (e.class_id, e.starts_on, e.ends_on) == (school.class_5a, date(2025, 10, 6), date(2025, 12, 1))
        m = s.exec(select(MovementRecord).where(MovementRecord.kind == "arrival")).one()
        assert (m.from_category, m.from_place) == ("other_rayon", "chui.sokuluk")


def test_a_line_the_book_refuses_rolls_back_the_whole_file_with_its_row_and_column(school):
    make_order(school.school_id, "12-у", date(2025, 10, 1))
    new_pupil(school.school_id, "21010201500099")
    before = counts()
    rows = [
        ["21010201500099", "Келди", "06.10.2025", "12-у", "5-А", "", ""],
        ["21010201500099", "Келди", "07.10.2025", "12-у", "6-Б", "", ""],  # twice: refused by the first line
        ["21503201400011", "Кетти", "08.10.2025", "99-ж", "", "", ""],  # no such order
        ["99999999999999", "Кетти", "32.10.2025", "12-у", "", "Айга", ""],  # no pupil, bad date, bad category
    ]
    result = run(KY, rows)
    assert not result.written and result.created == 0
    problems = {(e.row, e.column, e.message) for e in result.errors}
    assert (4, "Буйрук", t("admin.import.unknown_reference", "ky")) in problems
    assert (5, "ПИН (14 сан)", t("admin.import.unknown_reference", "ky")) in problems
    assert (5, "Күнү", t("admin.error.date", "ky")) in problems
    assert (5, "Кайдан келди", t("admin.import.unknown_choice", "ky")) in problems
    assert counts() == before
    # The cells fixed, the book's own rule speaks: the second arrival, beside the PIN.
    result = run(KY, rows[:2])
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "ПИН (14 сан)", t("movement.error.already_enrolled", "ky"))
    ]
    assert counts() == before


def test_russian_headers_a_dry_run_and_a_missing_column(school):
    make_order(school.school_id, "40", date(2025, 12, 10))
    rows = [["20909201300055", "Выбыл", "15.12.2025", "40", "", "В другую страну", "Казахстан"]]
    dry = run(RU, rows, lang="ru", dry_run=True)
    assert dry.ok and not dry.written and dry.created == 1
    assert counts()[0] == 0
    real = run(RU, rows, lang="ru")
    assert real.written and counts()[0] == 1
    with db.session() as s:
        m = s.exec(select(MovementRecord)).one()
        assert (m.kind, m.to_category, m.to_place) == ("departure", "abroad", "KZ")
    missing = run(["ПИН (14 цифр)", "Дата"], [["20909201300055", "15.12.2025"]], lang="ru")
    assert {e.message for e in missing.errors} == {t("admin.import.missing_column", "ru")}


def test_the_cli_imports_movement_lines_all_or_nothing(school, db_url, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    make_order(school.school_id, "40", date(2025, 12, 10))
    root = Path(__file__).resolve().parent.parent
    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(RU, [["20909201300055", "Выбыл", "15.12.2025", "41", "", "", ""]]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(RU, [["20909201300055", "Выбыл", "15.12.2025", "40", "", "", ""]]))
    cmd = [sys.executable, "-m", "bbbms_app", "import", "movement"]
    out = subprocess.run([*cmd, str(bad), "--lang", "en"], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "row 2" in out.stderr and "«41»" in out.stderr and "Traceback" not in out.stderr
    assert counts()[0] == 0
    out = subprocess.run([*cmd, str(good)], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert counts()[0] == 1
