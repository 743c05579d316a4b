"""The movement book's screens called directly, as a browser or a forged event would call them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import MovementAdminState, OrderAdminState, PupilAdminState
from bbbms_app.models import AuditEvent, Enrollment, MovementRecord, Order
from tests.factories import make_pupil
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def book(school):
    """An order and a pupil with no class yet (the clerk made his card; now he arrives)."""
    with db.session(write=True) as s:
        order = Order(school_id=school.school_id, number="12-у", date=date(2025, 10, 3), summary="Кабыл алуу")
        s.add(order)
        pupil = make_pupil(s, school.school_id, pin="21010201500099")
        return order.id, pupil.id


def form(order_id: int, pupil_id: int, class_id: int, **extra: str) -> dict[str, str]:
    return {
        "kind": "arrival",
        "pupil_id": str(pupil_id),
        "date": "2025-10-06",
        "order_id": str(order_id),
        "to_class_id": str(class_id),
        "from_school": "Ош ш., № 5 мектеп",
        "to_school": "",
        "reason": "",
        "note": "",
        **extra,
    }


def _denied(username: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.username == username)).all()
        )


async def test_the_clerk_records_an_arrival_and_the_pupil_card_shows_it(school, book):
    order_id, pupil_id = book
    state = sub(new_tab("t_clerk"), MovementAdminState)
    await state.load()
    assert state.can_write and state.rows == []
    await state.new_record()
    assert state.mode == "form" and {o["id"] for o in state.fk_options["order_id"]} == {str(order_id)}
    # A date before the order is refused beside the order field, nothing written.
    await state.save(form(order_id, pupil_id, school.class_5a, date="2025-10-01"))
    assert set(state.form_errors) == {"order_id"} and "03.10.2025" in state.form_errors["order_id"]
    await state.save(form(order_id, pupil_id, school.class_5a))
    assert state.form_errors == {} and state.mode == "detail"
    with db.session() as s:
        [e] = s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil_id)).all()
        assert (e.class_id, e.starts_on, e.ends_on) == (school.class_5a, date(2025, 10, 6), None)
    card = sub(new_tab("t_clerk"), PupilAdminState)
    await card.open_record(str(pupil_id))
    [line] = card.related["movements"]
    assert (line["date"], line["order"], line["to"], line["from"]) == (
        "06.10.2025",
        "№ 12-у, 03.10.2025",
        "5-А",
        "Ош ш., № 5 мектеп",
    )


@pytest.mark.parametrize("username", ["t_teacher", "t_parent", "t_classteacher"])
async def test_a_teacher_or_parent_cannot_write_the_movement_book(school, book, username):
    order_id, pupil_id = book
    tab = new_tab(username)
    state = sub(tab, MovementAdminState)
    orders = sub(tab, OrderAdminState)
    calls = [
        state.load(),
        state.new_record(),
        state.save(form(order_id, pupil_id, school.class_5a)),
        state.open_record("1"),
        orders.save({"number": "99", "date": "2025-10-01", "kind": "other", "summary": "x"}),
        orders.ask_delete(str(order_id)),
    ]
    for call in calls:
        assert is_refusal(await call)
    assert len(_denied(username)) == len(calls)
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []
        assert s.exec(select(Enrollment).where(Enrollment.pupil_id == pupil_id)).all() == []
        assert [o.number for o in s.exec(select(Order)).all()] == ["12-у"]


async def test_the_deputy_may_write_the_book_and_a_forged_kind_on_edit_is_ignored(school, book):
    order_id, pupil_id = book
    state = sub(new_tab("t_deputy"), MovementAdminState)
    await state.load()
    await state.new_record()
    await state.save(form(order_id, pupil_id, school.class_6b))
    record_id = state.detail_id
    await state.edit_record(record_id)
    await state.save(form(order_id, pupil_id, school.class_5a, kind="departure", reason="ата-энеси көчтү"))
    with db.session() as s:
        row = s.get(MovementRecord, int(record_id))
        assert (row.kind, row.to_class_id, row.reason) == ("arrival", school.class_6b, "ата-энеси көчтү")  # type: ignore[union-attr]


async def test_the_book_opens_on_arrivals_and_departures_and_class_changes_have_their_own_view(school, book):
    from bbbms_app.services import movement

    order_id, pupil_id = book
    with db.session(write=True) as s:
        clerk = None
        arrival = movement.record(
            s,
            clerk,
            {
                "pupil_id": pupil_id,
                "kind": "arrival",
                "date": date(2025, 10, 6),
                "order_id": order_id,
                "to_class_id": school.class_5a,
                "from_category": "other_rayon",
                "from_place": "chui.sokuluk",
            },
        ).id
        change = movement.record(
            s,
            clerk,
            {
                "pupil_id": school.pupils_6b[0],
                "kind": "transfer_in_school",
                "date": date(2025, 10, 13),
                "order_id": order_id,
                "to_class_id": school.class_5a,
            },
        ).id
    state = sub(new_tab("t_clerk"), MovementAdminState)
    await state.load()
    assert state.filters["book"] == "arrivals_departures"
    assert [r["id"] for r in state.rows] == [str(arrival)]
    assert state.rows[0]["from"].startswith("Башка райондон: Сокулук району (Чүй облусу)")
    await state.set_filter("book", "inside")
    assert [r["id"] for r in state.rows] == [str(change)]
    await state.set_filter("book", "__none__")
    assert {r["id"] for r in state.rows} == {str(arrival), str(change)}
    assert is_refusal(await state.set_filter("book", "everything"))
