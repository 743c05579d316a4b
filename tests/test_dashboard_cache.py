"""The dashboard's per-term cache (services/reports/dashboard.py): a second opening recounts
nothing; a period mark saved through the journal's own path, a cleared mark and a pupil who
leaves each make the next opening recount and show the new figure; the scope is still checked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import Enrollment, GradingPolicy, PeriodMark
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


def test_the_cache_keeps_the_named_lists_to_who_may_read_them(school, counted):
    """The director (export.personal) and a deputy (without) read the same school: the cached results
    of the one who may see the lists are never handed to the other."""
    with db.session() as s:
        named = dashboard_service.cached_results(s, principal_of("t_director"), school.year_id, school.term_ids[1])
        bare = dashboard_service.cached_results(s, principal_of("t_deputy"), school.year_id, school.term_ids[1])
    assert named.named and any(named.lists.values())
    assert not bare.named and bare.lists == {}
    # The cache holds figures, not the marks the report read (Results.counted: by_teacher's).
    assert named.marks and named.counted == [] and bare.counted == []


def test_a_policy_saved_through_the_admin_engine_makes_the_next_opening_recount(school, monkeypatch):
    """7-А's music (1 h/week) has quarter-2 marks 5 and 3 and half-year-1 marks 4 and 4. With the
    policy's `half_year_max_hours` at 0 quarter 2 counts the quarter's: СОУ (100 + 36) ÷ 2 = 68.0,
    quality 50 %. The deputy sets it to 1.5 in the admin engine's save path: the next opening counts
    the half-year's, СОУ (64 + 64) ÷ 2 = 64.0, quality 100 % — nothing else changed."""
    from bbbms_app.services.engine import writes
    from bbbms_app.services.engine.registry import ENTITIES
    from tests.test_half_year_subjects import add_seventh_class

    with db.session(write=True) as s:
        seventh = add_seventh_class(s, school, max_hours=0)
        a, j = seventh.pupils
        for kind, number, values in (("quarter", 2, (5, 3)), ("half_year", 1, (4, 4))):
            for pupil, value in zip((a, j), values, strict=True):
                s.add(
                    PeriodMark(
                        school_id=school.school_id, pupil_id=pupil, subject_id=seventh.music,
                        class_id=seventh.class_7a, academic_year_id=school.year_id, term_id=school.term_ids[1],
                        kind=kind, number=number, value=value,
                    )  # type: ignore[arg-type]
                )  # fmt: skip
    dashboard_service.CACHE.clear()
    calls: list[int] = []
    real = results_service._figures

    def figures(session, school_row, period, classes, *, with_lists):
        calls.append(period.number)
        return real(session, school_row, period, classes, with_lists=with_lists)

    monkeypatch.setattr(results_service, "_figures", figures)

    def q2(sou: float, quality: float) -> None:
        with db.session() as s:
            res = dashboard_service.cached_results(s, principal_of("t_director"), school.year_id, school.term_ids[1])
        seven = next(g for g in res.groups if g.kind == "class" and g.label == "7-А")
        music = res.indicators(seven, seventh.music)
        assert (music.n, music.sou, music.quality) == (2, sou, quality)

    q2(68.0, 50.0)
    q2(68.0, 50.0)
    assert calls == [2, 1]  # quarter 2 with quarter 1 beside it, once: the second opening read the cache
    deputy = principal_of("t_deputy")
    with db.session(write=True) as s:
        policy = s.exec(select(GradingPolicy).where(GradingPolicy.academic_year_id == school.year_id)).one()
        writes.update_values(
            s, ENTITIES.get("grading_policy"), deputy, policy.id, {"half_year_max_hours": 1.5}, policy.version
        )
    q2(64.0, 100.0)
    assert calls == [2, 1, 2, 1]
    dashboard_service.CACHE.clear()


def test_the_marks_entered_late_are_kept_until_a_mark_or_a_lesson_changes(school, monkeypatch):
    """The dashboard keeps the count of marks entered late (`LATE_CACHE`): the next opening with nothing
    changed does not recount it; a mark written now on a lesson of September (late by months) through
    the journal's own save is counted at the next opening, and gone again once cleared; a topic cleared
    is read at every opening (the lessons without a topic are not kept)."""
    from bbbms_app.models import Lesson
    from bbbms_app.services import journal
    from bbbms_app.services.reports import teachers

    dashboard_service.LATE_CACHE.clear()
    counted: list[int] = []
    real = teachers._late_marks

    def late_marks(*args, **kwargs):
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(teachers, "_late_marks", late_marks)
    today, q1 = date(2025, 11, 6), school.term_ids[0]  # quarter 1 is over: its figures up to 04.11

    def figures() -> dict[str, int]:
        with db.session() as s:
            return dashboard_service.teacher_figures(s, principal_of("t_director"), school.year_id, q1, today)

    first = figures()
    assert figures() == first and len(counted) == 1  # kept

    lesson, pupil = school.lessons_5a_math[0], school.pupils_5a[2]
    with db.session(write=True) as s:
        cell = journal.load_cell(s, lesson, pupil)
        journal.save_cell(
            s, principal_of("t_classteacher", s), lesson, pupil, journal.CellChange("class", 5), cell.token(),
            reason="Кечигип коюлду",
        )  # fmt: skip
    written = figures()
    assert written == {**first, "late": first["late"] + 1} and len(counted) == 2
    assert figures() == written and len(counted) == 2

    with db.session(write=True) as s:  # the topic cleared: read at once, the late marks still kept
        homework = s.get(Lesson, lesson).homework  # type: ignore[union-attr]
        journal.set_lesson_text(s, principal_of("t_classteacher", s), lesson, "", homework, reason="Тема жок")
    cleared = figures()
    assert cleared == {**written, "no_topic": written["no_topic"] + 1} and len(counted) == 2

    with db.session(write=True) as s:  # the late mark cleared (its row deleted): recounted
        cell = journal.load_cell(s, lesson, pupil)
        journal.save_cell(
            s, principal_of("t_classteacher", s), lesson, pupil, journal.CellChange("class", None), cell.token(),
            reason="Ката",
        )  # fmt: skip
    assert figures() == {**cleared, "late": first["late"]} and len(counted) == 3
    dashboard_service.LATE_CACHE.clear()
