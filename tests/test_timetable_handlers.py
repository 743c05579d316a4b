"""Timetable and diary handlers called directly, as a real or a forged browser event would call them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Lesson, TimetableSlot
from bbbms_app.pages.diary import DAY_FIELDS, LESSON_FIELDS, DiaryState, day_of, lesson_of
from bbbms_app.pages.timetable import MyLessonsState, TimetableState
from bbbms_app.services import timetable
from tests import timetable_factory
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def tts(school):
    with db.session() as s:
        return timetable_factory.build(s, school)


async def _run_generate(state) -> list:
    # Reflex refuses a direct call of a background task; the app runs its function like this.
    return [item async for item in type(state).event_handlers["generate"].fn(state)]


def _denials() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all())


def _slots() -> list[TimetableSlot]:
    with db.session() as s:
        return list(s.exec(select(TimetableSlot)).all())


def _place(tts, class_id: int, weekday: int, number: int, assignment: int) -> None:
    with db.session(write=True) as s:
        timetable.place(
            s,
            principal_of("t_deputy", s),
            class_id=class_id,
            term_id=tts.known.term_ids[0],
            weekday=weekday,
            number=number,
            assignment_id=assignment,
            room="",
            effective_from=date(2025, 9, 1),
        )


# --- the diary ------------------------------------------------------------------------------------


async def test_parent_reads_the_diary_and_switches_children(tts):
    k = tts.known
    state = sub(new_tab("t_parent"), DiaryState)
    assert not is_refusal(await state.load())
    assert {c["id"] for c in state.children} == {str(p) for p in k.pupils_5a[:2]}
    first = state.pupil_id
    assert state.monday == "2025-09-01"  # the last week with lessons (today is long after)
    assert [lesson_of(x)["marks"] for day in state.lessons for x in day] in (["5", "4", ""], ["3", "", ""])
    other = next(c["id"] for c in state.children if c["id"] != first)
    assert not is_refusal(await state.choose(other))
    assert state.pupil_id == other and state.monday == "2025-09-01"
    await state.next_week()
    assert state.monday == "2025-09-08" and day_of(state.days[2])["holiday_en"] == "Holiday"
    await state.prev_week()
    assert state.monday == "2025-09-01"
    assert _denials() == []


async def test_the_diary_keeps_every_field_of_the_week_packed_and_shares_equal_rows(tts):
    """The state packs exactly what the service gives (a new field must be added to the packing), a
    stray separator costs only itself, and two tabs showing the same lesson hold one string."""
    from bbbms_app.components.packed import FIELD, pack
    from bbbms_app.services import diary

    first, second = sub(new_tab("t_parent"), DiaryState), sub(new_tab("t_parent"), DiaryState)
    await first.load()
    await second.load()
    with db.session() as s:
        week = diary.pupil_week(s, principal_of("t_parent", s), int(first.pupil_id), date.fromisoformat(first.monday))
    assert all(set(day) == set(DAY_FIELDS) for day in week["days"])
    assert all(set(lesson) == set(LESSON_FIELDS) for day in week["lessons"] for lesson in day)
    assert [day_of(d) for d in first.days] == week["days"]
    assert [[lesson_of(x) for x in day] for day in first.lessons] == week["lessons"]
    # Interned: the second tab holds the first one's strings, not copies.
    assert all(a is b for a, b in zip(first.days, second.days, strict=True))
    shown = [x for day in first.lessons for x in day]
    assert shown and all(a is b for a, b in zip(shown, [x for day in second.lessons for x in day], strict=True))
    lesson = {**lesson_of(shown[0]), "topic": f"§1{FIELD}Тема", "homework": "№ 5\n№ 6"}
    assert lesson_of(pack(LESSON_FIELDS, lesson)) == {**lesson, "topic": "§1 Тема"}


async def test_parent_opening_another_familys_diary_is_refused_and_audited(tts):
    k = tts.known
    state = sub(new_tab("t_parent"), DiaryState)
    await state.load()
    before = (state.pupil_id, state.monday, list(state.lessons))
    result = await state.choose(str(k.pupils_6b[0]))
    assert is_refusal(result)
    assert (state.pupil_id, state.monday, list(state.lessons)) == before  # the screen is as it was
    (denied,) = _denials()
    assert denied.username == "t_parent" and f"pupil {k.pupils_6b[0]}" in denied.reason
    for junk in ("", "abc", "-1", "9" * 40, ["1"]):
        assert await state.choose(junk) is None  # type: ignore[arg-type]
    assert state.pupil_id == before[0]


async def test_a_pupil_sees_only_himself_and_staff_have_no_diary(tts):
    k = tts.known
    pupil = sub(new_tab("t_pupil"), DiaryState)
    await pupil.load()
    assert [c["id"] for c in pupil.children] == [str(k.pupils_5a[0])]
    assert is_refusal(await pupil.choose(str(k.pupils_5a[1])))  # his sister: her parents' business
    teacher = sub(new_tab("t_teacher"), DiaryState)
    assert is_refusal(await teacher.load())
    assert teacher.days == []
    assert {d.username for d in _denials()} == {"t_pupil", "t_teacher"}


# --- the timetable page ---------------------------------------------------------------------------


async def test_the_page_opens_the_view_each_role_has(tts):
    k = tts.known
    _place(tts, k.class_5a, 1, 1, tts.ta_math_5a)
    _place(tts, k.class_6b, 2, 1, tts.ta_ky_6b_a)
    parent_root = new_tab("t_parent")
    parent = sub(parent_root, TimetableState)
    step = await parent.open()
    assert step is TimetableState.load_family or getattr(step, "fn", None) is TimetableState.load_family.fn
    await parent.load_family()
    assert parent.mode == "family" and not parent.can_edit
    assert parent.cells[0][0]["subject_en"] == "Mathematics"
    assert is_refusal(await parent.load_staff())  # no staff right: refused, audited
    assert is_refusal(await parent.choose_child(str(k.pupils_6b[0])))
    teacher = sub(new_tab("t_classteacher"), TimetableState)
    step = await teacher.open()
    await teacher.load_staff()
    assert teacher.mode == "staff" and teacher.view == "me" and not teacher.can_edit
    assert {(c["day"], c["subject_en"]) for row in teacher.cells for c in row if not c["empty"]} == {
        ("1", "Mathematics"),
        ("2", "Kyrgyz"),
    }
    assert [o["name"] for o in teacher.class_options] == ["5-А", "6-Б"]
    await teacher.choose_view(str(k.class_6b))
    assert teacher.view == str(k.class_6b) and teacher.slots == 1
    assert {d.username for d in _denials()} == {"t_parent"}


async def test_deputy_edits_a_cell_and_a_clash_is_refused_with_the_message(tts):
    k = tts.known
    _place(tts, k.class_5a, 1, 1, tts.ta_math_5a)
    state = sub(new_tab("t_deputy"), TimetableState)
    await state.open()
    await state.load_staff()
    assert state.can_edit and state.view == str(k.class_5a) and state.on == "2025-09-01"
    await state.choose_view(str(k.class_6b))
    await state.open_cell("1", "1")
    assert state.edit_open and state.edit_choice == ""
    assert {c["label_en"] for c in state.choices} >= {"Kyrgyz — Өмүрбекова А.", "English (group 1) — Өмүрбекова А."}
    await state.set_choice(str(tts.ta_ky_6b_a))
    result = await state.save_cell()
    assert state.edit_open and state.edit_error.startswith("Өмүрбекова А. бул убакта бош эмес")
    assert "error" in repr(result)
    assert len(_slots()) == 1
    await state.set_choice(str(tts.ta_math_6b))
    await state.set_room("202")
    await state.save_cell()
    assert not state.edit_open and state.cells[0][0]["subject_en"] == "Mathematics"
    assert len(_slots()) == 2
    await state.open_cell("1", "1")
    assert state.edit_choice == str(tts.ta_math_6b) and state.edit_room == "202"
    await state.clear_cell()
    assert len(_slots()) == 1 and state.cells[0][0]["empty"] == "1"
    # The generated lessons follow; forged cell coordinates and choices are ignored.
    await _run_generate(state)
    with db.session() as s:
        made = len(s.exec(select(Lesson).where(Lesson.class_id == k.class_5a)).all()) - 3  # the factory's 3
    assert made > 0 and state.notice["ky"].startswith(f"{made} жаңы сабак түзүлдү; 3 мурунтан бар болгону калтырылды")
    await state.set_choice("999999")  # not one of the class's assignments: ignored
    assert state.edit_choice == str(tts.ta_math_6b)
    assert await state.open_cell("9", "1") is None and await state.open_cell("1", "x") is None
    await state.set_on("2030-01-01")
    assert state.on == "2025-09-01"
    assert _denials() == []


async def test_a_teacher_cannot_edit_the_timetable_even_by_a_forged_event(tts):
    k = tts.known
    root = new_tab("t_teacher")
    state = sub(root, TimetableState)
    await state.open()
    await state.load_staff()
    state.view, state.edit_day, state.edit_number = str(k.class_6b), "1", "1"
    state.edit_choice = str(tts.ta_math_6b)
    for call in (
        state.open_cell("1", "1"),
        state.save_cell(),
        state.clear_cell(),
        _run_generate(state),
        state.set_choice("1"),
    ):
        assert is_refusal(await call)
    assert _slots() == []
    with db.session() as s:
        assert s.exec(select(Lesson)).all().__len__() == 3  # the factory's lessons only
    assert len(_denials()) == 5 and {d.username for d in _denials()} == {"t_teacher"}


async def test_a_teacher_cancels_his_lesson_but_not_another_teachers(tts):
    k = tts.known
    _place(tts, k.class_6b, 2, 1, tts.ta_math_6b)  # teacher B, Tuesdays
    _place(tts, k.class_5a, 1, 1, tts.ta_math_5a)  # teacher A, Mondays
    with db.session(write=True) as s:
        timetable.generate_lessons(s, principal_of("t_deputy", s), k.term_ids[0])
    with db.session() as s:
        mine = s.exec(select(Lesson).where(Lesson.class_id == k.class_6b, Lesson.date == date(2025, 9, 2))).one()
        theirs = s.exec(select(Lesson).where(Lesson.class_id == k.class_5a, Lesson.date == date(2025, 9, 8))).one()
    state = sub(new_tab("t_teacher"), MyLessonsState)
    await state.load()
    state.monday = "2025-09-01"
    await state.next_week()
    await state.prev_week()
    assert [x["id"] for x in state.lessons] == [str(mine.id)]
    await state.ask_cancel(str(theirs.id))  # forged: the id of teacher A's lesson
    result = await state.confirm_cancel()
    assert is_refusal(result)
    with db.session() as s:
        assert s.get(Lesson, theirs.id).cancelled is False  # type: ignore[union-attr]
    assert any(f"lesson {theirs.id}" in d.reason for d in _denials())
    assert is_refusal(await state.restore(str(theirs.id)))
    await state.ask_cancel(str(mine.id))
    await state.set_cancel_reason("Курс")
    assert not is_refusal(await state.confirm_cancel())
    with db.session() as s:
        assert s.get(Lesson, mine.id).cancelled is True  # type: ignore[union-attr]
    assert state.lessons[0]["cancelled"] == "1"
    await state.restore(str(mine.id))
    assert state.lessons[0]["cancelled"] == ""


async def test_a_teacher_adds_an_extra_lesson_from_the_form(tts):
    k = tts.known
    state = sub(new_tab("t_classteacher"), MyLessonsState)
    await state.load()
    assert state.monday == "2025-09-01"
    await state.open_add()
    assert state.add_open and state.add_assignment == str(tts.ta_math_5a)
    await state.set_add_assignment(str(tts.ta_math_6b))  # not his: ignored
    assert state.add_assignment == str(tts.ta_math_5a)
    await state.set_add_date("2025-09-06")
    await state.set_add_number("2")
    await state.submit_add()
    assert state.add_open and "окуу күнү эмес" in state.add_error  # a Saturday
    await state.set_add_date("2025-09-05")
    await state.set_add_topic("Кайталоо")
    await state.submit_add()
    assert not state.add_open
    assert [(x["day_en"], x["number"], x["extra"], x["topic"]) for x in state.lessons][-1] == (
        "Friday, 05.09",
        "2",
        "1",
        "Кайталоо",
    )
    parent = sub(new_tab("t_parent"), MyLessonsState)
    assert is_refusal(await parent.load())
    with db.session() as s:
        assert len(s.exec(select(Lesson).where(Lesson.class_id == k.class_5a)).all()) == 4


async def test_unauthenticated_calls_are_refused(tts):
    root = new_tab()
    calls = [
        sub(root, TimetableState).open(),
        sub(root, TimetableState).load_staff(),
        sub(root, TimetableState).save_cell(),
        sub(root, DiaryState).load(),
        sub(root, DiaryState).choose(str(tts.known.pupils_5a[0])),
        sub(root, MyLessonsState).confirm_cancel(),
    ]
    for call in calls:
        assert is_refusal(await call)
    assert sub(root, DiaryState).days == [] and _slots() == []


async def test_generation_runs_in_the_background_reports_its_result_and_refuses_a_second_start(tts):
    import asyncio

    from bbbms_app.pages import timetable as timetable_page

    k = tts.known
    _place(tts, k.class_5a, 1, 1, tts.ta_math_5a)  # Mondays
    state = sub(new_tab("t_deputy"), TimetableState)
    await state.open()
    await state.load_staff()
    # A double click: the second start finds the first one running and is refused; one generation runs.
    first, second = await asyncio.gather(_run_generate(state), _run_generate(state))
    assert "warning" in repr(second) and "success" in repr(first)
    with db.session() as s:
        lessons = s.exec(select(Lesson).where(Lesson.class_id == k.class_5a)).all()
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "generate")).all()
    created = len(lessons) - 3
    assert created == 9  # the 10 Mondays of quarter 1 but 22 Sep, grade 5's day off
    assert len(events) == 1 and "skipped=" in events[0].new_value
    assert not state.generating and state.generate_progress == {} and state.generate_error == {}
    assert state.notice["ru"].startswith(f"Создано уроков: {created}; оставлено как было: 3;")
    assert state.notice["ky"] == (
        f"{created} жаңы сабак түзүлдү; 3 мурунтан бар болгону калтырылды; 0 өзгөртүлдү; 0 өчүрүлдү; "
        "майрамдарга 4 класс-күн өткөрүлдү"  # 10 Sep × 2 classes, 15 and 22 Sep × 1
    )
    # Another tab (or deputy) starting the same term while this worker generates it is refused too.
    assert timetable_page._claim_term(k.term_ids[0])
    try:
        other = sub(new_tab("t_director"), TimetableState)
        await other.open()
        await other.load_staff()
        other.term_id = str(k.term_ids[0])
        result = await _run_generate(other)
        assert "warning" in repr(result) and not other.generating and other.notice == {}
    finally:
        timetable_page._release_term(k.term_ids[0])
    # A forged term id (no such term, or another school's): refused by the guard and audited.
    state.term_id = "999999"
    assert is_refusal(await _run_generate(state)) and not state.generating
    assert any("term 999999" in d.reason for d in _denials())
    assert timetable_page._claim_term(999999)  # released after the refusal
    timetable_page._release_term(999999)
    state.term_id = str(k.term_ids[0])
    # A closed term: the service refuses, the tab says why, nothing is left running.
    with db.session(write=True) as s:
        from bbbms_app.models import Term

        term = s.get(Term, k.term_ids[0])
        assert term is not None
        term.closed_at = term.ends_on  # type: ignore[assignment]
        s.add(term)
    state.notice = {}
    await _run_generate(state)
    assert state.generate_error["en"] == "The term is closed: no changes"
    assert not state.generating and state.notice == {}
    assert timetable_page._claim_term(k.term_ids[0])  # released after the refusal
    timetable_page._release_term(k.term_ids[0])


def test_generation_reports_its_progress(tts):
    k = tts.known
    _place(tts, k.class_5a, 1, 1, tts.ta_math_5a)
    _place(tts, k.class_6b, 2, 1, tts.ta_math_6b)
    heard: list[tuple[int, int]] = []
    with db.session(write=True) as s:
        done = timetable.generate_lessons(
            s, principal_of("t_deputy", s), k.term_ids[0], progress=lambda d, t: heard.append((d, t))
        )
    assert heard[0] == (0, done.created) and heard[-1] == (done.created, done.created)
    assert [d for d, _t in heard] == sorted(d for d, _t in heard)
