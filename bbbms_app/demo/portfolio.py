"""Demo portfolio and project: the demo pupil's achievements (two verified, one waiting for his class
teacher) and one project of the demo class teacher with two members of his class, a few posts and
tasks, not yet assessed — so /portfolio and /projects show something real on the first visit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bbbms_app.models import Enrollment, SchoolClass, TeachingAssignment, User
from bbbms_app.models.portfolio import Achievement, Project
from bbbms_app.services import accounts, portfolio, projects
from bbbms_app.services.portfolio import Entry
from bbbms_app.services.projects import ProjectDraft
from bbbms_app.services.school import current_year

ACHIEVEMENTS = (
    # (kind, level, place, days ago, title, verified)
    ("olympiad", "rayon", "1", 40, "Математика боюнча райондук олимпиада", True),
    ("sport", "school", "2", 75, "Мектептин шахмат турнири", True),
    ("volunteering", "school", "", 12, "«Таза шаар» ыктыярчылар акциясы", False),
)


def add_portfolio(engine: Engine, school_id: int, today: date) -> int:
    """The demo pupil's entries and the class teacher's project; nothing when some exist already.
    Returns how many rows were written."""
    with Session(engine) as s:
        if s.exec(select(Achievement.id).where(Achievement.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        pupil, director = users.get("pupil"), users.get("director")
        written = 0
        if pupil is not None and pupil.pupil_id is not None and director is not None:
            who = accounts.principal_for(pupil, session=s)
            boss = accounts.principal_for(director, session=s)
            for kind, level, place, days, title, verified in ACHIEVEMENTS:
                entry = Entry(kind, level, title, today - timedelta(days=days), place=place)
                a = portfolio.add(s, who, entry, today)
                portfolio.submit(s, who, a.id)  # type: ignore[arg-type]
                if verified:
                    portfolio.review(s, boss, a.id, "verified", "", today)  # type: ignore[arg-type]
                written += 1
        written += _project(s, users.get("classteacher"), school_id, today)
        s.commit()
        return written


def _project(s: Session, user: User | None, school_id: int, today: date) -> int:
    if user is None or user.staff_id is None:
        return 0
    if s.exec(select(Project.id).where(Project.school_id == school_id).limit(1)).first() is not None:
        return 0
    year = current_year(s, school_id)
    klass = (
        s.exec(
            select(SchoolClass).where(
                SchoolClass.class_teacher_id == user.staff_id, SchoolClass.academic_year_id == year.id
            )
        ).first()
        if year is not None
        else None
    )
    if klass is None:
        return 0
    members = s.exec(
        select(Enrollment.pupil_id)
        .where(Enrollment.class_id == klass.id, col(Enrollment.ends_on).is_(None))
        .order_by(Enrollment.pupil_id)
        .limit(2)
    ).all()
    if len(members) < 2:
        return 0
    subject_id = s.exec(
        select(TeachingAssignment.subject_id).where(
            TeachingAssignment.class_id == klass.id, TeachingAssignment.teacher_id == user.staff_id
        )
    ).first()
    who = accounts.principal_for(user, session=s)
    draft = ProjectDraft(
        title="Мектептеги сууну үнөмдөө",
        goal="Бир айда мектеп канча суу коротоорун өлчөп, аны азайтуунун жолдорун сунуштоо.",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=14),
        subject_id=subject_id,
        member_ids=tuple(members),
    )
    project = projects.create(s, who, draft)
    pid = project.id
    assert pid is not None
    projects.add_task(s, who, pid, "Эсептегичтин көрсөткүчүн ар күнү жазуу", members[0], today - timedelta(days=5))
    projects.add_task(s, who, pid, "Сурамжылоо: үйдө суу кантип үнөмдөлөт", members[1], today + timedelta(days=3))
    projects.add_task(s, who, pid, "Жыйынтыкты класста көрсөтүү", None, project.ends_on, milestone=True)
    projects.post(s, who, pid, "Баштайлы! Ар бир өлчөөнү ушул жерге жазгыла.")
    return 1
