"""Year-end promotion (services.promotion): the known school's 2025–26 closed into 2026–27 under one
order — promotion, a pupil kept in the same grade, the 9th grade's leavers and stayers, the 11th
graduating — with the new year's classes and terms; the contingent report across the transition;
the undo by a correcting order before and after marks; a whole class moved in mid-year.

Runs on SQLite and, with BBBMS_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    Enrollment,
    Lesson,
    Mark,
    MovementRecord,
    Order,
    SchoolClass,
    Term,
)
from bbbms_app.services import movement, movement_report, promotion
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.errors import OutOfScope, Refused
from tests.factories import make_pupil, principal_of

ORDER_DAY = date(2026, 5, 30)
NEW_START = date(2026, 9, 1)


@dataclass
class Extra:
    class_9a: int
    class_11a: int
    pupils_9a: list[int]
    pupils_11a: list[int]


def _extra(school) -> Extra:
    """A 9-А of three (one will leave, two stay for the 10th) and an 11-А of two."""
    out: dict[str, list[int]] = {}
    ids = {}
    with db.session(write=True) as s:
        for grade, n in ((9, 3), (11, 2)):
            cls = SchoolClass(
                school_id=school.school_id, academic_year_id=school.year_id, grade=grade, letter="А", language="ky"
            )
            s.add(cls)
            s.flush()
            ids[grade] = cls.id
            out[str(grade)] = []
            for i in range(n):
                sex = "f" if i % 2 else "m"
                p = make_pupil(
                    s, school.school_id, pin=f"2{grade:02d}0{i}20100000{i}", last_name=f"Бекова{grade}{i}", sex=sex
                )
                s.add(
                    Enrollment(school_id=school.school_id, pupil_id=p.id, class_id=cls.id, starts_on=date(2025, 9, 1))
                )
                out[str(grade)].append(p.id)
    return Extra(ids[9], ids[11], out["9"], out["11"])


def _run(school, choices, number="55", username="t_clerk", **kw) -> promotion.Result:
    with db.session(write=True) as s:
        return promotion.promote(s, principal_of(username), school.year_id, number, ORDER_DAY, choices, **kw)


def _open_class(pupil_id: int) -> tuple[int, str, date] | None:
    with db.session() as s:
        row = s.exec(
            select(SchoolClass, Enrollment)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.pupil_id == pupil_id, Enrollment.ends_on.is_(None))
        ).first()
        if row is None:
            return None
        cls, e = row
        return cls.grade, cls.letter, e.starts_on


def test_the_preview_says_who_goes_where_and_writes_nothing(school):
    extra = _extra(school)
    kept = school.pupils_5a[2]
    with db.session() as s:
        lines = promotion.preview(
            s, principal_of("t_clerk"), school.year_id, {kept: "retain", extra.pupils_9a[0]: "graduate"}
        )
        assert s.exec(select(MovementRecord)).all() == []
    by_name = {line.name: line for line in lines}
    assert list(by_name) == ["5-А", "6-Б", "9-А", "11-А"]
    assert (by_name["5-А"].target, by_name["5-А"].count("promote"), by_name["5-А"].count("retain")) == ("6-А", 2, 1)
    assert (by_name["9-А"].count("promote"), by_name["9-А"].count("graduate")) == (2, 1)
    assert (by_name["11-А"].count("graduate"), by_name["11-А"].count("promote")) == (2, 0)
    assert by_name["6-Б"].count("promote") == 2


def test_a_choice_the_grade_does_not_allow_is_refused(school):
    with db.session() as s, pytest.raises(Refused) as caught:
        promotion.preview(s, principal_of("t_clerk"), school.year_id, {school.pupils_5a[0]: "graduate"})
    assert caught.value.key == "promotion.error.action"
    with db.session() as s, pytest.raises(Refused) as caught:
        promotion.preview(s, principal_of("t_clerk"), school.year_id, {999999: "promote"})
    assert caught.value.key == "promotion.error.not_listed"


def test_a_teacher_may_not_promote_the_school(school):
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        promotion.promote(s, principal_of("t_teacher"), school.year_id, "55", ORDER_DAY, {})


def test_the_whole_school_moves_into_the_next_year_under_one_order(school):
    extra = _extra(school)
    kept = school.pupils_5a[2]
    leaver = extra.pupils_9a[0]
    result = _run(school, {kept: "retain", leaver: "graduate"}, teachers={school.class_6b: school.teacher_b})
    assert (result.promoted, result.retained, result.graduated) == (2 + 2 + 2, 1, 1 + 2)
    # 6-А, 7-Б, 10-А from promotions; 5-А for the one kept down.
    assert result.classes_created == 4
    with db.session() as s:
        year = s.get(AcademicYear, result.year_id)
        assert (year.name, year.starts_on, year.ends_on) == ("2026–2027", NEW_START, date(2027, 6, 30))
        terms = s.exec(select(Term).where(Term.academic_year_id == year.id).order_by(Term.number)).all()
        assert [(t.number, t.starts_on) for t in terms] == [
            (1, NEW_START),
            (2, date(2026, 11, 9)),
            (3, date(2027, 1, 11)),
            (4, date(2027, 3, 29)),
        ]
        new = {
            (c.grade, c.letter): c
            for c in s.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year.id)).all()
        }
        assert sorted(new) == [(5, "А"), (6, "А"), (7, "Б"), (10, "А")]
        assert (new[(6, "А")].language, new[(6, "А")].class_teacher_id) == ("ky", school.teacher_a)
        assert new[(7, "Б")].class_teacher_id == school.teacher_b  # changed in the wizard
        assert new[(7, "Б")].language == "ru"
        assert new[(5, "А")].class_teacher_id is None
        orders = s.exec(select(Order).where(Order.school_id == school.school_id)).all()
        assert len(orders) == 1 and orders[0].id == result.order_id and orders[0].signed_by_id is not None
        kinds = sorted(m.kind for m in s.exec(select(MovementRecord)).all())
        assert kinds == ["graduation"] * 3 + ["promotion"] * 6 + ["retention"]
        assert {m.order_id for m in s.exec(select(MovementRecord)).all()} == {result.order_id}
        created = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "schoolclass", AuditEvent.action == "create")
        ).all()
        assert len(created) == 4 and {a.reason for a in created} == {f"№ 55 {ORDER_DAY.isoformat()}"}
        assert len(s.exec(select(AuditEvent).where(AuditEvent.entity == "movementrecord")).all()) == 10
    assert _open_class(school.pupils_5a[0]) == (6, "А", NEW_START)
    assert _open_class(kept) == (5, "А", NEW_START)
    assert _open_class(extra.pupils_9a[1]) == (10, "А", NEW_START)
    assert _open_class(leaver) is None
    assert _open_class(extra.pupils_11a[0]) is None
    with db.session() as s:  # the old lists end on the old year's last day, the leavers on the order's
        old = s.exec(select(Enrollment).where(Enrollment.pupil_id == school.pupils_5a[0])).all()
        assert sorted((e.starts_on, e.ends_on) for e in old) == [
            (date(2025, 9, 1), date(2026, 5, 31)),
            (NEW_START, None),
        ]
        gone = s.exec(select(Enrollment).where(Enrollment.pupil_id == leaver)).one()
        assert gone.ends_on == ORDER_DAY


def test_the_contingent_report_reconciles_across_the_transition(school):
    extra = _extra(school)
    _run(school, {school.pupils_5a[2]: "retain", extra.pupils_9a[0]: "graduate"})
    with db.session() as s:
        rep = movement_report.contingent(s, school.school_id, date(2026, 5, 1), date(2026, 9, 30), "ru")
        for row in rep.all_rows():
            assert row.balance() == 0, row.label
        assert rep.school.total("start") == 10
        assert rep.school.total("left") == 3 and rep.school.counts["left.graduated"]
        assert rep.school.total("moved_in") == rep.school.total("moved_out") == 7  # 6 promoted + 1 kept
        assert rep.school.total("end") == movement_report.on_roll(s, school.school_id, date(2026, 9, 30)) == 7
        rows = {r.label: r for r in rep.classes}
        assert rows["5-А"].total("end") == 1  # the new 5-А: the one kept down
        assert rows["10-А"].total("moved_in") == 2


def test_a_second_order_for_the_same_pupils_is_refused(school):
    _run(school, {})
    with pytest.raises(Refused) as caught:
        _run(school, {}, number="56")
    assert caught.value.key == "promotion.error.nothing"  # nobody is left on an open list of 2025–26


def test_the_order_date_must_lie_in_the_closing_year(school):
    with db.session(write=True) as s, pytest.raises(Refused) as caught:
        promotion.promote(s, principal_of("t_clerk"), school.year_id, "55", date(2026, 8, 1), {})
    assert caught.value.key == "promotion.error.order_date"
    with db.session() as s:
        assert s.exec(select(AcademicYear)).all()[-1].id == school.year_id  # nothing written


def test_undo_before_marks_puts_everything_back(school):
    extra = _extra(school)
    before = {p: _open_class(p) for p in [*school.pupils_5a, *extra.pupils_9a, *extra.pupils_11a]}
    result = _run(school, {school.pupils_5a[2]: "retain", extra.pupils_9a[0]: "graduate"})
    with db.session(write=True) as s:
        assert [o.id for o in promotion.year_end_orders(s, school.school_id)] == [result.order_id]
        n = promotion.undo(s, principal_of("t_clerk"), result.order_id, "60", date(2026, 6, 10))
    assert n == 10
    assert {p: _open_class(p) for p in before} == before
    with db.session() as s:
        assert s.exec(select(MovementRecord).where(MovementRecord.deleted_at.is_(None))).all() == []
        struck = s.exec(select(MovementRecord)).all()
        assert {m.deleted_reason for m in struck} == {"№ 60 2026-06-10"}
        new_classes = s.exec(select(SchoolClass).where(SchoolClass.academic_year_id == result.year_id)).all()
        assert len(new_classes) == 4 and all(c.deleted_at is not None for c in new_classes)
        assert promotion.year_end_orders(s, school.school_id) == []
        assert s.exec(select(Order).where(Order.number == "60")).one().kind == "other"
        assert (
            len(
                s.exec(select(AuditEvent).where(AuditEvent.entity == "enrollment", AuditEvent.action == "delete")).all()
            )
            == 7
        )
    with db.session() as s:  # the struck-out classes are no lines of the report; the old lists run on
        rep = movement_report.contingent(s, school.school_id, date(2026, 9, 1), date(2026, 9, 30), "ru")
        assert [r.label for r in rep.classes] == ["5-А", "6-Б", "9-А", "11-А"]
        assert all(r.balance() == 0 for r in rep.all_rows())
    again = _run(school, {}, number="61")  # the wizard can run again into the same new year
    assert again.year_id == result.year_id and again.terms_created == 0
    assert again.classes_created == 3  # 6-А, 7-Б, 10-А restored; nobody kept down this time
    assert _open_class(school.pupils_5a[2]) == (6, "А", NEW_START)


def test_undo_is_refused_once_the_new_year_has_marks(school):
    result = _run(school, {})
    with db.session(write=True) as s:
        cls = s.exec(
            select(SchoolClass).where(SchoolClass.academic_year_id == result.year_id, SchoolClass.grade == 6)
        ).one()
        term = s.exec(select(Term).where(Term.academic_year_id == result.year_id, Term.number == 1)).one()
        lesson = Lesson(
            school_id=school.school_id, class_id=cls.id, subject_id=school.math, teacher_id=school.teacher_a,
            term_id=term.id, date=date(2026, 9, 2), number=1,
        )  # fmt: skip
        s.add(lesson)
        s.flush()
        s.add(
            Mark(school_id=school.school_id, lesson_id=lesson.id, pupil_id=school.pupils_5a[0], kind="class", value=5)
        )
    with db.session(write=True) as s, pytest.raises(Refused) as caught:
        promotion.undo(s, principal_of("t_clerk"), result.order_id, "60", date(2026, 9, 5))
    assert caught.value.key == "promotion.error.has_marks"
    assert _open_class(school.pupils_5a[0]) == (6, "А", NEW_START)


def test_retention_is_a_movement_of_its_own_kind(school):
    """Through the book's own path: a class of the same grade in a later year, never another grade."""
    result = _run(school, {school.pupils_5a[2]: "retain"})
    with db.session() as s:
        m = s.exec(select(MovementRecord).where(MovementRecord.kind == "retention")).one()
        assert m.pupil_id == school.pupils_5a[2]
        assert movement.pupil_movements(s, m.pupil_id, "ky")[0]["kind"] == "Ошол эле класста калтырылды"
    with db.session(write=True) as s:  # a late pupil still on the old 5-А's list
        p = make_pupil(s, school.school_id, pin="21111201400077", last_name="Кечиккен")
        s.add(
            Enrollment(school_id=school.school_id, pupil_id=p.id, class_id=school.class_5a, starts_on=date(2026, 1, 12))
        )
        pupil_id = p.id
    with db.session() as s:
        new = {
            c.grade: c.id
            for c in s.exec(select(SchoolClass).where(SchoolClass.academic_year_id == result.year_id)).all()
        }

        def check(class_id: int) -> None:
            values = {"pupil_id": pupil_id, "kind": "retention", "date": NEW_START}
            values |= {"order_id": result.order_id, "to_class_id": class_id}
            movement.check(s, principal_of("t_clerk"), values)

        for wrong, key in (
            (new[6], "movement.error.retention_grade"),  # a higher grade is a promotion
            (school.class_5a, "movement.error.already_in_year"),  # his own year
        ):
            with pytest.raises(FieldError) as caught:
                check(wrong)
            assert caught.value.key == key
        check(new[5])


def test_a_whole_class_moves_to_another_grade_in_the_middle_of_the_year(school):
    day = date(2026, 1, 12)
    with db.session(write=True) as s:
        order_id, n = promotion.move_class(
            s, principal_of("t_clerk"), school.class_5a, 6, day, "7-к", date(2026, 1, 10)
        )
    assert n == 3
    for p in school.pupils_5a:
        assert _open_class(p) == (6, "А", day)
    with db.session() as s:
        records = s.exec(select(MovementRecord).where(MovementRecord.order_id == order_id)).all()
        assert {m.kind for m in records} == {"transfer_in_school"} and len(records) == 3
        rep = movement_report.contingent(s, school.school_id, date(2026, 1, 1), date(2026, 1, 31), "ru")
        assert all(r.balance() == 0 for r in rep.all_rows())
        assert rep.school.total("moved_in") == 3
    with db.session(write=True) as s, pytest.raises(Refused) as caught:
        promotion.move_class(s, principal_of("t_clerk"), school.class_6b, 6, day, "8-к", day)
    assert caught.value.key == "promotion.error.grade"
