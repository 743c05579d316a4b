"""The academic results grouped by teacher (issue 14 §1: «… by class, parallel, level, teacher»).

For the same period, classes and counted marks as `results` (the base N: pupils on roll at the
period's end, «осв» and «зач» out, confirmed period marks only): one row per teacher with the
figures over every pupil × subject mark he gave, then a row per class × subject he teaches. A
pupil's mark belongs to the teacher of his class × subject — of his own subgroup when the subject
is taught in groups (`SubgroupMember`); a class × subject split into groups that has no member
rows counts for nobody. For a teacher, успеваемость and качество are over his pupil × subject
marks (a pupil with a 2 in his subject and 5s in the others is a fail for him and nobody else).
Counted over `results`' own marks (`results._counted_rows`), teacher × class × subject × sex.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from sqlmodel import Session, select

from bbbms_app.models import Staff, SubgroupMember, TeachingAssignment
from bbbms_app.services import curriculum
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
    """The teachers of `res`' classes with their tallies, alphabetical.

    The marks counted are `results`' own, kept on `res` (`Results.counted`, `results._counted_rows`:
    one rule and one read for both reports); each is given to the teachers of its class × subject —
    those of the whole class, and those of the pupil's own subgroup — and tallied per teacher ×
    class × subject × sex."""
    period, school_id = res.period, res.school.id
    classes = list(res.classes)
    class_ids = [c.id for c in classes] or [-1]
    rows = res.counted
    if not rows:  # a Results made without its marks (or with none): read them
        live, half_year = results_service._readings(session, school_id, classes)  # type: ignore[arg-type]
        _on_roll, gone = results_service._roll(session, period, class_ids)  # type: ignore[arg-type]
        rows = results_service._counted_rows(session, school_id, period, classes, live, gone, half_year)  # type: ignore[arg-type]
    run = session.connection().execute
    ta = TeachingAssignment
    whole: dict[tuple[int, int], list[int]] = defaultdict(list)  # (class, subject) -> its teachers
    of_group: dict[tuple[int, int, int], list[int]] = defaultdict(list)  # (class, subject, subgroup) -> …
    for teacher_id, class_id, subject_id, subgroup in run(
        select(ta.teacher_id, ta.class_id, ta.subject_id, ta.subgroup).where(
            ta.class_id.in_(class_ids),  # type: ignore[attr-defined]
            ta.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ):
        if subgroup:
            of_group[(class_id, subject_id, subgroup)].append(teacher_id)
        else:
            whole[(class_id, subject_id)].append(teacher_id)
    group_of: dict[tuple[int, int, int], int] = {}  # (class, subject, pupil) -> his subgroup
    if of_group:
        m = SubgroupMember
        group_of = {
            (class_id, subject_id, pupil_id): subgroup
            for class_id, subject_id, pupil_id, subgroup in run(
                select(m.class_id, m.subject_id, m.pupil_id, m.subgroup).where(m.class_id.in_(class_ids))  # type: ignore[attr-defined]
            )
        }
    counts: dict[int, dict[tuple[int, int, str], list[int]]] = defaultdict(dict)  # n5 n4 n3 n2 n_na total count
    # The whole class's teachers: per distinct (class, subject, sex, value), counted in C first.
    for (class_id, subject_id, sex, value), n in Counter(map(itemgetter(1, 2, 3, 4), rows)).items():
        for teacher_id in whole.get((class_id, subject_id), ()):
            tally = counts[teacher_id].setdefault((class_id, subject_id, sex), [0, 0, 0, 0, 0, 0, 0])
            results_service._add(tally, 0, value, n)
    # A group's teachers: the marks of its members, row by row (a few subjects of a few classes).
    grouped = {(class_id, subject_id) for class_id, subject_id, _g in of_group}
    for pupil_id, class_id, subject_id, sex, value, _special in rows:
        if (class_id, subject_id) not in grouped:
            continue
        group = group_of.get((class_id, subject_id, pupil_id))
        for teacher_id in of_group.get((class_id, subject_id, group), ()) if group is not None else ():
            tally = counts[teacher_id].setdefault((class_id, subject_id, sex), [0, 0, 0, 0, 0, 0, 0])
            results_service._add(tally, 0, value, 1)
    staff = session.exec(select(Staff).where(Staff.id.in_(list(counts) or [-1]))).all()  # type: ignore[union-attr]
    out = [
        TeacherResults(
            s.id,  # type: ignore[arg-type]
            staff_short(s),
            (s.last_name, s.first_name, s.id),
            {key: Tally(*tally) for key, tally in counts[s.id].items()},  # type: ignore[index]
        )
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
