"""One demo school, built as rows: staff, classes, pupils and families, a timetable, a journal up to
today, the quarters already over closed with their quarter marks, and last year kept as history.

`SchoolBuilder(today=…)` places the school in the academic year `today` falls in (1 September –
31 August; services.school_calendar gives its quarters and days off): every lesson from the first
day up to yesterday (skipping weekends, breaks and holidays, per grade) with topics, homework,
marks and absences, and today's quarter planned to its end (lessons with nothing written in them
yet); each quarter that ended before today with every pupil's quarter mark set from
his marks by the grading rules (services.grading) on its last day, and closed by the deputy three
days later (grades 10–11, assessed by half-year: their half-year mark at the end of Q2 and Q4 from
both quarters' marks, nothing at the end of Q1 and Q3); after the last quarter, the year marks.
The year before is the school's history: its classes (each current class one grade lower, and the
11th grades that graduated), their quarter (10–11: half-year) and year marks, and the movement book's promotions on
the first day of this year and graduations at the end of the last. Its lessons are not generated:
the history is the summary sheet, not the daily journal.

Marks follow the weekly hours: a teacher marks the pupils he has marked least so far, so a 1-hour
subject gives every pupil present enough marks for a quarter mark (no class of «н/а»).

The same seed and the same `today` give the same rows: one `random.Random` per school, no clock.
Rows are tuples in the column order of `tables.TABLES`, with ids allocated here.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day

from bbbms_app.demo.reference import (
    BELLS,
    CONTROL_SUBJECTS,
    CURRICULUM,
    HOMEWORK,
    KY_FATHERS,
    KY_FEMALE,
    KY_GRANDMOTHERS,
    KY_MALE,
    KY_MOTHERS,
    KY_SURNAMES,
    LETTERS,
    NAMESAKES,
    NO_HOMEWORK_SUBJECTS,
    NO_ROOM_SUBJECTS,
    OTHER_FATHERS,
    OTHER_FEMALE,
    OTHER_MALE,
    OTHER_MOTHERS,
    OTHER_SURNAMES,
    PRIMARY_TEACHER_SLOTS,
    RU_FATHERS,
    RU_FEMALE,
    RU_GRANDMOTHERS,
    RU_MALE,
    RU_MOTHERS,
    RU_SURNAMES,
    SLOT_CODES,
    SPECIALITY,
    SPLIT_FROM_GRADE,
    SPLIT_MIN_PUPILS,
    SPLIT_SUBJECTS,
    STREETS,
    SUBJECT_LANGUAGE,
    SUBJECTS,
    TEACHER_TARGET_HOURS,
    TOPICS,
    UNTESTED_SUBJECTS,
    female_surname,
    patronymic_of,
    phone_number,
    random_date,
)
from bbbms_app.demo.tables import STAMP, TABLE_ORDER, Ids
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.services import grading
from bbbms_app.services.school_calendar import YearCalendar, academic_year_of, calendar_for

_WEEK_ATTEMPTS = 30  # draws of one class's week before the whole timetable is drawn again
_TIMETABLE_ATTEMPTS = 50
WEIGHTS = '{"class": 1, "home": 1, "test": 2, "control": 3}'
# Current marks: 5:22%, 4:42%, 3:30%, 2:6% over all pupils. A pupil's latent score is his stable
# ability (sd 0.8) plus the day's noise (sd 1); the cut points are the quantiles of that sum.
_ABILITY_SD = 0.8
_CUT_2, _CUT_3, _CUT_4 = -1.991, -0.459, 0.989
# A teacher marks so that a pupil has about this many marks in a quarter, whatever the hours.
MARKS_PER_QUARTER = 5.0
# Tables complete once last year is built: written while this year's journal is being built.
FIRST_PART = (
    "school", "academicyear", "term", "gradingpolicy", "subject", "staff", "schoolclass", "teachingassignment",
    "bellschedule", "holiday", "guardian", "pupil", "pupilguardian", "periodmark",
)  # fmt: skip
# Grading policies of every year: (grades, scale, lowest and highest mark, thresholds, minimum marks).
POLICIES = (
    (1, 1, "none", 2, 5, 4.65, 3.65, 2.65, 0),
    (2, 11, "five_point", 2, 5, 4.65, 3.65, 2.65, 3),
)
# The new state standard (research/mission.md §2.2, issue 13): in 2025–26 grades 1, 2, 5 and 7 began it;
# each later year those cohorts go on under it one grade up, and grades 1, 2, 5 and 7 begin it again
# (2026–27: 1, 2, 3, 5, 6, 7, 8). Their works are assessed by criteria: a grade's own policy of scale
# «criterion» (the narrowest policy wins, grading.policy_for_class) with the reference table.
NEW_STANDARD_SINCE = 2025
NEW_STANDARD_ENTRY = (1, 2, 5, 7)
CRITERION_POLICY = ("criterion", 2, 5, 4.65, 3.65, 2.65, 3)
# What a summative work (test, control) of a criterion grade scored, by its mark: the reference
# table's band (grading.DEFAULT_CRITERION_BANDS), and the span of the latent score mapped onto it.
_PERCENT_BANDS = {2: (0, 39), 3: (40, 64), 4: (65, 84), 5: (85, 100)}


def criterion_grades(start_year: int) -> frozenset[int]:
    """The grades assessed by criteria in the year starting `start_year` (grade 1 has no marks)."""
    years = start_year - NEW_STANDARD_SINCE
    if years < 0:
        return frozenset()
    return frozenset(g + k for g in NEW_STANDARD_ENTRY for k in range(years + 1) if 1 < g + k <= 11)


def _percent_of(score: float, value: int) -> int:
    """The percentage of a work whose latent score gave mark `value`: where the score lies inside its
    mark's span of scores, there it lies inside the mark's band (no random draw: the rest of the demo
    stays as it was). The open ends (below a 3, above a 4) span two standard deviations."""
    cuts = {2: (_CUT_2 - 2.0, _CUT_2), 3: (_CUT_2, _CUT_3), 4: (_CUT_3, _CUT_4), 5: (_CUT_4, _CUT_4 + 2.0)}
    low, high = cuts[value]
    lowest, highest = _PERCENT_BANDS[value]
    share = min(1.0, max(0.0, (score - low) / (high - low)))
    return min(highest, lowest + int(share * (highest - lowest + 1)))


# The usual local act (research/mission.md §2.1): a subject of at most 1.5 hours a week is assessed
# by half-year. In the demo's curriculum that is every 1-hour subject of grades 2–9 (music, art,
# informatics, …); grading.assessment decides it, as for the school's own journals.
HALF_YEAR_MAX_HOURS = 1.5


def _stamp(day: date, hour: int) -> datetime:
    """A UTC time on `day` at `hour` o'clock in Bishkek (UTC+6)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=6)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: the rates here are small (< 5), so a few draws at most.
    if lam <= 0:
        return 0
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class _Class:
    id: int
    grade: int
    letter: str
    language: str
    shift: int
    size: int
    teacher_id: int | None = None
    pupils: list[int] = field(default_factory=list)
    # (subject code, subject id, teacher id, hours)
    units: list[tuple[str, int, int, int]] = field(default_factory=list)
    start_year: int = 0  # the academic year of the class (its grade's pupils were born start_year - 6 - grade)
    enrolled: tuple[date, date | None] = (date.min, None)  # its pupils' enrollment when they are made


def _bell_spans() -> dict[tuple[int, bool, int], tuple[int, int]]:
    """(shift, first grade?, lesson number) -> (start, end) in minutes of the day, from BELLS."""
    spans: dict[tuple[int, bool, int], tuple[int, int]] = {}
    for shift, (grade_from, grade_to), (hour, minute), length, breaks in BELLS:
        start = hour * 60 + minute
        for number in range(1, len(breaks) + 2):
            spans[(shift, grade_from == grade_to == 1, number)] = (start, start + length)
            if number <= len(breaks):
                start += length + breaks[number - 1]
    return spans


