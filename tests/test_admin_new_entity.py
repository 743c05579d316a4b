"""A new entity added the way docs/admin.md says (a model, a profile, catalog keys, its table) gets
working screens: its list, a new record, its card and an edit, through the generated State, and a
page the app can build. The entity is thrown away afterwards (registry, metadata and table)."""

from __future__ import annotations

import pytest
from reflex_base.registry import RegistrationContext
from sqlmodel import Field, SQLModel

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.i18n.messages import MESSAGES
from bbbms_app.models._base import SoftDelete
from bbbms_app.services.engine.profile import ENTITIES, Profile
from tests.states import is_refusal, new_tab, sub

KEYS = {
    "admin.lockers": ("Шкафтар", "Шкафчики", "Lockers"),
    "admin.locker": ("шкаф", "шкафчик", "locker"),
    "field.locker.number": ("Номери", "Номер", "Number"),
    "field.locker.floor": ("Кабаты", "Этаж", "Floor"),
    "field.locker.capacity": ("Сыйымдуулугу", "Вместимость", "Capacity"),
}


@pytest.fixture
def locker(db_url, monkeypatch):
    """The documented steps for a small entity, undone after the test."""

    # 1. The model (what the migration would create), with the soft-delete and version columns.
    class Locker(SoftDelete, table=True):
        id: int | None = Field(default=None, primary_key=True)
        school_id: int = Field(foreign_key="school.id", index=True)
        number: str = Field(max_length=10)
        floor: int = Field(default=1)
        capacity: int = Field(default=1)

    # 2. Catalog keys: the plural, the singular and a label per column.
    for key, texts in KEYS.items():
        monkeypatch.setitem(MESSAGES, key, texts)

    # 3. The profile: everything else comes from the model.
    class LockerProfile(Profile):
        model = Locker
        route = "/admin/lockers"
        title_key = "admin.lockers"
        item_key = "admin.locker"
        icon = "lock"
        overrides = {"capacity": {"minimum": 1, "maximum": 60}}
        natural_key = ("number",)

    # 4. Its table (a generated migration does this in the app).
    Locker.__table__.create(db.engine())  # type: ignore[attr-defined]
    # Its State class is registered in a copy of Reflex's registry, so the walks of every handler
    # in other tests never meet a screen whose table is gone.
    token = RegistrationContext.set(RegistrationContext.get().fork())
    try:
        yield Locker
    finally:
        RegistrationContext.reset(token)
        from bbbms_app.admin import states

        gone = states._STATES.pop("locker", None)
        if gone is not None:
            delattr(states, gone.__name__)
        ENTITIES.remove("locker")
        db.dispose_all()
        Locker.__table__.drop(db.engine())  # type: ignore[attr-defined]
        SQLModel.metadata.remove(Locker.__table__)  # type: ignore[attr-defined]


async def test_a_new_entity_gets_its_screens(school, locker):
    from bbbms_app.admin.pages import entity_pages, hub
    from bbbms_app.admin.states import state_of

    spec = ENTITIES.get("locker")
    assert spec.columns == ("number", "floor", "capacity") and spec.permission("write") == "school.write"
    page = next(p for p in entity_pages() if p.route == "/admin/lockers")
    assert page.title_key == "admin.lockers" and not page.in_menu  # a card on the /admin hub
    assert page.component is not None and page.component() is not None
    assert hub().component is not None

    state = sub(new_tab("t_director"), state_of(spec))
    assert not is_refusal(await state.load())
    assert state.rows == [] and state.can_write

    await state.new_record()
    assert state.form == {"number": "", "floor": "1", "capacity": "1"}
    await state.save({"number": "A-7", "floor": "2", "capacity": "99"})
    assert state.form_errors == {"capacity": t("admin.error.range", "ky", min="1", max="60")}
    await state.save({"number": "A-7", "floor": "2", "capacity": "30"})
    assert state.form_errors == {} and state.mode == "detail"
    record_id = state.detail_id
    assert state.detail_title == str(record_id)
    assert {d["field"]: d["value"] for d in state.detail} == {"number": "A-7", "floor": "2", "capacity": "30"}

    await state.edit_record(record_id)
    await state.save({**state.form, "capacity": "25"})
    assert state.form_errors == {}
    await state.back()
    assert [(r["number"], r["floor"], r["capacity"]) for r in state.rows] == [("A-7", "2", "25")]

    await state.new_record()
    await state.save({"number": "A-7", "floor": "3", "capacity": "5"})
    assert state.form_errors == {"number": t("admin.error.duplicate", "ky")}

    # A teacher reads it (school.read) but a forged save is refused by the guard.
    teacher = sub(new_tab("t_teacher"), state_of(spec))
    assert not is_refusal(await teacher.load()) and len(teacher.rows) == 1
    assert is_refusal(await teacher.save({"number": "B-1", "floor": "1", "capacity": "2"}))
