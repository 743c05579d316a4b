"""Teacher reports: every figure checked against a hand-computed value on a small fixture.

On top of tests/factories.py's school (quarter 1: Mon 01.09.2025 – Tue 04.11.2025, 47 weekdays):
- holidays: 01–03.10.2025 for every grade (3 weekdays), 05.09.2025 for grade 6 only;
  so 5-А has 44 school days in the quarter and 6-Б 43;
- 5-А maths (teacher A, 5 h): lessons (3 given by A) 02.09 (topic, no homework), 03.09 given by teacher B in A's
  place (no homework), 04.09 (no topic, no homework), 05.09 cancelled, 09.09 (topic and homework);
- 6-Б Kyrgyz (teacher B, 3 h): 08.09 with topic and homework; 6-Б maths (teacher B, 5 h): no lessons;
- marks in 5-А maths: Үсөнов 5 (02.09, written the same day), 4 (03.09, written 08.09: 5 days
  late, on B's lesson), 5 (09.09: the audit says written 09.09, the row itself was touched 20.10);
  Абдыкадырова 3 (02.09, written 05.09 20:00 UTC = 06.09 in Bishkek: 4 days late);
- Петрова is exempt («осв») from Kyrgyz in quarter 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Holiday, Lesson, Mark, PeriodMark
from bbbms_app.services.journal import OutOfScope
from bbbms_app.services.reports import teachers as teachers_service
from tests.factories import principal_of


@pytest.fixture
def taught(school):
    sid = school.school_id
    l0, l1, l2 = school.lessons_5a_math
    u, a, _n = school.pupils_5a
    with db.session(write=True) as s:
        s.add(
            Holiday(
                school_id=sid,
                academic_year_id=school.year_id,
                name_ky="Эс алуу",
                name_ru="Каникулы",
                name_en="Break",
                starts_on=date(2025, 10, 1),
                ends_on=date(2025, 10, 3),
            )
        )
        s.add(
            Holiday(
                school_id=sid,
                academic_year_id=school.year_id,
                name_ky="6-класс",
                name_ru="6 класс",
                name_en="Grade 6",
                starts_on=date(2025, 9, 5),
                ends_on=date(2025, 9, 5),
                grade_from=6,
                grade_to=6,
            )
        )
        s.get(Lesson, l1).teacher_id = school.teacher_b  # a substitution
        s.get(Lesson, l2).topic = ""
        common = {"school_id": sid, "term_id": school.term_ids[0]}
        s.add(
            Lesson(
                **common, class_id=school.class_5a, subject_id=school.math, teacher_id=school.teacher_a,
                date=date(2025, 9, 5), number=1, cancelled=True,
            )
        )  # fmt: skip
        l4 = Lesson(
            **common, class_id=school.class_5a, subject_id=school.math, teacher_id=school.teacher_a,
            date=date(2025, 9, 9), number=1, topic="Бөлчөктөр", homework="№ 12",
        )  # fmt: skip
        s.add(l4)
        s.add(
            Lesson(
                **common, class_id=school.class_6b, subject_id=school.kyrgyz, teacher_id=school.teacher_b,
                date=date(2025, 9, 8), number=2, topic="Зат атооч", homework="7-көнүгүү",
            )
        )  # fmt: skip
        s.flush()
        stamps = {
            (l0, u): datetime(2025, 9, 2, 4, tzinfo=UTC),
            (l1, u): datetime(2025, 9, 8, 4, tzinfo=UTC),
            (l0, a): datetime(2025, 9, 5, 20, tzinfo=UTC),
        }
        for mark in s.exec(select(Mark)).all():
            mark.updated_at = stamps[(mark.lesson_id, mark.pupil_id)]
        s.add(Mark(school_id=sid, lesson_id=l4.id, pupil_id=u, value=5, updated_at=datetime(2025, 10, 20, tzinfo=UTC)))
        s.add(
            AuditEvent(
                at=datetime(2025, 9, 9, 6, tzinfo=UTC), action="create", entity="lesson", entity_id=l4.id,
                field="mark.class", new_value="5", pupil_id=u, school_id=sid,
            )
        )  # fmt: skip
        petrova = school.pupils_6b[0]
        s.add(
            PeriodMark(
                school_id=sid, pupil_id=petrova, subject_id=school.kyrgyz, class_id=school.class_6b,
                academic_year_id=school.year_id, term_id=school.term_ids[0], kind="quarter", number=1, special="осв",
            )
        )  # fmt: skip
    return school


def _report(who: str, school, **kw):
    with db.session() as s:
        return teachers_service.teacher_report(s, principal_of(who), school.year_id, school.term_ids[0], **kw)


def _hours(line):
    return [(r.class_label, r.subject_id, r.weekly, r.plan, r.plan_to_date, r.given, r.by_others, r.substitution)
            for r in line.hours]  # fmt: skip


def test_the_director_sees_every_teacher_with_hand_computed_figures(taught):
    school = taught
    rep = _report("t_director", school)
    by = {line.staff_id: line for line in rep.teachers}
    a, b = by[school.teacher_a], by[school.teacher_b]
    assert [line.name for line in rep.teachers] == ["Иванов С.", "Өмүрбекова А."]
    assert rep.upto == date(2025, 11, 4)
    # Hours: 5 h × 44 days ÷ 5 = 44; 6-Б: 5 × 43 ÷ 5 = 43, 3 × 43 ÷ 5 = 25.8 → 26.
    assert _hours(a) == [("5-А", school.math, 5, 44, 44, 3, 1, False)]
    assert _hours(b) == [
        ("5-А", school.math, None, None, None, 1, 0, True),
        ("6-Б", school.math, 5, 43, 43, 0, 0, False),
        ("6-Б", school.kyrgyz, 3, 26, 26, 1, 0, False),
    ]
    assert (a.plan, a.given, a.by_others, a.substituted) == (44, 3, 1, 0)
    assert (b.plan, b.given, b.by_others, b.substituted) == (69, 2, 0, 1)
    # Lessons without a topic or homework: each counted for the one who taught it.
    assert [(g.day, g.no_topic, g.no_homework) for g in a.gaps] == [
        (date(2025, 9, 2), False, True),
        (date(2025, 9, 4), True, True),
    ]
    assert (a.no_topic, a.no_homework) == (1, 2)
    assert [(g.day, g.no_topic, g.no_homework) for g in b.gaps] == [(date(2025, 9, 3), False, True)]
    # Too few marks (minimum 3): Үсөнов has 3, Абдыкадырова 1, Ңаматов 0; in 6-Б nobody has a mark
    # and Петрова is exempt from Kyrgyz.
    assert [(f.pupil, f.marks, f.needed) for f in a.few] == [("Абдыкадырова Мөлдир", 1, 3), ("Ңаматов Эрмек", 0, 3)]
    assert [(f.subject_id, f.pupil) for f in b.few] == [
        (school.math, "Орозов Тилек"),
        (school.math, "Петрова Анна"),
        (school.kyrgyz, "Орозов Тилек"),
    ]
    # Late (more than 3 days): Абдыкадырова's 3 written 06.09 in Bishkek (05.09 in UTC would be 3 days);
    # Үсөнов's 4 on B's lesson 5 days late; the 09.09 mark is on time by its audit record.
    assert [(m.pupil, m.day, m.entered_on, m.days_late, m.value) for m in a.late] == [
        ("Абдыкадырова Мөлдир", date(2025, 9, 2), date(2025, 9, 6), 4, 3)
    ]
    assert [(m.pupil, m.days_late, m.value) for m in b.late] == [("Үсөнов Нурбек", 5, 4)]


def test_the_report_up_to_a_day_inside_the_quarter(taught):
    school = taught
    rep = _report("t_deputy", school, today=date(2025, 9, 10))
    by = {line.staff_id: line for line in rep.teachers}
    assert rep.upto == date(2025, 9, 9)
    # Up to 09.09: 7 school days for 5-А (01–05, 08, 09), 6 for 6-Б (05.09 off): 7; 6 and 3.6 → 4.
    assert [(r.plan, r.plan_to_date, r.given) for r in by[school.teacher_a].hours] == [(44, 7, 3)]
    assert [(r.plan_to_date, r.given) for r in by[school.teacher_b].hours] == [(None, 1), (6, 0), (4, 1)]
    # A later limit for lateness: nothing is more than 4 days late but Үсөнов's 4.
    rep = _report("t_director", school, late_days=4)
    assert [m.value for line in rep.teachers for m in line.late] == [4]


def test_a_teacher_sees_only_himself_and_a_leader_can_pick_one(taught):
    school = taught
    rep = _report("t_teacher", school)  # teacher B
    assert [line.staff_id for line in rep.teachers] == [school.teacher_b]
    with pytest.raises(OutOfScope):
        _report("t_teacher", school, staff_id=school.teacher_a)
    rep = _report("t_director", school, staff_id=school.teacher_a)
    assert [line.staff_id for line in rep.teachers] == [school.teacher_a]
    for who in ("t_clerk", "t_admin", "t_parent", "t_pupil"):
        with pytest.raises(OutOfScope):
            _report(who, school)


def test_the_year_has_no_few_marks_list(taught):
    school = taught
    with db.session() as s:
        rep = teachers_service.teacher_report(s, principal_of("t_director"), school.year_id, None)
    assert all(not line.few for line in rep.teachers)
    assert sum(line.given for line in rep.teachers) == 5
