"""services.course_edit on a real database: the course's teacher edits and (soft) deletes modules,
materials and assignments — refused once work is handed in, audited, nobody else may; a module is
tied to journal lessons and the family's diary links them; a parent of two children sees each
child's status separately."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent
from bbbms_app.models.learning import Assignment, CourseMaterial, CourseModule, ModuleLesson, Submission
from bbbms_app.services import accounts, course_edit, courses, diary
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from tests.factories import PASSWORD, principal_of
from tests.test_courses import NOW, TODAY, submit, view
from tests.test_courses import course as course_fixture

course = pytest.fixture(course_fixture.__wrapped__, name="course")

TEACHER = "t_classteacher"


def _items(username: str, course_id: int, kind: str) -> list[dict[str, str]]:
    return [i for i in view(username, course_id).items if i["type"] == kind]


def test_the_teacher_edits_a_module_a_material_and_an_assignment(course):
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        course_edit.edit_module(s, me, course["module"], "1-апта: кошуу", "Кошуу жана кемитүү", TODAY)
        text_id = s.exec(
            select(CourseMaterial.id).where(CourseMaterial.module_id == course["module"], CourseMaterial.kind == "text")
        ).one()
        course_edit.edit_material(s, me, text_id, "Эреже (жаңы)", body="Жаңы текст", today=TODAY)
        course_edit.edit_material(s, me, course["file"], "Окуу китеби", today=TODAY)
        course_edit.edit_assignment(
            s, me, course["assignment"], "№ 5 жана № 6", "Эки маселе", date(2025, 9, 15), "test", TODAY
        )
    module = _items("t_pupil", course["course"], "module")[0]
    assert (module["title"], module["topic"]) == ("1-апта: кошуу", "Кошуу жана кемитүү")
    titles = [i["title"] for i in _items("t_pupil", course["course"], "material")]
    assert titles == ["Эреже (жаңы)", "Окуу китеби"]
    assert [i["text"] for i in _items("t_pupil", course["course"], "block")] == ["Жаңы текст"]
    a = _items("t_pupil", course["course"], "assignment")[0]
    assert (a["title"], a["instructions"], a["mark_kind"]) == ("№ 5 жана № 6", "Эки маселе", "test")
    with db.session() as s:
        assert courses._local(s.get(Assignment, course["assignment"]).due_at).date() == date(2025, 9, 15)
        fields = s.exec(
            select(AuditEvent.entity, AuditEvent.field)
            .where(AuditEvent.action == "update", AuditEvent.field != "publish_on")
            .order_by(AuditEvent.id)
        ).all()
    assert list(fields) == [
        ("course_module", "title"),
        ("course_module", "topic"),
        ("course_material", "title"),
        ("course_material", "body"),
        ("course_material", "title"),
        ("assignment", "title"),
        ("assignment", "instructions"),
        ("assignment", "due_at"),
        ("assignment", "mark_kind"),
    ]


def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(course):
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        cases = [
            (lambda: course_edit.edit_module(s, me, course["module"], "  ", "", TODAY), "title"),
            (lambda: course_edit.edit_material(s, me, course["file"], "x" * 201, today=TODAY), "title"),
            (
                lambda: course_edit.edit_assignment(s, me, course["assignment"], "A", "", None, "home", TODAY),
                "due_on",
            ),
            (
                lambda: course_edit.edit_assignment(s, me, course["assignment"], "A", "", TODAY, "oral", TODAY),
                "mark_kind",
            ),
        ]
        for call, field in cases:
            with pytest.raises(Refused) as err:
                call()
            assert err.value.field == field
            assert err.value.message("ky")
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        link = s.exec(
            select(CourseMaterial).where(CourseMaterial.module_id == course["module"], CourseMaterial.kind == "file")
        ).first()
        video = courses.add_material(s, me, course["module"], "video", "Видео", url="https://youtu.be/a", today=TODAY)
        assert link is not None
        vid = video.id
    with db.session(write=True) as s, pytest.raises(Refused) as err:
        course_edit.edit_material(s, principal_of(TEACHER, s), vid, "Видео", url="javascript:alert(1)", today=TODAY)
    assert err.value.field == "url"
    with db.session() as s:
        assert s.get(CourseMaterial, vid).url == "https://youtu.be/a"
        assert s.get(CourseModule, course["module"]).title == "1-апта"
        assert (
            s.exec(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.field != "publish_on")).all()
            == []
        )


@pytest.mark.parametrize("who", ["t_teacher", "t_director", "t_deputy", "t_pupil", "t_parent", "t_clerk"])
def test_nobody_but_the_courses_teacher_edits_or_deletes(course, who):
    calls = [
        lambda s, p: course_edit.edit_module(s, p, course["module"], "X", "", TODAY),
        lambda s, p: course_edit.delete_module(s, p, course["draft"], TODAY),
        lambda s, p: course_edit.edit_material(s, p, course["file"], "X", today=TODAY),
        lambda s, p: courses.remove_material(s, p, course["file"], TODAY),
        lambda s, p: course_edit.edit_assignment(s, p, course["assignment"], "X", "", TODAY, "home", TODAY),
        lambda s, p: course_edit.delete_assignment(s, p, course["assignment"], TODAY),
        lambda s, p: course_edit.link_lessons(s, p, course["module"], [], TODAY),
    ]
    for call in calls:
        with db.session(write=True) as s, pytest.raises((NotFound, OutOfScope)):
            call(s, principal_of(who, s))
    with db.session() as s:
        assert s.get(CourseModule, course["module"]).title == "1-апта"
        assert s.get(CourseModule, course["draft"]).deleted_at is None
        assert s.get(CourseMaterial, course["file"]).deleted_at is None
        assert s.get(Assignment, course["assignment"]).deleted_at is None


def test_deleting_is_soft_audited_and_hides_the_rows_and_their_files(course):
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        courses.remove_material(s, me, course["file"], TODAY)
        course_edit.delete_assignment(s, me, course["assignment"], TODAY)
        course_edit.delete_module(s, me, course["draft"], TODAY)
    with db.session() as s:
        # Soft: the rows are there, marked deleted.
        assert s.get(CourseMaterial, course["file"]).deleted_at is not None
        assert s.get(Assignment, course["assignment"]).deleted_at is not None
        assert s.get(CourseModule, course["draft"]).deleted_at is not None
        assert s.get(CourseMaterial, course["draft_file"]).deleted_at is not None
        deleted = s.exec(
            select(AuditEvent.entity, AuditEvent.old_value).where(AuditEvent.action == "delete").order_by(AuditEvent.id)
        ).all()
        assert list(deleted) == [
            ("course_material", "Китеп"),
            ("assignment", "Үй тапшырмасы"),
            ("course_module", "2-апта"),
        ]
    for who in (TEACHER, "t_pupil"):
        v = view(who, course["course"])
        assert [i["title"] for i in v.items if i["type"] == "module"] == ["1-апта"]
        assert [i["title"] for i in v.items if i["type"] == "material"] == ["Эреже"]
        assert [i for i in v.items if i["type"] == "assignment"] == []
    for who, file_id in ((TEACHER, course["file"]), ("t_pupil", course["file"]), (TEACHER, course["draft_file"])):
        with db.session() as s, pytest.raises(NotFound):
            courses.material_file(s, principal_of(who, s), file_id, TODAY)
    with pytest.raises(NotFound):  # a deleted assignment takes no hand-in
        submit("t_pupil", course["assignment"])
    with db.session(write=True) as s, pytest.raises(NotFound):  # deleted twice: nothing there
        course_edit.delete_assignment(s, principal_of(TEACHER, s), course["assignment"], TODAY)


def test_work_handed_in_is_never_hidden(course):
    sid = submit("t_pupil", course["assignment"])
    for call, key in (
        (lambda s, p: course_edit.delete_assignment(s, p, course["assignment"], TODAY), "courses2.error.handins"),
        (lambda s, p: course_edit.delete_module(s, p, course["module"], TODAY), "courses2.error.module_handins"),
        (
            lambda s, p: course_edit.edit_assignment(s, p, course["assignment"], "X", "", TODAY, "test", TODAY),
            "courses2.error.kind_handins",
        ),
    ):
        with db.session(write=True) as s, pytest.raises(Refused) as err:
            call(s, principal_of(TEACHER, s))
        assert err.value.key == key
        assert "Тапшыр" in err.value.message("ky") or "тапшыр" in err.value.message("ky")
        assert err.value.message("ru") != err.value.message("ky")
    with db.session() as s:
        assert s.get(Assignment, course["assignment"]).deleted_at is None
        assert s.get(CourseModule, course["module"]).deleted_at is None
        assert s.get(Assignment, course["assignment"]).mark_kind == "home"
    # Moving the due date earlier than the hand-in makes it late (audited); back again on time.
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        course_edit.edit_assignment(
            s, me, course["assignment"], "Үй тапшырмасы", "№ 5", date(2025, 9, 9), "home", TODAY
        )
    with db.session() as s:
        assert s.get(Submission, sid).late is True
        assert s.exec(
            select(AuditEvent.field, AuditEvent.new_value).where(
                AuditEvent.entity == "submission", AuditEvent.action == "update"
            )
        ).all() == [("late", "True")]


def test_a_module_follows_lessons_and_the_diary_links_them(course, school):
    lessons = school.lessons_5a_math
    with db.session() as s:
        choices = course_edit.lesson_choices(s, principal_of(TEACHER, s), course["module"], TODAY)
        assert [c["id"] for c in choices] == [str(x) for x in lessons]
        assert {c["linked"] for c in choices} == {""}
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        with pytest.raises(Refused) as err:  # a lesson that is not of the course's class × subject
            course_edit.link_lessons(s, me, course["module"], [lessons[0], lessons[0] + 1000], TODAY)
        assert err.value.field == "lessons"
    with db.session() as s:
        assert s.exec(select(ModuleLesson)).all() == []
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        assert course_edit.link_lessons(s, me, course["module"], [lessons[0], lessons[2]], TODAY) == 2
        # The draft module tied to the middle lesson: not published, so no link in the diary.
        course_edit.link_lessons(s, me, course["draft"], [lessons[1]], TODAY)
    with db.session() as s:
        choices = course_edit.lesson_choices(s, principal_of(TEACHER, s), course["module"], TODAY)
        assert [c["linked"] for c in choices] == ["1", "", "1"]
        assert s.exec(
            select(AuditEvent.field, AuditEvent.new_value).where(
                AuditEvent.entity == "course_module", AuditEvent.field == "lessons"
            )
        ).all() == [("lessons", f"{lessons[0]},{lessons[2]}"), ("lessons", str(lessons[1]))]
    href = f"/courses?course={course['course']}"
    for who in ("t_pupil", "t_parent"):
        with db.session() as s:
            week = diary.pupil_week(s, principal_of(who, s), school.pupils_5a[0], date(2025, 9, 1))
        rows = {r["id"]: r["course"] for day in week["lessons"] for r in day}
        assert rows[str(lessons[0])] == href
        assert rows[str(lessons[1])] == ""
        assert rows[str(lessons[2])] == href
    # Untied, and a deleted module links nothing.
    with db.session(write=True) as s:
        course_edit.link_lessons(s, principal_of(TEACHER, s), course["module"], [lessons[0]], TODAY)
        courses.publish_module(s, principal_of(TEACHER, s), course["draft"], date(2025, 9, 8), TODAY)
        course_edit.delete_module(s, principal_of(TEACHER, s), course["draft"], TODAY)
    with db.session() as s:
        week = diary.pupil_week(s, principal_of("t_pupil", s), school.pupils_5a[0], date(2025, 9, 1))
    rows = {r["id"]: r["course"] for day in week["lessons"] for r in day}
    assert (rows[str(lessons[0])], rows[str(lessons[1])], rows[str(lessons[2])]) == (href, "", "")


def test_a_parent_of_two_children_sees_each_childs_status(course, school):
    with db.session(write=True) as s:
        accounts.create_user(s, "t_pupil2", "pupil", PASSWORD, school_id=school.school_id, pupil_id=school.pupils_5a[1])
    submit("t_pupil", course["assignment"])
    with db.session() as s:
        a = next(
            i
            for i in courses.view(s, principal_of("t_parent", s), course["course"], TODAY, NOW).items
            if i["type"] == "assignment"
        )
    lines = [line.split("\t") for line in a["kids"].split("\n")]
    assert [(x[0], x[1], x[2]) for x in lines] == [
        ("Мөлдир Абдыкадырова", "none", ""),
        ("Нурбек Үсөнов", "submitted", ""),
    ]
    # The second child hands in late; the first is marked: each line says its own.
    from datetime import UTC, datetime

    submit("t_pupil2", course["assignment"], datetime(2025, 9, 13, 8, 0, tzinfo=UTC))
    with db.session(write=True) as s:
        sid = s.exec(select(Submission.id).where(Submission.pupil_id == school.pupils_5a[0])).one()
        courses.mark(s, principal_of(TEACHER, s), sid, school.lessons_5a_math[1], 5, "Жакшы", TODAY)
    with db.session() as s:
        a = next(
            i
            for i in courses.view(s, principal_of("t_parent", s), course["course"], TODAY, NOW).items
            if i["type"] == "assignment"
        )
        rows = courses.courses_for(s, principal_of("t_parent", s), TODAY)
    lines = [line.split("\t") for line in a["kids"].split("\n")]
    assert [(x[0], x[1], x[2], x[4]) for x in lines] == [
        ("Мөлдир Абдыкадырова", "late", "", ""),
        ("Нурбек Үсөнов", "marked", "5", "Жакшы"),
    ]
    # The list of courses sums it up per child: handed in, late, marked of the assignments.
    assert rows[0]["kids"].split("\n") == ["Мөлдир Абдыкадырова\t1\t1\t1\t0", "Нурбек Үсөнов\t1\t1\t0\t1"]
    # A pupil sees only his own status (no line of his sister).
    mine = next(i for i in view("t_pupil", course["course"]).items if i["type"] == "assignment")
    assert (mine["kids"], mine["status"], mine["mark"]) == ("", "marked", "5")


async def test_the_edit_events_of_the_page_and_forged_ones(course, school):
    """The teacher edits, ties lessons and deletes through the page's events; the same events
    forged by a pupil, a parent or another teacher are refused and write nothing."""
    from bbbms_app.pages.courses import CoursesState
    from tests.states import is_refusal, new_tab, sub

    page = sub(new_tab(TEACHER), CoursesState)
    assert not is_refusal(await page.open_course(str(course["course"])))
    assert not is_refusal(await page.open_edit("module", str(course["module"])))
    assert (page.edit["title"], page.edit["topic"]) == ("1-апта", "Натуралдык сандар")
    assert not is_refusal(await page.save_edit({"title": "", "topic": "x"}))
    assert page.edit_error != "" and page.edit_type == "module"  # a title is needed: said in place
    assert not is_refusal(await page.save_edit({"title": "Биринчи апта", "topic": "Сандар"}))
    assert next(i for i in page.items if i["type"] == "module")["title"] == "Биринчи апта"
    assert not is_refusal(await page.open_edit("assignment", str(course["assignment"])))
    assert (page.edit["due"], page.edit["mark_kind"]) == ("2025-09-12", "home")
    assert not is_refusal(
        await page.save_edit({"title": "№ 7", "instructions": "", "due_on": "20.09.2025", "mark_kind": "home"})
    )
    assert next(i for i in page.items if i["type"] == "assignment")["title"] == "№ 7"
    assert not is_refusal(await page.open_lessons(str(course["module"])))
    first = page.link_rows[0]["id"]
    await page.toggle_lesson(first, True)
    await page.toggle_lesson("999999", True)  # not offered: ignored
    assert not is_refusal(await page.save_lessons())
    with db.session() as s:
        assert [r.lesson_id for r in s.exec(select(ModuleLesson)).all()] == [int(first)]
    assert next(i for i in page.items if i["type"] == "module")["lessons"] != ""
    submit("t_pupil", course["assignment"])
    await page.delete_item("assignment", str(course["assignment"]))  # handed in: refused, said
    assert page.form_error != ""
    with db.session() as s:
        assert s.get(Assignment, course["assignment"]).deleted_at is None
    assert not is_refusal(await page.delete_item("material", str(course["file"])))
    assert [i["title"] for i in page.items if i["type"] == "material"] == ["Эреже", "Долбоор"]

    for who in ("t_pupil", "t_parent", "t_teacher"):
        forged = sub(new_tab(who), CoursesState)
        forged.course_id = str(course["course"])
        for event in (
            forged.open_edit("module", str(course["module"])),
            forged.delete_item("module", str(course["draft"])),
            forged.delete_item("material", str(course["draft_file"])),
            forged.open_lessons(str(course["module"])),
        ):
            assert is_refusal(await event), who
        forged.edit_type, forged.edit_id = "module", str(course["module"])
        assert is_refusal(await forged.save_edit({"title": "Чоочун", "topic": ""})), who
        forged.link_module = str(course["draft"])
        forged.link_rows = [{"id": str(school.lessons_5a_math[2]), "name": "", "linked": "1"}]
        assert is_refusal(await forged.save_lessons()), who
    with db.session() as s:
        assert s.get(CourseModule, course["module"]).title == "Биринчи апта"
        assert s.get(CourseModule, course["draft"]).deleted_at is None
        assert s.get(CourseMaterial, course["draft_file"]).deleted_at is None
        assert [r.module_id for r in s.exec(select(ModuleLesson)).all()] == [course["module"]]


def test_a_delete_is_taken_back_by_the_courses_teacher_only_and_audited(course):
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        courses.remove_material(s, me, course["file"], TODAY)
        course_edit.delete_assignment(s, me, course["assignment"], TODAY)
    with db.session(write=True) as s:  # a later moment: the draft module with its file
        course_edit.delete_module(s, principal_of(TEACHER, s), course["draft"], TODAY)
    with db.session() as s:
        listed = course_edit.deleted_items(s, principal_of(TEACHER, s), course["course"], TODAY)
    # Latest first; the draft's file went with its module and comes back with it (not listed alone).
    assert [(r["kind"], r["title"], r["module"]) for r in listed] == [
        ("module", "2-апта", ""),
        ("assignment", "Үй тапшырмасы", "1-апта"),
        ("material", "Китеп", "1-апта"),
    ]
    assert all(r["when"] for r in listed)
    # Nobody else lists or restores them (a forged restore of the teacher's item): nothing written.
    for who in ("t_teacher", "t_director", "t_pupil", "t_parent", "t_clerk"):
        with db.session() as s, pytest.raises((NotFound, OutOfScope)):
            course_edit.deleted_items(s, principal_of(who, s), course["course"], TODAY)
        for kind, item in (("module", "draft"), ("material", "file"), ("assignment", "assignment")):
            with db.session(write=True) as s, pytest.raises((NotFound, OutOfScope)):
                course_edit.restore_item(s, principal_of(who, s), kind, course[item], TODAY)
    with db.session() as s:
        assert s.get(CourseModule, course["draft"]).deleted_at is not None
        assert s.get(CourseMaterial, course["file"]).deleted_at is not None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "restore")).all() == []
    # A material of a module still deleted is not found on its own: the module brings it back.
    with db.session(write=True) as s, pytest.raises(NotFound):
        course_edit.restore_item(s, principal_of(TEACHER, s), "material", course["draft_file"], TODAY)
    with db.session(write=True) as s:
        me = principal_of(TEACHER, s)
        course_edit.restore_item(s, me, "module", course["draft"], TODAY)
        course_edit.restore_item(s, me, "material", course["file"], TODAY)
        course_edit.restore_item(s, me, "assignment", course["assignment"], TODAY)
    with db.session(write=True) as s, pytest.raises(NotFound):  # restored twice: nothing deleted there
        course_edit.restore_item(s, principal_of(TEACHER, s), "assignment", course["assignment"], TODAY)
    v = view(TEACHER, course["course"])
    assert [i["title"] for i in v.items if i["type"] == "module"] == ["1-апта", "2-апта"]
    assert [i["title"] for i in v.items if i["type"] == "material"] == ["Эреже", "Китеп", "Долбоор"]
    assert [i["title"] for i in v.items if i["type"] == "assignment"] == ["Үй тапшырмасы"]
    with db.session() as s:
        assert course_edit.deleted_items(s, principal_of(TEACHER, s), course["course"], TODAY) == []
        restored = s.exec(
            select(AuditEvent.entity, AuditEvent.entity_id, AuditEvent.new_value, AuditEvent.reason)
            .where(AuditEvent.action == "restore")
            .order_by(AuditEvent.id)
        ).all()
    assert list(restored) == [
        ("course_module", course["draft"], "2-апта", f"course {course['course']}; 1 items with it"),
        ("course_material", course["file"], "Китеп", f"module {course['module']}"),
        ("assignment", course["assignment"], "Үй тапшырмасы", f"module {course['module']}"),
    ]


async def test_the_restore_event_of_the_page_and_a_forged_one(course):
    """A delete through the page lists the item under «Deleted»; another teacher's tab (or a pupil's)
    forging the restore is refused and writes nothing; the teacher's own restore brings it back."""
    from bbbms_app.pages.courses import CoursesState
    from tests.states import is_refusal, new_tab, sub

    page = sub(new_tab(TEACHER), CoursesState)
    assert not is_refusal(await page.open_course(str(course["course"])))
    assert page.deleted == []
    assert not is_refusal(await page.delete_item("module", str(course["draft"])))
    assert [(r["kind"], r["id"], r["title"]) for r in page.deleted] == [("module", str(course["draft"]), "2-апта")]
    for who in ("t_teacher", "t_pupil", "t_parent"):
        forged = sub(new_tab(who), CoursesState)
        forged.course_id = str(course["course"])
        assert is_refusal(await forged.restore_item("module", str(course["draft"]))), who
        assert is_refusal(await forged.restore_item("nonsense", str(course["draft"]))), who
    with db.session() as s:
        assert s.get(CourseModule, course["draft"]).deleted_at is not None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "restore")).all() == []
    assert not is_refusal(await page.restore_item("module", str(course["draft"])))
    assert page.deleted == []
    assert [i["title"] for i in page.items if i["type"] == "module"] == ["1-апта", "2-апта"]
    assert [i["title"] for i in page.items if i["type"] == "material"] == ["Эреже", "Китеп", "Долбоор"]
