"""Period and year marks suggested by a class's grading policy, and the school's indicators.

The rules are the ones of research/mission.md §2.3 and §2.7, made configurable by GradingPolicy:

- a period (quarter / half-year) mark is the weighted average of the current marks,
  `Σ(wᵢ·mᵢ) / Σwᵢ`, with the weight of each mark kind from `weights_json`; on the five-point
  scale it becomes 5 from `threshold_5`, 4 from `threshold_4`, 3 from `threshold_3`, else 2;
- fewer marks than `min_marks` give «н/а» (not attested); an exempt pupil gets «осв»;
- the "none" scale (grade 1) has no marks at all, hence no suggestion;
- the year mark is the mean of the period marks, rounded half up (a tie such as 3, 3, 4, 4 goes
  the pupil's way); «н/а» in a period makes it «н/а»; all periods exempt make it «осв»;
- the indicators: успеваемость, качество, СОУ (Simonov) and the average mark.

What a school's local act adds (GradingPolicy's options, docs/grading.md):

- the minimum number of marks by the subject's weekly hours (`min_marks_for`), e.g. 3 at 1 h/week;
- half-year assessment for subjects of few hours (`assessed_by_half_year`, usually ≤ 1.5 h/week);
- the senior grades (10–11) are assessed by half-year, the others by quarter, but for a subject of
  few hours (the policy's `half_year_max_hours`): ONE rule, `assessment(grade, rules, hours)` (from
  the database `subject_assessment`, for many classes `half_year_subjects`) and `year_periods(...)` /
  `period_of_term(...)`, read by the journal, the close check, the reports and the families' pages
  (docs/grading.md);
- «зач» / «незач» instead of a mark for the subjects the policy lists (`period_specials`);
- «a 2 in the period blocks a 5» (`two_blocks_five`);
- a year mean exactly between two marks goes the pupil's way or the last period's way (`year_ties`);
- criterion-based assessment: a table from a percentage to a mark (`mark_from_percent`).

Everything here is a pure function of plain values except `policy_for_class`, the loader.
Averages are compared with thresholds as exact fractions: 93/20 is 4.65, not 4.6499….
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache

from sqlalchemy import bindparam
from sqlmodel import Session, select

from bbbms_app.models import GradingPolicy, SchoolClass, TeachingAssignment
from bbbms_app.models.journal import MARK_KINDS

NOT_ATTESTED = "н/а"
EXEMPT = "осв"
PASSED = "зач"
FAILED = "незач"
YEAR_TIES = ("favour", "last")
# The reference criterion table (research/mission.md §2.2): lowest percentage -> mark.
DEFAULT_CRITERION_BANDS: tuple[tuple[int, int], ...] = ((0, 2), (40, 3), (65, 4), (85, 5))
DEFAULT_WEIGHTS: dict[str, Fraction] = {
    "class": Fraction(1),
    "home": Fraction(1),
    "test": Fraction(2),
    "control": Fraction(3),
}
MAX_WEIGHT = 100


@dataclass(frozen=True)
class Rules:
    """A GradingPolicy read into plain values: what the pure functions below need."""

    scale: str = "five_point"
    min_value: int = 2
    max_value: int = 5
    threshold_5: Fraction = Fraction("4.65")
    threshold_4: Fraction = Fraction("3.65")
    threshold_3: Fraction = Fraction("2.65")
    min_marks: int = 3
    weights: dict[str, Fraction] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # The local act's options (all off by default: today's behaviour).
    min_marks_by_hours: tuple[tuple[Fraction, int], ...] = ()  # (weekly hours from, minimum marks), ascending
    half_year_max_hours: Fraction = Fraction(0)
    pass_fail_codes: frozenset[str] = frozenset()
    two_blocks_five: bool = False
    year_ties: str = "favour"
    criterion_bands: tuple[tuple[int, int], ...] = DEFAULT_CRITERION_BANDS

    @property
    def has_marks(self) -> bool:
        return self.scale != "none"

    def allows(self, value: int) -> bool:
        """Whether a current mark of `value` exists on this scale."""
        return self.has_marks and self.min_value <= value <= self.max_value

    @cached_property
    def integer_weights(self) -> dict[str, int]:
        """The weights scaled to integers (1.5 and 1 → 3 and 2): sums stay exact without Fraction arithmetic."""
        scale = math.lcm(*(w.denominator for w in self.weights.values())) if self.weights else 1
        return {kind: int(w * scale) for kind, w in self.weights.items()}


NO_MARKS = Rules(scale="none", min_marks=0)


@dataclass(frozen=True)
class Suggestion:
    """A suggested period or year mark: a number, or a special mark («н/а», «осв»), or nothing."""

    value: int | None = None
    special: str = ""
    average: float | None = None
    count: int = 0

    @property
    def text(self) -> str:
        if self.value is not None:
            return str(self.value)
        return self.special


def parse_weights(raw: str | None) -> dict[str, Fraction]:
    """Mark kind -> weight from a policy's JSON; anything malformed falls back to the defaults.

    Weights are decimals between 0 and MAX_WEIGHT; a kind the policy leaves out keeps its default.
    """
    weights = dict(DEFAULT_WEIGHTS)
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return weights
    if not isinstance(data, dict):
        return weights
    for kind, value in data.items():
        if kind not in MARK_KINDS or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        weight = Fraction(str(value))
        if 0 <= weight <= MAX_WEIGHT:
            weights[kind] = weight
    return weights


def rules_of(policy: GradingPolicy | None) -> Rules:
    """The Rules of a policy row; a class without a policy gets the common five-point defaults."""
    if policy is None:
        return Rules()
    return Rules(
        scale=policy.scale,
        min_value=policy.min_value,
        max_value=policy.max_value,
        threshold_5=Fraction(str(policy.threshold_5)),
        threshold_4=Fraction(str(policy.threshold_4)),
        threshold_3=Fraction(str(policy.threshold_3)),
        min_marks=max(0, policy.min_marks),
        weights=parse_weights(policy.weights_json),
        **local_act(
            policy.min_marks_by_hours,
            policy.half_year_max_hours,
            policy.pass_fail_codes,
            policy.two_blocks_five,
            policy.year_ties,
            policy.criterion_json,
        ),
    )


def parse_min_marks_by_hours(raw: str | None) -> tuple[tuple[Fraction, int], ...]:
    """{"1": 3, "2": 5} -> ((1, 3), (2, 5)); anything malformed is left out (the plain minimum applies)."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return ()
    if not isinstance(data, dict):
        return ()
    out = []
    for hours, marks in data.items():
        try:
            h = Fraction(str(hours))
        except (ValueError, ZeroDivisionError):
            continue
        if isinstance(marks, int) and not isinstance(marks, bool) and 0 <= marks <= 50 and h >= 0:
            out.append((h, marks))
    return tuple(sorted(out))


