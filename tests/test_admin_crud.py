"""The engine (services/engine: listing, writes) on a real database: paged lists with scope, sort,
search and filters; audited writes, optimistic locking, soft delete and restore, translated field
errors, the save rules of other areas."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Enrollment, Pupil, PupilGuardian, SchoolClass, User
from bbbms_app.services import accounts
from bbbms_app.services.engine import hooks, listing, values, writes
from bbbms_app.services.engine.profiles import guardian as guardians
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import PASSWORD, principal_of

CLASSES = ENTITIES.get("class")
GUARDIANS = ENTITIES.get("guardian")
PUPILS = ENTITIES.get("pupil")
STAFF = ENTITIES.get("staff")
SUBJECTS = ENTITIES.get("subject")
TERMS = ENTITIES.get("term")
USERS = ENTITIES.get("user")


def audit(entity: str, entity_id: int | None = None, action: str | None = None) -> list[AuditEvent]:
    with db.session() as s:
        q = select(AuditEvent).where(AuditEvent.entity == entity)
        if entity_id is not None:
            q = q.where(AuditEvent.entity_id == entity_id)
        if action is not None:
            q = q.where(AuditEvent.action == action)
        return list(s.exec(q.order_by(AuditEvent.id)).all())


NEW_PUPIL = {
    "last_name": "  Бакиров ",
    "first_name": "Эрмек",
    "patronymic": "",
    "birth_date": "2014-04-02",
    "sex": "m",
    "pin": "21504201400077",
    "alpha_book_no": "Б/7",
}


def admission_order(school_id: int, number: str = "3-у", on: date = date(2025, 10, 1)) -> int:
    """A director's order a new pupil is admitted under (a class is reached only through the book)."""
    from bbbms_app.models import Order

    with db.session(write=True) as s:
        order = Order(school_id=school_id, number=number, date=on, kind="enrollment")
        s.add(order)
        s.flush()
        return order.id  # type: ignore[return-value]


def depart(school_id: int, pupil_id: int, on: date = date(2026, 5, 25)) -> None:
    """The pupil leaves through the movement book (then, and only then, he may be deleted)."""
    from bbbms_app.models import Order
    from bbbms_app.services import movement

    with db.session(write=True) as s:
        order = Order(school_id=school_id, number=f"в-{pupil_id}", date=on, kind="departure")
        s.add(order)
        s.flush()
        movement.record(s, None, {"pupil_id": pupil_id, "kind": "departure", "date": on, "order_id": order.id})


def test_list_is_paged_sorted_and_scoped(school):
    director = principal_of("t_director")
    with db.session() as s:
        first = listing.list_page(s, PUPILS, director, limit=2)
        second = listing.list_page(s, PUPILS, director, offset=2, limit=2)
        by_birth = listing.list_page(s, PUPILS, director, sort="birth_date", descending=True)
        teacher = listing.list_page(s, PUPILS, principal_of("t_teacher"))
        parent = listing.list_page(s, PUPILS, principal_of("t_parent"))
    assert first.total == second.total == 5
    assert [r["name"].split()[0] for r in first.rows + second.rows] == ["Абдыкадырова", "Ңаматов", "Орозов", "Петрова"]
    assert [r["birth_date"] for r in by_birth.rows][:2] == ["20.07.2014", "01.05.2014"]
    assert {int(r["id"]) for r in teacher.rows} == set(school.pupils_6b)
    assert {int(r["id"]) for r in parent.rows} == set(school.pupils_5a[:2])
    assert first.rows[0]["class_name"] == "5-А" and first.rows[0]["sex"] == "f"


