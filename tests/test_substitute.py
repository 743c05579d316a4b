"""A substitute teacher: he opens the journal of a class he stood in for and writes only the lessons he taught."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Lesson, Mark
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.journal.state import pupil_of
from bbbms_app.services import journal
from bbbms_app.services.journal import CellChange, OutOfScope
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, shows_error, sub


@pytest.fixture
def stood_in(school) -> int:
    """Teacher B (t_teacher, no assignment in 5-А) taught 5-А's second maths lesson (3 Sep) for teacher A."""
    lesson_id = school.lessons_5a_math[1]
    with db.session() as s:
        lesson = s.get(Lesson, lesson_id)
        lesson.teacher_id = school.teacher_b
        s.add(lesson)
    return lesson_id


def marks() -> set[tuple[int, int, int]]:
    with db.session() as s:
        return {(m.lesson_id, m.pupil_id, m.value) for m in s.exec(select(Mark)).all()}


def test_the_substitute_reaches_the_journal_and_writes_only_his_lesson(school, stood_in):
    sub_teacher = principal_of("t_teacher")
    with db.session() as s:
        assert {c["name"] for c in journal.journal_classes(s, sub_teacher, school.year_id)} == {"5-А", "6-Б"}
        offered = journal.journal_subjects(s, sub_teacher, school.class_5a)
        assert [(o["en"], o["own"]) for o in offered] == [("Mathematics", "1")]
        g = journal.grid(s, sub_teacher, school.class_5a, school.math, school.term_ids[0])
        assert g.access.read and g.access.write and g.access.substitute and not g.access.leader
        assert journal.journal_of_lesson(s, sub_teacher, stood_in) == (
            school.class_5a,
            f"{school.math}:0",
            school.term_ids[0],
        )
        # Another quarter, where he taught nothing, is not his to open.
        with pytest.raises(OutOfScope):
            journal.grid(s, sub_teacher, school.class_5a, school.math, school.term_ids[1])
    pupil = school.pupils_5a[2]
    with db.session(write=True) as s:
        assert journal.save_cell(s, sub_teacher, stood_in, pupil, CellChange("class", 4), "").changed
    with db.session(write=True) as s, pytest.raises(OutOfScope):  # teacher A's own lesson of 2 Sep
        journal.save_cell(s, sub_teacher, school.lessons_5a_math[0], pupil, CellChange("class", 4), "")
    # The quarter mark stays with the assigned teacher.
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.set_period_mark(
            s, sub_teacher, school.class_5a, school.math, school.term_ids[0], pupil,
            value=4, reason="x", expected_version=0,
        )  # fmt: skip
    assert (stood_in, pupil, 4) in marks() and (school.lessons_5a_math[0], pupil, 4) not in marks()
    # The assigned teacher still writes the lesson her substitute taught.
    with db.session(write=True) as s:
        assert journal.save_cell(s, principal_of("t_classteacher"), stood_in, pupil, CellChange("home", 5), "").changed


def test_a_teacher_who_substituted_nowhere_reaches_nothing(school):
    sub_teacher = principal_of("t_teacher")
    with db.session() as s:
        assert journal.journal_subjects(s, sub_teacher, school.class_5a) == []
        assert journal.journal_of_lesson(s, sub_teacher, school.lessons_5a_math[1]) is None
        with pytest.raises(OutOfScope):
            journal.grid(s, sub_teacher, school.class_5a, school.math, school.term_ids[0])


async def test_the_substitute_writes_his_column_on_the_page_and_is_stopped_at_others(school, stood_in):
    state = sub(new_tab("t_teacher"), JournalState)
    assert not is_refusal(await state.load())
    if state.term_id != state.term_options[0]["id"]:
        await state.set_term(state.term_options[0]["id"])
    await state.set_class(str(school.class_5a))
    assert state.class_id == str(school.class_5a) and state.subject_key == f"{school.math}:0"
    assert state.mode == "write" and state.substitute_dates == "03.09"
    row = next(i for i, p in enumerate(state.pupils) if pupil_of(p)["name"] == "Ңаматов Эрмек")
    assert not is_refusal(await state.key(f"{row}:1", "5"))
    assert (stood_in, school.pupils_5a[2], 5) in marks()
    before = marks()
    assert shows_error(await state.key(f"{row}:0", "3"))  # 2 Sep: not his lesson
    assert marks() == before


async def test_a_link_from_his_week_opens_the_lesson_he_substituted(school, stood_in):
    import dataclasses

    from reflex.istate.data import ReflexURL

    state = sub(new_tab("t_teacher"), JournalState)
    state.router = dataclasses.replace(state.router, url=ReflexURL(f"http://localhost:3000/journal?lesson={stood_in}"))
    assert not is_refusal(await state.load())
    assert (state.class_id, state.subject_key, state.term_id) == (
        str(school.class_5a),
        f"{school.math}:0",
        str(school.term_ids[0]),
    )
    assert state.sel_lesson == 1 and state.topic_draft == "Тема 2"
    # A lesson of a journal he may not read is ignored: the page opens on his own class as usual.
    other = sub(new_tab("t_teacher"), JournalState)
    lesson = school.lessons_5a_math[0]
    with db.session() as s:
        row = s.get(Lesson, stood_in)
        row.teacher_id = school.teacher_a
        s.add(row)
    other.router = dataclasses.replace(other.router, url=ReflexURL(f"http://localhost:3000/journal?lesson={lesson}"))
    assert not is_refusal(await other.load())
    assert other.class_id == str(school.class_6b)
