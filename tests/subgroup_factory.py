"""English taught in two groups, on top of tests/factories.build_school.

5-А (class teacher A) learns English in two subgroups: group 1 with a new teacher (account
"t_eng1"), group 2 with teacher B ("t_teacher"). One first-quarter lesson per group on 5 Sep
2025. 6-Б learns English in group 1 (teacher B), so a split subject exists outside 5-А too.
Nothing is split yet: the tests record the membership themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import Lesson, Staff, Subject, TeachingAssignment
from bbbms_app.services import accounts
from tests.factories import PASSWORD, KnownSchool


@dataclass
class EnglishGroups:
    english: int
    teacher_1: int  # staff of group 1 in 5-А
    lesson_g1: int  # 5-А, group 1, 5 Sep 2025
    lesson_g2: int  # 5-А, group 2, 5 Sep 2025


def add_english_groups(s: Session, school: KnownSchool) -> EnglishGroups:
    sid = school.school_id
    english = Subject(school_id=sid, code="EN", name_ky="Англис тили", name_ru="Английский язык", name_en="English")
    teacher = Staff(
        school_id=sid,
        last_name="Жумабаева",
        first_name="Нургүл",
        position="teacher",
        search_key=search_key("Жумабаева", "Нургүл"),
        sort_key=sort_key("Жумабаева", "Нургүл"),
    )
    s.add_all([english, teacher])
    s.flush()
    s.add_all(
        [
            TeachingAssignment(
                school_id=sid, class_id=school.class_5a, subject_id=english.id, teacher_id=teacher.id, subgroup=1
            ),  # type: ignore[arg-type]
            TeachingAssignment(
                school_id=sid, class_id=school.class_5a, subject_id=english.id, teacher_id=school.teacher_b, subgroup=2
            ),  # type: ignore[arg-type]
            TeachingAssignment(
                school_id=sid, class_id=school.class_6b, subject_id=english.id, teacher_id=school.teacher_b, subgroup=1
            ),  # type: ignore[arg-type]
        ]
    )
    lessons = [
        Lesson(
            school_id=sid,
            class_id=school.class_5a,
            subject_id=english.id,  # type: ignore[arg-type]
            teacher_id=teacher_id,
            term_id=school.term_ids[0],
            date=date(2025, 9, 5),
            number=3,
            subgroup=group,
            topic=f"Unit 1 ({group})",
            homework=f"Ex. {group}",
        )
        for group, teacher_id in ((1, teacher.id), (2, school.teacher_b))
    ]
    s.add_all(lessons)
    s.flush()
    accounts.create_user(s, "t_eng1", "teacher", PASSWORD, school_id=sid, full_name="t_eng1", staff_id=teacher.id)
    return EnglishGroups(
        english=english.id,  # type: ignore[arg-type]
        teacher_1=teacher.id,  # type: ignore[arg-type]
        lesson_g1=lessons[0].id,  # type: ignore[arg-type]
        lesson_g2=lessons[1].id,  # type: ignore[arg-type]
    )
