"""The marking rules a school's local act sets (GradingPolicy's options, docs/grading.md), each with
expectations computed by hand, and a policy row read back from the database with its options."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy.exc import IntegrityError

from bbbms_app import db
from bbbms_app.models import GradingPolicy
from bbbms_app.services import grading
from bbbms_app.services.grading import Rules

LOCAL = Rules(**grading.local_act('{"1": 3, "2": 5, "4": 6}', 1.5, "PE, ART", True, "last", ""))


def test_the_minimum_number_of_marks_follows_the_weekly_hours() -> None:
    # 1 h/week: at least 3; 2–3 h: 5; 4 h and more: 6; the plain minimum (3) without the hours.
    assert [grading.min_marks_for(LOCAL, h) for h in (1, 1.5, 2, 3, 4, 5)] == [3, 3, 5, 5, 6, 6]
    assert grading.min_marks_for(LOCAL, None) == 3
    assert grading.min_marks_for(LOCAL, 0.5) == 3  # below the first row: the plain minimum
    four = [("class", 4)] * 4
    # Four 4s: enough at 1 h/week, «н/а» at 2 h/week (5 needed).
    assert grading.suggest_period_mark(LOCAL, four, hours=1).value == 4
    assert grading.suggest_period_mark(LOCAL, four, hours=2).special == grading.NOT_ATTESTED
    assert grading.suggest_period_mark(Rules(), four, hours=2).value == 4  # no local act: 3 is enough


def test_half_year_assessment_for_subjects_of_few_hours() -> None:
    assert [grading.assessed_by_half_year(LOCAL, h) for h in (1, 1.5, 2)] == [True, True, False]
    assert not grading.assessed_by_half_year(Rules(), 1)  # off unless the policy says


def test_pass_fail_where_the_policy_says_so() -> None:
    assert grading.period_specials(LOCAL, "PE") == ("н/а", "осв", "зач", "незач")
    assert grading.period_specials(LOCAL, "ART") == ("н/а", "осв", "зач", "незач")
    assert grading.period_specials(LOCAL, "MATH") == ("н/а", "осв")


def test_a_two_in_the_quarter_blocks_a_five() -> None:
    # 5, 5, 5, 5, 5 (control), 2: weighted (5+5+5+5+15+2)/(1+1+1+1+3+1) = 37/8 = 4.625 → 4 anyway;
    # with two control 5s: (5·4 + 15 + 15 + 2)/(4 + 3 + 3 + 1) = 52/11 = 4.727… ≥ 4.65 → 5, blocked to 4.
    marks = [("class", 5)] * 4 + [("control", 5), ("control", 5), ("class", 2)]
    assert grading.suggest_period_mark(Rules(), marks).value == 5
    blocked = grading.suggest_period_mark(LOCAL, marks, hours=4)
    assert (blocked.value, blocked.average) == (4, 4.73)
    assert grading.suggest_period_mark(LOCAL, [("class", 5)] * 6, hours=4).value == 5  # no 2: a 5


def test_year_ties_in_the_pupils_favour_or_the_last_periods_way() -> None:
    favour = Rules()
    assert grading.suggest_year_mark(favour, [(3, ""), (3, ""), (4, ""), (4, "")], 4).value == 4  # 3.5 → 4
    assert grading.suggest_year_mark(favour, [(4, ""), (4, ""), (3, ""), (3, "")], 4).value == 4
    assert grading.suggest_year_mark(LOCAL, [(3, ""), (3, ""), (4, ""), (4, "")], 4).value == 4  # last is 4
    assert grading.suggest_year_mark(LOCAL, [(4, ""), (4, ""), (3, ""), (3, "")], 4).value == 3  # last is 3
    assert grading.suggest_year_mark(LOCAL, [(5, ""), (4, "")], 2).value == 4  # half-years 5, 4: 4.5 → 4
    # No tie: plain rounding either way (3, 4, 4, 4 = 3.75 → 4; 3, 3, 3, 4 = 3.25 → 3).
    assert grading.suggest_year_mark(LOCAL, [(3, ""), (4, ""), (4, ""), (4, "")], 4).value == 4
    assert grading.suggest_year_mark(LOCAL, [(4, ""), (3, ""), (3, ""), (3, "")], 4).value == 3


def test_the_criterion_table_turns_a_percentage_into_a_mark() -> None:
    reference = Rules(scale="criterion")  # 0–39 → 2, 40–64 → 3, 65–84 → 4, 85–100 → 5
    assert [grading.mark_from_percent(reference, p) for p in (0, 39, 39.9, 40, 64, 65, 84, 85, 100)] == [
        2, 2, 2, 3, 3, 4, 4, 5, 5,
    ]  # fmt: skip
    # The first grade's table of the same reference: 0–20 → 2, 21–50 → 3, 51–80 → 4, 81–100 → 5.
    first = Rules(**grading.local_act(criterion_json="[[0, 2], [21, 3], [51, 4], [81, 5]]"))
    assert [grading.mark_from_percent(first, p) for p in (20, 21, 50, 51, 80, 81)] == [2, 3, 3, 4, 4, 5]
    with pytest.raises(ValueError):
        grading.mark_from_percent(reference, 101)
    # A malformed table (no band from 0, or marks falling) falls back to the reference one.
    for raw in ("[[10, 2], [50, 3]]", "[[0, 3], [50, 2]]", "not json", '{"0": 2}'):
        assert grading.parse_criterion_bands(raw) == grading.DEFAULT_CRITERION_BANDS, raw


def test_malformed_options_fall_back_to_the_plain_rules() -> None:
    odd = Rules(**grading.local_act('{"x": 3, "2": "five", "3": 6}', None, None, None, "sometimes", None))
    assert odd.min_marks_by_hours == ((Fraction(3), 6),)
    assert (odd.half_year_max_hours, odd.pass_fail_codes, odd.two_blocks_five, odd.year_ties) == (
        0,
        frozenset(),
        False,
        "favour",
    )


def test_a_policy_row_carries_its_options(school) -> None:
    with db.session(write=True) as s:
        s.add(
            GradingPolicy(
                school_id=school.school_id, academic_year_id=school.year_id, grade_from=6, grade_to=6,
                min_marks_by_hours='{"1": 3, "3": 6}', half_year_max_hours=1.5, pass_fail_codes="PE",
                two_blocks_five=True, year_ties="last", criterion_json="[[0, 2], [50, 3], [70, 4], [90, 5]]",
            )
        )  # fmt: skip
    with db.session() as s:
        rules = grading.rules_for(s, school.year_id, 6)
        assert rules.min_marks_by_hours == ((Fraction(1), 3), (Fraction(3), 6))
        assert (rules.half_year_max_hours, rules.pass_fail_codes) == (Fraction(3, 2), frozenset({"PE"}))
        assert (rules.two_blocks_five, rules.year_ties) == (True, "last")
        assert grading.mark_from_percent(rules, 69) == 3 and grading.mark_from_percent(rules, 90) == 5
        # The hours a class has of a subject pick the minimum number of marks (6-Б: Kyrgyz 3 h/week).
        assert grading.weekly_hours(s, school.class_6b, school.kyrgyz) == 3
        assert grading.min_marks_for(rules, grading.weekly_hours(s, school.class_6b, school.kyrgyz)) == 6
        assert grading.weekly_hours(s, school.class_5a, school.kyrgyz) is None  # not taught there
    # An unknown tie rule is refused by the database too.
    with pytest.raises(IntegrityError, match=r"(?i)check|constraint"), db.session(write=True) as s:
        s.add(
            GradingPolicy(
                school_id=school.school_id, academic_year_id=school.year_id, grade_from=7, grade_to=7, year_ties="coin"
            )
        )
