"""The alphabetic book (numbers per letter, given at admission, unique, corrected with a letter check;
the register and its XLSX) and where from / where to as categories over the shipped place list.

Runs on SQLite and, with BBBMS_TEST_DATABASE_URL, on PostgreSQL (the migration test: SQLite only,
the backfill runs the same Python on both).
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    Enrollment,
    Guardian,
    Pupil,
    PupilGuardian,
    School,
    SchoolClass,
)
from bbbms_app.services import alpha_book, movement, places
from bbbms_app.services.engine import writes
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import principal_of
from tests.test_admin_crud import NEW_PUPIL, admission_order, depart
from tests.test_movement import make_order, new_pupil

PUPILS = ENTITIES.get("pupil")


def number_of(pid: int) -> str:
    with db.session() as s:
        return s.get(Pupil, pid).alpha_book_no


def set_number(pid: int, number: str) -> None:
    with db.session(write=True) as s:
        p = s.get(Pupil, pid)
        p.alpha_book_no = number
        s.add(p)


def arrive(school, pid: int, order: int, **extra) -> None:
    with db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {"pupil_id": pid, "kind": "arrival", "date": date(2025, 10, 6), "order_id": order, **extra}
            | {"to_class_id": school.class_5a},
        )


# ----------------------------------------------------------------------------- numbering


def test_admission_gives_the_next_number_of_the_surnames_letter(school):
    order = make_order(school.school_id, "12-у", date(2025, 10, 3))
    set_number(school.pupils_6b[1], "О/7")  # Орозов
    first = new_pupil(school.school_id, "21010201500091", "Жаңыбеков", "Алмаз")
    second = new_pupil(school.school_id, "21010201500092", "жолдошев", "Бек")  # typed in small letters
    third = new_pupil(school.school_id, "21010201500093", "Омурзаков", "Нур")
    for pid in (first, second, third):
        arrive(school, pid, order)
    assert [number_of(p) for p in (first, second, third)] == ["Ж/1", "Ж/2", "О/8"]
    with db.session() as s:
        event = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "pupil", AuditEvent.field == "alpha_book_no")
        ).first()
        assert (event.new_value, event.reason, event.username) == ("Ж/1", "№ 12-у 2025-10-03", "t_clerk")


def test_a_pupil_who_comes_back_keeps_his_number(school):
    pid = school.pupils_6b[1]
    set_number(pid, "О/3")
    depart(school.school_id, pid, date(2025, 10, 1))
    with db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {
                "pupil_id": pid,
                "kind": "arrival",
                "date": date(2025, 11, 3),
                "order_id": make_order(school.school_id, "30", date(2025, 11, 1)),
                "to_class_id": school.class_6b,
            },
        )
    assert number_of(pid) == "О/3"


def test_a_deleted_pupils_number_is_not_given_again(school):
    set_number(school.pupils_6b[1], "О/4")
    depart(school.school_id, school.pupils_6b[1])
    with db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, principal_of("t_clerk"), school.pupils_6b[1], "кетти")
        assert alpha_book.next_number(s, school.school_id, "О") == 5


@pytest.mark.parametrize(
    ("typed", "key", "params"),
    [
        ("П13", "alpha.error.format", {}),
        ("П/0", "alpha.error.format", {}),
        ("А/13", "alpha.error.letter", {"letter": "П"}),
        ("п / 1", "alpha.error.taken", {"name": "Үсөнов Нурбек"}),
    ],
)
def test_the_clerk_corrects_a_number_only_to_a_free_one_of_the_surnames_letter(school, typed, key, params):
    set_number(school.pupils_5a[0], "П/1")  # a wrong letter set long ago: still his
    pid = school.pupils_6b[0]  # Петрова
    with db.session() as s:
        version = s.get(Pupil, pid).version
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.update_values(s, PUPILS, principal_of("t_clerk"), pid, {"alpha_book_no": typed}, version)
    assert exc.value.errors == {"alpha_book_no": (key, params)}
    assert t(key, "ru", **params) != t(key, "ky", **params)
    with db.session(write=True) as s:
        writes.update_values(s, PUPILS, principal_of("t_clerk"), pid, {"alpha_book_no": "П/13"}, version)
    assert number_of(pid) == "П/13"


def test_the_database_refuses_a_second_pupil_with_one_number(school):
    from sqlalchemy.exc import IntegrityError

    set_number(school.pupils_5a[0], "Ү/1")
    with pytest.raises(IntegrityError):
        set_number(school.pupils_5a[2], "Ү/1")
    set_number(school.pupils_5a[2], "")  # an empty number is no number: many may have none
    set_number(school.pupils_5a[1], "")


def test_a_new_pupil_on_the_form_gets_his_number_with_his_arrival(school):
    order = admission_order(school.school_id)
    with db.session(write=True) as s:
        raw = {**NEW_PUPIL, "alpha_book_no": "", "class_id": str(school.class_5a), "order_id": str(order)}
        pid = writes.create(s, PUPILS, principal_of("t_clerk"), raw).id
    assert number_of(pid) == "Б/1"


# ------------------------------------------------------------------------------- places


def test_an_arrival_from_another_rayon_names_it_and_the_card_says_so(school):
    order = make_order(school.school_id, "12-у", date(2025, 10, 3))
    pid = new_pupil(school.school_id)
    arrive(school, pid, order, from_category="other_rayon", from_place="chui.sokuluk", from_school="№ 3 мектеп")
    with db.session() as s:
        [card] = movement.pupil_movements(s, pid, "ru")
    assert card["from"] == "Из другого района: Сокулукский район (Чуйская область) · № 3 мектеп"


@pytest.mark.parametrize(
    ("extra", "field", "key"),
    [
        ({"from_category": "other_rayon"}, "from_place", "movement.error.place_other_rayon"),
        ({"from_category": "abroad", "from_place": "chui.sokuluk"}, "from_place", "movement.error.place_abroad"),
        ({"from_category": "other_oblast", "from_place": "KZ"}, "from_place", "movement.error.place_other_oblast"),
        ({"from_category": "same_rayon", "from_place": "osh"}, "from_place", "movement.error.place_same_rayon"),
        ({"from_place": "KZ"}, "from_category", "movement.error.place_category"),
        ({"from_category": "moon"}, "from_category", "admin.error.choice"),
        ({"from_category": "abroad", "from_place": "ATLANTIS"}, "from_place", "admin.error.choice"),
        ({"to_category": "abroad", "to_place": "KZ"}, "to_category", "movement.error.no_place"),
    ],
)
def test_a_place_must_fit_its_category(school, extra, field, key):
    order = make_order(school.school_id, "12-у", date(2025, 10, 3))
    pid = new_pupil(school.school_id)
    with pytest.raises(FieldError) as exc:
        arrive(school, pid, order, **extra)
    assert (exc.value.field, exc.value.key) == (field, key)
    assert len({t(key, lang) for lang in ("ky", "ru", "en")}) == 3


def test_the_shipped_place_list_covers_the_country():
    kinds = [p.kind for p in places.PLACES.values()]
    assert kinds.count("oblast") == 7 and kinds.count("city") == 2 and kinds.count("rayon") == 40
    assert all(places.PLACES[p.parent].kind == "oblast" for p in places.PLACES.values() if p.kind == "rayon")
    assert all(p.name_ky and p.name_ru and p.name_en for p in places.PLACES.values())


# ----------------------------------------------------------------------------- the register


def test_the_register_lists_the_book_in_the_papers_columns_and_filters(school):
    order = make_order(school.school_id, "12-у", date(2025, 10, 3))
    pid = new_pupil(school.school_id, "21010201500091", "Жаңыбеков", "Алмаз")
    arrive(school, pid, order, from_category="abroad", from_place="KZ", from_school="Алматы, № 12")
    with db.session(write=True) as s:
        g = Guardian(school_id=school.school_id, last_name="Жаңыбекова", first_name="Айгүл")
        s.add(g)
        s.flush()
        s.add(PupilGuardian(pupil_id=pid, guardian_id=g.id, relation="mother", is_primary=True))
    set_number(school.pupils_5a[1], "А/1")
    depart(school.school_id, school.pupils_5a[1], date(2025, 12, 1))
    with db.session() as s:
        rows = alpha_book.register_rows(s, school.school_id, "ru", today=date(2026, 1, 10))
        only_j = alpha_book.register_rows(s, school.school_id, "ru", alpha_book.RegisterFilter(letter="Ж"))
        left = alpha_book.register_rows(
            s, school.school_id, "ru", alpha_book.RegisterFilter(status="left"), today=date(2026, 1, 10)
        )
        enrolled = alpha_book.register_rows(
            s, school.school_id, "ru", alpha_book.RegisterFilter(status="enrolled"), today=date(2026, 1, 10)
        )
        in_6b = alpha_book.register_rows(s, school.school_id, "ru", alpha_book.RegisterFilter(class_id=school.class_6b))
        assert alpha_book.letters_in_use(s, school.school_id) == ["А", "Ж"]
    assert [r["number"] for r in rows] == ["А/1", "Ж/1"]  # the alphabet's order, then the number
    a, j = rows
    assert j["name"] == "Жаңыбеков Алмаз" and j["admitted_class"] == "5-А"
    assert j["admitted"] == "06.10.2025, № 12-у от 03.10.2025"
    assert j["from"] == "Из другой страны: Казахстан · Алматы, № 12" and j["parents"] == "Жаңыбекова Айгүл"
    assert j["left"] == "" and a["left"].startswith("01.12.2025, № в-") and a["issued"] == "Личное дело"
    assert [r["number"] for r in only_j] == ["Ж/1"]
    assert [r["number"] for r in left] == ["А/1"] and [r["number"] for r in enrolled] == ["Ж/1"]
    assert in_6b == []
    book = openpyxl.load_workbook(io.BytesIO(alpha_book.register_xlsx(rows, "ru", "Алфавитная книга"))).active
    assert [c.value for c in book[1]][:6] == [
        "№",
        "ФИО",
        "Дата рождения",
        "Пол",
        "В какой класс принят",
        "Дата зачисления и № приказа",
    ]
    assert [c.value for c in book[3]][:2] == ["Ж/1", "Жаңыбеков Алмаз"]


# ----------------------------------------------------------------------------- migration


def test_the_migration_numbers_every_pupil_in_the_order_he_joined(tmp_path):
    from alembic.config import Config

    from alembic import command
    from bbbms_app.cli import ROOT

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = url
    command.upgrade(cfg, "0006_guard")
    eng = db.engine(url)
    # The tables these rows go to are the same at 0006 and at the head (only an index is new).
    with Session(eng) as s:
        s.add(School(id=1, okpo="1", name_ky="М", name_ru="Ш"))
        s.flush()
        s.add(AcademicYear(id=1, school_id=1, name="2025", starts_on=date(2025, 9, 1), ends_on=date(2026, 5, 31)))
        s.flush()
        s.add(SchoolClass(id=1, school_id=1, academic_year_id=1, grade=5, letter="А"))
        s.flush()
        pupils = [(1, "Асанов", ""), (2, "Алиева", "А/1"), (3, "Акаев", ""), (4, "Бекова", "А/1"), (5, "Асылбек", "")]
        for pid, name, number in pupils:
            s.add(
                Pupil(
                    id=pid,
                    school_id=1,
                    last_name=name,
                    first_name="X",
                    birth_date=date(2014, 1, 1),
                    sex="m",
                    alpha_book_no=number,
                )
            )
        s.flush()
        # Акаев joined first, Асанов later; Асылбек is on no list (last).
        for pid, day in ((3, date(2024, 9, 1)), (1, date(2025, 9, 1)), (2, date(2023, 9, 1)), (4, date(2025, 1, 1))):
            s.add(Enrollment(school_id=1, pupil_id=pid, class_id=1, starts_on=day))
        s.commit()
    command.upgrade(cfg, "head")
    with eng.connect() as conn:
        numbers = dict(conn.execute(text("SELECT id, alpha_book_no FROM pupil")).all())
    # Бекова's «А/1» was Алиева's already (the later one gets a new number of her own letter).
    assert numbers == {1: "А/3", 2: "А/1", 3: "А/2", 4: "Б/1", 5: "А/4"}
    db.dispose_all()


def test_a_number_of_another_school_is_free_here(school):
    with db.session(write=True) as s:
        other = School(okpo="20000002", name_ky="№ 2 мектеп", name_ru="Школа № 2")
        s.add(other)
        s.flush()
        s.add(Pupil(school_id=other.id, last_name="Петров", first_name="Иван", birth_date=date(2014, 1, 1), sex="m",
                    alpha_book_no="П/1"))  # fmt: skip
    pid = school.pupils_6b[0]  # Петрова
    with db.session() as s:
        version = s.get(Pupil, pid).version
    with db.session(write=True) as s:
        writes.update_values(s, PUPILS, principal_of("t_clerk"), pid, {"alpha_book_no": "П/1"}, version)
    assert number_of(pid) == "П/1"
