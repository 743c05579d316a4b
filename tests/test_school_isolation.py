"""Schools in one installation (a district) are walled off from each other (issue 16, item 5).

Two known schools share one database. For every entity of the registry, every staff role of the
first school that may read it walks its whole list (every page, the deleted rows too), searches for
the second school's marker, opens the second school's records by id (a forged event) and exports
the list: nothing of the second school is ever shown, opened or written. The second school has at
least one row of every entity (made through its own director's screen where the known school has
none), so no entity passes for want of data.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import state_of
from bbbms_app.models import Guardian, Pupil, Staff, User
from bbbms_app.services import accounts
from bbbms_app.services.access import DEFAULT_MATRIX
from bbbms_app.services.engine import exports
from bbbms_app.services.engine.registry import ENTITIES
from tests import factories
from tests.states import handle, is_refusal, new_tab, sub
from tests.test_admin_walk import SAMPLES

STAFF_ROLES = ("administrator", "director", "deputy", "clerk", "class_teacher", "teacher")
MARKER = "Экинчимектеп"  # every person of the second school carries it in his last name


@pytest.fixture
def two_schools(db_url):
    with db.session() as s:
        first = factories.build_school(s)
        second = factories.build_school(s, okpo="20000002", prefix="b_")
        for model in (Pupil, Staff, Guardian):
            for person in s.exec(select(model).where(model.school_id == second.school_id)).all():
                person.last_name = f"{MARKER}{person.last_name}"
                person.search_key = f"{MARKER.lower()} {person.search_key or ''}"
                s.add(person)
    return first, second


def _readers(permission: str) -> list[str]:
    return [role for role in STAFF_ROLES if permission in DEFAULT_MATRIX[role]]


async def _second_schools_rows(spec, second) -> set[str]:
    """The ids of the second school's rows of `spec`; one is made through its director's screen
    when the known school has none."""
    if spec.name == "school":
        return {str(second.school_id)}
    with db.session() as s:
        if "school_id" in spec.model.model_fields:
            rows = s.exec(select(spec.model.id).where(spec.model.school_id == second.school_id)).all()
        else:  # rows that reach their school through a link (none today; kept honest below)
            rows = []
    if rows:
        return {str(r) for r in rows}
    director = sub(new_tab(second.users["director"]), state_of(spec))
    await director.load()
    await director.new_record()
    form, _field, _value = SAMPLES[spec.name](second)
    await handle(director, "save", {**director.form, **form})
    assert director.form_errors == {} and director.mode == "detail", (spec.name, director.form_errors)
    return {director.detail_id}


async def _every_row(state) -> set[str]:
    seen: set[str] = set()
    for deleted in (False, True):
        if deleted:
            await state.toggle_deleted()
        while True:
            seen |= {r["id"] for r in state.rows}
            if state.page >= state.pages:
                break
            await state.next_page()
    return seen


@pytest.mark.parametrize("name", [spec.name for spec in ENTITIES])
async def test_no_screen_of_one_school_shows_another_schools_rows(two_schools, name):
    first, second = two_schools
    spec = ENTITIES.get(name)
    theirs = await _second_schools_rows(spec, second)
    assert theirs, "the second school has rows of this entity"
    readers = _readers(spec.permission("read"))
    assert readers, "some staff role reads this entity"
    # The control: the second school's own director lists them (and finds his people by the marker).
    own = sub(new_tab(second.users["director"]), state_of(spec))
    await own.load()
    if spec.searchable and spec.model in (Pupil, Staff, Guardian):
        await own.set_search(MARKER.lower())
        assert own.rows, "the marker finds the second school's people on its own screen"
        await own.set_search("")
    assert theirs <= await _every_row(own)
    for role in readers:
        state = sub(new_tab(first.users[role]), state_of(spec))
        assert not is_refusal(await state.load()), (role, "list")
        ours = await _every_row(state)
        assert not ours & theirs, (role, "listed", ours & theirs)

        if spec.searchable:
            await state.set_search(MARKER.lower())
            assert state.rows == [], (role, "found by search", state.rows)
            await state.set_search("")

        for record_id in sorted(theirs)[:3]:
            result = await state.open_record(record_id)
            assert is_refusal(result) or state.detail_id != record_id, (role, "opened", record_id)
            if spec.permission("write") in DEFAULT_MATRIX[role]:
                result = await state.edit_record(record_id)
                assert is_refusal(result) or state.editing_id != record_id, (role, "edited", record_id)


@pytest.mark.parametrize("name", [spec.name for spec in ENTITIES])
async def test_no_export_of_one_school_writes_another_schools_rows(two_schools, name):
    first, second = two_schools
    spec = ENTITIES.get(name)
    await _second_schools_rows(spec, second)
    with db.session() as s:
        user = s.exec(select(User).where(User.username == first.users["director"])).one()
        principal = accounts.principal_for(user, session=s)
    out = io.BytesIO()
    with db.session(write=True) as s:
        purpose = "Мектептердин чек арасын текшерүү"
        count = exports.export(s, spec, principal, out, fmt="xlsx", lang="ky", purpose=purpose)
    # The export holds exactly the live rows the first school's director lists…
    state = sub(new_tab(first.users["director"]), state_of(spec))
    await state.load()
    assert count == state.total, (count, state.total)
    # …and nothing of the second school's people.
    written = pd.read_excel(io.BytesIO(out.getvalue()), header=None, dtype=str).fillna("")
    text = "\n".join("\t".join(row) for row in written.itertuples(index=False))
    assert MARKER not in text
