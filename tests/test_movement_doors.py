"""No way around the movement book: the pupil form, the pupil import and «delete» move a pupil into
or out of a class only with a movement record under its order (issue 15, part 1).

Runs on SQLite and, with BBBMS_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, Enrollment, MovementRecord, Pupil
from bbbms_app.services.engine import imports, writes
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import principal_of
from tests.test_admin_crud import NEW_PUPIL, admission_order, depart
from tests.test_admin_import import KY_HEADERS, xlsx

PUPILS = ENTITIES.get("pupil")


def counts() -> tuple[int, int, int, int]:
    with db.session() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(m)).one() for m in (Pupil, Enrollment, MovementRecord, AuditEvent)
        )


def book(pupil_id: int) -> list[tuple[str, date, int | None, int]]:
    with db.session() as s:
        rows = s.exec(select(MovementRecord).where(MovementRecord.pupil_id == pupil_id).order_by(MovementRecord.id))
        return [(m.kind, m.date, m.to_class_id, m.order_id) for m in rows]


def roll(pupil_id: int) -> list[tuple[int, date, date | None]]:
    with db.session() as s:
        rows = s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil_id).order_by(Enrollment.starts_on))
        return [(e.class_id, e.starts_on, e.ends_on) for e in rows]


# --------------------------------------------------------------------------- the form


def test_a_new_pupil_given_a_class_arrives_in_it_under_the_admission_order(school):
    order = admission_order(school.school_id, "14-у", date(2025, 10, 6))
    with db.session(write=True) as s:
        pid = writes.create(
            s,
            PUPILS,
            principal_of("t_clerk"),
            {**NEW_PUPIL, "class_id": str(school.class_5a), "order_id": str(order), "from_school": "Ош, № 5 мектеп"},
        ).id
    # The arrival is dated by the order (not the day the clerk typed it in) and is the book's line.
    assert book(pid) == [("arrival", date(2025, 10, 6), school.class_5a, order)]
    assert roll(pid) == [(school.class_5a, date(2025, 10, 6), None)]
    with db.session() as s:
        assert (
            s.exec(select(MovementRecord.from_school).where(MovementRecord.pupil_id == pid)).one() == "Ош, № 5 мектеп"
        )
        reasons = s.exec(select(AuditEvent.reason).where(AuditEvent.entity == "enrollment", AuditEvent.pupil_id == pid))
        assert list(reasons) == ["№ 14-у 2025-10-06"]


def test_an_admission_date_may_follow_the_order(school):
    order = admission_order(school.school_id, "15-у", date(2025, 10, 6))
    with db.session(write=True) as s:
        raw = {**NEW_PUPIL, "class_id": str(school.class_6b), "order_id": str(order), "admitted_on": "13.10.2025"}
        pid = writes.create(s, PUPILS, principal_of("t_clerk"), raw).id
    assert roll(pid) == [(school.class_6b, date(2025, 10, 13), None)]


@pytest.mark.parametrize(
    ("extra", "field", "key"),
    [
        ({"order": None}, "order_id", "movement.error.order_required"),
        ({"admitted_on": "01.10.2025"}, "order_id", "movement.error.order_after"),
        ({"admitted_on": "10.06.2026"}, "admitted_on", "movement.error.outside_year"),
        ({"class": None}, "class_id", "movement.error.class_required"),
    ],
)
def test_a_class_without_its_order_is_refused_beside_the_field_and_nothing_is_written(school, extra, field, key):
    order = admission_order(school.school_id, "16-у", date(2025, 10, 6))
    raw = {**NEW_PUPIL, "class_id": str(school.class_5a), "order_id": str(order)}
    if "order" in extra:
        raw["order_id"] = ""
    if "class" in extra:
        raw["class_id"] = ""
    if "admitted_on" in extra:
        raw["admitted_on"] = extra["admitted_on"]
    before = counts()
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, principal_of("t_clerk"), raw)
    assert list(exc.value.errors) == [field] and exc.value.errors[field][0] == key
    texts = {lang: t(key, lang, **exc.value.errors[field][1]) for lang in ("ky", "ru", "en")}
    assert len(set(texts.values())) == 3 and "{" not in "".join(texts.values())
    assert counts() == before


def test_a_role_that_may_write_pupils_but_not_the_book_cannot_place_one_in_a_class(school):
    order = admission_order(school.school_id)
    clerk = principal_of("t_clerk")
    no_book = dataclasses.replace(clerk, permissions=clerk.permissions - {"movement.write"})
    before = counts()
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, no_book, {**NEW_PUPIL, "class_id": str(school.class_5a), "order_id": str(order)})
    assert exc.value.errors == {"class_id": ("movement.error.no_right", {})}
    assert counts() == before
    with db.session(write=True) as s:  # on no class list he may still be written
        pid = writes.create(s, PUPILS, no_book, NEW_PUPIL).id
    assert roll(pid) == [] and book(pid) == []


def test_editing_a_pupil_never_moves_him(school):
    pid = school.pupils_5a[0]
    with db.session() as s:
        row = s.get(Pupil, pid)
        version = row.version
    assert "class_id" not in PUPILS.form_fields(creating=False)
    with db.session(write=True) as s:
        # Even a forged class on the edit is not taken (the handler refuses the field outright).
        writes.update_values(
            s, PUPILS, principal_of("t_clerk"), pid, {"first_name": "Нурбол", "class_id": school.class_6b}, version
        )
    assert roll(pid) == [(school.class_5a, date(2025, 9, 1), None)] and book(pid) == []


# --------------------------------------------------------------------------- delete


def test_an_enrolled_pupil_is_not_deleted_but_pointed_to_the_departure(school):
    pid = school.pupils_6b[0]
    before = counts()
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, principal_of("t_clerk"), pid, "кетти")
    assert exc.value.errors == {"reason": ("pupil.error.delete_enrolled", {"name": "6-Б"})}
    assert "6-Б" in t("pupil.error.delete_enrolled", "ru", name="6-Б")
    assert counts() == before
    depart(school.school_id, pid)  # the book first: then the record may go (it keeps his history)
    with db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, principal_of("t_clerk"), pid, "кетти")
    assert roll(pid) == [(school.class_6b, date(2025, 9, 1), date(2026, 5, 25))]


# --------------------------------------------------------------------------- import


def run(rows: list[list], headers: list[str] = KY_HEADERS) -> imports.ImportResult:
    with db.session(write=True) as s:
        return imports.run(s, PUPILS, principal_of("t_clerk"), xlsx(headers, rows), "pupils.xlsx")


def test_an_imported_pupil_arrives_under_the_order_named_in_the_file(school):
    order = admission_order(school.school_id, "20-у", date(2025, 11, 3))
    rows = [["21001201500201", "Токтосунов", "Бекжан", "", date(2015, 1, 10), "m", "", "5-А", "20-у"]]
    result = run(rows)
    assert result.ok and result.written, result.errors
    with db.session() as s:
        pid = s.exec(select(Pupil.id).where(Pupil.pin == "21001201500201")).one()
    # Not from the day of the import (it could be in the summer): from the order.
    assert book(pid) == [("arrival", date(2025, 11, 3), school.class_5a, order)]
    assert roll(pid) == [(school.class_5a, date(2025, 11, 3), None)]


def test_an_import_row_with_a_class_and_no_order_writes_nothing(school):
    admission_order(school.school_id, "21-у", date(2025, 11, 3))
    rows = [
        ["21001201500202", "Аманов", "Бек", "", date(2015, 1, 10), "m", "", "5-А", "21-у"],
        ["21001201500203", "Асанова", "Айпери", "", date(2015, 2, 10), "f", "", "6-Б", ""],
        ["21001201500204", "Бакиев", "Нур", "", date(2015, 3, 10), "m", "", "", "21-у"],
    ]
    before = counts()
    result = run(rows)
    assert not result.written
    problems = {(e.row, e.column, e.message) for e in result.errors}
    assert problems == {
        (3, "Кабыл алуу буйругу", t("movement.error.order_required", "ky")),
        (4, "Класс", t("movement.error.class_required", "ky")),
    }
    assert counts() == before


def test_an_import_gives_a_class_to_a_known_pupil_on_no_list_through_the_book(school):
    order = admission_order(school.school_id, "22-у", date(2025, 11, 3))
    depart(school.school_id, school.pupils_6b[1], date(2025, 10, 1))  # left; comes back in November
    rows = [["20909201300055", "Орозов", "Тилек", "", date(2013, 9, 9), "m", "", "6-Б", "22-у"]]
    result = run(rows)
    assert result.ok and result.written, result.errors
    assert book(school.pupils_6b[1])[-1] == ("arrival", date(2025, 11, 3), school.class_6b, order)
    assert roll(school.pupils_6b[1]) == [
        (school.class_6b, date(2025, 9, 1), date(2025, 10, 1)),
        (school.class_6b, date(2025, 11, 3), None),
    ]


# --------------------------------------------------------------------------- the screen


async def test_the_pupil_screen_refuses_delete_with_the_pointer_and_offers_the_order(school):
    from bbbms_app.admin.states import PupilAdminState
    from tests.states import new_tab, sub

    order = admission_order(school.school_id, "30-у", date(2025, 10, 6))
    pupils = sub(new_tab("t_clerk"), PupilAdminState)
    await pupils.load()
    await pupils.new_record()
    assert {"class_id", "order_id", "admitted_on", "from_school"} <= set(pupils.form)
    assert str(order) in {o["id"] for o in pupils.fk_options["order_id"]}
    await pupils.save({**pupils.form, **NEW_PUPIL, "class_id": str(school.class_5a)})
    assert pupils.form_errors == {"order_id": t("movement.error.order_required", "ky")}
    await pupils.ask_delete(str(school.pupils_5a[1]))
    await pupils.set_delete_reason("башка мектепке кетти")
    await pupils.confirm_delete()
    assert pupils.delete_error == t("pupil.error.delete_enrolled", "ky", name="5-А")
    with db.session() as s:
        assert s.get(Pupil, school.pupils_5a[1]).deleted_at is None


def test_a_movement_dated_before_the_pupils_last_one_is_refused(school):
    """Found by the contingent report's generated histories: a class change back-dated before a
    later one left the pupil on two class lists at once."""
    from bbbms_app.services import movement
    from bbbms_app.services.engine.hooks import FieldError

    order = admission_order(school.school_id, "40", date(2025, 9, 1))
    pid = school.pupils_5a[0]
    with db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {
                "pupil_id": pid,
                "kind": "transfer_in_school",
                "date": date(2026, 2, 6),
                "order_id": order,
                "to_class_id": school.class_6b,
            },
        )
    for kind, extra in (("transfer_in_school", {"to_class_id": school.class_6b}), ("departure", {})):
        with pytest.raises(FieldError) as exc, db.session(write=True) as s:
            movement.record(
                s,
                principal_of("t_clerk"),
                {"pupil_id": pid, "kind": kind, "date": date(2025, 10, 1), "order_id": order, **extra},
            )
        assert (exc.value.field, exc.value.key) == ("date", "movement.error.later_movement")
    assert roll(pid) == [
        (school.class_5a, date(2025, 9, 1), date(2026, 2, 5)),
        (school.class_6b, date(2026, 2, 6), None),
    ]
