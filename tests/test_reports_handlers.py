"""The /reports page's handlers called directly, as real and forged browser events would call them."""

from __future__ import annotations

import io

import openpyxl
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent
from bbbms_app.pages.reports import ReportsState
from bbbms_app.services.engine import downloads
from tests import reports_factory
from tests.states import is_refusal, new_tab, sub


async def opened(username: str, school) -> ReportsState:
    state = sub(new_tab(username), ReportsState)
    assert not is_refusal(await state.load())
    await state.set_period(str(school.term_ids[0]))  # the machine's today may be past the year
    return state


def row(state: ReportsState, group: str) -> dict[str, str]:
    return next(r for r in state.rows if r["group"] == group)


async def test_director_reads_filters_and_downloads_the_results(school):
    marks = reports_factory.build(school)
    state = await opened("t_director", school)
    assert [r["group"] for r in state.rows][:3] == ["5-А", "5-Б", "5-класстар"]
    assert row(state, "Мектеп боюнча")["sou"] == "57,8" and row(state, "Мектеп боюнча")["n"] == "8"
    assert row(state, "10-А")["success"] == "—"  # no marks, no figure
    assert not state.has_previous
    school_label = row(state, "Мектеп боюнча")  # the labels in every language: a switch needs no round trip
    assert (school_label["group_ru"], school_label["group_en"]) == ("По школе", "Whole school")
    assert {o["id"] for o in state.subject_options} == {str(school.math), str(school.kyrgyz)}
    await state.set_subject(str(school.math))
    await state.set_sex("f")
    assert row(state, "Мектеп боюнча")["sou"] == "76,0" and row(state, "Мектеп боюнча")["n"] == "3"
    assert [r["pupil"] for r in state.lists] == ["Асанова Айгерим", "Петрова Анна", "Абдыкадырова Мөлдир"]
    await state.set_subject("999")  # not offered: ignored
    assert state.subject == str(school.math)
    result = await state.download()
    text = repr(result)
    assert "_download" in text and "/admin-files/" in text and "results-quarter1.xlsx" in text
    assert "base64" not in text
    token = text.split("/admin-files/")[1][:32]
    meta = downloads.meta_of(token)
    assert meta["permission"] == "report.read"
    ws = openpyxl.load_workbook(io.BytesIO(downloads.ticket_of(meta).path.read_bytes()))["Жыйынтыктар"]
    header = [c.value for c in ws[1]]
    values = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Мектеп боюнча")
    school_row = dict(zip(header, values, strict=True))
    assert (school_row["Эсепке алынган окуучулар"], school_row["СОУ, %"]) == (3, 76.0)  # the numbers on screen
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "report")).one().field.startswith("results:")
    await state.set_sex("all")
    await state.set_period(str(school.term_ids[1]))
    assert state.has_previous and state.previous_label["ru"] == "Предыдущий период: 1-я четверть"
    c5a = row(state, "5-А")  # maths only in quarter 2: success 100 against 66.7 before, СОУ 78.7 against 57
    assert (c5a["success"], c5a["t_success"], c5a["t_sou"]) == ("100,0", "▲", "▲")
    assert (c5a["prev_success"], c5a["prev_sou"]) == ("66,7", "57,0")
    assert marks


async def test_attendance_tab(school):
    reports_factory.build(school)
    state = await opened("t_deputy", school)
    await state.set_tab("attendance")
    assert state.attendance_rows[-1]["group"] == "Мектеп боюнча"
    assert state.attendance_rows[-1]["lessons_ill"] == "1" and state.attendance_rows[-1]["days"] == "1"
    await state.set_threshold("1")
    assert state.above == []  # nobody missed a lesson without a reason
    await state.set_threshold("abc")  # refused quietly
    assert state.threshold == "1"
    await state.set_month("2025-10")
    assert state.attendance_rows[-1]["lessons"] == "0"
    assert "attendance-20251001-20251031.xlsx" in repr(await state.download())


async def test_teacher_is_refused_also_by_forged_events(school):
    reports_factory.build(school)
    teacher = sub(new_tab("t_teacher"), ReportsState)
    assert is_refusal(await teacher.load())
    for forged in (
        teacher.download(),
        teacher.set_period(str(school.term_ids[0])),
        teacher.set_tab("attendance"),
        teacher.set_subject("all"),
    ):
        assert is_refusal(await forged)
    assert teacher.rows == [] and teacher.attendance_rows == []
    unloaded = sub(new_tab("t_director"), ReportsState)  # a download before the page loaded: nothing, no error
    assert await unloaded.download() is None
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert len(denied) >= 5
    own = await opened("t_classteacher", school)  # his own class only
    assert [r["group"] for r in own.rows] == ["5-А", "5-класстар", "5-класстар", "Мектеп боюнча"]