class _Busy:
    """When each teacher is taken, per weekday, as clock spans (minutes of the day) of the bells."""

    def __init__(self, partners: dict[tuple[int, str], int] | None = None) -> None:
        self.spans = _bell_spans()
        self.taken: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        self.partners = partners or {}  # a lesson taught in two groups holds both groups' teachers

    def teachers(self, item: tuple[str, int, int], cls: _Class) -> list[int]:
        second = self.partners.get((cls.id, item[0]))
        return [item[2]] if second is None else [item[2], second]

    def span(self, cls: _Class, number: int) -> tuple[int, int]:
        found = self.spans.get((cls.shift, cls.grade == 1, number))
        if found is not None:
            return found
        start = 10_000 * cls.shift + 100 * number  # past the bells: meets only the same shift and number
        return start, start + 1

    def free(self, item: tuple[str, int, int], weekday: int, cls: _Class, number: int) -> bool:
        a, b = self.span(cls, number)
        return all(b <= x or y <= a for teacher in self.teachers(item, cls) for x, y in self.taken[(teacher, weekday)])

    def take(self, item: tuple[str, int, int], weekday: int, cls: _Class, number: int) -> None:
        for teacher in self.teachers(item, cls):
            self.taken[(teacher, weekday)].append(self.span(cls, number))

    def take_day(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> None:
        for number, item in enumerate(items, start=1):
            self.take(item, weekday, cls, number)

    def release_day(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> None:
        for number, item in enumerate(items, start=1):
            for teacher in self.teachers(item, cls):
                self.taken[(teacher, weekday)].remove(self.span(cls, number))

    def order(self, items: list[tuple[str, int, int]], weekday: int, cls: _Class) -> list[tuple[str, int, int]] | None:
        """An order of the day's lessons in which every teacher is free at his hour, or None (depth-first)."""
        out: list[tuple[str, int, int]] = []
        left = list(items)

        def place(number: int) -> bool:
            if not left:
                return True
            tried: set[tuple[str, int, int]] = set()
            for i, item in enumerate(left):
                if item in tried or not self.free(item, weekday, cls, number):
                    continue
                tried.add(item)
                out.append(left.pop(i))
                if place(number + 1):
                    return True
                left.insert(i, out.pop())
            return False

        return out if place(1) else None


@dataclass
class _Family:
    ethnicity: str  # "ky", "ru", "other"
    kyrgyz_style: bool  # patronymic «уулу / кызы»
    surname: str  # male form
    father: str
    guardians: list[tuple[int, str, bool]] = field(default_factory=list)  # (guardian id, relation, primary)
    children: list[tuple[int, int]] = field(default_factory=list)  # (pupil id, grade)
    first_names: set[str] = field(default_factory=set)  # siblings never share a first name


# ---------------------------------------------------------------------------------------------
# One school
# ---------------------------------------------------------------------------------------------


class SchoolBuilder:
    """Builds every row of one school as tuples; `rows[table]` follows `tables.TABLES[table].columns`."""

    def __init__(
        self,
        rng: random.Random,
        ids: Ids,
        n_pupils: int,
        used_pins: set[str],
        used_okpo: set[str],
        used_numbers: set[int],
        *,
        today: date,
        track_links: bool,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.n_pupils = n_pupils
        self.used_pins = used_pins
        self.used_okpo = used_okpo
        self.used_numbers = used_numbers
        self.track_links = track_links
        self.today = today
        start_year = academic_year_of(today)
        self.cal: YearCalendar = calendar_for(start_year)
        self.prev_cal: YearCalendar = calendar_for(start_year - 1)
        self.rows: dict[str, list[tuple]] = {name: [] for name in TABLE_ORDER}
        self.staff_names: dict[int, str] = {}
        self.staff_by_position: dict[str, list[int]] = defaultdict(list)
        self.families: list[_Family] = []
        self.pupil_names: dict[int, str] = {}
        self.guardian_names: dict[int, str] = {}
        self.marked_pupils: set[int] = set()
        self.ability: dict[int, float] = {}
        self.handed_over: dict[str, int] = {}  # rows handed over early, per table

    # -- identity ----------------------------------------------------------------------------

    def _pin(self, sex: str, born: date) -> str:
        head = f"{1 if sex == 'f' else 2}{born.day:02d}{born.month:02d}{born.year:04d}"
        while True:
            pin = f"{head}{self.rng.randrange(100_000):05d}"
            if pin not in self.used_pins:
                self.used_pins.add(pin)
                return pin

    def build(self, handover: Callable[[dict[str, list[tuple]]], None] | None = None) -> None:
        """Build every row; `handover` gets the school's first part (everything but this year's journal,
        enrollments and movement book) as soon as it is ready, so a writer can start on it."""
        rng = self.rng
        while True:
            okpo = f"{rng.randrange(10_000_000, 100_000_000)}"
            if okpo not in self.used_okpo:
                self.used_okpo.add(okpo)
                break
        limit = 250 + len(self.used_numbers)  # always room for a new number, however many schools
        while True:
            number = rng.randrange(1, limit)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                break
        ky_name, ru_name, en_name = rng.choice(NAMESAKES)
        self.school_id = sid = self.ids.take("school")
        self.rows["school"].append(
            (
                sid,
                okpo,
                f"№ {number} {ky_name} атындагы жалпы билим берүүчү мектеп",
                f"Средняя общеобразовательная школа № {number} им. {ru_name}",
                f"Secondary school No. {number} named after {en_name}",
                "ky,ru",
                f"Бишкек ш., {rng.choice(STREETS)}, {rng.randrange(1, 200)}",
                STAMP,
            )
        )
        self.prev_year_id, self.prev_term_ids = self._year(self.prev_cal, current=False)
        self.year_id, self.term_ids = self._year(self.cal, current=True)
        self.subject_ids: dict[str, int] = {}
        self.subject_codes: dict[int, str] = {}
        for position, (code, ky, ru, en) in enumerate(SUBJECTS, start=1):
            subject_id = self.ids.take("subject")
            self.subject_ids[code] = subject_id
            self.subject_codes[subject_id] = code
            self.rows["subject"].append((subject_id, sid, code, ky, ru, en, position))
        self._bells()
        self._classes()
        self._staff_and_assignments()
        self._pupils_and_families()
        self._last_year()
        if handover is not None:
            handover(self.take_first_part())
        self._journal()
        self._movements()
        self._quarter_marks()

    def take_first_part(self) -> dict[str, list[tuple]]:
        """Hand over the rows no later step changes (the parents of all the rest) and keep the others."""
        part = {name: self.rows[name] for name in FIRST_PART}
        for name in FIRST_PART:
            self.rows[name] = []
        self.handed_over = {name: len(rows) for name, rows in part.items()}
        return part

    def _year(self, cal: YearCalendar, *, current: bool) -> tuple[int, dict[int, int]]:
        """An academic year with its quarters (closed once over), grading policies and days off."""
        sid = self.school_id
        year_id = self.ids.take("academicyear")
        self.rows["academicyear"].append((year_id, sid, cal.name, cal.starts_on, cal.ends_on, current))
        term_ids = {}
        for number, starts, ends in cal.quarters:
            term_id = self.ids.take("term")
            term_ids[number] = term_id
            # A quarter's marks are set on its last day; the deputy closes it three days later.
            closed = _stamp(ends + timedelta(days=3), 9) if ends + timedelta(days=3) < self.today else None
            self.rows["term"].append((term_id, sid, year_id, "quarter", number, starts, ends, closed))
        for policy in POLICIES:
            self.rows["gradingpolicy"].append(
                (self.ids.take("gradingpolicy"), sid, year_id, *policy, WEIGHTS, HALF_YEAR_MAX_HOURS)
            )
        for grade in sorted(criterion_grades(cal.start_year)):
            self.rows["gradingpolicy"].append(
                (self.ids.take("gradingpolicy"), sid, year_id, grade, grade, *CRITERION_POLICY, WEIGHTS,
                 HALF_YEAR_MAX_HOURS)
            )  # fmt: skip
        for d in cal.days_off:
            grade_from, grade_to = d.grades or (None, None)
            self.rows["holiday"].append(
                (self.ids.take("holiday"), sid, year_id, d.kind, d.name_ky, d.name_ru, d.name_en, d.starts_on,
                 d.ends_on, grade_from, grade_to)
            )  # fmt: skip
        return year_id, term_ids

    def _bells(self) -> None:
        """Bell schedules of both shifts (no random draws)."""
        sid = self.school_id
        for shift, (grade_from, grade_to), (hour, minute), length, breaks in BELLS:
            start = hour * 60 + minute
            for number in range(1, len(breaks) + 2):
                end = start + length
                self.rows["bellschedule"].append(
                    (
                        self.ids.take("bellschedule"),
                        sid,
                        shift,
                        grade_from,
                        grade_to,
                        number,
                        time_of_day(start // 60, start % 60),
                        time_of_day(end // 60, end % 60),
                    )
                )
                if number <= len(breaks):
                    start = end + breaks[number - 1]

    # -- classes -----------------------------------------------------------------------------

    def _classes(self) -> None:
        rng = self.rng
        n = self.n_pupils
        # 2–3 parallel classes per grade for a school of 600–1000; a bigger school gets more letters.
        count = min(max(22, round(n / 24)), 33) if n <= 33 * 35 else math.ceil(n / 30)
        count = min(count, 11 * len(LETTERS))  # beyond 13 parallels classes just grow
        per_grade = [count // 11] * 11
        for g in rng.sample(range(11), count % 11):
            per_grade[g] += 1
        specs = [(g + 1, LETTERS[i]) for g in range(11) for i in range(per_grade[g])]
        weights = [rng.uniform(0.85, 1.15) for _ in specs]
        total_w = sum(weights)
        sizes = [int(n * w / total_w) for w in weights]
        for i in rng.sample(range(len(specs)), n - sum(sizes)):
            sizes[i] += 1
        self.classes: list[_Class] = []
        now = (self.cal.starts_on, None)
        for (grade, letter), size in zip(specs, sizes, strict=True):
            # А and В teach in Kyrgyz, Б and Г in Russian: the usual ky+ru Bishkek school.
            language = "ru" if LETTERS.index(letter) % 2 == 1 else "ky"
            shift = 2 if 2 <= grade <= 4 else 1
            self.classes.append(
                _Class(self.ids.take("schoolclass"), grade, letter, language, shift, size, None, [], [],
                       self.cal.start_year, now)
            )  # fmt: skip
        # Last year's 11th grades, who graduated at its end: as many and as big as this year's.
        self.graduation_day = self.prev_cal.quarters[-1][2] + timedelta(days=21)
        self.graduating = [
            _Class(self.ids.take("schoolclass"), 11, c.letter, c.language, 1, c.size, None, [], [],
                   self.prev_cal.start_year, (self.prev_cal.starts_on, self.graduation_day))
            for c in self.classes
            if c.grade == 11
        ]  # fmt: skip

    # -- people ------------------------------------------------------------------------------

    def _adult_name(self, sex: str) -> tuple[str, str, str]:
        rng = self.rng
        r = rng.random()
        ethnicity = "ky" if r < 0.65 else "ru" if r < 0.9 else "other"  # a Bishkek staff room
        if ethnicity == "ky":
            surname, first = rng.choice(KY_SURNAMES), rng.choice(KY_FATHERS if sex == "m" else KY_MOTHERS)
            father, kyrgyz_style = rng.choice(KY_FATHERS), rng.random() < 0.3
        elif ethnicity == "ru":
            surname, first = rng.choice(RU_SURNAMES), rng.choice(RU_FATHERS if sex == "m" else RU_MOTHERS)
            father, kyrgyz_style = rng.choice(RU_FATHERS), False
        else:
            surname, first = rng.choice(OTHER_SURNAMES), rng.choice(OTHER_FATHERS if sex == "m" else OTHER_MOTHERS)
            father, kyrgyz_style = rng.choice(OTHER_FATHERS), False
        last = surname if sex == "m" else female_surname(surname)
        return last, first, patronymic_of(father, sex, kyrgyz_style)

    def _add_staff(self, position: str) -> int:
        rng = self.rng
        sex = "f" if rng.random() < (0.8 if position == "teacher" else 0.6) else "m"
        last, first, patronymic = self._adult_name(sex)
        staff_id = self.ids.take("staff")
        self.rows["staff"].append(
            (
                staff_id,
                self.school_id,
                last,
                first,
                patronymic,
                position,
                phone_number(rng),
                search_key(last, first, patronymic),
                sort_key(last, first, patronymic),
            )
        )
        self.staff_by_position[position].append(staff_id)
        if self.track_links:
            self.staff_names[staff_id] = f"{last} {first} {patronymic}"
        return staff_id

    def _staff_and_assignments(self) -> None:
        rng = self.rng
        for position, n in (
            ("director", 1),
            ("deputy", 2),
            ("clerk", 1),
            ("administrator", 1),
            ("psychologist", 1),
            ("librarian", 1),
        ):
            for _ in range(n):
                self._add_staff(position)
        # Per speciality: (class, [(code, hours)]) bundles a subject teacher takes as a whole.
        bundles: dict[str, list[tuple[_Class, list[tuple[str, int]]]]] = defaultdict(list)
        for cls in self.classes:
            codes = SLOT_CODES[cls.language]
            primary_teacher = self._add_staff("teacher") if cls.grade <= 4 else None
            if primary_teacher is not None:
                cls.teacher_id = primary_teacher
            by_spec: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for slot, hours_by_grade in CURRICULUM.items():
                hours = hours_by_grade[cls.grade - 1]
                if not hours:
                    continue
                code = codes.get(slot, slot)
                if primary_teacher is not None and slot in PRIMARY_TEACHER_SLOTS:
                    cls.units.append((code, self.subject_ids[code], primary_teacher, hours))
                else:
                    by_spec[SPECIALITY[code]].append((code, hours))
            for spec, items in by_spec.items():
                bundles[spec].append((cls, items))
        # Split each speciality's classes in runs of neighbouring grades, so a teacher keeps parallels.
        self.teacher_classes: dict[int, set[int]] = defaultdict(set)
        self.teacher_hours: dict[int, dict[int, int]] = defaultdict(dict)  # teacher -> class -> hours
        for spec in sorted(bundles):
            items = sorted(bundles[spec], key=lambda b: (b[0].grade, b[0].letter))
            total = sum(h for _, units in items for _, h in units)
            n_teachers = max(1, round(total / TEACHER_TARGET_HOURS))
            teachers = [self._add_staff("teacher") for _ in range(n_teachers)]
            share = total / n_teachers
            done = 0
            for cls, units in items:
                hours = sum(h for _, h in units)
                # The teacher whose share holds the middle of this bundle: even, contiguous loads.
                teacher = teachers[min(n_teachers - 1, int((done + hours / 2) / share))]
                done += hours
                for code, h in units:
                    cls.units.append((code, self.subject_ids[code], teacher, h))
                self.teacher_classes[teacher].add(cls.id)
                self.teacher_hours[teacher][cls.id] = self.teacher_hours[teacher].get(cls.id, 0) + hours
        # Class teachers of grades 5–11: the subject teacher with most hours in the class who has
        # no class yet; some subject teachers stay without a class, as in any school.
        taken: set[int] = set()
        for cls in self.classes:
            if cls.teacher_id is not None:
                continue
            candidates = sorted(
                (t for t, by_class in self.teacher_hours.items() if cls.id in by_class and t not in taken),
                key=lambda t: (-self.teacher_hours[t][cls.id], t),
            )
            cls.teacher_id = candidates[0] if candidates else rng.choice(sorted(self.teacher_hours))
            taken.add(cls.teacher_id)
        self._second_groups()
        for cls in self.classes:
            self.rows["schoolclass"].append(
                (cls.id, self.school_id, self.year_id, cls.grade, cls.letter, cls.language, cls.shift, cls.teacher_id)
            )
            for code, subject_id, teacher, hours in cls.units:
                second = self.partners.get((cls.id, code))
                groups = [(0, teacher)] if second is None else [(1, teacher), (2, second)]
                for subgroup, teacher_id in groups:
                    self.rows["teachingassignment"].append(
                        (
                            self.ids.take("teachingassignment"), self.school_id, cls.id, subject_id, teacher_id,
                            subgroup, float(hours),
                        )
                    )  # fmt: skip

    def _second_groups(self) -> None:
        """Split SPLIT_SUBJECTS in big classes: group 1 keeps the class's teacher, group 2 gets a second one."""
        self.partners: dict[tuple[int, str], int] = {}  # (class, subject code) -> group 2's teacher
        split = [
            (cls, code, hours)
            for cls in self.classes
            if cls.grade >= SPLIT_FROM_GRADE and cls.size >= SPLIT_MIN_PUPILS
            for code, _sid, _teacher, hours in cls.units
            if code in SPLIT_SUBJECTS
        ]
        if not split:
            return
        total = sum(hours for _cls, _code, hours in split)
        second = [self._add_staff("teacher") for _ in range(max(1, round(total / TEACHER_TARGET_HOURS)))]
        load = dict.fromkeys(second, 0)
        for cls, code, hours in split:
            teacher = min(second, key=lambda t: (load[t], t))  # the least loaded second teacher
            load[teacher] += hours
            self.partners[(cls.id, code)] = teacher
            self.teacher_classes[teacher].add(cls.id)
            self.teacher_hours[teacher][cls.id] = self.teacher_hours[teacher].get(cls.id, 0) + hours

    def _new_family(self, language: str) -> _Family:
        rng = self.rng
        r = rng.random()
        if language == "ky":
            ethnicity = "ky" if r < 0.93 else "ru" if r < 0.96 else "other"
        else:
            ethnicity = "ky" if r < 0.5 else "ru" if r < 0.8 else "other"
        if ethnicity == "ky":
            # Kyrgyz families in Russian classes mostly write Russian-style patronymics.
            kyrgyz_style = rng.random() < (0.7 if language == "ky" else 0.3)
            family = _Family(ethnicity, kyrgyz_style, rng.choice(KY_SURNAMES), rng.choice(KY_FATHERS))
        elif ethnicity == "ru":
            family = _Family(ethnicity, False, rng.choice(RU_SURNAMES), rng.choice(RU_FATHERS))
        else:
            family = _Family(ethnicity, False, rng.choice(OTHER_SURNAMES), rng.choice(OTHER_FATHERS))
        self._family_guardians(family)
        self.families.append(family)
        return family

    def _guardian(self, family: _Family, role: str) -> int:
        rng = self.rng
        sex = "m" if role in ("father", "grandfather") else "f"
        names = {
            "ky": (KY_MOTHERS, KY_GRANDMOTHERS, KY_FATHERS),
            "ru": (RU_MOTHERS, RU_GRANDMOTHERS, RU_FATHERS),
            "other": (OTHER_MOTHERS, RU_GRANDMOTHERS, OTHER_FATHERS),
        }[family.ethnicity]
        mothers, grandmothers, fathers = names
        if role == "father":
            first, last = family.father, family.surname
            born = random_date(rng, date(1972, 1, 1), date(1993, 12, 31))
        elif role == "grandmother":
            first, last = rng.choice(grandmothers), female_surname(family.surname)
            born = random_date(rng, date(1950, 1, 1), date(1968, 12, 31))
        else:  # mother or another guardian
            first = rng.choice(mothers)
            # Many Kyrgyz mothers keep their own surname.
            own = family.ethnicity == "ky" and rng.random() < 0.4
            last = female_surname(rng.choice(KY_SURNAMES) if own else family.surname)
            born = random_date(rng, date(1975, 1, 1), date(1996, 12, 31))
        grandfather = rng.choice([name for name in fathers if name != first])
        patronymic = patronymic_of(grandfather, sex, family.kyrgyz_style)
        pin = self._pin(sex, born)
        guardian_id = self.ids.take("guardian")
        self.rows["guardian"].append(
            (
                guardian_id,
                self.school_id,
                last,
                first,
                patronymic,
                pin,
                phone_number(rng),
                search_key(last, first, patronymic, pin),
                sort_key(last, first, patronymic),
            )
        )
        if self.track_links:
            self.guardian_names[guardian_id] = f"{last} {first} {patronymic}"
        return guardian_id

    def _family_guardians(self, family: _Family) -> None:
        r = self.rng.random()
        if r < 0.62:
            roles = [("mother", True), ("father", False)]
        elif r < 0.67:
            roles = [("father", True), ("mother", False)]
        elif r < 0.70:
            roles = [("grandmother", True), ("mother", False)]
        elif r < 0.90:
            roles = [("mother", True)]
        elif r < 0.95:
            roles = [("father", True)]
        elif r < 0.98:
            roles = [("grandmother", True)]
        else:
            roles = [("guardian", True)]
        family.guardians = [(self._guardian(family, role), role, primary) for role, primary in roles]

    def _child(self, family: _Family, cls: _Class) -> None:
        rng = self.rng
        sex = "m" if rng.random() < 0.51 else "f"
        if family.ethnicity == "ky":
            names = KY_MALE if sex == "m" else KY_FEMALE
        elif family.ethnicity == "ru":
            names = RU_MALE if sex == "m" else RU_FEMALE
        else:
            names = (OTHER_MALE + RU_MALE[:8]) if sex == "m" else (OTHER_FEMALE + RU_FEMALE[:8])
        first = rng.choice([n for n in names if n not in family.first_names])
        family.first_names.add(first)
        last = family.surname if sex == "m" else female_surname(family.surname)
        patronymic = patronymic_of(family.father, sex, family.kyrgyz_style)
        # Grade g of the year Y–(Y+1) was born from March of Y-6-g; a few pupils are a year older.
        year = cls.start_year - 6 - cls.grade - (1 if rng.random() < 0.04 else 0)
        born = random_date(rng, date(year, 3, 1), date(year + 1, 2, 28))
        pin = self._pin(sex, born)
        pupil_id = self.ids.take("pupil")
        self.rows["pupil"].append(  # a list until the alphabetic-book number is known
            [
                pupil_id,
                self.school_id,
                pin,
                last,
                first,
                patronymic,
                born,
                sex,
                "",
                search_key(last, first, patronymic, pin),
                sort_key(last, first, patronymic),
            ]
        )
        for guardian_id, relation, primary in family.guardians:
            self.rows["pupilguardian"].append(
                (self.ids.take("pupilguardian"), pupil_id, guardian_id, relation, primary)
            )
        self.rows["enrollment"].append((self.ids.take("enrollment"), self.school_id, pupil_id, cls.id, *cls.enrolled))
        cls.pupils.append(pupil_id)
        if cls.start_year == self.cal.start_year:  # a graduate is no longer the family's pupil here
            family.children.append((pupil_id, cls.grade))
        if self.track_links:
            self.pupil_names[pupil_id] = f"{last} {first} {patronymic}"

    def _pupils_and_families(self) -> None:
        rng = self.rng
        everyone = self.classes + self.graduating
        remaining = {cls.id: cls.size for cls in everyone}
        by_id = {cls.id: cls for cls in everyone}
        seats = [cls.id for cls in everyone for _ in range(cls.size)]
        rng.shuffle(seats)
        while seats:
            class_id = seats.pop()
            if remaining[class_id] <= 0:
                continue  # the seat went to a sibling
            cls = by_id[class_id]
            family = self._new_family(cls.language)
            remaining[class_id] -= 1
            self._child(family, cls)
            # ~15% of families have 2–3 children here, in classes of the same language.
            r = rng.random()
            extra = 2 if r < 0.04 else 1 if r < 0.15 else 0
            grades = {cls.grade}
            for _ in range(extra):
                options = [
                    c
                    for c in self.classes
                    if c.language == cls.language and remaining[c.id] > 0 and c.grade not in grades
                ]
                if not options:
                    break
                sibling_class = rng.choice(options)
                remaining[sibling_class.id] -= 1
                grades.add(sibling_class.grade)
                self._child(family, sibling_class)
        # Alphabetic book: numbered per first letter of the surname in order of admission (older
        # pupils came first); the number is the personal file number «Ө/13».
        grade_of = {pid: cls.grade + self.cal.start_year - cls.start_year for cls in everyone for pid in cls.pupils}
        pupils = self.rows["pupil"]
        order = sorted(range(len(pupils)), key=lambda i: (-grade_of[pupils[i][0]], rng.random()))
        counters: dict[str, int] = defaultdict(int)
        for i in order:
            letter = pupils[i][3][:1].upper()
            counters[letter] += 1
            pupils[i][8] = f"{letter}/{counters[letter]}"
        self.rows["pupil"] = [tuple(row) for row in pupils]

    # -- movement book and last year ---------------------------------------------------------

    def _order(self, number: str, day: date, kind: str, title: str) -> tuple[int, str]:
        oid = self.ids.take("order")
        self.rows["order"].append(
            (oid, self.school_id, number, day, kind, title, self._director, search_key(number, title))
        )
        return oid, number

    def _line(self, pupil: int, kind: str, day: date, order_id: tuple[int, str], **where: object) -> None:
        p = self._pupil_rows[pupil]
        places = (str(where.get("from_school", "")), str(where.get("to_school", "")))
        key = search_key(p[3], p[4], p[5], p[2], order_id[1], *places)[:400]
        place = tuple(where.get("place") or ("", ""))
        none = ("", "")
        self.rows["movementrecord"].append(
            (
                self.ids.take("movementrecord"), self.school_id, pupil, kind, day, order_id[0],
                where.get("from_class"), where.get("to_class"), places[0], places[1], where.get("reason", ""), key,
                *(place if kind == "arrival" else none), *(place if kind == "departure" else none),
            )
        )  # fmt: skip

    def _choose_movers(self) -> None:
        """This year's arrivals and departures before today (pupils without siblings here, so the
        demo accounts' family stays), drawn by a generator of their own."""
        rng = random.Random(f"movement-{self.rows['school'][-1][1]}")
        self._director = (self.staff_by_position.get("director") or [None])[0]
        self._pupil_rows = {r[0]: r for r in self.rows["pupil"]}
        only_children = {f.children[0][0] for f in self.families if len(f.children) == 1}
        movable = [(cls, p) for cls in self.classes if cls.grade >= 2 for p in cls.pupils if p in only_children]
        rng.shuffle(movable)
        first, last = self.cal.starts_on, self.cal.quarters[-1][2]
        in_year = [
            (first + timedelta(days=offset), where, reason)
            for offset, where, reason in (
                (77, ("Ош ш., № 12 мектеп", "other_oblast", "osh_city"), "ата-энесинин көчүшү"),
                (98, ("Алматы ш., № 54 мектеп", "abroad", "KZ"), "ата-энесинин көчүшү"),
                (140, ("Шопоков ш., № 3 мектеп", "other_oblast", "chui.sokuluk"), ""),
                (161, ("Нарын ш., № 1 мектеп", "other_oblast", "naryn"), "ата-энесинин жумушу"),
                (70, ("Бишкек ш., № 61 мектеп", "same_rayon", ""), "үй-бүлөсү көчтү"),
                (147, ("Москва ш.", "abroad", "RU"), "ата-энесинин жумушу"),
                (217, ("Жалал-Абад ш., № 7 мектеп", "other_oblast", "jalal_abad"), "үй-бүлөсү көчтү"),
            )
        ]
        # A movement falls on a school day before today (a weekend date moves to the Monday).
        happened = []
        for day, where, reason in in_year:
            while day.weekday() >= 5:
                day += timedelta(days=1)
            happened.append((day, where, reason) if day < self.today and day <= last else None)
        self.arrivals = [(*a, *m) for a, m in zip(happened[:4], movable[:4], strict=False) if a]
        self.departures = [(*d, *m) for d, m in zip(happened[4:], movable[4:7], strict=False) if d]
        self.arrived = {pupil for *_a, _cls, pupil in self.arrivals}
        self.rng_movements = rng

    def _last_year(self) -> None:
        """Last year as the school keeps it: its classes (each current class one grade lower, taught by
        the same class teacher, and the 11th grades that graduated), their teaching assignments and
        enrollments, every quarter closed with its quarter marks, the year marks, and the movement
        book: the graduations at its end and the promotions on this year's first day."""
        self._choose_movers()
        rng = self.rng
        prev, sid, year_id = self.prev_cal, self.school_id, self.prev_year_id
        for cls in self.classes + self.graduating:
            for pupil in cls.pupils:
                self.ability[pupil] = rng.gauss(0, _ABILITY_SD)
        by_place = {(c.grade, c.letter): c for c in self.classes}
        primary = [c.teacher_id for c in self.classes if c.grade <= 4]
        taught: dict[tuple[int, str, str], int] = {}  # (grade, letter, code) -> this year's teacher
        by_spec: dict[str, int] = {}
        for c in self.classes:
            for code, _subject, teacher, _h in c.units:
                taught[(c.grade, c.letter, code)] = teacher
                by_spec.setdefault(SPECIALITY.get(code, code), teacher)
        last_classes: list[tuple[_Class, _Class | None]] = []  # (last year's class, this year's)
        for c in self.classes:
            if c.grade == 1:
                continue
            grade = c.grade - 1
            if c.grade <= 4 or c.grade >= 6:
                teacher = c.teacher_id  # a class keeps its class teacher from year to year
            else:  # a 5th grade's primary teacher took a new first grade
                teacher = getattr(by_place.get((1, c.letter)), "teacher_id", None) or primary[0]
            pupils = [p for p in c.pupils if p not in self.arrived]
            old = _Class(self.ids.take("schoolclass"), grade, c.letter, c.language, 2 if 2 <= grade <= 4 else 1,
                         len(pupils), teacher, pupils, [], prev.start_year)  # fmt: skip
            last_classes.append((old, c))
        for g in self.graduating:  # their class teacher took a new 5th grade
            g.teacher_id = getattr(by_place.get((5, g.letter)), "teacher_id", None) or self.classes[-1].teacher_id
            last_classes.append((g, None))
        for old, _now in last_classes:
            self.rows["schoolclass"].append(
                (old.id, sid, year_id, old.grade, old.letter, old.language, old.shift, old.teacher_id)
            )
            for slot, hours_by_grade in CURRICULUM.items():
                hours = hours_by_grade[old.grade - 1]
                if not hours:
                    continue
                code = SLOT_CODES[old.language].get(slot, slot)
                if old.grade <= 4 and slot in PRIMARY_TEACHER_SLOTS:
                    teacher = old.teacher_id
                else:
                    teacher = (
                        taught.get((old.grade, old.letter, code))
                        or taught.get((old.grade + 1, old.letter, code))
                        or by_spec[SPECIALITY.get(code, code)]
                    )
                old.units.append((code, self.subject_ids[code], teacher, hours))  # type: ignore[arg-type]
                self.rows["teachingassignment"].append(
                    (self.ids.take("teachingassignment"), sid, old.id, self.subject_ids[code], teacher, 0,
                     float(hours))
                )  # fmt: skip
            if _now is not None:  # the graduates' enrollments were made with them
                for pupil in old.pupils:
                    self.rows["enrollment"].append(
                        (self.ids.take("enrollment"), sid, pupil, old.id, prev.starts_on, prev.ends_on)
                    )
        self._history_marks([old for old, _now in last_classes])
        # The movement book: graduations, then promotions and the first graders' admission.
        last_day = prev.quarters[-1][2]
        graduated = self._order("38", self.graduation_day, "graduation", "Бүтүрүүчүлөрдү мектептен чыгаруу жөнүндө")
        for g in self.graduating:
            for pupil in g.pupils:
                self._line(pupil, "graduation", self.graduation_day, graduated, from_class=g.id)
        promoted = self._order(
            "39", last_day + timedelta(days=4), "transfer", "Окуучуларды кийинки класска которуу жөнүндө"
        )
        for old, now in last_classes:
            if now is None:
                continue
            for pupil in old.pupils:
                self._line(pupil, "promotion", self.cal.starts_on, promoted, from_class=old.id, to_class=now.id)
        admitted = self._order(
            "1-у", self.cal.starts_on - timedelta(days=7), "enrollment", "Биринчи класска кабыл алуу жөнүндө"
        )
        for c in self.classes:
            if c.grade == 1:
                for pupil in c.pupils:
                    self._line(pupil, "arrival", self.cal.starts_on, admitted, to_class=c.id)

    def _history_marks(self, classes: list[_Class]) -> None:
        """Last year's quarter marks (half-year marks in grades 10–11), drawn from each pupil's ability,
        and the year marks they give."""
        rng = self.rng
        rules = grading.rules_of_values(*POLICIES[1][2:], WEIGHTS, "", HALF_YEAR_MAX_HOURS)
        rows = self.rows["periodmark"]
        sid, year_id = self.school_id, self.prev_year_id
        quarters = self.prev_cal.quarters
        closing = [_stamp(ends, 15) for _n, _s, ends in quarters]
        year_marks: dict[tuple[int, ...], grading.Suggestion] = {}  # 4⁴ combinations at most
        gauss = rng.gauss
        for cls in classes:
            if cls.grade == 1:
                continue  # no marks in the first grade
            # Grades 10–11 and the subjects of few hours are assessed by half-year (grading.assessment):
            # a mark per half-year, set when its second quarter ends; the others a mark per quarter.
            for _code, subject_id, _teacher, hours in cls.units:
                periods = grading.year_periods(grading.assessment(cls.grade, rules, hours))
                for pupil in cls.pupils:
                    ability = self.ability[pupil]
                    scores = {number: ability + gauss(0, 0.45) for number, _starts, _ends in quarters}
                    values = []
                    for period in periods:
                        score = sum(scores[q] for q in period.quarters) / len(period.quarters)
                        value = 5 if score >= 0.85 else 4 if score >= -0.4 else 3 if score >= -1.6 else 2
                        values.append(value)
                        number = period.closing_quarter
                        stamp, ends = closing[number - 1], quarters[number - 1][2]
                        rows.append(
                            (self.ids.take("periodmark"), sid, pupil, subject_id, cls.id, year_id,
                             self.prev_term_ids[number], period.kind, period.number, value, "", value, None, stamp,
                             ends)
                        )  # fmt: skip
                    key = tuple(values)
                    year = year_marks.get(key)
                    if year is None:
                        year = year_marks[key] = grading.suggest_year_mark(rules, [(v, "") for v in key], len(key))
                    rows.append(
                        (self.ids.take("periodmark"), sid, pupil, subject_id, cls.id, year_id, None, "year", 0,
                         year.value, year.special, year.value, year.average, closing[-1], quarters[-1][2])
                    )  # fmt: skip

    def _movements(self) -> None:
        """This year's arrivals and departures (services.movement's rules, written as rows): each
        arrival enrolled from its date with no journal data before it, each departure's enrollment
        ended on its date with none after it; every line under a director's order dated on or
        before it."""
        rng = self.rng_movements
        numbers = iter(range(45, 10_000, 7))
        arrived: dict[int, date] = {}
        left: dict[int, date] = {}
        for day, where_from, reason, cls, pupil in self.arrivals:
            arrived[pupil] = day
            self._set_enrollment(pupil, starts_on=day)
            title = "Окуучуну кабыл алуу жөнүндө"
            enroll = self._order(f"{next(numbers)}-у", day - timedelta(days=rng.randrange(1, 4)), "enrollment", title)
            school, *place = where_from  # the school's name, and the category and place (services/places.py)
            self._line(pupil, "arrival", day, enroll, to_class=cls.id, from_school=school, reason=reason, place=place)
        for day, where_to, reason, cls, pupil in self.departures:
            left[pupil] = day
            self._set_enrollment(pupil, ends_on=day)
            title = "Окуучуну чыгаруу жөнүндө"
            out = self._order(f"{next(numbers)}-ч", day - timedelta(days=rng.randrange(0, 3)), "departure", title)
            school, *place = where_to
            self._line(pupil, "departure", day, out, from_class=cls.id, to_school=school, reason=reason, place=place)
        if not arrived and not left:
            return
        day_of = {r[0]: r[6] for r in self.rows["lesson"]}

        def on_roll(row: tuple) -> bool:
            pupil, day = row[3], day_of[row[2]]
            return not (day < arrived.get(pupil, day) or day > left.get(pupil, day))

        self.rows["mark"] = [r for r in self.rows["mark"] if on_roll(r)]
        self.rows["attendance"] = [r for r in self.rows["attendance"] if on_roll(r)]
        self.marked_pupils = {r[3] for r in self.rows["mark"]} if self.track_links else set()

    def _set_enrollment(self, pupil_id: int, *, starts_on: date | None = None, ends_on: date | None = None) -> None:
        """Move this year's enrollment of a pupil."""
        rows = self.rows["enrollment"]
        i = next(i for i, r in enumerate(rows) if r[2] == pupil_id and r[4] == self.cal.starts_on)
        row = rows[i]
        rows[i] = (*row[:4], starts_on or row[4], ends_on or row[5])

    def _quarter_marks(self) -> None:
        """Every quarter over before today has its quarter marks (and is closed three days after its
        end): each pupil on the roll at its end gets the mark the grading rules give his marks (or
        «н/а»); grades 10–11 get their half-year marks at the end of Q2 and Q4 from both quarters'
        marks, none at the end of Q1 and Q3; after the last quarter the year marks follow."""
        over = [(n, s, e) for n, s, e in self.cal.quarters if e < self.today]
        if not over:
            return
        rules = grading.rules_of_values(*POLICIES[1][2:], WEIGHTS, "", HALF_YEAR_MAX_HOURS)
        # A criterion grade's quarter mark is its own policy's (the journal's suggestion for that class).
        by_criteria = grading.rules_of_values(*CRITERION_POLICY, WEIGHTS, "", HALF_YEAR_MAX_HOURS)
        criterion = criterion_grades(self.cal.start_year)
        term_number = {tid: n for n, tid in self.term_ids.items()}
        lesson_of = {r[0]: (r[3], term_number[r[5]]) for r in self.rows["lesson"]}
        marks: dict[tuple[int, int, int], list[tuple[str, int]]] = defaultdict(list)
        for r in self.rows["mark"]:
            subject_id, number = lesson_of[r[2]]
            marks[(r[3], subject_id, number)].append((r[5], r[4]))
        span = {r[2]: (r[4], r[5]) for r in self.rows["enrollment"] if r[4] >= self.cal.starts_on}
        rows = self.rows["periodmark"]
        sid, year_id = self.school_id, self.year_id
        quarter_values: dict[tuple[int, int], list[tuple[int | None, str]]] = defaultdict(list)
        for number, _starts, ends in over:
            stamp = _stamp(ends, 15)
            for cls in self.classes:
                if cls.grade == 1:
                    continue
                roll = [p for p in cls.pupils if span[p][0] <= ends and (span[p][1] is None or span[p][1] >= ends)]
                for _code, subject_id, _teacher, hours in cls.units:
                    # A half-year assessment (grades 10–11, a subject of few hours): nothing in Q1 / Q3;
                    # in Q2 / Q4 the half-year's mark from both quarters' marks.
                    how = grading.assessment(cls.grade, rules, hours)
                    period = grading.period_of_term(how, "quarter", number)
                    if period is None:
                        continue
                    for pupil in roll:
                        got = [m for q in period.quarters for m in marks.get((pupil, subject_id, q), ())]
                        s = grading.suggest_period_mark(by_criteria if cls.grade in criterion else rules, got)
                        quarter_values[(pupil, subject_id)].append((s.value, s.special))
                        rows.append(
                            (self.ids.take("periodmark"), sid, pupil, subject_id, cls.id, year_id,
                             self.term_ids[number], period.kind, period.number, s.value, s.special, s.value,
                             s.average, stamp, ends)
                        )  # fmt: skip
        if len(over) < len(self.cal.quarters):
            return
        last = over[-1][2]
        class_of = {p: cls for cls in self.classes for p in cls.pupils}
        for (pupil, subject_id), values in quarter_values.items():
            s = grading.suggest_year_mark(rules, values, len(values))
            rows.append(
                (self.ids.take("periodmark"), sid, pupil, subject_id, class_of[pupil].id, year_id, None, "year", 0,
                 s.value, s.special, s.value, s.average, _stamp(last, 16), last)
            )  # fmt: skip

    # -- timetable and journal ---------------------------------------------------------------

    def _timetable(self) -> dict[int, list[list[tuple[str, int, int]]]]:
        """Per class, per weekday: the day's lessons in order as (code, subject id, teacher id).

        No teacher is ever due in two classes at once (the bells of both shifts and the first
        graders' shorter lessons are compared as clock times, as services.timetable does). A class
        whose week cannot be fitted is drawn again; in the rare school where that is not enough,
        the whole timetable is drawn again (a draw takes a few milliseconds).
        """
        week, clashes = self._draw_timetable()
        for _ in range(_TIMETABLE_ATTEMPTS):
            if not clashes:
                break
            week, clashes = self._draw_timetable()
        return week

    def _draw_timetable(self) -> tuple[dict[int, list[list[tuple[str, int, int]]]], int]:
        """One draw of the school's week and how many class days were left with a clash."""
        rng = self.rng
        left = 0
        busy = _Busy(self.partners)
        teacher_days: dict[tuple[int, int, int], int] = defaultdict(int)  # (teacher, shift, weekday) -> lessons
        week: dict[int, list[list[tuple[str, int, int]]]] = {}
        order = list(self.classes)
        rng.shuffle(order)
        for cls in order:
            # Rarely a class's week has a day no order or swap frees: its week is drawn again.
            for attempt in range(_WEEK_ATTEMPTS):
                days: list[list[tuple[str, int, int]]] = [[] for _ in range(5)]
                for code, subject_id, teacher, hours in sorted(cls.units, key=lambda u: (-u[3], u[0])):
                    used: set[int] = set()
                    for _ in range(hours):
                        # A subject at most once a day where it fits; the class's emptiest day first,
                        # then the day the teacher has fewest lessons in other classes.
                        free = [d for d in range(5) if d not in used] or list(range(5))
                        least = min(len(days[d]) for d in free)
                        fits = [d for d in free if len(days[d]) == least]
                        # (both groups' teachers for a lesson taught in two groups)
                        who = busy.teachers((code, subject_id, teacher), cls)
                        load = {d: sum(teacher_days[(t, cls.shift, d)] for t in who) for d in fits}
                        calm = min(load.values())
                        day = rng.choice([d for d in fits if load[d] == calm])
                        used.add(day)
                        days[day].append((code, subject_id, teacher))
                left_clashes = 0
                for wd in range(5):
                    items = days[wd]
                    # Greedy order: at each hour the first lesson whose teacher is free. A few shuffles
                    # get most days clash-free at no real cost; the rest are searched, or swap a lesson
                    # with another day of the class.
                    best: list[tuple[str, int, int]] = []
                    best_clashes = len(items) + 1
                    for _attempt in range(12):
                        pool = list(items)
                        rng.shuffle(pool)
                        ordered, clashes = [], 0
                        for number in range(1, len(pool) + 1):
                            pick = next((i for i, it in enumerate(pool) if busy.free(it, wd, cls, number)), -1)
                            clashes += pick < 0
                            ordered.append(pool.pop(max(pick, 0)))
                        if clashes < best_clashes:
                            best, best_clashes = ordered, clashes
                        if not clashes:
                            break
                    if best_clashes:
                        greedy = best
                        best = busy.order(items, wd, cls) or self._swap_day(days, wd, cls, busy, teacher_days) or []
                        if not best:  # still none: keep the greedy order for now, try the week again
                            left_clashes += 1
                            best = greedy
                    for number, item in enumerate(best, start=1):
                        busy.take(item, wd, cls, number)
                        for t in busy.teachers(item, cls):
                            teacher_days[(t, cls.shift, wd)] += 1
                    days[wd] = best
                if not left_clashes or attempt == _WEEK_ATTEMPTS - 1:
                    left += left_clashes
                    break
                for wd, items in enumerate(days):
                    busy.release_day(items, wd, cls)
                    for item in items:
                        for t in busy.teachers(item, cls):
                            teacher_days[(t, cls.shift, wd)] -= 1
            week[cls.id] = days
        return week, left

    @staticmethod
    def _swap_day(
        days: list[list[tuple[str, int, int]]],
        wd: int,
        cls: _Class,
        busy: _Busy,
        teacher_days: dict[tuple[int, int, int], int],
    ) -> list[tuple[str, int, int]] | None:
        """Day `wd` of `cls` has no clash-free order: swap one of its lessons with another day's, so both fit."""
        for wd2 in [*range(wd + 1, 5), *range(wd)]:  # later days first: nothing of theirs is placed yet
            placed = wd2 < wd
            for i, x in enumerate(days[wd]):
                for j, y in enumerate(days[wd2]):
                    if x[0] == y[0] or y[0] in {it[0] for it in days[wd]} or x[0] in {it[0] for it in days[wd2]}:
                        continue
                    here = [*days[wd][:i], y, *days[wd][i + 1 :]]
                    there = [*days[wd2][:j], x, *days[wd2][j + 1 :]]
                    if placed:
                        busy.release_day(days[wd2], wd2, cls)
                    mine = busy.order(here, wd, cls)
                    if mine is not None and not placed:
                        days[wd2] = there
                        return mine
                    if mine is not None:
                        busy.take_day(mine, wd, cls)
                        theirs = busy.order(there, wd2, cls)
                        busy.release_day(mine, wd, cls)
                        if theirs is not None:
                            busy.take_day(theirs, wd2, cls)
                            for t in busy.teachers(y, cls):
                                teacher_days[(t, cls.shift, wd2)] -= 1
                            for t in busy.teachers(x, cls):
                                teacher_days[(t, cls.shift, wd2)] += 1
                            days[wd2] = theirs
                            return mine
                    if placed:
                        busy.take_day(days[wd2], wd2, cls)
        return None

    def _slots(self, week: dict[int, list[list[tuple[str, int, int]]]]) -> None:
        """The weekly timetable as TimetableSlot rows, the same in every quarter; a homeroom per class."""
        by_shift = sorted(self.classes, key=lambda c: (c.shift, c.grade, c.letter))
        first = [c for c in by_shift if c.shift == 1]
        rooms: dict[int, str] = {c.id: f"{1 + i // 10}{i % 10 + 1:02d}" for i, c in enumerate(first)}
        # Second-shift classes sit in first-shift rooms: the rooms are free by then.
        for i, c in enumerate(c for c in by_shift if c.shift != 1):
            rooms[c.id] = rooms[first[i % len(first)].id] if first else f"{101 + i}"
        # A second group's teacher keeps a language room of his own: where he is, it is free.
        own_rooms = {t: f"Л-{i}" for i, t in enumerate(sorted(set(self.partners.values())), start=1)}
        slot_rows = self.rows["timetableslot"]
        for number_q, starts, ends in self.cal.quarters:
            term_id = self.term_ids[number_q]
            for cls in self.classes:
                for wd, items in enumerate(week[cls.id]):
                    for number, (code, subject_id, teacher) in enumerate(items, start=1):
                        room = "" if code in NO_ROOM_SUBJECTS else rooms[cls.id]
                        second = self.partners.get((cls.id, code))
                        groups = [(0, teacher, room)]
                        if second is not None:
                            groups = [(1, teacher, room), (2, second, own_rooms[second])]
                        for subgroup, teacher_id, where in groups:
                            slot_rows.append(
                                (
                                    self.ids.take("timetableslot"),
                                    self.school_id,
                                    cls.id,
                                    term_id,
                                    starts,
                                    ends,
                                    wd + 1,
                                    number,
                                    subject_id,
                                    teacher_id,
                                    subgroup,
                                    where,
                                )
                            )

    def _absences(
        self, days: list[date], week: dict[int, list[list[tuple[str, int, int]]]]
    ) -> tuple[dict[tuple[int, int], dict[int, str]], dict[tuple[int, int], list[tuple[int, int, str, int]]]]:
        """Whole-day absences per (class, day index) and single-lesson ones (pupil, lesson, code, late min)."""
        rng = self.rng
        n_days = len(days)
        scale = n_days / 47  # the rates below are per 47 school days (a first quarter)
        whole: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
        single: dict[tuple[int, int], list[tuple[int, int, str, int]]] = defaultdict(list)
        for cls in self.classes:
            lessons_per_day = [len(week[cls.id][d.weekday()]) for d in days]
            for pupil_id in cls.pupils:
                m = rng.gammavariate(1.5, 1 / 1.5) * scale  # how often this pupil misses school (mean 1)
                for _ in range(_poisson(rng, 0.37 * m)):  # ill for 2–4 school days in a row
                    start = rng.randrange(n_days)
                    for day in range(start, min(n_days, start + rng.randint(2, 4))):
                        whole[(cls.id, day)].setdefault(pupil_id, "б")
                for _ in range(_poisson(rng, 0.6 * m)):
                    whole[(cls.id, rng.randrange(n_days))].setdefault(pupil_id, "н")
                for _ in range(_poisson(rng, 0.25 * m)):  # excused: a family event, a competition
                    start = rng.randrange(n_days)
                    for day in range(start, min(n_days, start + rng.randint(1, 2))):
                        whole[(cls.id, day)].setdefault(pupil_id, "у")
                for code, lam in (("п", 1.5), ("н", 0.6), ("о", 1.2)):
                    for _ in range(_poisson(rng, lam * m)):
                        day = rng.randrange(n_days)
                        if lessons_per_day[day]:
                            minutes = rng.randint(3, 20) if code == "о" else 0
                            single[(cls.id, day)].append((pupil_id, rng.randrange(lessons_per_day[day]), code, minutes))
        return whole, single

    def _subgroup_members(self) -> dict[tuple[int, str], tuple[list[int], list[int]]]:
        """The split of each class × subject taught in two groups: the alphabetical list cut in halves."""
        sort = {pupil_id: row[10] for pupil_id, row in self._pupil_rows.items()}
        by_id = {cls.id: cls for cls in self.classes}
        members: dict[tuple[int, str], tuple[list[int], list[int]]] = {}
        for class_id, code in sorted(self.partners):
            ordered = sorted(by_id[class_id].pupils, key=lambda p: (sort[p], p))
            half = (len(ordered) + 1) // 2
            members[(class_id, code)] = (ordered[:half], ordered[half:])
            for subgroup, group in ((1, ordered[:half]), (2, ordered[half:])):
                for pupil_id in group:
                    self.rows["subgroupmember"].append(
                        (
                            self.ids.take("subgroupmember"), self.school_id, class_id, self.subject_ids[code],
                            subgroup, pupil_id,
                        )
                    )  # fmt: skip
        return members

    def _journal(self) -> None:
        """The timetable of every quarter and the journal from the first day up to yesterday."""
        rng = self.rng
        sid = self.school_id
        week = self._timetable()
        self._slots(week)
        members = self._subgroup_members()
        # School days up to yesterday, per quarter; a class skips its grade's days off.
        days: list[tuple[date, int]] = []
        for number, starts, ends in self.cal.quarters:
            last = min(ends, self.today - timedelta(days=1))
            days += [(d, self.term_ids[number]) for d in self.cal.school_days(starts, last, 0)]
        # Today's quarter is planned to its end, as the deputy's lesson generation does at its start:
        # today's and the coming lessons are there, with nothing written in them yet.
        self._planned(
            week,
            [
                (d, self.term_ids[number])
                for number, starts, ends in self.cal.quarters
                if starts <= self.today <= ends
                for d in self.cal.school_days(self.today, ends, 0)
            ],
        )
        if not days:
            return
        grades = {cls.grade for cls in self.classes}
        off = {(g, d) for d, _t in days for g in grades if self.cal.is_day_off(d, g)}
        whole, single = self._absences([d for d, _t in days], week)
        hours = {(cls.id, code): h for cls in self.classes for code, _s, _t, h in cls.units}
        lesson_rows = self.rows["lesson"]
        mark_rows = self.rows["mark"]
        attendance_rows = self.rows["attendance"]
        next_lesson = self.ids.next["lesson"]
        next_mark = self.ids.next["mark"]
        next_attendance = self.ids.next["attendance"]
        counter: dict[tuple[int, int], int] = defaultdict(int)  # (class, subject) -> lessons so far
        criterion = criterion_grades(self.cal.start_year)
        # (class, subject, subgroup, term) -> pupil -> marks so far: the teacher marks those he marked least.
        marked_so_far: dict[tuple[int, int, int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        random_ = rng.random
        gauss = rng.gauss
        ability = self.ability
        track = self.track_links
        marked = self.marked_pupils
        for day_index, (day, term_id) in enumerate(days):
            wd = day.weekday()
            for cls in self.classes:
                todays = week[cls.id][wd]
                if not todays or (cls.grade, day) in off:
                    continue
                pupils = cls.pupils
                day_absent = whole.get((cls.id, day_index), {})
                singles = single.get((cls.id, day_index), ())
                topic_language = cls.language
                base_hour = 2 if cls.shift == 1 else 8  # Bishkek is UTC+6: 08:00 and 14:00 local
                for number, (code, subject_id, teacher) in enumerate(todays, start=1):
                    counter[(cls.id, subject_id)] += 1
                    k = counter[(cls.id, subject_id)]
                    language = SUBJECT_LANGUAGE.get(code, topic_language)
                    titles = TOPICS[code].get(language) or TOPICS[code]["*"]
                    topic = f"§{k}. {titles[(k - 1) // 3 % len(titles)]}"
                    homework = ""
                    if code not in NO_HOMEWORK_SUBJECTS and random_() < 0.7:
                        a = rng.randrange(1, 400)
                        homework = rng.choice(HOMEWORK[language]).format(
                            k=k, a=a, b=a + rng.randint(1, 4), p=a // 3 + 4
                        )
                    second = self.partners.get((cls.id, code))
                    groups: list[tuple[int, int, list[int]]] = [(0, teacher, pupils)]
                    if second is not None:
                        first_half, second_half = members[(cls.id, code)]
                        groups = [(1, teacher, first_half), (2, second, second_half)]
                    stamp = datetime(day.year, day.month, day.day, base_hour + number, 0, tzinfo=UTC)
                    absent = day_absent
                    late: dict[int, int] = {}
                    if singles:
                        absent = dict(day_absent)
                        for pupil_id, position, a_code, minutes in singles:
                            if position == number - 1 and pupil_id not in absent:
                                if a_code == "о":
                                    late.setdefault(pupil_id, minutes)
                                else:
                                    absent[pupil_id] = a_code
                    for subgroup, teacher_id, group in groups:
                        lesson_id = next_lesson
                        next_lesson += 1
                        lesson_rows.append(
                            (lesson_id, sid, cls.id, subject_id, teacher_id, term_id, day, number, subgroup, topic,
                             homework)
                        )  # fmt: skip
                        if subgroup:  # a group's lesson: its own pupils only
                            mine = set(group)
                            absent_here = {p: c for p, c in absent.items() if p in mine}
                            late_here = {p: m for p, m in late.items() if p in mine}
                        else:
                            absent_here, late_here = absent, late
                        # One row per pupil and lesson: an absence wins over a lateness drawn for the same lesson.
                        for pupil_id, a_code in absent_here.items():
                            attendance_rows.append((next_attendance, sid, lesson_id, pupil_id, a_code, 0, stamp))
                            next_attendance += 1
                        for pupil_id, minutes in late_here.items():
                            if pupil_id not in absent_here:
                                attendance_rows.append((next_attendance, sid, lesson_id, pupil_id, "о", minutes, stamp))
                                next_attendance += 1
                        if cls.grade == 1 or not group:
                            continue  # first graders get no marks
                        h = hours[(cls.id, code)]
                        period = max(6, 3 * h)  # a test about every three weeks
                        present = [p for p in group if p not in absent_here]
                        if code not in UNTESTED_SUBJECTS and h >= 2 and k % period == period // 2:
                            kind = "control" if code in CONTROL_SUBJECTS else "test"
                            chosen = present
                            noise = 1.1
                        else:
                            # About MARKS_PER_QUARTER marks a quarter each (a quarter has ~9 weeks of
                            # lessons): a 1-hour subject marks half the class, a 5-hour one a fifth.
                            rate = min(0.6, max(0.2, MARKS_PER_QUARTER / (9 * h)))
                            n_marks = round(len(group) * rate * (0.8 + 0.4 * random_()))
                            so_far = marked_so_far[(cls.id, subject_id, subgroup, term_id)]
                            chosen = sorted(present, key=lambda p: so_far[p] + random_())[:n_marks]
                            kind = ""
                            noise = 1.0
                        so_far = marked_so_far[(cls.id, subject_id, subgroup, term_id)]
                        # A criterion grade's summative works (test, control) are written as percentages.
                        percents = bool(kind) and cls.grade in criterion
                        for pupil_id in chosen:
                            score = ability[pupil_id] + gauss(0, noise)
                            value = 2 if score < _CUT_2 else 3 if score < _CUT_3 else 4 if score < _CUT_4 else 5
                            mark_kind = kind or ("home" if random_() < 0.2 else "class")
                            percent = _percent_of(score, value) if percents else None
                            mark_rows.append((next_mark, sid, lesson_id, pupil_id, value, mark_kind, stamp, percent))
                            next_mark += 1
                            so_far[pupil_id] += 1
                            if track:
                                marked.add(pupil_id)
        self.ids.next["lesson"] = next_lesson
        self.ids.next["mark"] = next_mark
        self.ids.next["attendance"] = next_attendance

    def _planned(self, week: dict[int, list[list[tuple[str, int, int]]]], days: list[tuple[date, int]]) -> None:
        """Lessons from today to the end of today's quarter, following the timetable: no topic, no marks."""
        sid = self.school_id
        rows = self.rows["lesson"]
        for day, term_id in days:
            for cls in self.classes:
                if self.cal.is_day_off(day, cls.grade):
                    continue
                for number, (code, subject_id, teacher) in enumerate(week[cls.id][day.weekday()], start=1):
                    second = self.partners.get((cls.id, code))
                    groups = [(0, teacher)] if second is None else [(1, teacher), (2, second)]
                    for subgroup, teacher_id in groups:
                        rows.append(
                            (self.ids.take("lesson"), sid, cls.id, subject_id, teacher_id, term_id, day, number,
                             subgroup, "", "")
                        )  # fmt: skip

    # -- demo accounts ---------------------------------------------------------------------

    def links(self) -> dict[str, tuple[str, int, str]]:
        """For each demo role: (User column, linked id, full name)."""
        pos = self.staff_by_position
        out: dict[str, tuple[str, int, str]] = {}
        for role, position in (
            ("administrator", "administrator"),
            ("director", "director"),
            ("deputy", "deputy"),
            ("clerk", "clerk"),
        ):
            staff_id = pos[position][0]
            out[role] = ("staff_id", staff_id, self.staff_names[staff_id])
        class_teachers = {cls.teacher_id for cls in self.classes}
        teachers = sorted(
            (t for t, classes in self.teacher_classes.items() if len(classes) >= 3 and t not in class_teachers),
            key=lambda t: (-len(self.teacher_classes[t]), t),
        ) or sorted(self.teacher_classes)
        out["teacher"] = ("staff_id", teachers[0], self.staff_names[teachers[0]])
        middle = sorted((c for c in self.classes if 5 <= c.grade <= 9), key=lambda c: (abs(c.grade - 7), c.letter))
        cls = middle[0] if middle else self.classes[-1]
        out["class_teacher"] = ("staff_id", cls.teacher_id, self.staff_names[cls.teacher_id])  # type: ignore[index]
        if not self.families:
            return out  # a school without pupils: parent and pupil accounts stay unlinked
        family = next(
            (f for f in self.families if len(f.children) >= 2 and any(g >= 5 for _, g in f.children)),
            None,
        ) or max(self.families, key=lambda f: (len(f.children), max(g for _, g in f.children)))
        guardian_id = next(g for g, _r, primary in family.guardians if primary)
        out["parent"] = ("guardian_id", guardian_id, self.guardian_names[guardian_id])
        # The pupil account is one of the parent's children, so the two demo views agree.
        pupils = [p for p, g in sorted(family.children, key=lambda c: -c[1]) if g >= 5 and p in self.marked_pupils]
        if not pupils:
            pupils = [p for cls in self.classes if cls.grade >= 5 for p in cls.pupils if p in self.marked_pupils]
        if pupils:
            out["pupil"] = ("pupil_id", pupils[0], self.pupil_names[pupils[0]])
        return out
