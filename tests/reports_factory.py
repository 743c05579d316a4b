"""Period marks and absences on top of tests/factories.py's school, every figure hand-computed in tests/test_reports.py.

Quarter 1 (Q1 ends 04.11.2025):
    5-А  math: Үсөнов 5, Абдыкадырова 4, Ңаматов н/а     ky: Үсөнов 5, Абдыкадырова 3, Ңаматов 2
    5-Б  math: Токтогулов 3, Асанова 5, Бекова 2 (left 15.10), Жумаев осв
         ky:   Токтогулов 4, Асанова 5, Бекова 2 (left),      Жумаев 4
    6-Б  math: Петрова 4, Орозов 2                          ky: Петрова 4, Орозов 3
    10-А no marks (one pupil on roll)
Quarter 2: 5-А math: Үсөнов 5, Абдыкадырова 5, Ңаматов 3.  Year: 5-А math: Үсөнов 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bbbms_app import db
from bbbms_app.models import Enrollment, PeriodMark, SchoolClass, TeachingAssignment
from tests.factories import _pupil


@dataclass
class ResultsSchool:
    class_5b: int
    class_10a: int
    pupils_5b: list[int]  # Токтогулов (m), Асанова (f), Бекова (f, left 15.10), Жумаев (m, exempt from maths)
    pupil_10a: int


def build(school) -> ResultsSchool:
    sid, year = school.school_id, school.year_id
    with db.session(write=True) as s:
        c5b = SchoolClass(school_id=sid, academic_year_id=year, grade=5, letter="Б")
        c10 = SchoolClass(school_id=sid, academic_year_id=year, grade=10, letter="А")
        s.add_all([c5b, c10])
        s.flush()
        p5b = [
            _pupil(s, sid, "Токтогулов", "Бекзат", "20101201400061", date(2014, 1, 1), "m"),
            _pupil(s, sid, "Асанова", "Айгерим", "10202201400072", date(2014, 2, 2), "f"),
            _pupil(s, sid, "Бекова", "Нургүл", "10303201400083", date(2014, 3, 3), "f"),
            _pupil(s, sid, "Жумаев", "Азамат", "20404201400094", date(2014, 4, 4), "m"),
        ]
        p10 = _pupil(s, sid, "Садыков", "Улан", "20505200900015", date(2009, 5, 5), "m")
        for p in p5b:
            left = date(2025, 10, 15) if p is p5b[2] else None
            s.add(Enrollment(school_id=sid, pupil_id=p.id, class_id=c5b.id, starts_on=date(2025, 9, 1), ends_on=left))  # type: ignore[arg-type]
        s.add(Enrollment(school_id=sid, pupil_id=p10.id, class_id=c10.id, starts_on=date(2025, 9, 1)))  # type: ignore[arg-type]
        teacher = school.teacher_a
        for cls, subject in ((school.class_5a, school.kyrgyz), (c5b.id, school.kyrgyz), (c5b.id, school.math)):
            s.add(TeachingAssignment(school_id=sid, class_id=cls, subject_id=subject, teacher_id=teacher))  # type: ignore[arg-type]
        u, a, n = school.pupils_5a
        pt, pa, pb, pj = (p.id for p in p5b)
        pe, po = school.pupils_6b
        q1 = [
            (school.class_5a, school.math, [(u, 5), (a, 4), (n, "н/а")]),
            (school.class_5a, school.kyrgyz, [(u, 5), (a, 3), (n, 2)]),
            (c5b.id, school.math, [(pt, 3), (pa, 5), (pb, 2), (pj, "осв")]),
            (c5b.id, school.kyrgyz, [(pt, 4), (pa, 5), (pb, 2), (pj, 4)]),
            (school.class_6b, school.math, [(pe, 4), (po, 2)]),
            (school.class_6b, school.kyrgyz, [(pe, 4), (po, 3)]),
        ]
        q2 = [(school.class_5a, school.math, [(u, 5), (a, 5), (n, 3)])]
        year_marks = [(school.class_5a, school.math, [(u, 5)])]
        for marks, kind, number, term in (
            (q1, "quarter", 1, school.term_ids[0]),
            (q2, "quarter", 2, school.term_ids[1]),
            (year_marks, "year", 0, None),
        ):
            for class_id, subject_id, values in marks:
                for pupil_id, mark in values:
                    s.add(
                        PeriodMark(
                            school_id=sid,
                            pupil_id=pupil_id,
                            subject_id=subject_id,
                            class_id=class_id,  # type: ignore[arg-type]
                            academic_year_id=year,
                            term_id=term,
                            kind=kind,
                            number=number,
                            value=mark if isinstance(mark, int) else None,
                            special=mark if isinstance(mark, str) else "",
                        )
                    )
        s.flush()
        return ResultsSchool(c5b.id, c10.id, [p.id for p in p5b], p10.id)  # type: ignore[misc]
