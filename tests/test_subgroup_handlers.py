"""The subgroups page and the subgroup journal through their handlers, as real and forged browser events call them."""

from __future__ import annotations

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Mark, SubgroupMember
from bbbms_app.pages.journal import JournalState
from bbbms_app.pages.journal.state import pupil_of
from bbbms_app.pages.subgroups import SubgroupsState
from tests.states import is_refusal, new_tab, sub
from tests.subgroup_factory import add_english_groups


def memberships() -> set[tuple[int, int, int]]:
    with db.session() as s:
        return {(m.class_id, m.pupil_id, m.subgroup) for m in s.exec(select(SubgroupMember)).all()}


def marks() -> set[tuple[int, int, int]]:
    with db.session() as s:
        return {(m.lesson_id, m.pupil_id, m.value) for m in s.exec(select(Mark)).all()}


async def split_5a_in_halves(username: str = "t_classteacher") -> SubgroupsState:
    state = sub(new_tab(username), SubgroupsState)
    assert not is_refusal(await state.load())
    await state.halves()
    assert state.dirty
    assert not is_refusal(await state.save())
    return state


async def test_the_class_teacher_splits_her_class_on_the_page(school):
    with db.session() as s:
        eng = add_english_groups(s, school)
    state = sub(new_tab("t_classteacher"), SubgroupsState)
    assert not is_refusal(await state.load())
    assert state.class_options == [{"id": str(school.class_5a), "name": "5-А"}]
    assert state.subject_id == str(eng.english)
    assert [c["value"] for c in state.choices] == ["0", "1", "2"]
    assert [r["group"] for r in state.rows] == ["0", "0", "0"]
    await state.halves()
    assert [r["group"] for r in state.rows] == ["1", "1", "2"] and memberships() == set()  # not saved yet
    await state.set_group(2, "1")
    await state.set_group(0, "7")  # no such group: ignored
    assert [r["group"] for r in state.rows] == ["1", "1", "1"]
    assert not is_refusal(await state.save())
    assert not state.dirty
    assert memberships() == {(school.class_5a, p, 1) for p in school.pupils_5a}


async def test_a_teacher_cannot_edit_memberships_even_by_a_forged_event(school):
    with db.session() as s:
        add_english_groups(s, school)
    state = sub(new_tab("t_teacher"), SubgroupsState)
    for call in (state.load(), state.halves(), state.save(), state.set_group(0, "1")):
        assert is_refusal(await call)
    assert memberships() == set()
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.username == "t_teacher"))
        assert len(denied.all()) == 4


async def test_a_class_teacher_cannot_split_another_class_by_a_forged_event(school):
    with db.session() as s:
        add_english_groups(s, school)
    state = sub(new_tab("t_classteacher"), SubgroupsState)
    assert not is_refusal(await state.load())
    await state.set_class(str(school.class_6b))  # not among her classes: ignored
    assert state.class_id == str(school.class_5a)
    # A tab whose vars were pointed at 6-Б anyway is refused by the service.
    state.class_id = str(school.class_6b)
    state._pupil_ids = list(school.pupils_6b)
    state.rows = [{"name": "x", "group": "1"} for _ in school.pupils_6b]
    assert is_refusal(await state.save())
    assert memberships() == set()


async def test_the_group_teacher_sees_his_members_and_cannot_mark_another_groups_pupil(school):
    with db.session() as s:
        eng = add_english_groups(s, school)
    tab = sub(new_tab("t_eng1"), JournalState)
    assert not is_refusal(await tab.load())
    if tab.term_id != tab.term_options[0]["id"]:
        await tab.set_term(tab.term_options[0]["id"])
    await tab.set_class(str(school.class_5a))
    assert tab.subject_key == f"{eng.english}:1"
    assert tab.needs_split and tab.n_rows == 0 and tab.n_cols == 1
    await split_5a_in_halves()
    await tab.set_term(tab.term_options[1]["id"])
    await tab.set_term(tab.term_options[0]["id"])
    assert not tab.needs_split
    assert [pupil_of(p)["name"] for p in tab.pupils] == ["Абдыкадырова Мөлдир", "Ңаматов Эрмек"]
    assert not is_refusal(await tab.key("0:0", "5"))
    assert marks() >= {(eng.lesson_g1, school.pupils_5a[1], 5)}
    # A forged tab pointing row 1 at a pupil of group 2.
    before = marks()
    tab._pupil_ids = [school.pupils_5a[1], school.pupils_5a[0]]
    assert is_refusal(await tab.key("1:0", "4"))
    assert marks() == before
    with db.session() as s:
        refused = s.exec(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert any("not_in_subgroup" in e.reason for e in refused)
