"""The journal's XLSX goes through the authorized route /journal-files/<token>: no session, anyone
but its owner (another teacher, even the director) and an unknown token all get the same 404,
audited; the owner gets the workbook, which reads back to the grid's values."""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db
from bbbms_app.api.private_files import private_files_api
from bbbms_app.models import AuditEvent
from bbbms_app.services import accounts, journal, journal_export
from bbbms_app.services.engine import downloads
from tests.factories import PASSWORD
from tests.journal_factories import add_journal_data
from tests.test_journal_handlers import opened


@pytest.fixture
def extras(school):
    with db.session() as s:
        return add_journal_data(s, school)


def _cookie(username: str) -> dict[str, str]:
    with db.session() as s:
        result = accounts.authenticate(s, username, PASSWORD)
    assert result.token
    return {"bbbms_session": result.token}


def _get(url: str, username: str | None = None):
    client = TestClient(private_files_api, cookies=_cookie(username) if username else None)
    return client.get(url)


def _denials() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.entity == "journal_file")).all())


async def test_the_journal_file_is_served_only_to_its_owner_and_reads_back_to_the_grid(school, extras):
    state = await opened("t_classteacher")
    result = await state.export_xlsx()
    url = re.search(r"/journal-files/[0-9a-f]{32}", repr(result)).group(0)  # type: ignore[union-attr]
    assert _get(url).status_code == 404
    assert _get(url, "t_teacher").status_code == 404  # another teacher
    assert _get(url, "t_director").status_code == 404  # may read the journal, but it is not his file
    assert _get("/journal-files/" + "0" * 32, "t_classteacher").status_code == 404
    assert [(d.action, d.username or "") for d in _denials()] == [
        ("denied", ""),
        ("denied", "t_teacher"),
        ("denied", "t_director"),
        ("denied", "t_classteacher"),  # an unknown token: the same answer, audited too
    ]
    answer = _get(url, "t_classteacher")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "journal-5%D0%90-MATH-quarter1.xlsx" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "no-store, private"
    # The workbook holds what the grid shows: pupils, lesson days, marks and absences.
    with db.session() as s:
        grid = journal.grid(s, state_principal("t_classteacher"), school.class_5a, school.math, school.term_ids[0], 0)
    ws = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    n = len(grid.lessons)
    assert [ws.cell(3, c).value for c in range(3, 3 + n)] == [lesson.date.day for lesson in grid.lessons]
    frame = pd.read_excel(io.BytesIO(answer.content), header=None, skiprows=3, usecols=range(1, 2 + n), dtype=str)
    assert len(frame.index) >= len(grid.pupils)
    for i, pupil in enumerate(grid.pupils):
        assert str(frame.iloc[i, 0]).startswith(pupil.name)
        for j, lesson in enumerate(grid.lessons):
            cell = grid.cells.get((pupil.id, lesson.id))
            shown = frame.iloc[i, 1 + j]
            want = cell.text() if cell is not None and pupil.in_class_on(lesson.date) else ""
            assert ("" if pd.isna(shown) else str(shown)) == want, (pupil.name, lesson.date)


def state_principal(username: str):
    with db.session() as s:
        from bbbms_app.models import User

        user = s.exec(select(User).where(User.username == username)).one()
        return accounts.principal_for(user, session=s)


def test_a_journal_file_expires_and_stops_when_its_owner_loses_the_journal(school, extras):
    import os

    from bbbms_app.models import Lesson, SchoolClass, TeachingAssignment

    teacher = state_principal("t_classteacher")

    def new_file() -> str:
        with db.session(write=True) as s:
            url, name = journal_export.write_download(
                s, teacher, school.class_5a, school.math, school.term_ids[0], 0, "ru"
            )
        assert name == "journal-5А-MATH-quarter1.xlsx"
        return url

    url = new_file()
    assert _get(url, "t_classteacher").status_code == 200
    # An hour later the file is gone, and the sweep removes it from the disk.
    token = url.rsplit("/", 1)[1]
    old = time.time() - downloads.MAX_AGE_S - 5
    for path in downloads.folder().glob(f"{token}.*"):
        os.utime(path, (old, old))
    assert _get(url, "t_classteacher").status_code == 404
    downloads.sweep()
    assert list(downloads.folder().glob(f"{token}.*")) == []
    # She no longer teaches 5-А's maths nor leads the class: her fresh link stops working.
    url = new_file()
    with db.session(write=True) as s:
        cls = s.get(SchoolClass, school.class_5a)
        assert cls is not None
        cls.class_teacher_id = None
        s.add(cls)
        ta = s.exec(
            select(TeachingAssignment).where(
                TeachingAssignment.class_id == school.class_5a, TeachingAssignment.subject_id == school.math
            )
        ).one()
        ta.teacher_id = school.teacher_b
        s.add(ta)
        for lesson in s.exec(select(Lesson).where(Lesson.class_id == school.class_5a)).all():
            lesson.teacher_id = school.teacher_b  # nor did she teach any of its lessons
            s.add(lesson)
    assert _get(url, "t_classteacher").status_code == 404
    assert "journal " in _denials()[-1].reason