def test_search_folds_kyrgyz_case_and_filters_by_class(school):
    director = principal_of("t_director")
    with db.session() as s:
        assert [r["name"] for r in listing.list_page(s, PUPILS, director, search="ҮСӨН").rows] == ["Үсөнов Нурбек"]
        assert listing.list_page(s, PUPILS, director, search="%").rows == []
        in_6b = listing.list_page(s, PUPILS, director, filters={"class_id": str(school.class_6b)})
        assert {int(r["id"]) for r in in_6b.rows} == set(school.pupils_6b)
        users = listing.list_page(s, USERS, director, search="T_ADM")
        assert [r["username"] for r in users.rows] == ["t_admin"]
        # Reference columns show the other row's name, not its id.
        classes = listing.list_page(s, CLASSES, director)
        assert [(r["class_name"], r["class_teacher_id"], r["pupils"]) for r in classes.rows] == [
            ("5-А", "Өмүрбекова Айжан", "3"),
            ("6-Б", "", "2"),
        ]


def test_create_validates_every_field_and_audits_the_values(school):
    clerk = principal_of("t_clerk")
    bad = {**NEW_PUPIL, "pin": "2.01E+13", "birth_date": "31.02.2014", "sex": "x", "last_name": ""}
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, clerk, bad)
    assert exc.value.errors == {
        "pin": ("admin.error.pin", {}),
        "birth_date": ("admin.error.date", {}),
        "sex": ("admin.error.choice", {}),
        "last_name": ("admin.error.required", {}),
    }
    with db.session(write=True) as s:
        pupil = writes.create(
            s,
            PUPILS,
            clerk,
            {
                **NEW_PUPIL,
                "class_id": str(school.class_5a),
                "order_id": str(admission_order(school.school_id)),
                "school_id": "999",
            },
        )
        pid = pupil.id
    with db.session() as s:
        row = s.get(Pupil, pid)
        assert row.school_id == school.school_id  # never taken from the form
        assert row.last_name == "Бакиров" and row.search_key.startswith("бакиров эрмек")
        assert s.exec(select(Enrollment.class_id).where(Enrollment.pupil_id == pid)).one() == school.class_5a
    created = audit("pupil", pid, "create")
    assert len(created) == 1 and created[0].username == "t_clerk" and created[0].pupil_id == pid
    assert json.loads(created[0].new_value)["pin"] == "21504201400077"


def test_duplicate_natural_key_is_refused_even_when_deleted(school):
    clerk = principal_of("t_clerk")
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, clerk, {**NEW_PUPIL, "pin": "21503201400011"})
    assert exc.value.errors == {"pin": ("admin.error.duplicate", {})}
    depart(school.school_id, school.pupils_5a[0])
    with db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, clerk, school.pupils_5a[0], "left the school")
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, clerk, {**NEW_PUPIL, "pin": "21503201400011"})
    assert exc.value.errors == {"pin": ("admin.error.duplicate_deleted", {})}


def test_update_is_audited_per_field_and_refuses_a_stale_version(school):
    clerk = principal_of("t_clerk")
    pid = school.pupils_6b[0]
    with db.session() as s:
        form = values.form_values(PUPILS, s.get(Pupil, pid))
        version = s.get(Pupil, pid).version
    assert form["birth_date"] == "2013-02-01" and "class_id" not in form
    with db.session(write=True) as s:
        writes.update(s, PUPILS, clerk, pid, {**form, "first_name": "Анна-Мария", "alpha_book_no": "П/3"}, version)
    changes = {(e.field, e.old_value, e.new_value) for e in audit("pupil", pid, "update")}
    assert changes == {("first_name", "Анна", "Анна-Мария"), ("alpha_book_no", "", "П/3")}
    # A second user still holding the old version is refused; nothing of his is written.
    with pytest.raises(writes.StaleRecord), db.session(write=True) as s:
        writes.update(s, PUPILS, clerk, pid, {**form, "first_name": "Аня"}, version)
    with db.session() as s:
        row = s.get(Pupil, pid)
        assert row.first_name == "Анна-Мария" and row.version == version + 1
        assert row.search_key.startswith("петрова анна-мария")


