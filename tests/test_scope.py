"""Data scopes: a teacher reaches his class × subject (× subgroup), a class teacher his class, families their own."""

from __future__ import annotations

from datetime import date

import pytest

from bbbms_app import db
from bbbms_app.models import AcademicYear, School, SchoolClass, Subject, TeachingAssignment
from bbbms_app.services import journal
from bbbms_app.services.access import can_reach_pupil, can_teach, visible_class_ids
from tests.factories import principal_of


@pytest.fixture
def other_school(school):
    """A second school with one class and one subject, taught by nobody of the first."""
    with db.session() as s:
        other = School(okpo="20000002", name_ky="№ 2 мектеп", name_ru="Школа № 2")
        s.add(other)
        s.flush()
        year = AcademicYear(
            school_id=other.id,  # type: ignore[arg-type]
            name="2025–2026",
            starts_on=date(2025, 9, 1),
            ends_on=date(2026, 5, 31),
            is_current=True,
        )
        s.add(year)
        s.flush()
        cls = SchoolClass(school_id=other.id, academic_year_id=year.id, grade=5, letter="А")  # type: ignore[arg-type]
        subject = Subject(school_id=other.id, code="MATH", name_ky="Математика", name_ru="Математика")  # type: ignore[arg-type]
        s.add_all([cls, subject])
        s.flush()
        return cls.id, subject.id


def test_a_teacher_teaches_exactly_his_class_and_subject(school):
    teacher = principal_of("t_teacher")  # teaches maths and Kyrgyz in 6-Б
    with db.session() as s:
        assert can_teach(s, teacher, school.class_6b, school.math)
        assert can_teach(s, teacher, school.class_6b, school.kyrgyz)
        assert not can_teach(s, teacher, school.class_5a, school.math)  # 5-А's maths is another teacher's
        class_teacher = principal_of("t_classteacher")  # class teacher of 5-А, teaches maths there
        assert can_teach(s, class_teacher, school.class_5a, school.math)
        assert not can_teach(s, class_teacher, school.class_5a, school.kyrgyz)  # his class, not his subject
        assert not can_teach(s, class_teacher, school.class_6b, school.math)


def test_subgroups_narrow_the_scope(school):
    with db.session() as s:
        # Kyrgyz in 5-А is taught in two groups; the 6-Б teacher has group 2 only.
        s.add(
            TeachingAssignment(
                school_id=school.school_id,
                class_id=school.class_5a,
                subject_id=school.kyrgyz,
                teacher_id=school.teacher_b,
                subgroup=2,
            )
        )
    teacher = principal_of("t_teacher")
    with db.session() as s:
        assert can_teach(s, teacher, school.class_5a, school.kyrgyz, 2)
        assert can_teach(s, teacher, school.class_5a, school.kyrgyz)  # some group of it
        assert not can_teach(s, teacher, school.class_5a, school.kyrgyz, 1)
        assert not can_teach(s, teacher, school.class_5a, school.kyrgyz, 0)  # not the whole class
        # A whole-class assignment covers each of its groups.
        assert can_teach(s, teacher, school.class_6b, school.math, 1)


def test_leaders_and_families_teach_nothing(school):
    with db.session() as s:
        for username in ("t_director", "t_deputy", "t_admin", "t_clerk", "t_parent", "t_pupil"):
            assert not can_teach(s, principal_of(username), school.class_5a, school.math), username


def test_who_reads_which_journal(school, other_school):
    other_class, other_subject = other_school
    cases = {
        # username: {(class, subject): may read}
        "t_teacher": {(school.class_6b, school.math): True, (school.class_5a, school.math): False},
        "t_classteacher": {
            (school.class_5a, school.math): True,
            (school.class_5a, school.kyrgyz): True,  # every subject of his own class
            (school.class_6b, school.math): False,
        },
        "t_director": {(school.class_5a, school.kyrgyz): True, (other_class, other_subject): False},
        "t_deputy": {(school.class_6b, school.kyrgyz): True, (other_class, other_subject): False},
        "t_parent": {(school.class_5a, school.math): False},
        "t_pupil": {(school.class_5a, school.math): False},
    }
    with db.session() as s:
        for username, expected in cases.items():
            principal = principal_of(username)
            # The journal's one access rule (services.journal.access_for), as the grid and every save use it.
            got = {(c, j): journal.access_for(s, principal, s.get(SchoolClass, c), j, 0).read for c, j in expected}
            assert got == expected, username
        assert not can_teach(s, principal_of("t_teacher"), other_class, other_subject)
        with pytest.raises(journal.OutOfScope):  # no such class
            journal.journal_subjects(s, principal_of("t_director"), 999_999)


def test_pupil_scope_by_role(school, other_school):
    def reach(username: str) -> set[int]:
        principal = principal_of(username)
        with db.session() as s:
            return {
                p for p in school.pupils_5a + school.pupils_6b if can_reach_pupil(s, principal, p, school.school_id)
            }

    assert reach("t_teacher") == set(school.pupils_6b)
    assert reach("t_classteacher") == set(school.pupils_5a)
    assert reach("t_parent") == set(school.pupils_5a[:2])
    assert reach("t_pupil") == {school.pupils_5a[0]}
    assert reach("t_director") == set(school.pupils_5a + school.pupils_6b)
    with db.session() as s:
        other_school_id = s.get(SchoolClass, other_school[0]).school_id  # type: ignore[union-attr]
        # A school's director reaches no pupil of another school.
        assert not can_reach_pupil(s, principal_of("t_director"), school.pupils_5a[0], other_school_id)
        assert visible_class_ids(s, principal_of("t_teacher")) == [school.class_6b]
