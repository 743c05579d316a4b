"""A small school whose every row is known, for tests that must assert exact results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from bbbms_app import db
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    Enrollment,
    GradingPolicy,
    Guardian,
    Lesson,
    Mark,
    Pupil,
    PupilGuardian,
    School,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from bbbms_app.services import accounts
from bbbms_app.services.access import Principal

PASSWORD = "test-password-1"


@dataclass
class KnownSchool:
    """Ids of the rows build_school made, and the usernames of its accounts by role."""

    school_id: int
    year_id: int
    term_ids: list[int]
    class_5a: int
    class_6b: int
    math: int
    kyrgyz: int
    teacher_a: int  # staff: class teacher of 5-А, teaches maths in 5-А
    teacher_b: int  # staff: teaches maths and Kyrgyz in 6-Б
    pupils_5a: list[int]
    pupils_6b: list[int]
    guardian_1: int  # parent of the first two pupils of 5-А
    guardian_2: int  # parent of the first pupil of 6-Б
    lessons_5a_math: list[int]
    users: dict[str, str] = field(default_factory=dict)


def _staff(s: Session, school_id: int, last: str, first: str, position: str) -> Staff:
    st = Staff(
        school_id=school_id,
        last_name=last,
        first_name=first,
        position=position,
        search_key=search_key(last, first),
        sort_key=sort_key(last, first),
    )
    s.add(st)
    s.flush()
    return st


def make_pupil(s: Session, school_id: int, **overrides: object) -> Pupil:
    """A pupil of `school_id` with no class yet (a card the clerk made), flushed; any column can be
    given. The search and sort keys follow the names unless given."""
    values: dict[str, object] = {
        "last_name": "Жаңы",
        "first_name": "Алмаз",
        "pin": None,
        "birth_date": date(2014, 10, 2),
        "sex": "m",
        **overrides,
    }
    last, first = str(values["last_name"]), str(values["first_name"])
    values.setdefault("search_key", search_key(last, first, str(values["pin"] or "")))
    values.setdefault("sort_key", sort_key(last, first))
    p = Pupil(school_id=school_id, **values)
    s.add(p)
    s.flush()
    return p


def _pupil(s: Session, school_id: int, last: str, first: str, pin: str, born: date, sex: str) -> Pupil:
    return make_pupil(s, school_id, last_name=last, first_name=first, pin=pin, birth_date=born, sex=sex)


def build_school(s: Session, okpo: str = "10000001", prefix: str = "t_") -> KnownSchool:
    """The known school; a second one needs its own `okpo` and account `prefix` (usernames are global)."""
    school = School(okpo=okpo, name_ky="№ 1 мектеп", name_ru="Школа № 1", name_en="School No. 1")
    s.add(school)
    s.flush()
    sid = school.id
    assert sid is not None
    year = AcademicYear(
        school_id=sid, name="2025–2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 5, 31), is_current=True
    )
    s.add(year)
    s.flush()
    spans = [
        (date(2025, 9, 1), date(2025, 11, 4)),
        (date(2025, 11, 10), date(2025, 12, 30)),
        (date(2026, 1, 12), date(2026, 3, 5)),
        (date(2026, 3, 9), date(2026, 5, 31)),
    ]
    terms = [
        Term(school_id=sid, academic_year_id=year.id, number=i + 1, starts_on=a, ends_on=b)  # type: ignore[arg-type]
        for i, (a, b) in enumerate(spans)
    ]
    s.add_all(terms)
    s.add(GradingPolicy(school_id=sid, academic_year_id=year.id, grade_from=2, grade_to=11))  # type: ignore[arg-type]
    director = _staff(s, sid, "Асанов", "Бакыт", "director")
    deputy = _staff(s, sid, "Сейитова", "Гүлнара", "deputy")
    clerk = _staff(s, sid, "Ким", "Ольга", "clerk")
    teacher_a = _staff(s, sid, "Өмүрбекова", "Айжан", "teacher")
    teacher_b = _staff(s, sid, "Иванов", "Сергей", "teacher")
    c5 = SchoolClass(
        school_id=sid,
        academic_year_id=year.id,
        grade=5,
        letter="А",
        language="ky",  # type: ignore[arg-type]
        class_teacher_id=teacher_a.id,
    )
    c6 = SchoolClass(school_id=sid, academic_year_id=year.id, grade=6, letter="Б", language="ru")  # type: ignore[arg-type]
    s.add_all([c5, c6])
    s.flush()
    math = Subject(school_id=sid, code="MATH", name_ky="Математика", name_ru="Математика", name_en="Mathematics")
    ky = Subject(school_id=sid, code="KY", name_ky="Кыргыз тили", name_ru="Кыргызский язык", name_en="Kyrgyz")
    s.add_all([math, ky])
    s.flush()
    s.add_all(
        [
            TeachingAssignment(
                school_id=sid, class_id=c5.id, subject_id=math.id, teacher_id=teacher_a.id, hours_per_week=5
            ),  # type: ignore[arg-type]
            TeachingAssignment(
                school_id=sid, class_id=c6.id, subject_id=math.id, teacher_id=teacher_b.id, hours_per_week=5
            ),  # type: ignore[arg-type]
            TeachingAssignment(
                school_id=sid, class_id=c6.id, subject_id=ky.id, teacher_id=teacher_b.id, hours_per_week=3
            ),  # type: ignore[arg-type]
        ]
    )
    p5 = [
        _pupil(s, sid, "Үсөнов", "Нурбек", "21503201400011", date(2014, 3, 15), "m"),
        _pupil(s, sid, "Абдыкадырова", "Мөлдир", "10105201400022", date(2014, 5, 1), "f"),
        _pupil(s, sid, "Ңаматов", "Эрмек", "22007201400033", date(2014, 7, 20), "m"),
    ]
    p6 = [
        _pupil(s, sid, "Петрова", "Анна", "10102201300044", date(2013, 2, 1), "f"),
        _pupil(s, sid, "Орозов", "Тилек", "20909201300055", date(2013, 9, 9), "m"),
    ]
    for p in p5:
        s.add(Enrollment(school_id=sid, pupil_id=p.id, class_id=c5.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
    for p in p6:
        s.add(Enrollment(school_id=sid, pupil_id=p.id, class_id=c6.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
    g1 = Guardian(school_id=sid, last_name="Үсөнова", first_name="Чолпон", search_key="үсөнова чолпон")
    g2 = Guardian(school_id=sid, last_name="Петров", first_name="Игорь", search_key="петров игорь")
    s.add_all([g1, g2])
    s.flush()
    s.add_all(
        [
            PupilGuardian(pupil_id=p5[0].id, guardian_id=g1.id, relation="mother", is_primary=True),  # type: ignore[arg-type]
            PupilGuardian(pupil_id=p5[1].id, guardian_id=g1.id, relation="mother"),  # type: ignore[arg-type]
            PupilGuardian(pupil_id=p6[0].id, guardian_id=g2.id, relation="father", is_primary=True),  # type: ignore[arg-type]
        ]
    )
    lessons = []
    for i, day in enumerate((date(2025, 9, 2), date(2025, 9, 3), date(2025, 9, 4))):
        lesson = Lesson(
            school_id=sid,
            class_id=c5.id,
            subject_id=math.id,
            teacher_id=teacher_a.id,  # type: ignore[arg-type]
            term_id=terms[0].id,
            date=day,
            number=i + 1,
            topic=f"Тема {i + 1}",
        )  # type: ignore[arg-type]
        s.add(lesson)
        lessons.append(lesson)
    s.flush()
    # First pupil: 5, 4 and absent (ill) at the third lesson; second pupil: 3.
    s.add_all(
        [
            Mark(school_id=sid, lesson_id=lessons[0].id, pupil_id=p5[0].id, value=5),  # type: ignore[arg-type]
            Mark(school_id=sid, lesson_id=lessons[1].id, pupil_id=p5[0].id, value=4),  # type: ignore[arg-type]
            Attendance(school_id=sid, lesson_id=lessons[2].id, pupil_id=p5[0].id, code="б"),  # type: ignore[arg-type]
            Mark(school_id=sid, lesson_id=lessons[0].id, pupil_id=p5[1].id, value=3),  # type: ignore[arg-type]
        ]
    )
    s.flush()
    users = {
        "administrator": (f"{prefix}admin", {}),
        "director": (f"{prefix}director", {"staff_id": director.id}),
        "deputy": (f"{prefix}deputy", {"staff_id": deputy.id}),
        "clerk": (f"{prefix}clerk", {"staff_id": clerk.id}),
        "class_teacher": (f"{prefix}classteacher", {"staff_id": teacher_a.id}),
        "teacher": (f"{prefix}teacher", {"staff_id": teacher_b.id}),
        "parent": (f"{prefix}parent", {"guardian_id": g1.id}),
        "pupil": (f"{prefix}pupil", {"pupil_id": p5[0].id}),
    }
    for role, (username, links) in users.items():
        accounts.create_user(s, username, role, PASSWORD, school_id=sid, full_name=username, **links)
    return KnownSchool(
        school_id=sid,
        year_id=year.id,  # type: ignore[arg-type]
        term_ids=[t.id for t in terms],  # type: ignore[misc]
        class_5a=c5.id,  # type: ignore[arg-type]
        class_6b=c6.id,  # type: ignore[arg-type]
        math=math.id,  # type: ignore[arg-type]
        kyrgyz=ky.id,  # type: ignore[arg-type]
        teacher_a=teacher_a.id,  # type: ignore[arg-type]
        teacher_b=teacher_b.id,  # type: ignore[arg-type]
        pupils_5a=[p.id for p in p5],  # type: ignore[misc]
        pupils_6b=[p.id for p in p6],  # type: ignore[misc]
        guardian_1=g1.id,  # type: ignore[arg-type]
        guardian_2=g2.id,  # type: ignore[arg-type]
        lessons_5a_math=[lesson.id for lesson in lessons],  # type: ignore[misc]
        users={role: username for role, (username, _links) in users.items()},
    )


def principal_of(username: str, session: Session | None = None) -> Principal:
    """The Principal of `username` as the guard would resolve it (his role's rights as the database
    holds them): the one way tests act as someone."""
    if session is None:
        with db.session() as s:
            return principal_of(username, s)
    user = session.exec(select(User).where(User.username == username)).one()
    return accounts.principal_for(user, session=session)