def test_soft_delete_needs_a_reason_hides_the_row_and_restores(school):
    clerk = principal_of("t_clerk")
    pid = school.pupils_6b[1]
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, clerk, pid, " ")
    assert exc.value.errors == {"reason": ("admin.error.reason", {"min": 3})}
    depart(school.school_id, pid)
    with db.session(write=True) as s:
        writes.soft_delete(s, PUPILS, clerk, pid, "moved to Osh")
    with db.session() as s:
        assert pid not in {int(r["id"]) for r in listing.list_page(s, PUPILS, clerk).rows}
        deleted = listing.list_page(s, PUPILS, clerk, deleted=True)
        assert [int(r["id"]) for r in deleted.rows] == [pid] and deleted.rows[0]["deleted"] == "1"
    with db.session(write=True) as s:
        writes.restore(s, PUPILS, clerk, pid)
    with db.session() as s:
        assert s.get(Pupil, pid).deleted_at is None
    (deletion,) = audit("pupil", pid, "delete")
    assert deletion.reason == "moved to Osh" and deletion.old_value == "Орозов Тилек"
    assert len(audit("pupil", pid, "restore")) == 1


def test_a_class_with_pupils_cannot_be_deleted(school):
    director = principal_of("t_director")
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, CLASSES, director, school.class_5a, "merged")
    assert exc.value.errors["reason"][0] == "admin.error.class_has_pupils"


def test_references_must_be_live_and_reachable(school):
    director = principal_of("t_director")
    with db.session(write=True) as s:
        from bbbms_app.models import School

        other = School(okpo="20000002", name_ky="Башка", name_ru="Другая")
        s.add(other)
        s.flush()
        foreign = SchoolClass(school_id=other.id, academic_year_id=school.year_id, grade=1, letter="А")
        s.add(foreign)
        s.flush()
        foreign_id = foreign.id
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, director, {**NEW_PUPIL, "class_id": str(foreign_id)})
    assert exc.value.errors == {"class_id": ("admin.error.reference", {})}


def test_cross_field_rules_and_ranges(school):
    director = principal_of("t_director")
    term = {
        "academic_year_id": str(school.year_id),
        "kind": "half_year",
        "number": "3",
        "starts_on": "2026-02-01",
        "ends_on": "2026-01-01",
    }
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, TERMS, director, term)
    assert exc.value.errors == {
        "ends_on": ("admin.error.order", {}),
        "number": ("admin.error.range", {"min": 1, "max": 2}),
    }
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, SUBJECTS, director, {"code": "X" * 21, "name_ky": "Ч", "name_ru": "Ч"})
    assert exc.value.errors == {"code": ("admin.error.too_long", {"max": 20})}


def test_save_rules_of_other_areas_are_applied_beside_their_field(school, monkeypatch):
    def no_mondays(session, principal, record_id, values):
        if values.get("alpha_book_no") == "ПН":
            raise hooks.FieldError("alpha_book_no", "admin.error.invalid")

    monkeypatch.setattr(PUPILS.profile, "check_save", no_mondays)
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, PUPILS, principal_of("t_clerk"), {**NEW_PUPIL, "alpha_book_no": "ПН"})
    assert exc.value.errors == {"alpha_book_no": ("admin.error.invalid", {})}