def parse_criterion_bands(raw: str | None) -> tuple[tuple[int, int], ...]:
    """[[0, 2], [40, 3], [65, 4], [85, 5]] -> bands sorted by their lowest percentage; the reference
    table when empty or malformed (bands must start at 0 and give rising marks)."""
    return strict_criterion_bands(raw or "[]") or DEFAULT_CRITERION_BANDS


def strict_criterion_bands(raw: str) -> tuple[tuple[int, int], ...] | None:
    """The bands of a well-formed criterion table, None when anything in it is malformed (the
    policy form names the field instead of falling back to the reference table)."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, list):
        return None
    bands = []
    for item in data:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in item)
            or not 0 <= item[0] <= 100
        ):
            return None
        bands.append((item[0], item[1]))
    bands.sort()
    marks = [m for _p, m in bands]
    if not bands or bands[0][0] != 0 or marks != sorted(marks) or len({p for p, _m in bands}) != len(bands):
        return None
    return tuple(bands)


def strict_min_marks_by_hours(raw: str) -> tuple[tuple[Fraction, int], ...] | None:
    """A local act's table of minimum marks by weekly hours, None when any entry is malformed
    (`parse_min_marks_by_hours` leaves such entries out; the policy form refuses them)."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not data:
        return None
    table = parse_min_marks_by_hours(raw)
    return table if len(table) == len(data) else None


