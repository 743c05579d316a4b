"""services.courses on a real database: who reaches a course, hand-ins (late, closed), the mark that
goes into the journal through the grid's path (audited, closed term refused), copying a course."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from bbbms_app import db
from bbbms_app.models import AcademicYear, AuditEvent, Lesson, Mark, SchoolClass, TeachingAssignment, Term
from bbbms_app.models.learning import Assignment, CourseMaterial, CourseModule, ModuleLesson, Submission
from bbbms_app.services import accounts, courses, journal
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.journal import CellChange, JournalError
from bbbms_app.services.private_files import StoredFile
from tests.factories import PASSWORD, principal_of

TODAY = date(2025, 9, 10)
NOW = datetime(2025, 9, 10, 6, 0, tzinfo=UTC)
PDF = StoredFile(name="1/" + "a" * 32 + ".pdf", sha256="0" * 64, size=2048, content_type="application/pdf")


@pytest.fixture
def course(school):
    """5-А maths by its teacher (t_classteacher): a published module with a text, a file and an
    assignment due on 12 Sep, and a draft module with a file."""
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil6", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_6b[0])
        accounts.create_user(
            s, "t_parent6", "parent", PASSWORD, school_id=school.school_id, guardian_id=school.guardian_2
        )
    with db.session(write=True) as s:
        me = principal_of("t_classteacher", s)
        c = courses.create_course(s, me, school.math, [school.class_5a], "Математика 5")
        m1 = courses.add_module(s, me, c.id, "1-апта", "Натуралдык сандар", TODAY)
        courses.publish_module(s, me, m1.id, date(2025, 9, 8), TODAY)
        courses.add_material(s, me, m1.id, "text", "Эреже", body="# Кошуу\n- бир\n- эки\n\nТекст", today=TODAY)
        f1 = courses.add_material(s, me, m1.id, "file", "Китеп", stored=PDF, today=TODAY)
        a = courses.add_assignment(s, me, m1.id, "Үй тапшырмасы", "№ 5", date(2025, 9, 12), "home", TODAY)
        m2 = courses.add_module(s, me, c.id, "2-апта", "", TODAY)
        f2 = courses.add_material(s, me, m2.id, "file", "Долбоор", stored=PDF, today=TODAY)
        return {"course": c.id, "module": m1.id, "draft": m2.id, "file": f1.id, "draft_file": f2.id, "assignment": a.id}


def view(username: str, course_id: int):
    with db.session() as s:
        return courses.view(s, principal_of(username, s), course_id, TODAY, NOW)


@pytest.mark.parametrize(
    "username,how",
    [
        ("t_classteacher", "write"),
        ("t_director", "lead"),
        ("t_deputy", "lead"),
        ("t_pupil", "family"),
        ("t_parent", "family"),
        ("t_pupil6", None),
        ("t_parent6", None),
        ("t_teacher", None),
        ("t_clerk", None),
        ("t_admin", None),
    ],
)
def test_who_reaches_a_course(course, username, how):
    if how is None:
        with pytest.raises(NotFound):
            view(username, course["course"])
        with db.session() as s, pytest.raises(NotFound):
            courses.material_file(s, principal_of(username, s), course["file"], TODAY)
        with db.session() as s:
            assert courses.courses_for(s, principal_of(username, s), TODAY) == []
        return
    v = view(username, course["course"])
    assert v.how == how
    titles = [i["title"] for i in v.items if i["type"] == "module"]
    # Pupils and parents see published modules only; the teacher and the leaders the drafts too.
    assert titles == (["1-апта"] if how == "family" else ["1-апта", "2-апта"])
    with db.session() as s:
        assert [r["id"] for r in courses.courses_for(s, principal_of(username, s), TODAY)] == [str(course["course"])]
        assert courses.material_file(s, principal_of(username, s), course["file"], TODAY).id == course["file"]
        if how == "family":
            with pytest.raises(NotFound):
                courses.material_file(s, principal_of(username, s), course["draft_file"], TODAY)


def test_the_text_is_blocks_of_text_and_links_are_http_only(course):
    v = view("t_pupil", course["course"])
    assert [(i["style"], i["text"]) for i in v.items if i["type"] == "block"] == [
        ("h", "Кошуу"),
        ("li", "бир"),
        ("li", "эки"),
        ("p", "Текст"),
    ]
    assert courses.blocks("<script>alert(1)</script>") == [("p", "<script>alert(1)</script>")]
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.kg/a", "youtube.com/x", "https:// x"):
        with pytest.raises(Refused):
            courses.check_url(bad)
    assert courses.check_url(" https://youtu.be/abc ") == "https://youtu.be/abc"
    with db.session(write=True) as s, pytest.raises(Refused):
        me = principal_of("t_classteacher", s)
        courses.add_material(s, me, course["module"], "video", "Видео", url="javascript:alert(1)", today=TODAY)


def test_only_the_teacher_of_the_class_builds(course, school):
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        courses.create_course(s, principal_of("t_teacher", s), school.math, [school.class_5a], "Чоочун")
    for who in ("t_teacher", "t_director", "t_pupil"):
        with db.session(write=True) as s, pytest.raises((OutOfScope, NotFound)):
            courses.add_module(s, principal_of(who, s), course["course"], "Жаңы", "", TODAY)
    with db.session() as s:
        assert len(s.exec(select(CourseModule)).all()) == 2


def submit(username: str, assignment_id: int, now: datetime = NOW, body: str = "Жооп", files=()):
    with db.session(write=True) as s:
        return courses.submit(s, principal_of(username, s), assignment_id, body, list(files), now).id


def test_hand_in_on_time_late_and_closed(course, school):
    sid = submit("t_pupil", course["assignment"], files=[PDF])
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert (sub.late, sub.status, sub.pupil_id) == (False, "submitted", school.pupils_5a[0])
    # Handed in again after the due time (12 Sep, 23:59 in Bishkek): taken, marked late.
    submit("t_pupil", course["assignment"], datetime(2025, 9, 12, 18, 30, tzinfo=UTC))
    with db.session() as s:
        assert s.get(Submission, sid).late is True
        a = courses.view(s, principal_of("t_pupil", s), course["course"], TODAY, NOW).items
        mine = next(i for i in a if i["type"] == "assignment")
        assert (mine["status"], mine["late"]) == ("submitted", "1")
    for who, error in (("t_pupil6", NotFound), ("t_parent", OutOfScope), ("t_classteacher", OutOfScope)):
        with pytest.raises(error):
            submit(who, course["assignment"])
    with db.session(write=True) as s:
        courses.close_assignment(s, principal_of("t_classteacher", s), course["assignment"], True, TODAY)
    with pytest.raises(Refused) as err:
        submit("t_pupil", course["assignment"])
    assert err.value.key == "courses.error.closed"
    with db.session() as s:
        actions = s.exec(select(AuditEvent.action, AuditEvent.field).where(AuditEvent.entity == "submission")).all()
        assert list(actions) == [("create", ""), ("update", "late")]


def test_the_mark_goes_into_the_journal_cell_and_is_read_from_there(course, school):
    sid = submit("t_pupil", course["assignment"])
    pupil, lesson = school.pupils_5a[0], school.lessons_5a_math[1]  # a class mark 4 is there already
    with db.session() as s:
        options = courses.lesson_options(s, principal_of("t_classteacher", s), sid, TODAY)
        assert [o["id"] for o in options] == [str(x) for x in reversed(school.lessons_5a_math)]
        with pytest.raises(NotFound):
            courses.lesson_options(s, principal_of("t_teacher", s), sid, TODAY)
    with db.session(write=True) as s:
        courses.mark(s, principal_of("t_classteacher", s), sid, lesson, 5, "Жакшы", TODAY)
    with db.session() as s:
        marks = s.exec(select(Mark.kind, Mark.value).where(Mark.lesson_id == lesson, Mark.pupil_id == pupil)).all()
        assert sorted(marks) == [("class", 4), ("home", 5)]
        cell_audit = s.exec(
            select(AuditEvent).where(AuditEvent.entity == "lesson", AuditEvent.entity_id == lesson)
        ).all()
        assert [(a.field, a.new_value, a.reason) for a in cell_audit] == [
            ("mark.home", "5", f"assignment {course['assignment']}")
        ]
        assert s.get(Submission, sid).status == "marked"
    mine = next(i for i in view("t_pupil", course["course"]).items if i["type"] == "assignment")
    assert (mine["mark"], mine["comment"]) == ("5", "Жакшы")
    # One mark, one place: a correction in the grid is what the hand-in shows.
    with db.session(write=True) as s:
        cell = journal.load_cell(s, lesson, pupil)
        journal.save_cell(s, principal_of("t_classteacher", s), lesson, pupil, CellChange("home", 4), cell.token())
    mine = next(i for i in view("t_pupil", course["course"]).items if i["type"] == "assignment")
    assert mine["mark"] == "4"
    with db.session() as s:
        row = next(
            r for r in courses.submissions(s, principal_of("t_classteacher", s), course["assignment"], TODAY) if r["id"]
        )
        assert (row["mark"], row["status"]) == ("4", "marked")
    # A marked hand-in is not handed in again.
    with pytest.raises(Refused):
        submit("t_pupil", course["assignment"])


def test_a_lesson_of_another_class_or_a_closed_term_is_refused(course, school):
    sid = submit("t_pupil", course["assignment"])
    with db.session(write=True) as s:
        other = school.lessons_5a_math[0] + 1000
        with pytest.raises(Refused):
            courses.mark(s, principal_of("t_classteacher", s), sid, other, 5, "", TODAY)
    with db.session(write=True) as s:
        journal.close_term(s, principal_of("t_deputy", s), school.term_ids[0])
    with db.session() as s:
        assert courses.lesson_options(s, principal_of("t_classteacher", s), sid, TODAY) == []
    with db.session(write=True) as s, pytest.raises(JournalError) as err:
        courses.mark(s, principal_of("t_classteacher", s), sid, school.lessons_5a_math[1], 5, "", TODAY)
    assert err.value.key == "journal.error.term_closed"
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.kind == "home")).all() == []
        assert s.get(Submission, sid).status == "submitted"


def test_copy_to_next_years_classes(course, school):
    with db.session(write=True) as s:
        year = AcademicYear(
            school_id=school.school_id, name="2026–2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
        )
        s.add(year)
        s.flush()
        c6 = SchoolClass(school_id=school.school_id, academic_year_id=year.id, grade=6, letter="А", language="ky")
        s.add(c6)
        s.flush()
        s.add(
            TeachingAssignment(
                school_id=school.school_id, class_id=c6.id, subject_id=school.math, teacher_id=school.teacher_a
            )
        )
        s.flush()
        new_class = c6.id
    with db.session() as s:
        targets = courses.copy_targets(s, principal_of("t_classteacher", s), course["course"], TODAY)
        assert targets == [{"id": str(new_class), "name": "6-А · 2026–2027"}]
    with db.session(write=True) as s:
        me = principal_of("t_classteacher", s)
        with pytest.raises(Refused):  # the same year's class is no copy to next year
            courses.copy_course(s, me, course["course"], [school.class_5a], TODAY)
    with db.session(write=True) as s:
        copy = courses.copy_course(s, principal_of("t_classteacher", s), course["course"], [new_class], TODAY).id
    with db.session() as s:
        modules = s.exec(
            select(CourseModule).where(CourseModule.course_id == copy).order_by(CourseModule.position)
        ).all()
        assert [(m.title, m.publish_on) for m in modules] == [("1-апта", None), ("2-апта", None)]
        mats = s.exec(select(CourseMaterial).where(CourseMaterial.module_id == modules[0].id)).all()
        assert [(m.kind, m.title) for m in mats] == [("text", "Эреже"), ("file", "Китеп")]
        a = s.exec(select(Assignment).where(Assignment.module_id == modules[0].id)).one()
        assert courses._local(a.due_at).date() == date(2026, 9, 12)
        assert courses.course_class_ids(s, copy) == [new_class]
    with db.session(write=True) as s, pytest.raises(NotFound):
        courses.copy_course(s, principal_of("t_teacher", s), course["course"], [new_class], TODAY)


def test_a_copied_course_follows_the_new_classes_lessons_at_the_same_place_in_the_year(course, school):
    """The rule of copy_course's lesson links, on hand-built journals: the k-th lesson of the subject
    in the old class (cancelled ones not counted, a lesson split between subgroups counted once)
    becomes the k-th one of each new class, every subgroup's, where the new journal has it."""
    sid, math = school.school_id, school.math

    def lesson(class_id: int, term: int, day: date, number: int, **extra) -> int:
        row = Lesson(
            school_id=sid, class_id=class_id, subject_id=extra.pop("subject", math), teacher_id=school.teacher_a,
            term_id=term, date=day, number=number, **extra,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id  # type: ignore[return-value]

    with db.session(write=True) as s:
        # This year, 5-А maths: the factory's 2, 3, 4 Sep (places 0, 1, 2), then a cancelled lesson and
        # 5 Sep split between two subgroups (place 3).
        old_term = school.term_ids[0]
        cancelled = lesson(school.class_5a, old_term, date(2025, 9, 4), 4, cancelled=True)
        split = [lesson(school.class_5a, old_term, date(2025, 9, 5), 1, subgroup=g) for g in (1, 2)]
        on_1 = [school.lessons_5a_math[2], split[0]]  # the published module: places 2 and 3
        on_2 = [school.lessons_5a_math[0], cancelled]  # the draft: place 0, and a cancelled lesson
        s.add_all([ModuleLesson(module_id=course["module"], lesson_id=i) for i in on_1])
        s.add_all([ModuleLesson(module_id=course["draft"], lesson_id=i) for i in on_2])
        # Next year: 6-А (the copy's class) and 6-Б (not the copy's).
        year = AcademicYear(school_id=sid, name="2026–2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31))
        s.add(year)
        s.flush()
        first_quarter = (date(2026, 9, 1), date(2026, 10, 31))
        term = Term(
            school_id=sid, academic_year_id=year.id, number=1, starts_on=first_quarter[0], ends_on=first_quarter[1]
        )  # type: ignore[arg-type]
        s.add(term)
        classes = []
        for letter in ("А", "Б"):
            k = SchoolClass(school_id=sid, academic_year_id=year.id, grade=6, letter=letter, language="ky")  # type: ignore[arg-type]
            s.add(k)
            s.flush()
            classes.append(k.id)
        c6a, c6b = classes
        s.add(TeachingAssignment(school_id=sid, class_id=c6a, subject_id=math, teacher_id=school.teacher_a))  # type: ignore[arg-type]
        s.flush()
        t = term.id
        lesson(c6a, t, date(2026, 9, 1), 1, subject=school.kyrgyz)  # another subject: not counted
        new_0 = lesson(c6a, t, date(2026, 9, 1), 3)  # place 0
        lesson(c6a, t, date(2026, 9, 2), 1, cancelled=True)  # not counted
        lesson(c6a, t, date(2026, 9, 2), 2)  # place 1
        new_2 = [lesson(c6a, t, date(2026, 9, 3), 1, subgroup=g) for g in (1, 2)]  # place 2, both subgroups
        lesson(c6b, t, date(2026, 9, 1), 1)  # 6-Б's place 0: not a class of the copy
        # 6-А has no place 3 yet: that link is not carried.
    with db.session(write=True) as s:
        copy = courses.copy_course(s, principal_of("t_classteacher", s), course["course"], [c6a], TODAY).id
    with db.session() as s:
        modules = s.exec(
            select(CourseModule).where(CourseModule.course_id == copy).order_by(CourseModule.position)
        ).all()
        linked = {
            m.title: sorted(s.exec(select(ModuleLesson.lesson_id).where(ModuleLesson.module_id == m.id)).all())
            for m in modules
        }
        assert linked == {"1-апта": sorted(new_2), "2-апта": [new_0]}
        reasons = s.exec(
            select(AuditEvent.reason).where(
                AuditEvent.entity == "course_module", AuditEvent.field == "lessons",
                col(AuditEvent.entity_id).in_([m.id for m in modules]),
            )
        ).all()  # fmt: skip
        assert sorted(reasons) == [f"copied from module {course['module']}", f"copied from module {course['draft']}"]