def test_users_get_a_hashed_initial_password_and_are_disabled_not_deleted(school):
    admin = principal_of("t_admin")
    form = {
        "username": "New.Teacher",
        "full_name": "Жаңы Мугалим",
        "role": "teacher",
        "language": "ru",
        "password": "Ала-Тоо көлү 2025",
        "staff_id": str(school.teacher_b),
    }
    with db.session(write=True) as s:
        uid = writes.create(s, USERS, admin, form).id
    with db.session() as s:
        user = s.get(User, uid)
        assert user.username == "new.teacher" and user.password_hash.startswith("$argon2id$")
        assert user.search_key == "new.teacher жаңы мугалим" and user.school_id == school.school_id
    with db.session(write=True) as s:
        signed = accounts.authenticate(s, "new.teacher", "Ала-Тоо көлү 2025")
    assert signed.token
    with db.session(write=True) as s:
        writes.soft_delete(s, USERS, admin, uid, "left the school")
    with db.session() as s:
        assert s.get(User, uid).is_active is False
        assert accounts.resolve(s, signed.token) is None  # his sessions were closed
        assert uid in {int(r["id"]) for r in listing.list_page(s, USERS, admin, deleted=True).rows}
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.soft_delete(s, USERS, admin, admin.user_id, "oops")
    assert exc.value.errors == {"reason": ("admin.error.own_account", {})}
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, USERS, admin, {**form, "username": "second.user", "password": "short"})
    assert exc.value.errors["password"][0] == "error.password_short", exc.value.errors
    # An administrator cannot make a director (the rights area's rule, run through save_checks).
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, USERS, admin, {**form, "username": "boss", "role": "director"})
    assert exc.value.errors["role"][0].startswith("rights.error")
    with db.session(write=True) as s:
        writes.restore(s, USERS, admin, uid)
    with db.session(write=True) as s:
        assert accounts.authenticate(s, "new.teacher", PASSWORD).token is None


def test_guardians_are_linked_to_pupils_with_the_relation(school):
    clerk = principal_of("t_clerk")
    with db.session(write=True) as s:
        gid = writes.create(s, GUARDIANS, clerk, {"last_name": "Ңаматова", "first_name": "Айгүл"}).id
        guardians.link_guardian(s, clerk, school.pupils_5a[2], gid, "mother")
        guardians.link_guardian(s, clerk, school.pupils_5a[2], gid, "grandmother")
    with db.session() as s:
        link = s.exec(select(PupilGuardian).where(PupilGuardian.guardian_id == gid)).one()
        assert link.relation == "grandmother" and link.is_primary
        rows = listing.list_page(s, GUARDIANS, clerk, search="ңамат").rows
        assert [(r["name"], r["children"]) for r in rows] == [("Ңаматова Айгүл", "Ңаматов Эрмек")]
    with db.session(write=True) as s:
        guardians.unlink_guardian(s, clerk, school.pupils_5a[2], link.id)
    assert {e.action for e in audit("pupilguardian")} == {"create", "update", "delete"}
    with pytest.raises(writes.OutOfScope), db.session(write=True) as s:
        guardians.link_guardian(s, principal_of("t_teacher"), school.pupils_5a[0], gid, "mother")


def test_class_teacher_sees_only_guardians_of_his_pupils_and_staff_is_school_wide(school):
    ct = principal_of("t_classteacher")
    with db.session() as s:
        guardians = listing.list_page(s, GUARDIANS, ct).rows
        staff = listing.list_page(s, STAFF, ct)
    assert [r["name"] for r in guardians] == ["Үсөнова Чолпон"]
    assert staff.total == 5


def test_detail_card_has_related_records(school):
    director = principal_of("t_director")
    with db.session() as s:
        pupil = writes.get_record(s, PUPILS, director, school.pupils_5a[0])
        card = {r["field"]: r["value"] for r in values.detail_rows(s, PUPILS, pupil, "ru")}
        related = PUPILS.profile.related(s, pupil, "ru", date.today())
    assert card["sex"] == "Муж." and card["birth_date"] == "15.03.2014"
    assert [(g["name"], g["relation"]) for g in related["guardians"]] == [("Үсөнова Чолпон", "Мать")]
    assert [(e["class_name"], e["year"]) for e in related["enrollments"]] == [("5-А", "2025–2026")]
    assert related["marks"] == [{"subject": "Математика", "count": "2", "average": "4,5"}]
    assert related["consent"] == [{"status": "Нет согласия", "categories": ""}]
    with pytest.raises(writes.OutOfScope), db.session() as s:
        writes.get_record(s, PUPILS, principal_of("t_teacher"), school.pupils_5a[0])
