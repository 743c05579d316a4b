"""Entries typed while the connection was down, sent later: JournalState.sync_offline on a real database."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Enrollment, Lesson, Mark
from bbbms_app.pages.journal.state import period_of
from bbbms_app.services import journal
from bbbms_app.services.journal import CellChange
from tests.factories import principal_of
from tests.journal_factories import add_journal_data, cell_of
from tests.states import is_refusal
from tests.test_journal_handlers import opened

ID_A = "0123456789abcdef0001"
ID_B = "0123456789abcdef0002"
ID_C = "0123456789abcdef0003"


def _entry(entry_id: str, lesson: int, pupil: int, token: str, *keys: str, at: str = "2025-09-10T08:01:02+00:00"):
    return {
        "id": entry_id,
        "l": str(lesson),
        "p": str(pupil),
        "v": token,
        "keys": [{"k": k, "kind": "class", "at": at} for k in keys],
    }


def _marks(lesson: int, pupil: int) -> dict[str, int]:
    with db.session() as s:
        rows = s.exec(select(Mark).where(Mark.lesson_id == lesson, Mark.pupil_id == pupil)).all()
        return {m.kind: m.value for m in rows}


def _offline_audit(lesson: int) -> list[AuditEvent]:
    with db.session() as s:
        q = select(AuditEvent).where(
            AuditEvent.entity == "lesson",
            AuditEvent.entity_id == lesson,
            AuditEvent.reason.like("offline %"),  # type: ignore[attr-defined]
        )
        return list(s.exec(q).all())


async def test_entries_typed_offline_are_saved_once_with_the_time_they_were_typed(school):
    with db.session() as s:
        extras = add_journal_data(s, school)
    state = await opened("t_classteacher")
    lesson, pupil = extras.lessons_5a_q1[3], school.pupils_5a[0]
    c = state._lesson_ids.index(lesson)
    r = state._pupil_ids.index(pupil)
    token = cell_of(state, r, c).get("v", "")
    # Two keys into one cell while offline: a 4, then the teacher changed her mind to a 5.
    sent = [_entry(ID_A, lesson, pupil, token, "4", "5")]
    result = await state.sync_offline(sent)
    assert not is_refusal(result)
    assert ID_A in repr(result)  # the answer names it: the browser may forget it
    assert _marks(lesson, pupil) == {"class": 5}
    assert cell_of(state, r, c)["t"] == "5"
    rows = _offline_audit(lesson)
    assert [(a.old_value, a.new_value) for a in rows] == [("", "4"), ("4", "5")]
    assert all(a.reason == f"offline {ID_A} typed 2025-09-10T08:01:02+00:00" for a in rows)
    assert all(a.at.replace(tzinfo=None) > datetime(2025, 9, 10, 9) for a in rows)  # the row's time: it arrived now
    # The answer was lost and the phone sends the entry again: nothing is written twice.
    again = await state.sync_offline(sent)
    assert ID_A in repr(again)
    assert _marks(lesson, pupil) == {"class": 5}
    assert len(_offline_audit(lesson)) == 2


async def test_a_cell_changed_meanwhile_is_a_conflict_never_overwritten(school):
    with db.session() as s:
        extras = add_journal_data(s, school)
    state = await opened("t_classteacher")
    lesson, pupil = extras.lessons_5a_q1[3], school.pupils_5a[2]
    r, c = state._pupil_ids.index(pupil), state._lesson_ids.index(lesson)
    token = cell_of(state, r, c).get("v", "")
    # While her phone was offline another tab of hers (or the substitute) put a 3 in that cell.
    with journal.write_session() as s:
        journal.save_cell(s, principal_of("t_classteacher"), lesson, pupil, CellChange("class", 3), token)
    result = await state.sync_offline([_entry(ID_B, lesson, pupil, token, "5")])
    assert _marks(lesson, pupil) == {"class": 3}  # not overwritten
    text = repr(result)
    assert ID_B in text  # handled: the browser forgets it ...
    assert "«5» сакталган жок" in text and "азыр «3»" in text  # ... and the teacher is told which cell and why
    assert "err" in cell_of(state, r, c)["s"] and cell_of(state, r, c)["t"] == "3"


async def test_an_entry_for_a_journal_not_hers_is_refused_and_bad_entries_are_refused_whole(school):
    with db.session() as s:
        add_journal_data(s, school)
    with db.session(write=True) as s:  # a 6-Б maths lesson: teacher B's journal, not hers
        other = Lesson(
            school_id=school.school_id, class_id=school.class_6b, subject_id=school.math, teacher_id=school.teacher_b,
            term_id=school.term_ids[0], date=date(2025, 9, 9), number=2,
        )  # fmt: skip
        s.add(other)
        s.flush()
        s.refresh(other)
    state = await opened("t_classteacher")
    result = await state.sync_offline([_entry(ID_C, other.id, school.pupils_6b[0], "", "5")])
    assert _marks(other.id, school.pupils_6b[0]) == {}
    assert ID_C in repr(result) and "укугуңуз жок" in repr(result)
    # A malformed entry (an id that is not one, a key that is not a mark) refuses the whole event.
    assert is_refusal(await state.sync_offline([_entry("x", other.id, school.pupils_6b[0], "", "5")]))
    assert is_refusal(await state.sync_offline([_entry(ID_C, other.id, school.pupils_6b[0], "", "7; drop")]))


async def test_the_poll_sends_only_the_rows_another_teacher_changed(school):
    with db.session() as s:
        extras = add_journal_data(s, school)
    one = await opened("t_classteacher")
    root = one.parent_state
    while root.parent_state is not None:
        root = root.parent_state
    lesson, pupil = extras.lessons_5a_q1[4], school.pupils_5a[2]
    r, c = one._pupil_ids.index(pupil), one._lesson_ids.index(lesson)
    root._clean()
    await one.poll()
    assert not _delta_vars(root) & {f"r{i}" for i in range(60)}  # nothing changed: no row sent
    with journal.write_session() as s:
        journal.save_cell(s, principal_of("t_classteacher"), lesson, pupil, CellChange("home", 5), "")
    root._clean()
    await one.poll()
    sent = _delta_vars(root)
    assert sent & {f"r{i}" for i in range(60)} == {f"r{r}"}  # one row, not the grid
    assert cell_of(one, r, c)["t"] == "5"
    assert f"p{r}" in sent  # the period suggestion follows the new mark


def _delta_vars(root) -> set[str]:
    return {name.removesuffix("_rx_state_") for part in root.get_delta().values() for name in part}


async def test_a_poll_after_a_whole_column_was_marked_updates_those_rows_without_reading_the_grid_again(
    school, monkeypatch
):
    # A test's column: another tab marks every pupil of a 13-pupil class (9 added here) in one lesson. The open
    # journal's poll reads that column and their suggestions in one go; it used to read the
    # whole grid again once more than eight rows moved (38 % of the worker's time at the morning peak).
    from tests.factories import _pupil

    with db.session() as s:
        extras = add_journal_data(s, school)
    with db.session(write=True) as s:
        for k in range(9):
            p = _pupil(
                s, school.school_id, "Жаңы", f"Окуучу{k}", f"2{2 + k:02d}012014{k:05d}", date(2014, 1, 2 + k), "m"
            )
            s.add(
                Enrollment(
                    school_id=school.school_id, pupil_id=p.id, class_id=school.class_5a, starts_on=date(2025, 9, 1)
                )
            )
    one = await opened("t_classteacher")
    n = len(one._pupil_ids)
    root = one.parent_state
    while root.parent_state is not None:
        root = root.parent_state
    lesson = extras.lessons_5a_q1[4]
    c = one._lesson_ids.index(lesson)
    # Every pupil in the class that day (one of the fixture's joined later: his cell is not his to mark).
    rows = [r for r in range(n) if "x" not in cell_of(one, r, c)["s"].split()]
    assert len(rows) > 8  # more rows than the old poll would update one by one
    marks = {}
    with journal.write_session() as s:
        for r in rows:
            marks[r] = 2 + r % 4
            pupil = one._pupil_ids[r]
            journal.save_cell(s, principal_of("t_classteacher"), lesson, pupil, CellChange("class", marks[r]), "")

    def the_whole_grid(*_a, **_k):
        raise AssertionError("the poll read the whole grid again")

    root._clean()
    with monkeypatch.context() as m:
        m.setattr(journal, "grid", the_whole_grid)
        await one.poll()
    sent = _delta_vars(root)
    assert sent & {f"r{i}" for i in range(60)} == {f"r{r}" for r in rows}
    assert [cell_of(one, r, c)["t"] for r in rows] == [str(marks[r]) for r in rows]
    # Each pupil's period suggestion is the one a freshly opened journal shows.
    fresh = await opened("t_classteacher")
    assert fresh._pupil_ids == one._pupil_ids
    assert {f"p{r}" for r in rows} <= sent
    assert [one.get_value(f"p{r}") for r in range(n)] == [fresh.get_value(f"p{r}") for r in range(n)]
    assert any(period_of(one.get_value(f"p{r}"))["sug"] for r in range(n))
