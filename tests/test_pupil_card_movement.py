"""The pupil card's «arrival / class change / departure» (admin PupilAdminState): each opens the
movement form with the pupil and the kind filled in and writes through services.movement.record."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.models import Enrollment, MovementRecord, Order
from tests.factories import make_pupil
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def order_id(school) -> int:
    with db.session(write=True) as s:
        order = Order(school_id=school.school_id, number="21-к", date=date(2025, 11, 3), summary="Которуу")
        s.add(order)
        s.flush()
        return order.id


def _form(**values: str) -> dict[str, str]:
    return {
        "date": "",
        "order_id": "",
        "to_class_id": "",
        "category": "",
        "place": "",
        "school": "",
        "reason": "",
    } | values


async def test_a_class_change_from_the_card(school, order_id):
    card = sub(new_tab("t_clerk"), PupilAdminState)
    pupil = school.pupils_5a[0]
    await card.open_record(str(pupil))
    assert card.can_move and card.mv_enrolled
    await card.start_movement("transfer_in_school")
    assert card.mv_kind == "transfer_in_school" and {o["id"] for o in card.mv_orders} == {str(order_id)}
    # A date before the order: shown in the form, nothing written.
    await card.save_movement(_form(date="01.11.2025", order_id=str(order_id), to_class_id=str(school.class_6b)))
    assert "03.11.2025" in card.mv_error
    await card.save_movement(_form(date="10.11.2025", order_id=str(order_id), to_class_id=str(school.class_6b)))
    assert card.mv_error == "" and card.mv_kind == ""
    with db.session() as s:
        rows = s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil).order_by(Enrollment.starts_on)).all()
    assert [(e.class_id, e.starts_on, e.ends_on) for e in rows] == [
        (school.class_5a, date(2025, 9, 1), date(2025, 11, 9)),
        (school.class_6b, date(2025, 11, 10), None),
    ]
    assert card.related["movements"][0]["date"] == "10.11.2025"


async def test_a_departure_to_another_rayon_and_an_arrival_from_the_card(school, order_id):
    card = sub(new_tab("t_clerk"), PupilAdminState)
    pupil = school.pupils_6b[1]
    await card.open_record(str(pupil))
    await card.start_movement("departure")
    await card.set_mv_category("other_rayon")
    assert card.mv_places and all(p["id"] for p in card.mv_places)
    place = card.mv_places[0]["id"]
    # Another rayon needs the rayon: refused in place.
    await card.save_movement(_form(date="12.11.2025", order_id=str(order_id), category="other_rayon"))
    assert card.mv_error
    await card.save_movement(
        _form(date="12.11.2025", order_id=str(order_id), category="other_rayon", place=place, school="№ 3 мектеп")
    )
    assert card.mv_error == "" and not card.mv_enrolled
    with db.session() as s:
        m = s.exec(select(MovementRecord).where(MovementRecord.pupil_id == pupil)).one()
        assert (m.kind, m.to_category, m.to_place, m.to_school) == ("departure", "other_rayon", place, "№ 3 мектеп")
    # A newcomer with no class: only «arrival» is offered.
    with db.session(write=True) as s:
        newcomer = make_pupil(s, school.school_id, pin="21010201500099").id
    await card.open_record(str(newcomer))
    assert not card.mv_enrolled
    await card.start_movement("arrival")
    await card.set_mv_category("same_rayon")
    assert card.mv_places == []
    await card.save_movement(
        _form(date="12.11.2025", order_id=str(order_id), to_class_id=str(school.class_5a), category="same_rayon")
    )
    assert card.mv_error == "" and card.mv_enrolled


@pytest.mark.parametrize("username", ["t_teacher", "t_classteacher", "t_parent"])
async def test_no_one_without_the_book_moves_a_pupil_from_the_card(school, order_id, username):
    card = sub(new_tab(username), PupilAdminState)
    card.detail_id = str(school.pupils_5a[0])
    assert is_refusal(await card.start_movement("departure"))
    assert is_refusal(await card.save_movement(_form(date="12.11.2025", order_id=str(order_id))))
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []


async def test_a_forged_kind_or_field_is_refused(school, order_id):
    card = sub(new_tab("t_clerk"), PupilAdminState)
    await card.open_record(str(school.pupils_5a[0]))
    assert is_refusal(await card.start_movement("promotion"))
    await card.start_movement("departure")
    assert is_refusal(await card.save_movement({**_form(), "kind": "arrival"}))
