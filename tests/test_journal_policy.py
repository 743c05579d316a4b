"""Issue 13: the journal's period-mark suggestions follow the school's local act — the minimum
number of marks by the subject's weekly hours, «зач» / «незач» for the subjects the policy lists,
«a 2 blocks a 5» — on the grid, after a cell's save, when the mark is set, and on the summary.

Expectations are computed by hand in each test (weights: class 1, home 1, test 2, control 3;
thresholds 4.65 / 3.65 / 2.65)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import GradingPolicy, Mark, TeachingAssignment
from bbbms_app.services import grading, journal, reports
from bbbms_app.services.journal import CellChange, JournalError
from tests.factories import principal_of
from tests.journal_factories import add_journal_data
from tests.test_journal import cell_token, save


def _policy(**options) -> None:
    with db.session(write=True) as s:
        policy = s.exec(select(GradingPolicy).where(GradingPolicy.grade_from <= 5, GradingPolicy.grade_to >= 5)).one()
        for name, value in options.items():
            setattr(policy, name, value)
        s.add(policy)
    grading.rules_of_values.cache_clear()


def _hours(school, hours: float) -> None:
    with db.session(write=True) as s:
        row = s.exec(
            select(TeachingAssignment).where(
                TeachingAssignment.class_id == school.class_5a, TeachingAssignment.subject_id == school.math
            )
        ).one()
        row.hours_per_week = hours
        s.add(row)


def _suggested(school, pupil: int) -> str:
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
        return g.period[pupil].suggestion.text


def test_the_minimum_number_of_marks_follows_the_weekly_hours(school):
    first = school.pupils_5a[0]  # marks 5 and 4 in the first quarter: (5 + 4) / 2 = 4.5 → 4
    assert _suggested(school, first) == grading.NOT_ATTESTED  # the plain minimum: 3 marks
    # The local act: 2 marks are enough from 4 hours a week, 3 below (maths in 5-А: 5 hours).
    _policy(min_marks_by_hours='{"1": 3, "4": 2}')
    assert _suggested(school, first) == "4"
    _hours(school, 1)
    assert _suggested(school, first) == grading.NOT_ATTESTED
    # The save path computes the same suggestion as the grid: a third mark at 1 h/week.
    with db.session() as s:
        lesson = add_journal_data(s, school).lessons_5a_q1[3]
    saved = save("t_classteacher", lesson, first, CellChange("class", 5), cell_token(school, first, lesson))
    assert saved.suggestion is not None and saved.suggestion.text == "5"  # (5 + 4 + 5) / 3 = 4.67 ≥ 4.65
    _hours(school, 5)
    # Setting the period mark: the suggestion it is compared with is the same, no reason needed.
    with journal.write_session() as s:
        journal.set_period_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0], first, value=5,
            expected_version=0,
        )  # fmt: skip


def test_a_two_in_the_quarter_blocks_a_five_where_the_local_act_says_so(school):
    first = school.pupils_5a[0]
    with db.session() as s:
        lessons = add_journal_data(s, school).lessons_5a_q1
    with db.session(write=True) as s:
        # A control 5 (weight 3) and a class 2 (weight 1) beside the 5 and the 4 already there:
        # (5 + 4 + 3·5 + 2) / 6 = 26 / 6 = 4.33 → 4; two control 5s more: (26 + 30) / 12 = 4.67 → 5.
        for lesson, kind, value in ((3, "control", 5), (4, "class", 2), (4, "control", 5), (0, "control", 5)):
            mark = Mark(school_id=school.school_id, lesson_id=lessons[lesson], pupil_id=first, kind=kind, value=value)
            s.add(mark)
    assert _suggested(school, first) == "5"
    _policy(two_blocks_five=True)
    assert _suggested(school, first) == "4"
    with journal.write_session() as s, pytest.raises(JournalError) as refused:
        journal.set_period_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0], first, value=5,
            expected_version=0,
        )  # fmt: skip
    assert refused.value.key == "journal.error.override_reason"


def test_pass_fail_subjects_are_suggested_and_offered_zach(school):
    first, second = school.pupils_5a[0], school.pupils_5a[1]
    _policy(pass_fail_codes="MATH", min_marks_by_hours='{"0": 1}')
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
        assert g.specials == (grading.NOT_ATTESTED, grading.EXEMPT, grading.PASSED, grading.FAILED)
        assert g.period[first].suggestion.text == grading.PASSED  # 4.5 → 4 → «зач»
        assert g.period[second].suggestion.text == grading.PASSED  # one 3
        other = journal.grid(s, principal_of("t_teacher"), school.class_6b, school.kyrgyz, school.term_ids[0])
        assert other.specials == (grading.NOT_ATTESTED, grading.EXEMPT)
    with journal.write_session() as s:
        journal.set_period_mark(
            s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0], first,
            value=None, special=grading.PASSED, expected_version=0,
        )  # fmt: skip
    # Kyrgyz in 6-Б is not on the policy's list: «зач» is no mark there.
    with journal.write_session() as s, pytest.raises(JournalError) as refused:
        journal.set_period_mark(
            s, principal_of("t_teacher"), school.class_6b, school.kyrgyz, school.term_ids[0], school.pupils_6b[0],
            value=None, special=grading.PASSED, reason="Текшерүү", expected_version=0,
        )  # fmt: skip
    assert refused.value.key == "journal.error.period_value"


def test_the_year_of_pass_fail_periods():
    rules = grading.Rules(pass_fail_codes=frozenset({"PE"}))
    passed, failed, exempt = (None, grading.PASSED), (None, grading.FAILED), (None, grading.EXEMPT)
    assert grading.suggest_year_mark(rules, [passed, passed, exempt, passed], 4).text == grading.PASSED
    assert grading.suggest_year_mark(rules, [passed, failed, passed, passed], 4).text == grading.FAILED
    assert grading.suggest_year_mark(rules, [exempt] * 4, 4).text == grading.EXEMPT
    # A failed quarter («незач» = 2 in the quarter) on marks: 2.0 → «незач».
    assert grading.suggest_period_mark(rules, [("class", 2), ("class", 2), ("class", 3)], subject_code="PE").text == (
        grading.FAILED
    )


def test_the_summary_suggests_with_the_weekly_hours(school):
    _policy(min_marks_by_hours='{"4": 2}')
    with db.session() as s:
        summary = reports.summary(
            s, principal_of("t_deputy"), school.class_5a, school.term_ids[0], with_suggestions=True
        )
    first = next(r for r in summary.rows if r.pupil_id == school.pupils_5a[0])
    assert first.marks[school.math] == (4, "") and school.math in first.suggested


async def test_the_period_dialog_offers_zach_where_the_policy_says_so(school):
    from tests.test_journal_handlers import opened

    state = await opened("t_classteacher")  # 5-А maths
    assert state.period_choices == ["5", "4", "3", "2", "н/а", "осв"]
    _policy(pass_fail_codes="MATH")
    state = await opened("t_classteacher")
    assert state.period_choices == ["5", "4", "3", "2", "н/а", "осв", "зач", "незач"]
