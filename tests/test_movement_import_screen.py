"""/movement-import called directly: the template through the authorized download route, a file
with a bad line shown row by row with nothing written, then the good file written whole."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Enrollment, MovementRecord
from bbbms_app.pages.movement_import import MovementImportState
from bbbms_app.services.engine import downloads
from tests.states import is_refusal, new_tab, sub
from tests.test_admin_import import xlsx
from tests.test_movement import make_order, new_pupil
from tests.test_movement_import import KY


def _file(rows, name="book.xlsx") -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(xlsx(KY, rows)), path=Path(name))]


async def test_the_clerk_checks_a_file_reads_its_problems_and_writes_the_good_one(school):
    make_order(school.school_id, "12-у", date(2025, 10, 1))
    pid = new_pupil(school.school_id, "21010201500099")
    state = sub(new_tab("t_clerk"), MovementImportState)
    await state.load()
    answer = await state.template()
    token = repr(answer).split(downloads.ROUTE + "/")[1][:32]
    assert downloads.meta_of(token)["permission"] == "movement.write"
    bad = [
        ["21010201500099", "Келди", "06.10.2025", "12-у", "5-А", "", ""],
        ["21010201500099", "Келди", "07.10.2025", "12-у", "6-Б", "", ""],  # a second arrival
        ["99999999999999", "Кетти", "07.10.2025", "12-у", "", "", ""],  # no such pupil
    ]
    await state.upload(_file(bad))
    assert not state.ready and state.error_count == 1
    assert state.errors[0]["row"] == "4" and state.errors[0]["column"] == "ПИН (14 сан)"
    await state.upload(_file(bad[:2]))
    assert not state.ready and [(e["row"], e["column"]) for e in state.errors] == [("3", "ПИН (14 сан)")]
    with db.session() as s:
        assert s.exec(select(MovementRecord)).all() == []
    await state.upload(_file(bad[:1]))
    assert state.ready and state.error_count == 0
    with db.session() as s:  # the check wrote nothing
        assert s.exec(select(MovementRecord)).all() == []
    await state.commit()
    assert state.done and not state.ready
    with db.session() as s:
        e = s.exec(select(Enrollment).where(Enrollment.pupil_id == pid)).one()
        assert (e.class_id, e.starts_on) == (school.class_5a, date(2025, 10, 6))


@pytest.mark.parametrize("username", ["t_teacher", "t_parent"])
async def test_no_one_without_the_book_imports(school, username):
    state = sub(new_tab(username), MovementImportState)
    assert is_refusal(await state.template())
    assert is_refusal(await state.upload(_file([])))
    assert is_refusal(await state.commit())