def test_the_page_compiles():
    from bbbms_app.pages.reports import reports_page

    assert reports_page().render()


async def test_summary_sheet_downloads_as_xlsx(school):
    from bbbms_app.pages.journal_summary import SummaryState

    reports_factory.build(school)
    sheet = sub(new_tab("t_classteacher"), SummaryState)
    await sheet.load()
    await sheet.set_period(str(school.term_ids[0]))
    assert sheet.heading == "5-А · 1-чейрек"
    text = repr(await sheet.download())
    assert "/admin-files/" in text and "summary-5А-quarter1.xlsx" in text
    teacher = sub(new_tab("t_teacher"), SummaryState)
    assert is_refusal(await teacher.download())


async def test_the_report_opens_on_the_last_finished_period(school):
    """The current quarter has no quarter marks yet: the report opens on the last one that is over.
    (The known school's year ended on 31.05.2026, so every quarter is over: the fourth is last.)"""
    state = sub(new_tab("t_director"), ReportsState)
    assert not is_refusal(await state.load())
    assert state.period == str(school.term_ids[3])


def _downloaded(result) -> openpyxl.Workbook:
    token = repr(result).split("/admin-files/")[1][:32]
    return openpyxl.load_workbook(io.BytesIO(downloads.ticket_of(downloads.meta_of(token)).path.read_bytes()))


async def test_named_lists_only_for_export_personal(school):
    """The lists name pupils (personal data): a deputy with report.read but not export.personal gets the
    counts and percents, on screen and in the XLSX, and a line saying the lists need that right; the
    service withholds them, so no event (a forged download, another tab or filter) brings them."""
    from bbbms_app.services.access import permissions_for
    from bbbms_app.services.reports import attendance as attendance_service
    from bbbms_app.services.reports import results as results_service
    from tests.test_export_jobs import principal

    reports_factory.build(school)
    assert "export.personal" not in permissions_for("deputy") and "export.personal" in permissions_for("director")
    director = await opened("t_director", school)
    deputy = await opened("t_deputy", school)
    assert director.named and len(director.lists) == 8
    assert not deputy.named and deputy.lists == []
    assert deputy.rows == director.rows and deputy.by_subject == director.by_subject  # the same figures
    await deputy.set_sex("f")  # any other event: still no names
    await deputy.set_subject(str(school.math))
    assert deputy.lists == []
    book = _downloaded(await deputy.download())  # a forged download straight after: figures, no names
    lists = book["Тизмелер"]
    assert [row for row in lists.iter_rows(min_row=2, values_only=True) if any(row)] == [
        (
            "Окуучулардын аты-жөнү жазылган тизмелер «Жеке маалыматтарды топтоп экспорттоо» укугу барларга гана "
            "көрсөтүлөт; сандар жана пайыздар баарына жеткиликтүү.",
            None,
            None,
            None,
            None,
        )
    ]
    school_row = next(r for r in book["Жыйынтыктар"].iter_rows(values_only=True) if r[1] == "Мектеп боюнча")
    assert school_row[3] == 3  # the counts stay: three girls counted in maths
    await director.set_sex("f")
    await director.set_subject(str(school.math))
    named = _downloaded(await director.download())["Тизмелер"]
    assert [r[2] for r in named.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        "Асанова Айгерим",
        "Петрова Анна",
        "Абдыкадырова Мөлдир",
    ]
    await deputy.set_tab("attendance")
    await deputy.set_threshold("1")
    assert deputy.above == [] and not deputy.named and deputy.above_count["ru"] == "Учеников выше порога: 0"
    pupils = _downloaded(await deputy.download())["Окуучулар боюнча"]
    assert pupils.max_row <= 3 and "укугу" in str(pupils.cell(3, 1).value)  # the header, the note: no pupil
    with db.session() as s:  # the service itself, whatever the page does
        lead, dep = principal("t_director"), principal("t_deputy")
        full = results_service.results(s, lead, school.year_id, school.term_ids[0])
        bare = results_service.results(s, dep, school.year_id, school.term_ids[0])
        assert full.named and sum(len(v) for v in full.lists.values()) == 8
        assert not bare.named and bare.lists == {}
        assert bare.indicators(bare.groups[-1]) == full.indicators(full.groups[-1])
        seen = attendance_service.attendance(s, lead, school.year_id, school.term_ids[0])
        hidden = attendance_service.attendance(s, dep, school.year_id, school.term_ids[0])
        assert seen.pupils and hidden.pupils == [] and hidden.above == []
        assert hidden.total == seen.total and hidden.above_count == seen.above_count
