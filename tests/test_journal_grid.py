"""The journal's grid as people read it: namesakes told apart, the lesson a teacher opens at."""

from __future__ import annotations

from datetime import date

from bbbms_app import db
from bbbms_app.models import Enrollment
from bbbms_app.services import journal
from tests.factories import make_pupil, principal_of


def _add_pupil(s, school, last: str, first: str, patronymic: str, pin: str) -> int:
    p = make_pupil(
        s,
        school.school_id,
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        pin=pin,
        birth_date=date(2014, 3, 3),
    )
    s.add(Enrollment(school_id=school.school_id, pupil_id=p.id, class_id=school.class_5a, starts_on=date(2025, 9, 1)))
    return p.id  # type: ignore[return-value]


def test_namesakes_are_told_apart_by_the_patronymic(school):
    with db.session(write=True) as s:
        a = _add_pupil(s, school, "Эшматов", "Алинур", "Бакытович", "20303201400101")
        b = _add_pupil(s, school, "Эшматов", "Алинур", "Эркинович", "20303201400102")
        c = _add_pupil(s, school, "Асанов", "Бек", "Бакытович", "20303201400103")
        d = _add_pupil(s, school, "Асанов", "Бек", "Болотович", "20303201400104")  # same initial as c
        e = _add_pupil(s, school, "Жумабаев", "Улан", "Тилекович", "20303201400105")  # no namesake
    with db.session() as s:
        g = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
    names = {p.id: p.name for p in g.pupils}
    assert names[a] == "Эшматов Алинур Б."
    assert names[b] == "Эшматов Алинур Э."
    assert names[c] == "Асанов Бек Бакытович"
    assert names[d] == "Асанов Бек Болотович"
    assert names[e] == "Жумабаев Улан"
    assert len(set(names.values())) == len(names)  # every row of the class reads differently
