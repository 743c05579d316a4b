"""The school year's marks as one flat table (a row per mark), streamed to XLSX.

Every mark of the year's lessons (term, date, lesson №, class, subject, the teacher who held the
lesson, pupil, kind, mark), then every period mark (quarter, half-year, year: value or «н/а»,
«осв» …) with its kind in the «kind» column and no date. Rows come from the database in batches
and go to the file as they come (`xlsx.write_table`: the sheet's XML written straight, each
distinct text escaped once): a year of about 150,000 marks stays small in memory, and every
column is written (the writer's own sheet, not pandas).

Pupils' marks are personal data: the caller stamps the file (`engine.marking`) and audits it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bbbms_app.i18n import t
from bbbms_app.models import Lesson, Mark, PeriodMark, Pupil, SchoolClass, Staff, Subject, Term
from bbbms_app.services.engine import xlsx
from bbbms_app.services.journal.access import class_label
from bbbms_app.services.school import localized_name
from bbbms_app.services.timetable import staff_short

COLUMNS = ("term", "date", "lesson", "group", "subject", "teacher", "pupil", "kind", "mark")
KINDS = {"number": ("term", "lesson"), "date": ("date",)}
WIDTHS = {"term": 7, "date": 11, "lesson": 7, "group": 7, "subject": 24, "teacher": 20, "pupil": 28, "kind": 12}
BATCH = 5000


def rows(session: Session, school_id: int, year_id: int, lang: str) -> Iterator[tuple[Any, ...]]:
    """The year's marks, lesson marks first (by class, subject, date), then the period marks."""
    classes = {
        c.id: class_label(c)
        for c in session.exec(
            select(SchoolClass).where(SchoolClass.school_id == school_id, SchoolClass.academic_year_id == year_id)
        ).all()
    }
    class_ids = list(classes) or [-1]
    subjects = {
        s.id: localized_name(s, lang) for s in session.exec(select(Subject).where(Subject.school_id == school_id))
    }
    staff = {s.id: staff_short(s) for s in session.exec(select(Staff).where(Staff.school_id == school_id))}
    pupils = {
        pid: f"{last} {first}"
        for pid, last, first in session.exec(
            select(Pupil.id, Pupil.last_name, Pupil.first_name).where(Pupil.school_id == school_id)
        )
    }
    terms = {
        term.id: term.number
        for term in session.exec(select(Term).where(Term.academic_year_id == year_id))  # type: ignore[arg-type]
    }
    kinds = {k: t(f"export.marks.kind.{k}", lang) for k in ("class", "home", "test", "control")}
    conn = session.connection().execution_options(stream_results=True, yield_per=BATCH)
    q = (
        select(
            Lesson.term_id,
            Lesson.date,
            Lesson.number,
            Lesson.class_id,
            Lesson.subject_id,
            Lesson.teacher_id,
            Mark.pupil_id,
            Mark.kind,
            Mark.value,
        )
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(Lesson.school_id == school_id, Lesson.class_id.in_(class_ids))  # type: ignore[attr-defined]
        .order_by(Lesson.class_id, Lesson.subject_id, Lesson.date, Lesson.number, Mark.pupil_id)
    )
    for term_id, day, number, class_id, subject_id, teacher_id, pupil_id, kind, value in conn.execute(q):
        yield (
            terms.get(term_id),
            day,
            number,
            classes.get(class_id, ""),
            subjects.get(subject_id, ""),
            staff.get(teacher_id, ""),
            pupils.get(pupil_id, ""),
            kinds.get(kind, kind),
            value,
        )
    period = (
        select(
            PeriodMark.kind,
            PeriodMark.number,
            PeriodMark.class_id,
            PeriodMark.subject_id,
            PeriodMark.pupil_id,
            PeriodMark.value,
            PeriodMark.special,
        )
        .where(PeriodMark.school_id == school_id, PeriodMark.academic_year_id == year_id)
        .where((PeriodMark.value.is_not(None)) | (PeriodMark.special != ""))  # type: ignore[union-attr]
        .order_by(PeriodMark.class_id, PeriodMark.subject_id, PeriodMark.kind, PeriodMark.number, PeriodMark.pupil_id)
    )
    labels: dict[tuple[str, int], str] = {}
    for kind, number, class_id, subject_id, pupil_id, value, special in conn.execute(period):
        if (kind, number) not in labels:
            termly = kind in ("quarter", "half_year")
            key = f"term.{kind}" if termly else f"export.marks.kind.{kind}"
            labels[(kind, number)] = t(key, lang, number=number) if termly else t(key, lang)
        yield (
            number or None,
            None,
            None,
            classes.get(class_id, ""),
            subjects.get(subject_id, ""),
            "",
            pupils.get(pupil_id, ""),
            labels[(kind, number)],
            value if value is not None else special,
        )


def sheet(session: Session, school_id: int, year_id: int, lang: str, last_line: str = "") -> xlsx.Sheet:
    columns = []
    for key in COLUMNS:
        kind = next((k for k, keys in KINDS.items() if key in keys), "auto" if key == "mark" else "text")
        columns.append(xlsx.Column(t(f"export.marks.col.{key}", lang), kind, WIDTHS.get(key, 8)))
    return xlsx.Sheet(
        t("export.marks.sheet", lang), columns, rows(session, school_id, year_id, lang), last_line=last_line
    )


def write(out: Path, session: Session, school_id: int, year_id: int, lang: str, **marks: Any) -> int:
    """Stream the year's marks to `out`; the number of rows. `marks`: the stamp's footer and properties."""
    last_line = marks.pop("last_line", "")
    return xlsx.write_table(out, sheet(session, school_id, year_id, lang, last_line), **marks)
