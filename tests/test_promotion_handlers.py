"""/promotion's State called directly, as the browser or a forged event would call it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import MovementRecord, Order
from bbbms_app.pages.promotion import PromotionState
from tests.states import is_refusal, new_tab, sub


async def test_the_clerk_previews_keeps_one_pupil_down_and_writes_one_order(school):
    state = sub(new_tab("t_clerk"), PromotionState)
    await state.load()
    assert state.year_label == "2025–2026" and state.next_label.startswith("2026–2027 (01.09.2026")
    assert [(c["name"], c["target"], c["promote"]) for c in state.classes] == [("5-А", "6-А", "3"), ("6-Б", "7-Б", "2")]
    c5 = state.classes[0]["id"]
    await state.open_class(c5)
    assert [p["can_graduate"] for p in state.pupils] == ["", "", ""]  # not a leaving grade
    kept = state.pupils[0]["id"]
    await state.set_action(kept, "retain")
    assert (state.classes[0]["promote"], state.classes[0]["retain"]) == ("2", "1")
    # A 5th grader cannot graduate: refused and audited, the choice unchanged.
    assert is_refusal(await state.set_action(kept, "graduate"))
    assert state.choices == {kept: "retain"}
    await state.set_number("55")
    await state.set_order_date("30.05.2026")
    await state.confirm()
    assert state.error == "" and state.done
    assert state.classes == []  # nobody left on the old lists
    assert [o["label"] for o in state.orders] == ["№ 55, 30.05.2026"]
    with db.session() as s:
        kinds = sorted(m.kind for m in s.exec(select(MovementRecord)).all())
    assert kinds == ["promotion"] * 4 + ["retention"]
    # The undo by a correcting order.
    await state.set_undo_number("56")
    await state.set_undo_date("01.06.2026")
    await state.undo()
    assert "5" in state.undo_message and state.orders == []
    assert [c["promote"] for c in state.classes] == ["3", "2"]


async def test_a_bad_order_date_is_shown_in_place_and_nothing_is_written(school):
    state = sub(new_tab("t_clerk"), PromotionState)
    await state.load()
    await state.set_number("55")
    await state.set_order_date("01.08.2026")
    await state.confirm()
    assert "31.05.2026" in state.error
    with db.session() as s:
        assert s.exec(select(Order)).all() == []


@pytest.mark.parametrize("username", ["t_teacher", "t_parent", "t_classteacher"])
async def test_no_one_without_the_book_can_promote(school, username):
    state = sub(new_tab(username), PromotionState)
    assert is_refusal(await state.load())
    assert is_refusal(await state.confirm())
    assert is_refusal(await state.undo())
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []


async def test_a_forged_pupil_or_action_is_refused(school):
    state = sub(new_tab("t_clerk"), PromotionState)
    await state.load()
    await state.open_class(state.classes[0]["id"])
    assert is_refusal(await state.set_action("999999", "retain"))
    assert is_refusal(await state.set_action(state.pupils[0]["id"], "expel"))
    assert is_refusal(await state.set_teacher(state.classes[0]["id"], "999999"))
    assert state.choices == {}


async def test_a_whole_class_moves_to_another_grade(school):
    state = sub(new_tab("t_clerk"), PromotionState)
    await state.load()
    c5 = next(o["id"] for o in state.move_classes if o["label"].startswith("5"))
    await state.set_move_class(c5)
    await state.set_move_grade("6")
    await state.set_move_day("12.01.2026")
    await state.set_move_number("7-к")
    await state.move()
    assert "3" in state.move_message
    with db.session() as s:
        assert len(s.exec(select(MovementRecord).where(MovementRecord.kind == "transfer_in_school")).all()) == 3
