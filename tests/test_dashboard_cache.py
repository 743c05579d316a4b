"""The dashboard's per-term cache (services/reports/dashboard.py): a second opening recounts
nothing; a period mark saved through the journal's own path, a cleared mark and a pupil who
leaves each make the next opening recount and show the new figure; the scope is still checked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Enrollment, PeriodMark
from bbbms_app.services.journal import OutOfScope
from bbbms_app.services.journal.periods import set_period_mark
from bbbms_app.services.reports import dashboard as dashboard_service
from bbbms_app.services.reports import results as results_service
from tests import reports_factory
from tests.factories import principal_of

TODAY = date(2026, 1, 5)  # quarters 1 and 2 are over: the figures are quarter 2's, quarter 1 beside


@pytest.fixture
def counted(school, monkeypatch):
    """The school of reports_factory, an empty cache, and a count of the terms actually recounted."""
    reports_factory.build(school)
    dashboard_service.CACHE.clear()
    calls: list[int] = []
    real = results_service._figures

    def figures(session, school_row, period, classes, *, with_lists):
        calls.append(period.number)
        return real(session, school_row, period, classes, with_lists=with_lists)

    monkeypatch.setattr(results_service, "_figures", figures)
    yield calls
    dashboard_service.CACHE.clear()


def board(who: str, school):
    with db.session() as s:
        return dashboard_service.dashboard(s, principal_of(who), school.year_id, today=TODAY)


def q2_mark(school, pupil_id: int) -> PeriodMark:
    with db.session() as s:
        return s.exec(
            select(PeriodMark).where(
                PeriodMark.pupil_id == pupil_id, PeriodMark.kind == "quarter", PeriodMark.number == 2
            )
        ).one()


def test_a_saved_mark_is_read_at_the_next_opening(school, counted):
    first = board("t_director", school)
    assert first.figures["sou"] == 78.7 and counted == [2, 1]  # quarter 2 with quarter 1 beside it
    again = board("t_director", school)
    assert again.figures == first.figures and counted == [2, 1]  # nothing recounted
    assert [r["sou"] for r in again.trend_rates] == [57.8, 78.7]

    # Өмүрбекова (teacher of 5-А maths) changes Үсөнов's quarter-2 mark 5 → 4, with a reason.
    usonov = school.pupils_5a[0]
    with db.session(write=True) as s:
        set_period_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[1], usonov,
            value=4, reason="Бааны кайра карады", expected_version=q2_mark(school, usonov).version,
        )  # fmt: skip
    changed = board("t_director", school)
    assert changed.figures["sou"] == 66.7 and counted == [2, 1, 2, 1]  # (64 + 100 + 36) ÷ 3
    assert [r["sou"] for r in changed.trend_rates] == [57.8, 66.7]

    # The mark cleared (the row deleted): recounted again.
    with db.session(write=True) as s:
        set_period_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[1], usonov,
            value=None, reason="Ката коюлган", expected_version=q2_mark(school, usonov).version,
        )  # fmt: skip
    assert board("t_director", school).figures["sou"] == 68.0 and len(counted) == 6  # (100 + 36) ÷ 2


def test_a_pupil_who_leaves_and_the_scope(school, counted):
    before = board("t_deputy", school).figures["sou"]
    recounts = len(counted)
    # Ңаматов (5-А, quarter 2 maths 3) leaves on 10.12.2025, before the quarter's end: out of its figures.
    with db.session(write=True) as s:
        row = s.exec(select(Enrollment).where(Enrollment.pupil_id == school.pupils_5a[2])).one()
        row.ends_on = date(2025, 12, 10)
        s.add(row)
    after = board("t_deputy", school)
    assert (before, after.figures["sou"]) == (78.7, 100.0) and len(counted) > recounts
    # The class teacher's own figures are kept apart from the school's, and a teacher is still refused.
    assert [g["grade"] for g in board("t_classteacher", school).by_grade] == [5]
    with pytest.raises(OutOfScope):
        board("t_teacher", school)


@pytest.mark.parametrize("today", [date(2025, 9, 10), date(2025, 11, 6), date(2026, 1, 5)])
def test_the_teacher_figures_are_the_teacher_reports(school, today):
    """The dashboard counts its three teacher figures itself: the same as the whole teacher report's."""
    from bbbms_app.models import Lesson
    from bbbms_app.services.reports import teachers

    with db.session(write=True) as s:  # a topic of spaces and newlines is blank in both
        lesson = s.get(Lesson, school.lessons_5a_math[1])
        lesson.topic = " \n "  # type: ignore[union-attr]
        s.add(lesson)
    who = principal_of("t_director")
    seen: dict[int, dict[str, int]] = {}
    with db.session() as s:
        for term_id in school.term_ids[:2]:
            rep = teachers.teacher_report(s, who, school.year_id, term_id, today=today)
            expected = {
                "no_topic": sum(t.no_topic for t in rep.teachers),
                "no_homework": sum(t.no_homework for t in rep.teachers),
                "late": sum(len(t.late) for t in rep.teachers),
            }
            assert dashboard_service.teacher_figures(s, who, school.year_id, term_id, today) == expected
            seen[term_id] = expected
    assert seen[school.term_ids[0]]["no_topic"] == 1  # the lesson of spaces and a newline: something is compared
