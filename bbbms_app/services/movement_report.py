"""The contingent report (движение учащихся) for a date range: per class and by sex, the pupils at
the start, those who arrived (by where they came from), who left (by where they went), who moved in
from or out to another class of the school, and at the end; totals by grade, level and school.

Everything is counted from the enrollments (the class lists the journal reads), each of its ends
named by the movement record that made it:

- on the roll on day D: an enrollment with starts_on <= D <= ends_on (an open end counts);
- at the start: on the roll on `start`; at the end: on the roll on `end`;
- an entry in the period: an enrollment starting in (start, end]; an exit: one whose last day is
  in [start, end) (a departure on D keeps the pupil on the list on D, as the journal shows him);

so for every class and sex, start + arrived + moved in − left − moved out = end holds by
construction (tests/test_movement_report.py checks it on generated movements). An entry made by
an arrival counts as arrived, by a class change or a promotion as moved in; an exit made by a
departure or a graduation counts as left, by a class change or a promotion as moved out (a
retention — kept in the same grade — counts as a promotion: the pupil stays in the school). An end no
record names (data from before the movement book) counts as arrived / left, «not specified».
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t
from bbbms_app.models import AcademicYear, Enrollment, MovementRecord, Pupil, SchoolClass
from bbbms_app.services.places import CATEGORIES, UNSPECIFIED
from bbbms_app.services.school import class_name

SEXES = ("m", "f")
ORIGINS = (*CATEGORIES, UNSPECIFIED)
DESTINATIONS = (*CATEGORIES, "graduated", UNSPECIFIED)
# The measures of a row, in the report's column order.
MEASURES = (
    "start",
    *(f"arrived.{c}" for c in ORIGINS),
    "arrived",
    "moved_in",
    *(f"left.{c}" for c in DESTINATIONS),
    "left",
    "moved_out",
    "end",
)
LEVELS = (("primary", 1, 4), ("basic", 5, 9), ("secondary", 10, 12))


@dataclass
class Row:
    """One line of the report: a class, a grade's total, a level's total or the school's."""

    key: str  # "class", "grade", "level", "school"
    label: str
    grade: int = 0
    label_key: str = ""  # a total's label as a catalog key (and its grade), for another language
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {m: dict.fromkeys(SEXES, 0) for m in MEASURES})

    def add(self, measure: str, sex: str, n: int = 1) -> None:
        self.counts[measure][sex] += n

    def total(self, measure: str) -> int:
        return sum(self.counts[measure].values())

    def balance(self, sex: str | None = None) -> int:
        """start + arrived + moved in − left − moved out − end: zero when the row reconciles."""
        sexes = SEXES if sex is None else (sex,)
        c = self.counts
        return sum(
            c["start"][s] + c["arrived"][s] + c["moved_in"][s] - c["left"][s] - c["moved_out"][s] - c["end"][s]
            for s in sexes
        )

    def merge(self, other: Row) -> None:
        for m in MEASURES:
            for s in SEXES:
                self.counts[m][s] += other.counts[m][s]


@dataclass
class ContingentReport:
    start: date
    end: date
    classes: list[Row]
    grades: list[Row]
    levels: list[Row]
    school: Row

    def all_rows(self) -> list[Row]:
        return [*self.classes, *self.grades, *self.levels, self.school]


class PeriodInvalid(ValueError):
    """The period's end is before its start (the message key says so)."""

    key = "contingent.error.period"


