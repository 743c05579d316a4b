"""The academic results grouped by teacher (issue 14 §1: «… by class, parallel, level, teacher»).

For the same period, classes and counted marks as `results` (the base N: pupils on roll at the
period's end, «осв» and «зач» out, confirmed period marks only): one row per teacher with the
figures over every pupil × subject mark he gave, then a row per class × subject he teaches. A
pupil's mark belongs to the teacher of his class × subject — of his own subgroup when the subject
is taught in groups (`SubgroupMember`); a class × subject split into groups that has no member
rows counts for nobody. For a teacher, успеваемость and качество are over his pupil × subject
marks (a pupil with a 2 in his subject and 5s in the others is a fail for him and nobody else).
Counted in SQL: GROUP BY teacher × class × subject × sex over `results`' own WHERE.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, select

from bbbms_app.models import PeriodMark, Pupil, Staff, SubgroupMember, Subject, TeachingAssignment
from bbbms_app.services import curriculum, grading
from bbbms_app.services.reports import formulas
from bbbms_app.services.reports import results as results_service
from bbbms_app.services.reports.formulas import Tally
from bbbms_app.services.reports.results import SEXES, Results
from bbbms_app.services.school import localized_name
from bbbms_app.services.timetable import staff_short

COLUMNS = ("teacher", "n", "n5", "n4", "n3", "n2", "n_na", "success", "quality", "sou", "average")


@dataclass
class TeacherResults:
    staff_id: int
    name: str
    sort_key: tuple
    # (class id, subject id, sex) -> tally of the pupils' marks he gave in it
    marks: dict[tuple[int, int, str], Tally] = field(default_factory=dict)


def by_teacher(session: Session, res: Results) -> list[TeacherResults]:
    """The teachers of `res`' classes with their tallies, alphabetical."""
    period, school_id = res.period, res.school.id
    class_ids = [c.id for c in res.classes] or [-1]
    _on_roll, gone = results_service._roll(session, period, class_ids)  # type: ignore[arg-type]
    live = session.exec(
        select(Subject.id).where(Subject.school_id == school_id, Subject.deleted_at.is_(None))  # type: ignore[union-attr]
    ).all()
    half_year = grading.half_year_subjects(session, res.classes)
    where = results_service._counted(school_id, period, list(res.classes), list(live) or [-1], gone, half_year)  # type: ignore[arg-type]
    ta = TeachingAssignment
    own_group = exists().where(
        SubgroupMember.class_id == PeriodMark.class_id,
        SubgroupMember.subject_id == PeriodMark.subject_id,
        SubgroupMember.pupil_id == PeriodMark.pupil_id,
        SubgroupMember.subgroup == ta.subgroup,
    )
    q = (
        select(ta.teacher_id, ta.class_id, ta.subject_id, Pupil.sex, *results_service._count_columns())
        .select_from(PeriodMark)
        .join(Pupil, Pupil.id == PeriodMark.pupil_id)  # type: ignore[arg-type]
        .join(
            ta,
            and_(
                ta.class_id == PeriodMark.class_id,
                ta.subject_id == PeriodMark.subject_id,
                ta.deleted_at.is_(None),  # type: ignore[union-attr]
            ),
        )
        .where(where, or_(ta.subgroup == 0, own_group))
        .group_by(ta.teacher_id, ta.class_id, ta.subject_id, Pupil.sex)
    )
    found: dict[int, dict[tuple[int, int, str], Tally]] = defaultdict(dict)
    for teacher_id, class_id, subject_id, sex, *counts in session.connection().execute(q).all():
        key = (class_id, subject_id, sex)
        found[teacher_id][key] = found[teacher_id].get(key, Tally()) + Tally(*(int(n) for n in counts))
    staff = session.exec(select(Staff).where(Staff.id.in_(list(found) or [-1]))).all()  # type: ignore[union-attr]
    out = [
        TeacherResults(s.id, staff_short(s), (s.last_name, s.first_name, s.id), found[s.id])  # type: ignore[arg-type,index]
        for s in staff
    ]
    return sorted(out, key=lambda r: r.sort_key)


def table(
    res: Results, teachers: list[TeacherResults], subject_id: int | None, sex: str | None, lang: str
) -> list[dict]:
    """Rows for the screen and the workbook: each teacher (kind "teacher"), then his classes × subjects
    ("class"), in class then curriculum order; one subject and one sex when filtered."""
    sexes = (sex,) if sex else SEXES
    labels = {c.id: results_service.class_label(c) for c in res.classes}
    order = {c.id: (c.grade, c.letter, c.id) for c in res.classes}
    subjects = {s.id: s for s in res.subjects}
    rows: list[dict] = []
    for teacher in teachers:
        pairs: dict[tuple[int, int], Tally] = {}
        for (class_id, sid, x), tally in teacher.marks.items():
            if x in sexes and (subject_id is None or sid == subject_id) and sid in subjects:
                pairs[(class_id, sid)] = pairs.get((class_id, sid), Tally()) + tally
        if not pairs:
            continue
        total = sum(pairs.values(), Tally())
        rows.append(_row("teacher", str(teacher.staff_id), teacher.name, total))
        for class_id, sid in sorted(pairs, key=lambda p: (order[p[0]], curriculum.subject_key(subjects[p[1]]))):
            name = f"{labels[class_id]} {localized_name(subjects[sid], lang)}"
            rows.append(_row("class", f"{teacher.staff_id}:{class_id}:{sid}", name, pairs[(class_id, sid)]))
    return rows


def _row(kind: str, key: str, label: str, tally: Tally) -> dict:
    ind = formulas.indicators(tally, tally)
    return {
        "kind": kind,
        "key": key,
        "teacher": label,
        **{c: getattr(ind, c) for c in COLUMNS[1:]},
    }


def sheet_table(session: Session, res: Results, subject_id: int | None, sex: str | None, lang: str):
    """The teachers' rows as a `sheets.Table` (the results workbook's «by teacher» sheet)."""
    from bbbms_app.services.reports.sheets import Table

    return Table(COLUMNS, table(res, by_teacher(session, res), subject_id, sex, lang))
