"""The district summary (issue 16, `/district`): a row per school with its own figures — pupils,
classes, teachers, the current quarter's pass rate and quality from the results, the lessons missed
from the attendance report, the last good backup — the totals with rates recomputed from the sums,
the XLSX read back with pandas to the numbers on screen; a school's accounts and forged events are
refused and write nothing.

Two schools whose figures differ (tests/reports_factory.py's marks in the first, hand-made ones in
the second), quarter 1, read on 20 November 2025 (quarter 2 running: the figures are of the last
finished quarter, as on the dashboard):

    school 1 («t_»): 10 pupils, 4 classes, 2 teachers; N 8: «5» 2, «4» 2, «3» 2, failing 2 →
                     75.0 % / 50.0 %; lessons missed 1 (the factory's «б»)
    school 2 («u_»): 5 pupils, 2 classes, 3 teachers; N 5: «5» 3, «4» 1, «3» 1 → 100.0 % / 80.0 %;
                     lessons missed 3 (the factory's «б» and two «п»)
    totals:          15 pupils, 6 classes, 5 teachers; N 13 → 11/13 = 84.6 % and 8/13 = 61.5 %
                     (averaging the schools' rates would say 87.5 % and 65.0 %); missed 4
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from sqlmodel import func, select

from bbbms_app import db, settings
from bbbms_app.models import Attendance, AuditEvent, PeriodMark, School, Staff, TeachingAssignment
from bbbms_app.pages.district_summary import DistrictSummaryState
from bbbms_app.services import accounts, backup
from bbbms_app.services.engine import downloads
from bbbms_app.services.errors import OutOfScope
from bbbms_app.services.reports import district as district_report
from bbbms_app.services.reports import results as results_service
from tests import factories, reports_factory
from tests.factories import PASSWORD, principal_of
from tests.states import handle, is_refusal, new_tab, sub


@pytest.fixture
def two_schools(school):
    """The known school with the reports' marks, a second school with its own, and a district account."""
    reports_factory.build(school)
    with db.session(write=True) as s:
        second = factories.build_school(s, okpo="10000002", prefix="u_")
        for s_id, region in ((school.school_id, "bishkek"), (second.school_id, "bishkek")):
            row = s.get(School, s_id)
            row.region, row.rayon = region, region
            s.add(row)
        u, a, n = second.pupils_5a
        pe, po = second.pupils_6b
        q1 = second.term_ids[0]
        for class_id, pupil_id, value in (
            (second.class_5a, u, 5),
            (second.class_5a, a, 5),
            (second.class_5a, n, 4),
            (second.class_6b, pe, 5),
            (second.class_6b, po, 3),
        ):
            s.add(
                PeriodMark(
                    school_id=second.school_id,
                    pupil_id=pupil_id,
                    subject_id=second.math,
                    class_id=class_id,
                    academic_year_id=second.year_id,
                    term_id=q1,
                    kind="quarter",
                    number=1,
                    value=value,
                )
            )
        for lesson_id in second.lessons_5a_math[:2]:
            s.add(Attendance(school_id=second.school_id, lesson_id=lesson_id, pupil_id=a, code="п"))
        deputy = s.exec(select(Staff).where(Staff.school_id == second.school_id, Staff.position == "deputy")).one()
        s.add(
            TeachingAssignment(
                school_id=second.school_id, class_id=second.class_5a, subject_id=second.kyrgyz, teacher_id=deputy.id
            )
        )
        accounts.create_user(s, "raion", "director", PASSWORD, full_name="Район Башкармасы")
    return school, second


def _rows(summary):
    return {r.okpo: r for r in summary.rows}


Q2_RUNS = dt.date(2025, 11, 20)  # quarter 1 finished (the figures'), quarter 2 running