def contingent(session: Session, school_id: int, start: date, end: date, lang: str = "ky") -> ContingentReport:
    """The report for [start, end] of one school (see the module docstring)."""
    if end < start:
        raise PeriodInvalid(f"{start} > {end}")
    # The classes of the years the period touches, and any other class someone was on the list of
    # in it (a list not yet closed by a promotion after its year ended).
    listed = select(Enrollment.class_id).where(
        Enrollment.school_id == school_id,
        Enrollment.starts_on <= end,
        or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= start),  # type: ignore[union-attr]
    )
    classes = session.exec(
        select(SchoolClass)
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
        .where(
            SchoolClass.school_id == school_id,
            or_(
                # a class struck out (a year-end order reversed) shows only if someone was on its list
                (AcademicYear.starts_on <= end) & (AcademicYear.ends_on >= start) & SchoolClass.deleted_at.is_(None),  # type: ignore[operator, union-attr]
                SchoolClass.id.in_(listed),  # type: ignore[union-attr]
            ),
        )
        .order_by(AcademicYear.starts_on, SchoolClass.grade, SchoolClass.letter)
    ).all()
    rows: dict[int, Row] = {
        c.id: Row("class", class_name(c.grade, c.letter), c.grade) for c in classes if c.id is not None
    }
    enrollments = session.exec(
        select(Enrollment, Pupil.sex)
        .join(Pupil, Pupil.id == Enrollment.pupil_id)  # type: ignore[arg-type]
        .where(
            Enrollment.school_id == school_id,
            Enrollment.class_id.in_(list(rows) or [-1]),  # type: ignore[union-attr]
            Enrollment.starts_on <= end,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= start),  # type: ignore[union-attr]
        )
    ).all()
    pupils = sorted({e.pupil_id for e, _sex in enrollments})
    records: dict[int, list[MovementRecord]] = defaultdict(list)
    for chunk in range(0, len(pupils), 500):
        for m in session.exec(
            select(MovementRecord)
            .where(
                MovementRecord.pupil_id.in_(pupils[chunk : chunk + 500]),  # type: ignore[union-attr]
                MovementRecord.deleted_at.is_(None),  # type: ignore[union-attr]
            )
            .order_by(MovementRecord.date, MovementRecord.id)  # type: ignore[arg-type]
        ).all():
            records[m.pupil_id].append(m)
    for e, sex in enrollments:
        row = rows[e.class_id]
        ends = e.ends_on
        if e.starts_on <= start and (ends is None or ends >= start):
            row.add("start", sex)
        if e.starts_on <= end and (ends is None or ends >= end):
            row.add("end", sex)
        if start < e.starts_on <= end:
            entry = _entry_of(records[e.pupil_id], e)
            if entry is None or entry.kind == "arrival":
                category = (entry.from_category if entry is not None else "") or UNSPECIFIED
                row.add(f"arrived.{category}", sex)
                row.add("arrived", sex)
            else:
                row.add("moved_in", sex)
        if ends is not None and start <= ends < end:
            exit_ = _exit_of(records[e.pupil_id], e)
            if exit_ is None or exit_.kind in ("departure", "graduation"):
                if exit_ is not None and exit_.kind == "graduation":
                    category = "graduated"
                else:
                    category = (exit_.to_category if exit_ is not None else "") or UNSPECIFIED
                row.add(f"left.{category}", sex)
                row.add("left", sex)
            else:
                row.add("moved_out", sex)
    class_rows = [rows[c.id] for c in classes if c.id is not None]
    grades: dict[int, Row] = {}
    for r in class_rows:
        grades.setdefault(
            r.grade, Row("grade", t("contingent.grade", lang, grade=r.grade), r.grade, "contingent.grade")
        ).merge(r)
    levels = []
    for name, low, high in LEVELS:
        level = Row("level", t(f"contingent.level.{name}", lang), label_key=f"contingent.level.{name}")
        for g, r in grades.items():
            if low <= g <= high:
                level.merge(r)
        levels.append(level)
    school = Row("school", t("contingent.school", lang), label_key="contingent.school")
    for r in class_rows:
        school.merge(r)
    return ContingentReport(start, end, class_rows, [grades[g] for g in sorted(grades)], levels, school)


def _entry_of(records: list[MovementRecord], e: Enrollment) -> MovementRecord | None:
    """The record that put the pupil on this list on its first day."""
    for m in records:
        if (
            m.to_class_id == e.class_id
            and m.date == e.starts_on
            and m.kind in ("arrival", "transfer_in_school", "promotion", "retention")
        ):
            return m
    return None


def _exit_of(records: list[MovementRecord], e: Enrollment) -> MovementRecord | None:
    """The record that ended this enrollment: a departure or graduation on its last day, a class
    change the day after, a promotion on any later day (the first such after it)."""
    assert e.ends_on is not None
    for m in records:
        if m.from_class_id != e.class_id:
            continue
        if m.kind in ("departure", "graduation") and m.date == e.ends_on:
            return m
        if m.kind == "transfer_in_school" and m.date == e.ends_on + timedelta(days=1):
            return m
        if m.kind in ("promotion", "retention") and m.date > e.ends_on:
            return m
    return None


def on_roll(session: Session, school_id: int, day: date) -> int:
    """How many pupils of the school are on a class list on `day` (the end's check)."""
    rows = session.exec(
        select(Enrollment.pupil_id).where(
            Enrollment.school_id == school_id,
            Enrollment.starts_on <= day,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= day),  # type: ignore[union-attr]
        )
    ).all()
    return len(set(rows))