def local_act(
    min_marks_by_hours: str | None = "",
    half_year_max_hours: float | None = 0,
    pass_fail_codes: str | None = "",
    two_blocks_five: bool | None = False,
    year_ties: str | None = "favour",
    criterion_json: str | None = "",
) -> dict:
    """The Rules fields of a policy's local-act options, from the stored values."""
    return {
        "min_marks_by_hours": parse_min_marks_by_hours(min_marks_by_hours),
        "half_year_max_hours": Fraction(str(half_year_max_hours or 0)),
        "pass_fail_codes": frozenset(c.strip() for c in (pass_fail_codes or "").split(",") if c.strip()),
        "two_blocks_five": bool(two_blocks_five),
        "year_ties": year_ties if year_ties in YEAR_TIES else "favour",
        "criterion_bands": parse_criterion_bands(criterion_json),
    }


_POLICY = (
    select(
        GradingPolicy.scale, GradingPolicy.min_value, GradingPolicy.max_value, GradingPolicy.threshold_5,
        GradingPolicy.threshold_4, GradingPolicy.threshold_3, GradingPolicy.min_marks, GradingPolicy.weights_json,
        GradingPolicy.min_marks_by_hours, GradingPolicy.half_year_max_hours, GradingPolicy.pass_fail_codes,
        GradingPolicy.two_blocks_five, GradingPolicy.year_ties, GradingPolicy.criterion_json,
    )
    .where(
        GradingPolicy.academic_year_id == bindparam("year_id"),
        GradingPolicy.grade_from <= bindparam("grade"),
        GradingPolicy.grade_to >= bindparam("grade"),
    )
    .order_by(GradingPolicy.grade_to - GradingPolicy.grade_from, GradingPolicy.id)  # the narrowest range wins
    .limit(1)
)  # fmt: skip


def rules_for(session: Session, year_id: int, grade: int) -> Rules:
    """The grading rules of a grade in a year: the policy covering the grade, else the five-point defaults."""
    row = session.connection().execute(_POLICY, {"year_id": year_id, "grade": grade}).first()
    if row is None:
        return Rules()
    return rules_of_values(*row)


@lru_cache(maxsize=256)
def rules_of_values(
    scale: str,
    low: int,
    high: int,
    t5: float,
    t4: float,
    t3: float,
    min_marks: int,
    weights: str,
    *options: object,
) -> Rules:
    """Rules from a policy row's values, then its local-act options in `local_act`'s order (cached:
    a school has a handful of distinct policies)."""
    return Rules(
        scale=scale,
        min_value=low,
        max_value=high,
        threshold_5=Fraction(str(t5)),
        threshold_4=Fraction(str(t4)),
        threshold_3=Fraction(str(t3)),
        min_marks=max(0, min_marks),
        weights=parse_weights(weights),
        **local_act(*options),  # type: ignore[arg-type]
    )


def policy_for_class(session: Session, class_id: int) -> Rules:
    """The grading rules of a class: the policy of its year covering its grade."""
    cls = session.get(SchoolClass, class_id)
    if cls is None:
        return Rules()
    return rules_for(session, cls.academic_year_id, cls.grade)