def test_each_row_holds_its_own_schools_figures_and_the_totals_are_recomputed(two_schools):
    first, second = two_schools
    with db.session() as s:
        found = district_report.summary(s, principal_of("raion"), today=Q2_RUNS)
    rows = _rows(found)
    assert set(rows) == {"10000001", "10000002"}
    one, two = rows["10000001"], rows["10000002"]
    assert (one.pupils, one.classes, one.teachers, one.missed) == (10, 4, 2, 1)
    assert (two.pupils, two.classes, two.teachers, two.missed) == (5, 2, 3, 3)
    assert (one.period.number, two.period.number) == (1, 1)
    assert (one.indicators.n, one.indicators.success, one.indicators.quality) == (8, 75.0, 50.0)
    assert (two.indicators.n, two.indicators.success, two.indicators.quality) == (5, 100.0, 80.0)
    # The very figures each school's director reads on /reports (the same service, the same tallies).
    for known, row in ((first, one), (second, two)):
        director = principal_of(f"{'t' if known is first else 'u'}_director")
        with db.session() as s:
            res = results_service.results(s, director, known.year_id, known.term_ids[0], compare=False)
        school_ind = res.indicators(res.groups[-1])
        assert (row.indicators.success, row.indicators.quality) == (school_ind.success, school_ind.quality)
    total = found.total
    assert (total.pupils, total.classes, total.teachers, total.missed) == (15, 6, 5, 4)
    # From the sums: 11 of 13 pupils passed, 8 of 13 with «4» and «5»; not the mean of 75 and 100.
    assert (total.indicators.n, total.indicators.success, total.indicators.quality) == (13, 84.6, 61.5)
    assert found.area["ky"] == "Бишкек шаары"


def test_the_figures_are_of_the_last_quarter_that_counts_marks(two_schools):
    """As the dashboard, the last finished quarter; one not closed yet (no quarter marks) gives way
    to the one before it. The second school has marks in quarter 1 only: in January (quarter 2 over,
    never closed there) its row is still quarter 1's; in October, quarter 1 running, its own."""
    for today in (Q2_RUNS, dt.date(2026, 1, 20), dt.date(2025, 10, 1)):
        with db.session() as s:
            rows = _rows(district_report.summary(s, principal_of("raion"), today=today))
        two = rows["10000002"]
        assert two.period is not None and (two.period.kind, two.period.number) == ("quarter", 1), today
        assert (two.indicators.success, two.indicators.quality) == (100.0, 80.0), today
    with db.session() as s:  # the first school's quarter 2 holds three pupils' marks: in January, those
        one = _rows(district_report.summary(s, principal_of("raion"), today=dt.date(2026, 1, 20)))["10000001"]
    assert one.period is not None and one.period.number == 2 and one.indicators.n == 3


def test_lessons_missed_is_the_attendance_reports_total(two_schools):
    from bbbms_app.models import Pupil
    from bbbms_app.services.reports.attendance import attendance, lessons_missed

    for known, director in zip(two_schools, ("t_director", "u_director"), strict=True):
        p = principal_of(director)
        with db.session() as s:
            full = attendance(s, p, known.year_id, known.term_ids[0]).total.lessons_total
            assert lessons_missed(s, p, known.year_id, known.term_ids[0]) == full > 0
    # A deleted pupil's absences leave both counts alike.
    second = two_schools[1]
    with db.session(write=True) as s:
        gone = s.get(Pupil, second.pupils_5a[1])
        gone.deleted_at = dt.datetime.now(dt.UTC)
        s.add(gone)
    p = principal_of("u_director")
    with db.session() as s:
        full = attendance(s, p, second.year_id, second.term_ids[0]).total.lessons_total
        assert lessons_missed(s, p, second.year_id, second.term_ids[0]) == full == 1


def test_only_the_district_account_reads_it(two_schools):
    for username in ("t_director", "t_deputy", "t_teacher", "u_director", "t_admin"):
        with pytest.raises(OutOfScope), db.session() as s:
            district_report.summary(s, principal_of(username))
        with pytest.raises(OutOfScope):
            district_report.reader_for(principal_of(username), 1)


