"""The pupil movement book: orders, movement records and the enrollments they move (services.movement).

Runs on SQLite and, with BBBMS_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    Enrollment,
    MovementRecord,
    Order,
    Pupil,
    School,
    SchoolClass,
    User,
)
from bbbms_app.services import accounts, audit, journal, movement
from bbbms_app.services.engine import exports, imports, listing, writes
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.engine.profiles import guardian as guardians
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import make_pupil, principal_of

MOVEMENTS = ENTITIES.get("movement")
ORDERS = ENTITIES.get("order")
PUPILS = ENTITIES.get("pupil")


def make_order(school_id: int, number: str = "12-у", on: date = date(2025, 10, 1), kind: str = "enrollment") -> int:
    with db.session(write=True) as s:
        order = Order(school_id=school_id, number=number, date=on, kind=kind, summary="Кабыл алуу жөнүндө")
        s.add(order)
        s.flush()
        assert order.id is not None
        return order.id


def new_pupil(school_id: int, pin: str = "21010201500099", last: str = "Жаңы", first: str = "Алмаз") -> int:
    with db.session(write=True) as s:
        p = make_pupil(s, school_id, pin=pin, last_name=last, first_name=first)
        assert p.id is not None
        return p.id


def enrollments(pupil_id: int) -> list[tuple[int, date, date | None]]:
    with db.session() as s:
        rows = s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil_id).order_by(Enrollment.starts_on)).all()
        return [(e.class_id, e.starts_on, e.ends_on) for e in rows]


def write(values: dict, username: str = "t_clerk") -> MovementRecord:
    with db.session(write=True) as s:
        row = movement.record(s, principal_of(username), values)
        s.flush()
        s.expunge(row)
        return row


def audits(entity: str, pupil_id: int) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.entity == entity, AuditEvent.pupil_id == pupil_id)
                .order_by(AuditEvent.id)
            ).all()
        )


# ------------------------------------------------------------------------------ happy paths


def test_an_arrival_enrolls_the_pupil_from_its_date_and_is_audited_with_the_order(school):
    order = make_order(school.school_id, "12-у", date(2025, 10, 3))
    pupil = new_pupil(school.school_id)
    row = write(
        {
            "pupil_id": pupil,
            "kind": "arrival",
            "date": date(2025, 10, 6),
            "order_id": order,
            "to_class_id": school.class_5a,
            "from_school": "Ош шаары, № 5 мектеп",
        }
    )
    assert enrollments(pupil) == [(school.class_5a, date(2025, 10, 6), None)]
    assert row.from_class_id is None and row.to_class_id == school.class_5a
    created = audits("movementrecord", pupil)
    assert [e.action for e in created] == ["create"] and "№ 12-у 2025-10-03" in created[0].reason
    moved = audits("enrollment", pupil)
    assert [(e.action, e.reason) for e in moved] == [("create", "№ 12-у 2025-10-03")]
    assert {e.username for e in created + moved} == {"t_clerk"}
    with db.session() as s:
        card = movement.pupil_movements(s, pupil, "ru")
        # The list is searched by the pupil's name and the order's number.
        assert s.exec(select(MovementRecord.search_key).where(MovementRecord.id == row.id)).one().startswith("жаңы")
    assert card == [
        {
            "id": str(row.id),
            "date": "06.10.2025",
            "kind": "Прибыл",
            "order": "№ 12-у от 03.10.2025",
            "from": "Ош шаары, № 5 мектеп",
            "to": "5-А",
        }
    ]


def test_a_departure_ends_the_enrollment_and_the_journal_greys_the_pupil_after_it(school):
    order = make_order(school.school_id, "40", date(2025, 12, 10), "departure")
    pupil = school.pupils_5a[2]
    row = write(
        {
            "pupil_id": pupil,
            "kind": "departure",
            "date": date(2025, 12, 15),
            "order_id": order,
            "to_school": "Бишкек, № 61 мектеп",
            "reason": "үй-бүлөсү көчтү",
        },
        "t_director",
    )
    assert enrollments(pupil) == [(school.class_5a, date(2025, 9, 1), date(2025, 12, 15))]
    assert row.from_class_id == school.class_5a
    [ended] = audits("enrollment", pupil)
    assert (ended.field, ended.old_value, ended.new_value) == ("ends_on", "", "2025-12-15")
    with db.session() as s:
        pupils = {p.id: p for p in journal.pupils_of(s, school.class_5a, date(2025, 11, 10), date(2025, 12, 30))}
    assert pupils[pupil].in_class_on(date(2025, 12, 15)) and not pupils[pupil].in_class_on(date(2025, 12, 16))


def test_a_class_change_ends_one_enrollment_and_starts_another(school):
    order = make_order(school.school_id, "41", date(2025, 11, 7), "transfer")
    pupil = school.pupils_6b[1]
    write(
        {
            "pupil_id": pupil,
            "kind": "transfer_in_school",
            "date": date(2025, 11, 10),
            "order_id": order,
            "to_class_id": school.class_5a,
        },
        "t_deputy",
    )
    assert enrollments(pupil) == [
        (school.class_6b, date(2025, 9, 1), date(2025, 11, 9)),
        (school.class_5a, date(2025, 11, 10), None),
    ]
    assert [e.action for e in audits("enrollment", pupil)] == ["update", "create"]


def _next_year(school) -> tuple[int, int]:
    with db.session(write=True) as s:
        year = AcademicYear(
            school_id=school.school_id, name="2026–2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
        )
        s.add(year)
        s.flush()
        c6 = SchoolClass(school_id=school.school_id, academic_year_id=year.id, grade=6, letter="А")  # type: ignore[arg-type]
        c5 = SchoolClass(school_id=school.school_id, academic_year_id=year.id, grade=5, letter="А")  # type: ignore[arg-type]
        s.add_all([c6, c5])
        s.flush()
        return c6.id, c5.id  # type: ignore[return-value]


def test_a_promotion_closes_last_years_class_at_its_end_and_opens_the_higher_one(school):
    six_a, five_a = _next_year(school)
    order = make_order(school.school_id, "1", date(2026, 8, 30), "transfer")
    pupil = school.pupils_5a[0]
    write({"pupil_id": pupil, "kind": "promotion", "date": date(2026, 9, 1), "order_id": order, "to_class_id": six_a})
    assert enrollments(pupil) == [
        (school.class_5a, date(2025, 9, 1), date(2026, 5, 31)),
        (six_a, date(2026, 9, 1), None),
    ]
    # Not into the same grade, and not twice into the year.
    with pytest.raises(FieldError) as exc, db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {
                "pupil_id": school.pupils_5a[1],
                "kind": "promotion",
                "date": date(2026, 9, 1),
                "order_id": order,
                "to_class_id": five_a,
            },
        )
    assert (exc.value.field, exc.value.key) == ("to_class_id", "movement.error.grade_not_higher")
    with pytest.raises(FieldError) as exc, db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {"pupil_id": pupil, "kind": "promotion", "date": date(2026, 9, 2), "order_id": order, "to_class_id": six_a},
        )
    assert (exc.value.field, exc.value.key) == ("pupil_id", "movement.error.already_in_year")


def test_a_graduation_ends_the_enrollment_on_its_date(school):
    order = make_order(school.school_id, "88", date(2026, 5, 25), "graduation")
    pupil = school.pupils_6b[0]
    write({"pupil_id": pupil, "kind": "graduation", "date": date(2026, 5, 31), "order_id": order})
    assert enrollments(pupil) == [(school.class_6b, date(2025, 9, 1), date(2026, 5, 31))]


# ------------------------------------------------------------------------------ validations


def _case(school, name: str) -> tuple[dict, str, str]:
    """(values, field, message key) of one refused movement."""
    order = make_order(school.school_id, "7", date(2025, 10, 1))
    base = {"date": date(2025, 10, 6), "order_id": order}
    fresh = new_pupil(school.school_id)
    enrolled = school.pupils_5a[0]
    if name == "order_required":
        return (
            {**base, "order_id": None, "pupil_id": fresh, "kind": "arrival", "to_class_id": school.class_5a},
            "order_id",
            "movement.error.order_required",
        )
    if name == "order_after":
        return (
            {**base, "date": date(2025, 9, 29), "pupil_id": fresh, "kind": "arrival", "to_class_id": school.class_5a},
            "order_id",
            "movement.error.order_after",
        )
    if name == "outside_year":
        late = make_order(school.school_id, "8", date(2026, 6, 1))
        return (
            {
                **base,
                "order_id": late,
                "date": date(2026, 6, 10),
                "pupil_id": fresh,
                "kind": "arrival",
                "to_class_id": school.class_5a,
            },
            "date",
            "movement.error.outside_year",
        )
    if name == "arrive_twice":
        return (
            {**base, "pupil_id": enrolled, "kind": "arrival", "to_class_id": school.class_6b},
            "pupil_id",
            "movement.error.already_enrolled",
        )
    if name == "depart_not_enrolled":
        return {**base, "pupil_id": fresh, "kind": "departure"}, "pupil_id", "movement.error.not_enrolled"
    if name == "arrival_without_class":
        return {**base, "pupil_id": fresh, "kind": "arrival"}, "to_class_id", "movement.error.class_required"
    if name == "departure_with_class":
        return (
            {**base, "pupil_id": enrolled, "kind": "departure", "to_class_id": school.class_6b},
            "to_class_id",
            "movement.error.no_class",
        )
    if name == "same_class":
        return (
            {**base, "pupil_id": enrolled, "kind": "transfer_in_school", "to_class_id": school.class_5a},
            "to_class_id",
            "movement.error.same_class",
        )
    if name == "transfer_on_first_day":
        early = make_order(school.school_id, "2", date(2025, 8, 28))
        return (
            {
                **base,
                "order_id": early,
                "date": date(2025, 9, 1),
                "pupil_id": enrolled,
                "kind": "transfer_in_school",
                "to_class_id": school.class_6b,
            },
            "date",
            "movement.error.before_start",
        )
    if name == "order_of_another_school":
        with db.session(write=True) as s:
            other = School(okpo="20000002", name_ky="№ 2 мектеп", name_ru="Школа № 2")
            s.add(other)
            s.flush()
            foreign = Order(school_id=other.id, number="7", date=date(2025, 10, 1))  # type: ignore[arg-type]
            s.add(foreign)
            s.flush()
            foreign_id = foreign.id
        return (
            {**base, "order_id": foreign_id, "pupil_id": fresh, "kind": "arrival", "to_class_id": school.class_5a},
            "order_id",
            "admin.error.reference",
        )
    if name == "deleted_pupil":
        with db.session(write=True) as s:
            p = s.get(Pupil, fresh)
            p.deleted_at = date(2025, 10, 1)  # type: ignore[union-attr, assignment]
            s.add(p)
        return (
            {**base, "pupil_id": fresh, "kind": "arrival", "to_class_id": school.class_5a},
            "pupil_id",
            "admin.error.reference",
        )
    if name == "unknown_kind":
        return {**base, "pupil_id": fresh, "kind": "expelled"}, "kind", "admin.error.choice"
    raise AssertionError(name)


CASES = (
    "order_required",
    "order_after",
    "outside_year",
    "arrive_twice",
    "depart_not_enrolled",
    "arrival_without_class",
    "departure_with_class",
    "same_class",
    "transfer_on_first_day",
    "order_of_another_school",
    "deleted_pupil",
    "unknown_kind",
)


@pytest.mark.parametrize("case", CASES)
def test_every_rule_refuses_with_a_translated_message_naming_the_field(school, case):
    values, field, key = _case(school, case)
    with db.session() as s:
        before = (len(s.exec(select(Enrollment)).all()), len(s.exec(select(AuditEvent)).all()))
    with pytest.raises(FieldError) as exc, db.session(write=True) as s:
        movement.record(s, principal_of("t_clerk"), values)
    assert (exc.value.field, exc.value.key) == (field, key)
    from bbbms_app.i18n import t

    texts = {lang: t(exc.value.key, lang, **exc.value.params) for lang in ("ky", "ru", "en")}
    assert all(texts.values()) and len(set(texts.values())) == 3 and "{" not in "".join(texts.values())
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []
        assert (len(s.exec(select(Enrollment)).all()), len(s.exec(select(AuditEvent)).all())) == before


def test_a_failure_half_way_writes_nothing(school, monkeypatch):
    order = make_order(school.school_id, "50", date(2025, 12, 1), "departure")
    pupil = school.pupils_5a[1]
    real = audit.record

    def failing(session, principal, action, entity="", *args, **kwargs):
        if entity == "enrollment":
            raise RuntimeError("disk full")
        return real(session, principal, action, entity, *args, **kwargs)

    monkeypatch.setattr(movement.audit, "record", failing)
    with pytest.raises(RuntimeError), db.session(write=True) as s:
        movement.record(
            s,
            principal_of("t_clerk"),
            {"pupil_id": pupil, "kind": "departure", "date": date(2025, 12, 2), "order_id": order},
        )
    assert enrollments(pupil) == [(school.class_5a, date(2025, 9, 1), None)]
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "movementrecord")).all() == []


@pytest.mark.parametrize("username", ["t_teacher", "t_classteacher", "t_parent", "t_pupil", "t_admin"])
def test_roles_without_the_movement_book_cannot_write_it(school, username):
    order = make_order(school.school_id)
    with pytest.raises(movement.MovementForbidden), db.session(write=True) as s:
        movement.record(
            s,
            principal_of(username),
            {"pupil_id": school.pupils_5a[0], "kind": "departure", "date": date(2025, 10, 6), "order_id": order},
        )
    assert enrollments(school.pupils_5a[0]) == [(school.class_5a, date(2025, 9, 1), None)]


def test_the_clerk_deputy_and_director_hold_the_movement_book():
    from bbbms_app.services.access import DEFAULT_MATRIX

    for role in ("clerk", "deputy", "director"):
        assert {"movement.read", "movement.write"} <= DEFAULT_MATRIX[role]
    for role in ("teacher", "class_teacher", "parent", "pupil", "administrator"):
        assert "movement.write" not in DEFAULT_MATRIX[role]


# ---------------------------------------------------------------- through the admin engine


def test_the_engine_creates_a_record_through_the_movement_rules(school):
    clerk = principal_of("t_clerk")
    order = make_order(school.school_id, "15", date(2025, 10, 1))
    pupil = new_pupil(school.school_id)
    raw = {
        "kind": "arrival",
        "pupil_id": str(pupil),
        "date": "06.10.2025",
        "order_id": str(order),
        "to_class_id": str(school.class_6b),
        "from_school": "Нарын",
        "to_school": "",
        "reason": "",
        "note": "",
    }
    # The same rules as the service: a second arrival is refused beside the pupil field.
    with db.session(write=True) as s:
        row = writes.create(s, MOVEMENTS, clerk, raw)
        record_id = row.id
    assert enrollments(pupil) == [(school.class_6b, date(2025, 10, 6), None)]
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, MOVEMENTS, clerk, raw)
    assert exc.value.errors["pupil_id"][0] == "movement.error.already_enrolled"
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(
            s, MOVEMENTS, clerk, {**raw, "pupil_id": str(new_pupil(school.school_id, "11111111111111")), "order_id": ""}
        )
    assert exc.value.errors == {"order_id": ("admin.error.required", {})}
    # Once written, only the reason and the note change; the kind sent by a forged form is ignored.
    with db.session(write=True) as s:
        writes.update(s, MOVEMENTS, clerk, record_id, {**raw, "kind": "departure", "reason": "ата-энеси көчтү"}, 1)
    with db.session() as s:
        saved = s.get(MovementRecord, record_id)
        assert (saved.kind, saved.reason, saved.version) == ("arrival", "ата-энеси көчтү", 2)  # type: ignore[union-attr]
        # A line of the book is not deleted, and an order cited by one is kept.
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, MOVEMENTS, clerk, record_id, "ката жазылды")
    assert exc.value.errors["reason"][0] == "movement.error.no_delete"
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, ORDERS, clerk, order, "ката")
    assert exc.value.errors["reason"] == ("movement.error.order_in_use", {"count": 1})
    # The pupil card lists it.
    with db.session() as s:
        related = ENTITIES.get("pupil").profile.related(s, s.get(Pupil, pupil), "ky", date.today())
    assert [(r["kind"], r["order"], r["to"]) for r in related["movements"]] == [("Келди", "№ 15, 01.10.2025", "6-Б")]
    assert related["movements"][0]["from"] == "Нарын"


def test_the_movement_list_filters_by_kind_year_and_class_and_exports_the_book(school, tmp_path):
    six_a, _five_a = _next_year(school)
    arrive = make_order(school.school_id, "12", date(2025, 10, 1))
    leave = make_order(school.school_id, "40", date(2025, 12, 1), "departure")
    promote = make_order(school.school_id, "1", date(2026, 8, 30), "transfer")
    fresh = new_pupil(school.school_id)
    write(
        {
            "pupil_id": fresh,
            "kind": "arrival",
            "date": date(2025, 10, 6),
            "order_id": arrive,
            "to_class_id": school.class_6b,
            "from_school": '=HYPERLINK("x")',
        }
    )
    write(
        {
            "pupil_id": school.pupils_5a[2],
            "kind": "departure",
            "date": date(2025, 12, 2),
            "order_id": leave,
            "to_school": "Казакстан",
        }
    )
    write(
        {
            "pupil_id": school.pupils_5a[0],
            "kind": "promotion",
            "date": date(2026, 9, 1),
            "order_id": promote,
            "to_class_id": six_a,
        }
    )
    clerk = principal_of("t_clerk")
    with db.session() as s:
        every = listing.list_page(s, MOVEMENTS, clerk, lang="ru")
        assert [r["kind"] for r in every.rows] == ["arrival", "departure", "promotion"]
        assert every.rows[1]["order"] == "№ 40 от 01.12.2025" and every.rows[1]["to"] == "Казакстан"
        assert every.rows[1]["from"] == "5-А"
        kinds = listing.list_page(s, MOVEMENTS, clerk, filters={"kind": "departure"})
        assert kinds.total == 1
        this_year = listing.list_page(s, MOVEMENTS, clerk, filters={"academic_year_id": str(school.year_id)})
        assert this_year.total == 2
        in_6b = listing.list_page(s, MOVEMENTS, clerk, filters={"class_id": str(school.class_6b)})
        assert in_6b.total == 1
        found = listing.list_page(s, MOVEMENTS, clerk, search="ңаматов")
        assert [r["kind"] for r in found.rows] == ["departure"]
        by_place = listing.list_page(s, MOVEMENTS, clerk, search="казакстан")
        assert [r["kind"] for r in by_place.rows] == ["departure"]
    out = tmp_path / "book.xlsx"
    with db.session(write=True) as s:
        count = exports.export(
            s,
            MOVEMENTS,
            clerk,
            out,
            fmt="xlsx",
            lang="ru",
            filters={"academic_year_id": str(school.year_id)},
            purpose="Отчёт о движении за четверть",
        )
    assert count == 2
    sheet = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    assert "Приказ" in header and "Откуда" in header
    body = [dict(zip(header, r, strict=False)) for r in values[1:] if any(r)]
    orders = [r["Приказ"] for r in body if r.get("Приказ")]
    assert orders == ["№ 12 от 01.10.2025", "№ 40 от 01.12.2025"]
    # User text that looks like a formula stays text.
    assert any(str(r.get("Откуда") or "").startswith("=HYPERLINK") for r in body)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_orders_import_keyed_by_number_and_date(school):
    director = principal_of("t_director")
    csv = (
        "Order No.;Order date;Kind;Summary\n12-у;01.10.2025;Enrollment;Кабыл алуу\n13-у;02.10.2025;Departure;Чыгаруу\n"
    )
    for _ in range(2):  # twice: no duplicates
        with db.session(write=True) as s:
            result = imports.run(s, ORDERS, director, csv.encode(), "orders.csv", lang="en")
            assert result.ok, result.errors
    with db.session() as s:
        assert sorted((o.number, o.kind) for o in s.exec(select(Order)).all()) == [
            ("12-у", "enrollment"),
            ("13-у", "departure"),
        ]


# -------------------------------------------------------------------- the district database


def _second_school() -> tuple[int, int, int]:
    with db.session(write=True) as s:
        b = School(okpo="20000002", name_ky="№ 2 мектеп", name_ru="Школа № 2")
        s.add(b)
        s.flush()
        year = AcademicYear(
            school_id=b.id, name="2025–2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 5, 31), is_current=True
        )  # type: ignore[arg-type]
        s.add(year)
        s.flush()
        cls = SchoolClass(school_id=b.id, academic_year_id=year.id, grade=5, letter="В")  # type: ignore[arg-type]
        s.add(cls)
        s.flush()
        accounts.create_user(s, "b_clerk", "clerk", "test-password-1", school_id=b.id, full_name="b_clerk")
        return b.id, cls.id, year.id  # type: ignore[return-value]


def test_a_child_leaves_school_a_and_arrives_in_school_b_with_the_same_pin(school):
    b, b_class, _year = _second_school()
    child = school.pupils_5a[0]
    with db.session() as s:
        pin = s.get(Pupil, child).pin  # type: ignore[union-attr]
    leave = make_order(school.school_id, "40", date(2025, 12, 1), "departure")
    write(
        {
            "pupil_id": child,
            "kind": "departure",
            "date": date(2025, 12, 5),
            "order_id": leave,
            "to_school": "№ 2 мектеп",
        }
    )
    # School B's clerk makes the child's record there with the same PIN, through the engine.
    b_clerk = principal_of("b_clerk")
    with db.session(write=True) as s:
        there = writes.create(
            s,
            PUPILS,
            b_clerk,
            {
                "last_name": "Үсөнов",
                "first_name": "Нурбек",
                "birth_date": "15.03.2014",
                "sex": "m",
                "pin": pin,
                "class_id": "",
            },
        )
        there_id = there.id
    arrive = make_order(b, "77", date(2025, 12, 8))
    write(
        {
            "pupil_id": there_id,
            "kind": "arrival",
            "date": date(2025, 12, 9),
            "order_id": arrive,
            "to_class_id": b_class,
            "from_school": "№ 1 мектеп",
        },
        "b_clerk",
    )
    with db.session() as s:
        both = s.exec(select(Pupil.school_id).where(Pupil.pin == pin).order_by(Pupil.school_id)).all()
        assert list(both) == [school.school_id, b]
        # Each school sees only its own record; neither sees the other's movement.
        assert listing.list_page(s, PUPILS, b_clerk, search=pin).total == 1
        assert listing.list_page(s, MOVEMENTS, b_clerk).total == 1
        assert listing.list_page(s, MOVEMENTS, principal_of("t_clerk")).total == 1
    assert enrollments(child) == [(school.class_5a, date(2025, 9, 1), date(2025, 12, 5))]
    assert enrollments(there_id) == [(b_class, date(2025, 12, 9), None)]
    # A PIN is still unique inside one school.
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(
            s,
            PUPILS,
            b_clerk,
            {
                "last_name": "Башка",
                "first_name": "Бала",
                "birth_date": "01.01.2014",
                "sex": "m",
                "pin": pin,
                "class_id": "",
            },
        )
    assert exc.value.errors["pin"][0] == "admin.error.duplicate"
    # An import keyed by PIN in school B updates B's record and never touches A's.
    csv = f"pin;last_name;first_name;birth_date;sex\n{pin};Үсөнов;Нурбек;15.03.2014;m\n"
    header = ";".join(
        imports.header_text(PUPILS, n, "en") for n in ("pin", "last_name", "first_name", "birth_date", "sex")
    )
    csv = header + "\n" + csv.split("\n", 1)[1]
    with db.session(write=True) as s:
        result = imports.run(s, PUPILS, b_clerk, csv.encode(), "pupils.csv", lang="en")
        assert result.ok and (result.created, result.updated + result.unchanged) == (0, 1), result.errors
    # A guardian imported in school B with the child's PIN is linked to B's record, not A's.
    GUARDIANS = ENTITIES.get("guardian")

    names = ("last_name", "first_name", "pupil_pin", "relation")
    gcsv = ";".join(imports.header_text(GUARDIANS, n, "en") for n in names) + f"\nҮсөнова;Айгүл;{pin};mother\n"
    with db.session(write=True) as s:
        result = imports.run(s, GUARDIANS, None, gcsv.encode(), "g.csv", lang="en", school_id=b)
        assert result.ok, [e.as_dict() for e in result.errors]
    with db.session() as s:
        assert [g["name"] for g in guardians.pupil_guardians(s, there_id, "ky")] == ["Үсөнова Айгүл"]
        # School A's record keeps only its own guardian (from the factory).
        assert [g["name"] for g in guardians.pupil_guardians(s, child, "ky")] == ["Үсөнова Чолпон"]
    # The same from school A's side (the command line, no principal): A's record, never B's.
    acsv = ";".join(imports.header_text(GUARDIANS, n, "en") for n in names) + f"\nҮсөнов;Бакыт;{pin};father\n"
    with db.session(write=True) as s:
        result = imports.run(s, GUARDIANS, None, acsv.encode(), "a.csv", lang="en", school_id=school.school_id)
        assert result.ok, [e.as_dict() for e in result.errors]
    with db.session() as s:
        assert sorted(g["name"] for g in guardians.pupil_guardians(s, child, "ky")) == [
            "Үсөнов Бакыт",
            "Үсөнова Чолпон",
        ]
        assert [g["name"] for g in guardians.pupil_guardians(s, there_id, "ky")] == ["Үсөнова Айгүл"]


# ---------------------------------------------------------------------------------- the demo


def test_the_demo_movement_book_agrees_with_the_enrollments_and_the_journal(db_url):
    from bbbms_app import demo
    from bbbms_app.models import Attendance, Lesson, Mark

    # Built in July: the whole of 2025–2026 happened, and 2024–2025 is its history.
    demo.generate(db.engine(db_url), pupils=160, seed=4, today=date(2026, 7, 15))
    with db.session() as s:
        lines = s.exec(select(MovementRecord, Order).join(Order, Order.id == MovementRecord.order_id)).all()
        kinds = [m.kind for m, _o in lines]
        mid_year = [m for m, _o in lines if m.kind == "arrival" and m.date > date(2025, 9, 1)]
        assert len(mid_year) == 4 and kinds.count("departure") == 3 and kinds.count("promotion") > 10
        assert kinds.count("graduation") > 5 and kinds.count("arrival") > 4  # the first graders came on 1.09
        for m, o in lines:
            assert o.date <= m.date and o.school_id == m.school_id == s.get(Pupil, m.pupil_id).school_id  # type: ignore[union-attr]
            enrollments = {e.class_id: e for e in s.exec(select(Enrollment).where(Enrollment.pupil_id == m.pupil_id))}
            if m.kind in ("arrival", "promotion"):
                assert enrollments[m.to_class_id].starts_on == m.date  # type: ignore[index]
            if m.kind in ("departure", "graduation"):
                assert enrollments[m.from_class_id].ends_on == m.date  # type: ignore[index]
            if m.kind == "promotion":  # last year's class ended on its year's last day
                old = s.get(SchoolClass, m.from_class_id)
                assert enrollments[m.from_class_id].ends_on == s.get(AcademicYear, old.academic_year_id).ends_on  # type: ignore[union-attr,index]
            if m.kind == "arrival":  # nothing in the journal before he came
                for table in (Mark, Attendance):
                    before = s.exec(
                        select(table.id)
                        .join(Lesson, Lesson.id == table.lesson_id)
                        .where(table.pupil_id == m.pupil_id, Lesson.date < m.date)
                    ).all()
                    assert before == []
        # The book's own rules agree: a pupil who left cannot leave again, one who arrived can leave.
        clerk = s.exec(select(User).where(User.role == "clerk")).first()
        p = accounts.principal_for(clerk, session=s) if clerk else None
        departed = next(m for m, _o in lines if m.kind == "departure")
        arrived = mid_year[0]
        leave = Order(school_id=departed.school_id, number="999", date=date(2026, 5, 1), kind="departure")
        s.add(leave)
        s.flush()
        with pytest.raises(FieldError):
            movement.check(
                s,
                p,
                {"pupil_id": departed.pupil_id, "kind": "departure", "date": date(2026, 5, 4), "order_id": leave.id},
            )
        movement.check(
            s, p, {"pupil_id": arrived.pupil_id, "kind": "departure", "date": date(2026, 5, 4), "order_id": leave.id}
        )
        s.rollback()


def test_the_order_picker_offers_the_newest_orders_first(school):
    with db.session(write=True) as s:
        s.add_all(
            Order(school_id=school.school_id, number=str(n), date=date(2020, 1, 1) + timedelta(days=n))
            for n in range(listing.PICKER_LIMIT + 10)
        )
    with db.session() as s:
        options = listing.picker_options(s, principal_of("t_clerk"), "order", "ru")
    assert len(options) == listing.PICKER_LIMIT
    assert options[0]["label"].startswith(f"№ {listing.PICKER_LIMIT + 9} от ")