def weekly_hours(session: Session, class_id: int, subject_id: int) -> float | None:
    """A subject's weekly hours in a class (its assignments' largest; groups meet at once), or None."""
    hours = session.exec(
        select(TeachingAssignment.hours_per_week).where(
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.subject_id == subject_id,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    return max(hours) if hours else None


def weighted_average(rules: Rules, marks: Iterable[tuple[str, int]]) -> tuple[Fraction | None, int]:
    """Σ(w·m)/Σw over marks of kinds with a positive weight, and how many marks counted."""
    weights = rules.integer_weights
    default = weights.get("class", 1)
    total = weight_sum = count = 0
    for kind, value in marks:
        weight = weights.get(kind, default)
        if weight <= 0:
            continue
        total += weight * value
        weight_sum += weight
        count += 1
    if not count:
        return None, 0
    return Fraction(total, weight_sum), count


def _round_half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def mark_from_average(rules: Rules, average: Fraction) -> int:
    """The mark an average earns: thresholds on the five-point scale, rounding half up elsewhere."""
    if rules.scale == "five_point":
        if average >= rules.threshold_5:
            return 5
        if average >= rules.threshold_4:
            return 4
        if average >= rules.threshold_3:
            return 3
        return max(rules.min_value, 2)
    return min(rules.max_value, max(rules.min_value, _round_half_up(average)))


def min_marks_for(rules: Rules, hours: float | Fraction | None) -> int:
    """The minimum number of marks for a period mark in a subject of `hours` a week: the local act's
    row for the largest hours ≤ `hours`, else the policy's plain minimum."""
    if hours is None or not rules.min_marks_by_hours:
        return rules.min_marks
    h = Fraction(str(hours))
    found = [marks for start, marks in rules.min_marks_by_hours if start <= h]
    return found[-1] if found else rules.min_marks


def assessed_by_half_year(rules: Rules, hours: float | Fraction | None) -> bool:
    """Whether a subject of `hours` a week gets half-year marks instead of quarter marks. A grade
    without marks (scale «none»: the first grade) has neither: its summary sheet marks no subject."""
    return (
        hours is not None
        and rules.scale != "none"
        and rules.half_year_max_hours > 0
        and Fraction(str(hours)) <= rules.half_year_max_hours
    )


# ---------------------------------------------------------------------------------------------
# Quarters or half-years: which periods a grade is assessed by (the one rule, docs/grading.md)
# ---------------------------------------------------------------------------------------------

QUARTER = "quarter"
HALF_YEAR = "half_year"
# The senior grades are assessed by half-year (жарым жыл / полугодие): 10–11, and 12 under the new standard.
HALF_YEAR_GRADES = range(10, 13)


def assessment(grade: int, rules: Rules | None = None, hours: float | Fraction | None = None) -> str:
    """How a class × subject's period marks go: "half_year" for grades 10–11 (12), and in grades 2–9
    for a subject of few weekly `hours` that the class's policy assesses by half-year
    (`assessed_by_half_year`: at most `half_year_max_hours`); "quarter" otherwise. Without `rules`
    (or `hours`) it is the grade's own rule."""
    if grade in HALF_YEAR_GRADES or (rules is not None and assessed_by_half_year(rules, hours)):
        return HALF_YEAR
    return QUARTER


def subject_assessment(session: Session, cls: SchoolClass, subject_id: int) -> str:
    """`assessment` of a class × subject read from the database: the class's policy and the subject's
    weekly hours in it (`weekly_hours`, the curriculum as its teaching assignments carry it)."""
    if cls.grade in HALF_YEAR_GRADES:
        return HALF_YEAR
    rules = rules_for(session, cls.academic_year_id, cls.grade)
    if rules.half_year_max_hours <= 0:
        return QUARTER
    return assessment(cls.grade, rules, weekly_hours(session, cls.id, subject_id))  # type: ignore[arg-type]


def half_year_subjects(session: Session, classes: Iterable[SchoolClass]) -> set[tuple[int, int]]:
    """(class id, subject id) of the subjects taught in grades 2–9 of `classes` that their policy
    assesses by half-year (few weekly hours); the many-classes reading of `subject_assessment` for
    the close check and the reports. Grades 10–11 are half-year whole: see `class_subject_assessment`."""
    by_hours: dict[int, Rules] = {}
    of_grade: dict[tuple[int, int], Rules] = {}  # the parallels share their policy: one reading per grade
    for cls in classes:
        if cls.grade in HALF_YEAR_GRADES:
            continue
        key = (cls.academic_year_id, cls.grade)
        if key not in of_grade:
            of_grade[key] = rules_for(session, *key)
        rules = of_grade[key]
        if rules.half_year_max_hours > 0:
            by_hours[cls.id] = rules
    if not by_hours:
        return set()
    rows = session.exec(
        select(TeachingAssignment.class_id, TeachingAssignment.subject_id, TeachingAssignment.hours_per_week).where(
            TeachingAssignment.class_id.in_(list(by_hours)),  # type: ignore[attr-defined]
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    hours: dict[tuple[int, int], float] = {}
    for class_id, subject_id, h in rows:  # groups meet at once: the largest of a subject's assignments
        hours[(class_id, subject_id)] = max(h, hours.get((class_id, subject_id), h))
    return {key for key, h in hours.items() if assessed_by_half_year(by_hours[key[0]], h)}


def class_subject_assessment(cls: SchoolClass, subject_id: int, half_year: set[tuple[int, int]]) -> str:
    """`assessment` of a class × subject given `half_year_subjects(...)` of its classes."""
    if cls.grade in HALF_YEAR_GRADES or (cls.id, subject_id) in half_year:
        return HALF_YEAR
    return QUARTER


@dataclass(frozen=True)
class YearPeriod:
    """A period whose mark is set: a quarter, or a half-year spanning two quarters."""

    kind: str  # "quarter" | "half_year" (PeriodMark.kind)
    number: int  # quarter 1–4, half-year 1–2 (PeriodMark.number)
    quarters: tuple[int, ...]  # the quarters (term numbers) whose lessons it counts; the last one closes it

    @property
    def closing_quarter(self) -> int:
        return self.quarters[-1]


def year_periods(how: str) -> tuple[YearPeriod, ...]:
    """The periods of a year under `assessment(...)`: four quarters, or two half-years (Q1–Q2, Q3–Q4)."""
    if how == HALF_YEAR:
        return (YearPeriod(HALF_YEAR, 1, (1, 2)), YearPeriod(HALF_YEAR, 2, (3, 4)))
    return tuple(YearPeriod(QUARTER, n, (n,)) for n in (1, 2, 3, 4))


def period_of_term(how: str, term_kind: str, term_number: int) -> YearPeriod | None:
    """The period whose mark is set in a term: the quarter itself, or for a half-year grade the
    half-year the quarter closes (Q2 → 1st half-year, Q4 → 2nd); None in Q1 and Q3 of a half-year
    grade (its mark is set later). A school whose terms are half-years sets them in the term itself."""
    if term_kind == HALF_YEAR:
        return YearPeriod(HALF_YEAR, term_number, (term_number,))
    return next((p for p in year_periods(how) if p.closing_quarter == term_number), None)


def period_during(how: str, term_kind: str, term_number: int) -> YearPeriod:
    """The period a term belongs to (Q1 and Q2 → the 1st half-year for a half-year grade)."""
    if term_kind == HALF_YEAR:
        return YearPeriod(HALF_YEAR, term_number, (term_number,))
    found = next((p for p in year_periods(how) if term_number in p.quarters), None)
    return found or YearPeriod(QUARTER, term_number, (term_number,))


def period_specials(rules: Rules, subject_code: str) -> tuple[str, ...]:
    """The special period marks a subject may get: «н/а», «осв», and «зач»/«незач» where the policy says so."""
    if subject_code in rules.pass_fail_codes:
        return (NOT_ATTESTED, EXEMPT, PASSED, FAILED)
    return (NOT_ATTESTED, EXEMPT)


def mark_from_percent(rules: Rules, percent: float | Fraction) -> int:
    """The mark a criterion-based result earns: the band whose lowest percentage is the highest ≤ percent."""
    if not 0 <= percent <= 100:
        raise ValueError("a percentage is between 0 and 100")
    return [mark for lowest, mark in rules.criterion_bands if lowest <= percent][-1]


def suggest_period_mark(
    rules: Rules,
    marks: Sequence[tuple[str, int]],
    *,
    exempt: bool = False,
    hours: float | None = None,
    subject_code: str = "",
) -> Suggestion:
    """The quarter / half-year mark the policy suggests from a pupil's current marks (kind, value);
    `hours` (the subject's weekly hours) picks the local act's minimum number of marks; a subject
    the policy assesses «зач» / «незач» (`subject_code` in its list) gets «зач» for a 3 or more."""
    if not rules.has_marks:
        return Suggestion()
    if exempt:
        return Suggestion(special=EXEMPT)
    average, count = weighted_average(rules, marks)
    shown = round(float(average), 2) if average is not None else None
    if average is None or count < max(1, min_marks_for(rules, hours)):
        return Suggestion(special=NOT_ATTESTED, average=shown, count=count)
    value = mark_from_average(rules, average)
    if value == 5 and rules.two_blocks_five and any(v <= 2 for _k, v in marks):
        value = 4  # the local rule: a 2 in the period, however averaged out, keeps the period from a 5
    if subject_code and subject_code in rules.pass_fail_codes:
        return Suggestion(special=PASSED if value >= 3 else FAILED, average=shown, count=count)
    return Suggestion(value=value, average=shown, count=count)


def suggest_year_mark(rules: Rules, periods: Sequence[tuple[int | None, str]], expected: int) -> Suggestion:
    """The year mark from the period marks (value, special) set so far, out of `expected` periods.

    Nothing is suggested until every period has its mark.
    """
    if not rules.has_marks or expected <= 0:
        return Suggestion()
    decided = [(v, s) for v, s in periods if v is not None or s]
    if len(decided) < expected:
        return Suggestion()
    if any(s == NOT_ATTESTED for v, s in decided if v is None):
        return Suggestion(special=NOT_ATTESTED)
    numeric = [v for v, _s in decided if v is not None]
    if not numeric:
        # «зач» / «незач» periods: the year passes unless one of them failed; all exempt is «осв».
        specials = {s for _v, s in decided}
        if FAILED in specials:
            return Suggestion(special=FAILED)
        return Suggestion(special=PASSED if PASSED in specials else EXEMPT)
    mean = Fraction(sum(numeric), len(numeric))
    rounded = _round_half_up(mean)  # a tie (x.5) goes up: the pupil's way
    if rules.year_ties == "last" and mean.denominator == 2 and numeric[-1] < mean:
        rounded -= 1  # the local act's alternative: a tie goes the way of the last period
    value = min(rules.max_value, max(rules.min_value, rounded))
    return Suggestion(value=value, average=round(float(mean), 2), count=len(numeric))


# ---------------------------------------------------------------------------------------------
# Indicators (research/mission.md §2.7)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicators:
    """Counts by mark and the school's indicators for one subject (or all subjects) of a class."""

    n: int = 0  # pupils counted: on roll − exempt − without any mark
    n5: int = 0
    n4: int = 0
    n3: int = 0
    n2: int = 0
    n_na: int = 0
    success: float | None = None  # успеваемость, %
    quality: float | None = None  # качество знаний, %
    sou: float | None = None  # степень обученности (Simonov), %
    average: float | None = None  # средний балл


def pupil_outcome(results: Iterable[tuple[int | None, str]]) -> int | str | None:
    """One pupil's standing over several subjects: his worst mark, «н/а» if any, None if nothing counts.

    A 2 is worse than «н/а» (both make him неуспевающий); exempt subjects are left out.
    """
    values: list[int] = []
    not_attested = False
    for value, special in results:
        if value is not None:
            values.append(value)
        elif special == NOT_ATTESTED:
            not_attested = True
    if values and min(values) <= 2:
        return min(values)
    if not_attested:
        return NOT_ATTESTED
    return min(values) if values else None


def indicators(outcomes: Iterable[int | str | None], marks: Iterable[int] = ()) -> Indicators:
    """Indicators over pupils' outcomes (a mark, «н/а», «осв» or None) and the average of `marks`.

    N counts pupils with a mark or «н/а»: exempt pupils and pupils without marks stay out.
    """
    counts = {5: 0, 4: 0, 3: 0, 2: 0}
    n_na = 0
    for outcome in outcomes:
        if outcome == NOT_ATTESTED:
            n_na += 1
        elif isinstance(outcome, int):
            counts[min(5, max(2, outcome))] += 1
    n = sum(counts.values()) + n_na
    values = list(marks)
    average = round(sum(values) / len(values), 2) if values else None
    if not n:
        return Indicators(average=average)
    n5, n4, n3, n2 = counts[5], counts[4], counts[3], counts[2]
    return Indicators(
        n=n,
        n5=n5,
        n4=n4,
        n3=n3,
        n2=n2,
        n_na=n_na,
        success=round((n5 + n4 + n3) * 100 / n, 1),
        quality=round((n5 + n4) * 100 / n, 1),
        sou=round((100 * n5 + 64 * n4 + 36 * n3 + 16 * n2 + 7 * n_na) / n, 1),
        average=average,
    )