async def test_the_page_shows_the_rows_and_downloads_the_same_numbers(two_schools, tmp_path, monkeypatch):
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    settings.reload()
    monkeypatch.setattr(district_report, "_today", lambda: Q2_RUNS)
    state = sub(new_tab("raion"), DistrictSummaryState)
    await state.load()
    shown = {r["okpo"]: r for r in state.rows}
    assert shown["10000001"]["success"] == "75,0" and shown["10000002"]["quality"] == "80,0"
    assert shown["10000001"]["backup"] == "көчүрмө жок" and not shown["10000001"]["backed_up"]
    assert (state.total["success"], state.total["quality"], state.total["missed"]) == ("84,6", "61,5", "4")
    assert state.total["school"] == "Район боюнча бардыгы"
    assert "Бишкек" in state.heading

    backup.run()  # a good backup now covers both schools: the column says how old it is
    await state.load()
    assert all(r["backed_up"] == "1" for r in state.rows) and state.total["backed_up"] == "1"
    assert state.rows[0]["backup"].endswith("мурун")

    text = repr(await state.download())
    assert "_download" in text and "district-" in text
    token = text.split("/admin-files/")[1][:32]
    meta = downloads.meta_of(token)
    assert meta["permission"] == "district.schools" and meta["user_id"] == principal_of("raion").user_id
    data = downloads.ticket_of(meta).path.read_bytes()
    frame = pd.read_excel(io.BytesIO(data), sheet_name="Жыйынтык")
    frame = frame[frame["Мектеп"].notna()]  # the line under the table (the heading) names no school
    assert len(frame) == len(state.rows) + 1
    for (_, sheet_row), r in zip(frame.iterrows(), [*state.rows, state.total], strict=True):
        assert sheet_row["Мектеп"] == r["school"]
        assert str(int(sheet_row["Окуучулар"])) == r["pupils"]
        assert str(int(sheet_row["Класстар"])) == r["classes"]
        assert str(int(sheet_row["Мугалимдер"])) == r["teachers"]
        assert f"{sheet_row['Үлгүрүү, %']:.1f}".replace(".", ",") == r["success"]
        assert f"{sheet_row['Билим сапаты, %']:.1f}".replace(".", ",") == r["quality"]
        assert str(int(sheet_row["Калтырылган сабактар"])) == r["missed"]
        assert sheet_row["Чейрек"] == r["term"] or (pd.isna(sheet_row["Чейрек"]) and r["term"] == "")
    assert list(frame["№"].iloc[:-1]) == [1, 2] and pd.isna(frame["№"].iloc[-1])  # the totals: no №
    assert frame["Мектеп"].iloc[-1] == "Район боюнча бардыгы"
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data))["Жыйынтык"]
    today = Q2_RUNS.strftime("%d.%m.%Y")  # the date the summary was made on
    assert "Бишкек" in ws.oddHeader.left.text and today in ws.oddHeader.left.text
    with db.session() as s:
        exported = s.exec(
            select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.entity == "district_summary")
        ).all()
    assert [e.username for e in exported] == ["raion"]


@pytest.mark.parametrize("username", ["t_director", "t_teacher", "u_director"])
async def test_a_schools_account_forging_the_events_is_refused_and_nothing_is_written(
    two_schools, username, tmp_path, monkeypatch
):
    # A data folder of this test's own: "no file written" must not see another test's downloads
    # (the process's folder is shared by every test the process runs, in any order).
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()
    state = sub(new_tab(username), DistrictSummaryState)

    def exports() -> int:
        with db.session() as s:
            return s.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")).one()

    before = exports()
    assert is_refusal(await state.load())
    assert state.rows == [] and state.total == {}
    assert is_refusal(await handle(state, "download"))
    assert state.rows == [] and exports() == before
    assert not list(downloads.folder().glob("*.json"))
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.username == username)).all()
    assert len(denied) >= 2 and all(a.reason.startswith("district.schools") for a in denied)


def test_ten_schools_give_ten_rows_and_the_pupils_of_all(school):
    """Ten schools like the reports' one (marks, absences): a row each and the pupils of all in the
    totals. (How long it takes is measured by bench/, not here: docs/performance.md.)"""
    with db.session(write=True) as s:
        for i in range(2, 11):
            factories.build_school(s, okpo=f"1000{i:04d}", prefix=f"s{i}_")
        accounts.create_user(s, "raion", "director", PASSWORD, full_name="Район")
    reports_factory.build(school)
    raion = principal_of("raion")
    with db.session() as s:
        found = district_report.summary(s, raion)
    assert len(found.rows) == 10 and found.total.pupils == 10 + 9 * 5
    assert sum(r.pupils for r in found.rows) == found.total.pupils
