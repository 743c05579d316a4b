"""Every entity of the registry walked through its generated screen's State, as a permitted role:
list, create, open, edit, search, delete and restore (or the refusal its profile declares).

A new entity without a sample below fails `test_every_entity_has_a_walk_sample`, so no screen of
the registry goes unwalked. The samples are form strings, as the browser sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import state_of
from bbbms_app.models import AuditEvent, MovementRecord, Order
from bbbms_app.services.access import DEFAULT_MATRIX
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import KnownSchool
from tests.states import handle, is_refusal, new_tab, sub

Sample = Callable[[KnownSchool], tuple[dict[str, str], str, str]]


def _order(school: KnownSchool) -> int:
    with db.session(write=True) as s:
        order = Order(school_id=school.school_id, number="45-у", date=date(2025, 9, 30), kind="departure")
        s.add(order)
        s.flush()
        return order.id  # type: ignore[return-value]


# entity name -> school -> (the new record's form, the field the edit changes, its new value)
SAMPLES: dict[str, Sample] = {
    "school": lambda k: (
        {"okpo": "20000002", "name_ky": "№ 2 мектеп", "name_ru": "Школа № 2", "name_en": "", "languages": "ky"},
        "address",
        "Ош ш., Ленин к. 5",
    ),
    "academic_year": lambda k: (
        {"name": "2026–2027", "starts_on": "2026-09-01", "ends_on": "2027-05-31", "is_current": ""},
        "name",
        "2026/2027",
    ),
    "term": lambda k: (
        {
            "academic_year_id": str(k.year_id),
            "kind": "half_year",
            "number": "1",
            "starts_on": "2025-09-01",
            "ends_on": "2025-12-30",
        },
        "number",
        "2",
    ),
    "grading_policy": lambda k: (
        {
            "academic_year_id": str(k.year_id),
            "grade_from": "1",
            "grade_to": "1",
            "scale": "none",
            "min_value": "1",
            "max_value": "5",
            "threshold_5": "4.5",
            "threshold_4": "3.5",
            "threshold_3": "2.5",
            "min_marks": "0",
            "weights_json": "{}",
        },
        "min_marks",
        "2",
    ),
    "class": lambda k: (
        {
            "academic_year_id": str(k.year_id),
            "grade": "7",
            "letter": "В",
            "language": "ky",
            "shift": "1",
            "class_teacher_id": "",
        },
        "shift",
        "2",
    ),
    "subject": lambda k: (
        {"code": "HIST", "name_ky": "Тарых", "name_ru": "История", "name_en": "History"},
        "name_en",
        "World history",
    ),
    "teaching_assignment": lambda k: (
        {
            "class_id": str(k.class_5a),
            "subject_id": str(k.kyrgyz),
            "teacher_id": str(k.teacher_a),
            "subgroup": "0",
            "hours_per_week": "2",
        },
        "hours_per_week",
        "3",
    ),
    "staff": lambda k: (
        {"last_name": "Токтогулов", "first_name": "Марат", "patronymic": "", "position": "teacher", "email": ""},
        "first_name",
        "Мурат",
    ),
    "pupil": lambda k: (
        {
            "last_name": "Жолдошев",
            "first_name": "Бекзат",
            "patronymic": "",
            "birth_date": "2014-04-04",
            "sex": "m",
            "pin": "20404201400077",
            "alpha_book_no": "Ж/7",
            # On no class list: the walk deletes it at the end (a pupil in a class leaves through
            # the movement book instead; tests/test_movement_doors.py).
            "class_id": "",
        },
        "first_name",
        "Бектур",
    ),
    "guardian": lambda k: (
        {"last_name": "Жолдошева", "first_name": "Гүлмира", "patronymic": "", "pin": "10101198000012"},
        "first_name",
        "Гүлнур",
    ),
    "user": lambda k: (
        {
            "username": "walk.user",
            "full_name": "Жолдошев Бекзат",
            "role": "teacher",
            "language": "ky",
            "password": "Ала-Тоо көлү 2025",
            "staff_id": "",
            "pupil_id": "",
            "guardian_id": "",
        },
        "full_name",
        "Жолдошев Бектур",
    ),
    "bell_schedule": lambda k: (
        {"shift": "2", "grade_from": "2", "grade_to": "11", "number": "1", "starts_at": "13:00", "ends_at": "13:45"},
        "ends_at",
        "13:40",
    ),
    "holiday": lambda k: (
        {
            "academic_year_id": str(k.year_id),
            "kind": "holiday",
            "name_ky": "Нооруз",
            "name_ru": "Нооруз",
            "name_en": "Nooruz",
            "starts_on": "2026-03-21",
            "ends_on": "2026-03-21",
            "grade_from": "",
            "grade_to": "",
        },
        "name_ru",
        "Нооруз майрамы",
    ),
    "order": lambda k: (
        {
            "number": "7-к",
            "date": "2025-09-20",
            "kind": "other",
            "summary": "Окуу планы",
            "signed_by_id": "",
            "note": "",
        },
        "summary",
        "Окуу планы жөнүндө",
    ),
    "movement": lambda k: (
        {
            "kind": "departure",
            "pupil_id": str(k.pupils_6b[1]),
            "date": "2025-10-01",
            "order_id": str(_order(k)),
            "to_class_id": "",
            "from_school": "",
            "to_school": "Ош ш., № 5 мектеп",
            "reason": "",
            "note": "",
        },
        "reason",
        "Үй-бүлөсү көчтү",
    ),
}


def test_every_entity_has_a_walk_sample():
    assert set(SAMPLES) == {spec.name for spec in ENTITIES}


def _writer(permission: str) -> str:
    """A role of the default matrix that holds `permission` (the director holds them all)."""
    return (
        "director"
        if permission in DEFAULT_MATRIX["director"]
        else next(r for r, perms in DEFAULT_MATRIX.items() if permission in perms)
    )


@pytest.mark.parametrize("name", [spec.name for spec in ENTITIES])
async def test_walk(school, name):
    spec = ENTITIES.get(name)
    username = school.users[_writer(spec.permission("write"))]
    state = sub(new_tab(username), state_of(spec))
    lang = "ky"

    assert not is_refusal(await state.load()), "list"
    assert state.can_write
    listed = state.total

    form, field, new_value = SAMPLES[name](school)
    if spec.school_scoped or spec.stamps_school:
        assert not is_refusal(await state.new_record()), "new"
        assert state.mode == "form"
        result = await handle(state, "save", {**state.form, **form})
        assert state.form_errors == {} and state.form_message == "", (state.form_errors, state.form_message)
        assert not is_refusal(result) and state.mode == "detail", "create"
        record_id = state.detail_id
        assert state.detail_title, "a created record is named on its card"
        await state.back()
        assert state.total == listed + 1
        assert record_id in {r["id"] for r in state.rows} or state.total > state.page_size
    else:
        # The schools themselves: a school's staff reach only their own (a new school is the
        # operator's, `python -m bbbms_app`); it is edited here, never deleted.
        record_id = str(school.school_id)

    assert not is_refusal(await state.open_record(record_id)), "open"
    assert state.mode == "detail" and state.detail_id == record_id and state.detail_title

    assert not is_refusal(await state.edit_record(record_id)), "edit"
    assert state.mode == "form" and state.editing_id == record_id
    result = await handle(state, "save", {**state.form, field: new_value})
    assert state.form_errors == {} and not is_refusal(result), (state.form_errors, state.form_message)
    assert state.mode == "detail"
    shown = {d["field"]: d["value"] for d in state.detail}
    assert new_value in shown[field] or shown[field] in new_value

    if spec.searchable:
        await state.back()
        await state.set_search(new_value if field in _search_parts(spec) else form[_search_parts(spec)[0]])
        assert record_id in {r["id"] for r in state.rows}, "found by search after the edit"
        await state.set_search("")

    if not (spec.school_scoped or spec.stamps_school):
        return
    assert not is_refusal(await state.ask_delete(record_id)), "ask delete"
    assert state.delete_id == record_id and state.delete_name
    await state.set_delete_reason("Жаңылыш киргизилген")
    await state.confirm_delete()
    refusal = spec.profile.delete_refusal_key
    if refusal:
        assert state.delete_error == _t(refusal, lang), "the profile's refusal, translated"
        return
    assert state.delete_error == "" and state.delete_id == ""
    assert record_id not in {r["id"] for r in state.rows}
    await state.toggle_deleted()
    assert record_id in {r["id"] for r in state.rows}
    assert not is_refusal(await state.restore_record(record_id)), "restore"
    await state.toggle_deleted()
    assert record_id in {r["id"] for r in state.rows} or state.total > state.page_size
    with db.session() as s:
        actions = set(
            s.exec(
                select(AuditEvent.action).where(AuditEvent.entity == spec.table, AuditEvent.entity_id == int(record_id))
            ).all()
        )
    assert {"create", "update", "delete", "restore"} <= actions


def _search_parts(spec) -> tuple[str, ...]:
    return spec.profile.search_parts or ("to_school",)


def _t(key: str, lang: str) -> str:
    from bbbms_app.i18n import t

    return t(key, lang)


async def test_a_movement_record_is_found_by_its_places_after_an_edit(school):
    """The «from / to school» of a written movement record cannot be changed by a forged save
    (services/movement.py: only the reason and the note change), so its search key stays true."""
    spec = ENTITIES.get("movement")
    state = sub(new_tab("t_clerk"), state_of(spec))
    await state.load()
    await state.new_record()
    form, _field, _value = SAMPLES["movement"](school)
    await handle(state, "save", {**state.form, **form})
    record_id = state.detail_id
    assert record_id
    await state.edit_record(record_id)
    await handle(state, "save", {**state.form, "to_school": "Бишкек ш., № 61 мектеп", "reason": "Көчүү"})
    with db.session() as s:
        row = s.get(MovementRecord, int(record_id))
        assert row.to_school == "Ош ш., № 5 мектеп" and row.reason == "Көчүү"
    await state.back()
    await state.set_search("Ош ш")
    assert record_id in {r["id"] for r in state.rows}
    await state.set_search("Бишкек")
    assert record_id not in {r["id"] for r in state.rows}
