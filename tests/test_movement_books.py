"""The alphabetic book's register and the contingent report screens, called as the browser would."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Pupil
from bbbms_app.pages.movement_books import AlphaBookState, ContingentState
from bbbms_app.services.engine import downloads
from tests.states import is_refusal, new_tab, sub


def _number(school, numbers: dict[int, str]) -> None:
    with db.session(write=True) as s:
        for pid, number in numbers.items():
            p = s.get(Pupil, pid)
            p.alpha_book_no = number
            s.add(p)


def _downloaded(result) -> Path:
    token = re.search(r"/([0-9a-f]{32})", repr(result)).group(1)
    meta = downloads.meta_of(token)
    return downloads.folder() / meta["file"]


async def test_the_register_pages_by_letter_filters_and_exports_with_an_audit(school):
    _number(school, {school.pupils_5a[0]: "Ү/1", school.pupils_5a[1]: "А/1", school.pupils_6b[0]: "П/1"})
    book = sub(new_tab("t_clerk"), AlphaBookState)
    await book.load()
    assert book.letters == ["А", "П", "Ү"] and book.letter == "А"
    assert [r["number"] for r in book.rows] == ["А/1"] and book.total_text == "Бардыгы: 1"
    await book.set_letter("__all__")
    assert [r["number"] for r in book.rows] == ["А/1", "П/1", "Ү/1"]
    await book.set_class(str(school.class_6b))
    assert [r["name"] for r in book.rows] == ["Петрова Анна"]
    assert is_refusal(await book.set_letter("Z"))  # a letter the book has no page for
    result = await book.export()
    sheet = openpyxl.load_workbook(_downloaded(result)).active
    assert [c.value for c in sheet[2]][:2] == ["П/1", "Петрова Анна"]
    with db.session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.username == "t_clerk")).one()
        assert event.new_value == "alpha book (*): 1 rows"


async def test_the_register_is_refused_to_a_teacher_and_its_export_to_the_deputy(school):
    assert is_refusal(await sub(new_tab("t_teacher"), AlphaBookState).load())
    deputy = sub(new_tab("t_deputy"), AlphaBookState)
    await deputy.load()
    assert is_refusal(await deputy.export())  # the deputy reads the book; personal exports are not his


async def test_the_contingent_screen_shows_the_period_and_refuses_an_inverted_one(school):
    report = sub(new_tab("t_deputy"), ContingentState)
    await report.load()
    assert report.start == "2025-09-01"
    await report.set_end("04.11.2025")
    labels = [line["label_ky"] for line in report.lines]
    assert report.lines[-1]["label_ru"] == "Итого по школе"
    assert labels[:2] == ["5-А", "6-Б"] and labels[-1] == "Мектеп боюнча бардыгы"
    assert report.lines[0]["m0"] == "3 (1)"  # three at the start, one of them a girl
    assert report.headers[0] == {"ky": "Башталышында", "ru": "На начало периода", "en": "At the start"}
    await report.set_start("05.11.2025")
    assert report.error == "Аягы башталышынан мурун болбойт" and report.lines == []
    await report.set_start("01.09.2025")
    sheet = openpyxl.load_workbook(_downloaded(await report.export())).active
    assert sheet.title == "Келгендер" and sheet.cell(row=4, column=1).value == "5-А"  # under the two-row header
    assert is_refusal(await sub(new_tab("t_parent"), ContingentState).load())
    assert date.fromisoformat(report.end) == date(2025, 11, 4)
