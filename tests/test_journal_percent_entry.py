"""Percentages typed on the journal's grid (JournalState, a real database): in a class assessed by
criteria the teacher switches the entry to «Пайыз», types 73 and sees the mark of the policy's table
(4 on the reference 0–39 → 2, 40–64 → 3, 65–84 → 4, 85–100 → 5) with «73%» beside it; bad input is
refused in the cell with the field's message and nothing saved; entries typed offline carry it too."""

from __future__ import annotations

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, GradingPolicy, Mark
from bbbms_app.pages.journal.state import note_of
from tests.journal_factories import add_journal_data, cell_of
from tests.states import is_refusal
from tests.test_journal_handlers import opened

ID_P = "0123456789abcdef0077"
ID_Q = "0123456789abcdef0078"


def _criterion(school) -> None:
    with db.session(write=True) as s:
        policy = s.exec(
            select(GradingPolicy).where(GradingPolicy.academic_year_id == school.year_id, GradingPolicy.grade_to > 1)
        ).one()
        policy.scale = "criterion"


def _marks(lesson: int, pupil: int) -> dict[str, tuple[int, int | None]]:
    with db.session() as s:
        rows = s.exec(select(Mark).where(Mark.lesson_id == lesson, Mark.pupil_id == pupil)).all()
        return {m.kind: (m.value, m.percent) for m in rows}


async def test_percent_entry_is_offered_only_where_the_class_is_assessed_by_criteria(school):
    with db.session() as s:
        add_journal_data(s, school)
    state = await opened("t_classteacher")
    assert not state.criterion and state.criterion_table == ""
    await state.set_entry("percent")
    assert state.entry == "mark"
    # A percent key forged into a five-point journal is refused by the save: nothing written.
    r, c = 0, 3
    lesson, pupil = state._lesson_ids[c], state._pupil_ids[r]
    assert is_refusal(await state.key(f"{r}:{c}", "%73"))
    assert _marks(lesson, pupil) == {}


async def test_a_typed_percentage_shows_its_mark_and_the_percentage_and_is_audited(school):
    with db.session() as s:
        add_journal_data(s, school)
    _criterion(school)
    state = await opened("t_classteacher")
    assert state.criterion
    assert state.criterion_table == "0–39 % → 2 · 40–64 % → 3 · 65–84 % → 4 · 85–100 % → 5"
    await state.set_entry("percent")
    assert state.entry == "percent"
    await state.set_kind("test")
    r, c = 0, 3
    lesson, pupil = state._lesson_ids[c], state._pupil_ids[r]
    assert not is_refusal(await state.key(f"{r}:{c}", "%73"))
    assert _marks(lesson, pupil) == {"test": (4, 73)}
    assert cell_of(state, r, c)["t"] == "4" and note_of(getattr(state, f"r{r}")[c]) == "73%"
    assert "ok" in cell_of(state, r, c)["s"]
    assert "4 (73%)" in state.last_saved
    with db.session() as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.entity_id == lesson, AuditEvent.field == "mark.test")).all()
    assert [(a.action, a.new_value, a.reason) for a in audit] == [("create", "4", "73 %")]
    # Undo takes the 4 away again; the period cell's suggestion follows the saves as for any mark.
    await state.undo()
    assert _marks(lesson, pupil) == {} and cell_of(state, r, c)["t"] == ""


async def test_bad_percentages_are_refused_in_the_cell_with_the_fields_message_and_nothing_saved(school):
    with db.session() as s:
        add_journal_data(s, school)
    _criterion(school)
    state = await opened("t_classteacher")
    await state.set_entry("percent")
    r, c = 0, 4
    lesson, pupil = state._lesson_ids[c], state._pupil_ids[r]
    for typed in ("%120", "%-3", "%abc"):
        result = await state.key(f"{r}:{c}", typed)
        assert is_refusal(result), typed
        assert "Пайыз: 0дөн 100гө чейинки бүтүн сан" in repr(result)
        assert "err" in cell_of(state, r, c)["s"]
    assert _marks(lesson, pupil) == {}
    with db.session() as s:
        refused = s.exec(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert [a.reason for a in refused] == ["journal.error.percent_range"] * 3


async def test_percentages_typed_offline_wait_in_the_outbox_and_sync(school):
    with db.session() as s:
        add_journal_data(s, school)
    _criterion(school)
    state = await opened("t_classteacher")
    r, c = 2, 5
    lesson, pupil = state._lesson_ids[c], state._pupil_ids[r]
    other = state._pupil_ids[3]

    def entry(entry_id, who, *keys):
        return {
            "id": entry_id, "l": str(lesson), "p": str(who), "v": "",
            "keys": [{"k": k, "kind": "control", "at": "2025-09-10T08:01:02+00:00"} for k in keys],
        }  # fmt: skip

    result = await state.sync_offline([entry(ID_P, pupil, "%92"), entry(ID_Q, other, "%abc")])
    # One entry was refused (audited «refused» and told in an error toast); the other one was saved.
    assert is_refusal(result)
    assert ID_P in repr(result) and ID_Q in repr(result)  # both handled: the browser forgets them
    assert _marks(lesson, pupil) == {"control": (5, 92)}
    assert cell_of(state, r, c)["t"] == "5" and note_of(getattr(state, f"r{r}")[c]) == "92%"
    assert _marks(lesson, other) == {}  # refused, named with what was typed
    assert "«abc%»" in repr(result) and "Пайыз: 0дөн 100гө чейинки бүтүн сан" in repr(result)
    with db.session() as s:
        audit = s.exec(select(AuditEvent).where(AuditEvent.entity_id == lesson, AuditEvent.pupil_id == pupil)).all()
    assert [a.reason for a in audit] == [f"92 % · offline {ID_P} typed 2025-09-10T08:01:02+00:00"]
