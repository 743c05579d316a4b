"""Period and year mark suggestions and the indicators, against the formulas of mission.md §2.3 and §2.7."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bbbms_app.models import GradingPolicy
from bbbms_app.services import grading
from bbbms_app.services.grading import EXEMPT, NOT_ATTESTED, Rules

FIVE = Rules()  # 4.65 / 3.65 / 2.65, min 3 marks, weights class 1, home 1, test 2, control 3


def marks(*values: int, kind: str = "class") -> list[tuple[str, int]]:
    return [(kind, v) for v in values]


@pytest.mark.parametrize(
    "values,expected,average",
    [
        ((5, 5, 4), 5, 4.67),  # 14/3 = 4.666… ≥ 4.65: the case teachers ask about
        ((5, 5, 5, 4), 5, 4.75),
        ((4, 4, 4), 4, 4.0),
        ((3, 4, 4), 4, 3.67),  # 11/3 = 3.666… ≥ 3.65
        ((3, 3, 4), 3, 3.33),
        ((2, 3, 3), 3, 2.67),  # 8/3 = 2.666… ≥ 2.65
        ((2, 2, 3), 2, 2.33),
    ],
)
def test_plain_average_against_the_thresholds(values, expected, average):
    s = grading.suggest_period_mark(FIVE, marks(*values))
    assert s.value == expected
    assert s.average == pytest.approx(average, abs=0.005)
    assert s.count == len(values)


def test_threshold_is_compared_exactly_not_in_floating_point():
    # 93/20 = 4.65 exactly; as floats the sum of weights can land on 4.6499999.
    twenty = marks(*([5] * 13 + [4] * 7))
    assert grading.weighted_average(FIVE, twenty)[0] == Fraction(93, 20)
    assert grading.suggest_period_mark(FIVE, twenty).value == 5
    strict = Rules(threshold_5=Fraction("4.7"))
    assert grading.suggest_period_mark(strict, twenty).value == 4


def test_weighted_average_uses_the_policy_weights():
    # The example of §2.3: test 5, class work 3, homework 1 → (5·5 + 3·4 + 1·4) / 9 = 4.56 → 4.
    rules = Rules(weights={"test": Fraction(5), "class": Fraction(3), "home": Fraction(1), "control": Fraction(3)})
    s = grading.suggest_period_mark(rules, [("test", 5), ("class", 4), ("home", 4)])
    assert s.average == 4.56 and s.value == 4
    # Default weights: a control work 2 (weight 3) pulls 5, 5 down: (5 + 5 + 3·2) / 5 = 3.2 → 3.
    s = grading.suggest_period_mark(FIVE, [("class", 5), ("class", 5), ("control", 2)])
    assert s.average == 3.2 and s.value == 3


def test_a_kind_with_weight_zero_does_not_count():
    rules = Rules(weights={"class": Fraction(1), "home": Fraction(0), "test": Fraction(2), "control": Fraction(3)})
    s = grading.suggest_period_mark(rules, [("class", 5), ("class", 5), ("class", 5), ("home", 2)])
    assert s.value == 5 and s.count == 3


def test_too_few_marks_give_not_attested_with_the_average_shown():
    s = grading.suggest_period_mark(FIVE, marks(5, 4))
    assert s.value is None and s.special == NOT_ATTESTED and s.text == "н/а"
    assert s.average == 4.5 and s.count == 2
    assert grading.suggest_period_mark(FIVE, []).special == NOT_ATTESTED
    # Two marks are enough where the policy asks for two.
    assert grading.suggest_period_mark(Rules(min_marks=2), marks(5, 4)).value == 4


def test_exempt_and_no_marks_scale():
    assert grading.suggest_period_mark(FIVE, marks(5, 5, 5), exempt=True).special == EXEMPT
    none = grading.suggest_period_mark(grading.NO_MARKS, marks(5, 5, 5))
    assert none.value is None and none.special == "" and none.text == ""
    assert not grading.NO_MARKS.allows(5)


def test_scale_range():
    assert FIVE.allows(2) and FIVE.allows(5)
    assert not FIVE.allows(1) and not FIVE.allows(6)
    ten = Rules(scale="points", min_value=1, max_value=10)
    assert ten.allows(10)
    # Off the five-point scale the average is rounded half up and clamped.
    assert grading.suggest_period_mark(ten, marks(7, 8, 8, 7)).value == 8  # 7.5 → 8
    assert grading.suggest_period_mark(ten, marks(7, 7, 8)).value == 7


def test_year_mark_from_period_marks():
    four = 4
    assert grading.suggest_year_mark(FIVE, [(5, ""), (5, ""), (5, ""), (4, "")], four).value == 5  # 4.75
    # A tie goes the pupil's way: 3, 3, 4, 4 → 3.5 → 4.
    assert grading.suggest_year_mark(FIVE, [(3, ""), (3, ""), (4, ""), (4, "")], four).value == 4
    assert grading.suggest_year_mark(FIVE, [(3, ""), (3, ""), (3, ""), (4, "")], four).value == 3  # 3.25
    # Not every quarter has its mark yet: nothing to suggest.
    assert grading.suggest_year_mark(FIVE, [(5, ""), (5, "")], four) == grading.Suggestion()
    assert grading.suggest_year_mark(FIVE, [(5, ""), (None, NOT_ATTESTED), (4, ""), (4, "")], four).special == (
        NOT_ATTESTED
    )
    assert grading.suggest_year_mark(FIVE, [(None, EXEMPT)] * 4, four).special == EXEMPT
    # Exempt for part of the year: the year mark comes from the other periods.
    assert grading.suggest_year_mark(FIVE, [(None, EXEMPT), (None, EXEMPT), (5, ""), (4, "")], four).value == 5
    assert grading.suggest_year_mark(grading.NO_MARKS, [(5, "")] * 4, four) == grading.Suggestion()


def test_policy_row_is_read_and_bad_weights_fall_back():
    policy = GradingPolicy(
        school_id=1,
        academic_year_id=1,
        grade_from=2,
        grade_to=11,
        threshold_5=4.5,
        min_marks=5,
        weights_json='{"test": 4, "home": -1, "bogus": 9, "control": true}',
    )
    rules = grading.rules_of(policy)
    assert rules.threshold_5 == Fraction("4.5") and rules.min_marks == 5
    assert rules.weights == {"class": 1, "home": 1, "test": 4, "control": 3}
    policy.weights_json = "not json"
    assert grading.rules_of(policy).weights == grading.DEFAULT_WEIGHTS
    assert grading.rules_of(None) == Rules()


def test_indicators_follow_the_formulas():
    # 10 pupils: four 5s, three 4s, two 3s, one 2; one «н/а»; one exempt and one without marks stay out.
    outcomes = [5] * 4 + [4] * 3 + [3] * 2 + [2] + [NOT_ATTESTED, EXEMPT, None]
    ind = grading.indicators(outcomes, [5, 4, 3])
    assert ind.n == 11
    assert (ind.n5, ind.n4, ind.n3, ind.n2, ind.n_na) == (4, 3, 2, 1, 1)
    assert ind.success == round(9 * 100 / 11, 1)  # 81.8
    assert ind.quality == round(7 * 100 / 11, 1)  # 63.6
    assert ind.sou == round((400 + 192 + 72 + 16 + 7) / 11, 1)  # 62.5
    assert ind.average == 4.0
    empty = grading.indicators([EXEMPT, None])
    assert empty.n == 0 and empty.success is None and empty.sou is None


def test_pupil_outcome_over_all_subjects():
    assert grading.pupil_outcome([(5, ""), (5, ""), (None, EXEMPT)]) == 5
    assert grading.pupil_outcome([(5, ""), (4, "")]) == 4
    assert grading.pupil_outcome([(5, ""), (None, NOT_ATTESTED)]) == NOT_ATTESTED
    assert grading.pupil_outcome([(2, ""), (None, NOT_ATTESTED)]) == 2
    assert grading.pupil_outcome([(None, EXEMPT)]) is None