# ------------------------------------------------------------------------------ the screen


def measure_label(measure: str, lang: str) -> str:
    if measure.startswith("arrived."):
        return t(f"place.category.{measure.split('.', 1)[1]}", lang)
    if measure.startswith("left."):
        kind = measure.split(".", 1)[1]
        return t("contingent.graduated", lang) if kind == "graduated" else t(f"place.to.{kind}", lang)
    return t(f"contingent.col.{measure}", lang)


def label(row: Row, lang: str) -> str:
    """A line's name in `lang` (a class's name is the same in every language)."""
    return t(row.label_key, lang, grade=row.grade) if row.label_key else row.label


def table(report: ContingentReport, lang: str) -> tuple[list[str], list[dict[str, str]]]:
    """The report as display rows: one per line, every measure «all (girls)» as the paper writes it."""
    headers = [measure_label(m, lang) for m in MEASURES]
    out = []
    for r in report.all_rows():
        line = {"label": label(r, lang), "kind": r.key}
        for i, m in enumerate(MEASURES):
            line[f"m{i}"] = f"{r.total(m)} ({r.counts[m]['f']})" if r.total(m) else "0"
        out.append(line)
    return headers, out


# The paper form is too wide for one A4 page (20 measures, each «all» and «girls»): the workbook
# prints it on two landscape pages, one sheet each — who came (the start, arrivals by where from,
# moves in) and who left (departures by where to, moves out, the end) —, every class on both.
PARTS = (
    ("in", ("start", *(f"arrived.{c}" for c in ORIGINS), "arrived", "moved_in")),
    ("out", (*(f"left.{c}" for c in DESTINATIONS), "left", "moved_out", "end")),
)


def xlsx_bytes(report: ContingentReport, lang: str, school_name: str = "") -> bytes:
    """The report on two A4 landscape sheets: each measure as two columns, all and girls, under a
    two-row header printed on every page; the totals' lines bold."""
    from bbbms_app.services.engine import xlsx

    title = t(
        "contingent.title_period",
        lang,
        start=format_date(report.start, lang),
        end=format_date(report.end, lang),
    )
    head = xlsx.Style(bold=True, align="center", valign="vcenter", border=True, wrap=True, size=9, fill="#EEEEEE")
    plain = xlsx.Style(border=True, align="center", size=10)
    name = xlsx.Style(border=True, size=10)
    total = xlsx.Style(border=True, align="center", size=10, bold=True, fill="#FFF2CC")
    total_name = xlsx.Style(border=True, size=10, bold=True, fill="#FFF2CC")
    sheets = []
    for part, measures in PARTS:
        sheet_title = f"{title} — {t(f'contingent.part.{part}', lang)}"
        cells = [
            xlsx.Cell(0, 0, " — ".join(x for x in (school_name, sheet_title) if x), xlsx.Style(bold=True, size=12),
                      cols=1 + 2 * len(measures)),
            xlsx.Cell(1, 0, t("contingent.col.class", lang), head, rows=2),
        ]  # fmt: skip
        for i, m in enumerate(measures):
            cells.append(xlsx.Cell(1, 1 + 2 * i, measure_label(m, lang), head, cols=2))
            cells.append(xlsx.Cell(2, 1 + 2 * i, t("contingent.all", lang), head))
            cells.append(xlsx.Cell(2, 2 + 2 * i, t("contingent.girls", lang), head))
        for r, row in enumerate(report.all_rows(), start=3):
            bold = row.key != "class"
            cells.append(xlsx.Cell(r, 0, label(row, lang), total_name if bold else name))
            for i, m in enumerate(measures):
                cells.append(xlsx.Cell(r, 1 + 2 * i, row.total(m), total if bold else plain))
                cells.append(xlsx.Cell(r, 2 + 2 * i, row.counts[m]["f"], total if bold else plain))
        sheets.append(
            xlsx.Layout(
                t(f"contingent.part.{part}", lang)[:31],
                cells,
                widths={0: 22, (1, 2 * len(measures)): 6.5},
                freeze=(3, 1),
                repeat=(1, 2),
                heights={1: 54},
            )
        )
    return xlsx.to_bytes(sheets, title=" — ".join(x for x in (school_name, title) if x))
