"""Subjects in the curriculum's order (services.curriculum): the journal's picker, the summary sheet,
the timetable's choices and a teacher's load follow Subject.position in every language, and subjects
nobody has numbered follow the Kyrgyz alphabet."""

from __future__ import annotations

from types import SimpleNamespace

from bbbms_app import db
from bbbms_app.models import Subject
from bbbms_app.services import curriculum, journal, reports, timetable
from bbbms_app.services import school as school_service
from tests.factories import principal_of


def _names(rows: list[dict[str, str]], key: str = "ky") -> list[str]:
    return [r[key] for r in rows]


def test_the_kyrgyz_alphabet_breaks_ties_and_the_position_wins() -> None:
    s = SimpleNamespace
    subjects = [
        s(id=1, position=0, name_ky="Химия"),
        s(id=2, position=0, name_ky="Өзбек тили"),  # ө follows о and precedes п in Kyrgyz: before Химия
        s(id=3, position=0, name_ky="Орус тили"),
        s(id=4, position=0, name_ky="Үй-бүлө"),  # ү follows у: after Орус, Өзбек; before Химия (х after ү)
    ]
    assert [x.name_ky for x in curriculum.sort_subjects(subjects)] == ["Орус тили", "Өзбек тили", "Үй-бүлө", "Химия"]
    subjects[0].position, subjects[1].position = 1, 3
    subjects[2].position, subjects[3].position = 2, 2
    assert [x.id for x in curriculum.sort_subjects(subjects)] == [1, 3, 4, 2]
    rows = [{"s": x} for x in subjects]
    assert [r["s"].id for r in curriculum.sort_subjects(rows, lambda r: r["s"])] == [1, 3, 4, 2]


def test_every_list_of_a_class_follows_the_curriculum(school) -> None:
    # 6-Б learns Математика and Кыргыз тили: alphabetically Кыргыз тили comes first.
    with db.session() as s:
        deputy = principal_of("t_deputy", s)
        assert _names(journal.journal_subjects(s, deputy, school.class_6b)) == ["Кыргыз тили", "Математика"]
    with db.session(write=True) as s:
        s.get(Subject, school.math).position = 1  # type: ignore[union-attr]
        s.get(Subject, school.kyrgyz).position = 2  # type: ignore[union-attr]
    with db.session() as s:
        deputy = principal_of("t_deputy", s)
        picker = journal.journal_subjects(s, deputy, school.class_6b)
        assert _names(picker) == ["Математика", "Кыргыз тили"]
        assert _names(picker, "ru") == ["Математика", "Кыргызский язык"]  # the same order in Russian
        sheet = reports.summary(s, deputy, school.class_6b, school.term_ids[0])
        assert [x.name_ky for x in sheet.subjects] == ["Математика", "Кыргыз тили"]
        choices = timetable.class_choices(s, deputy, school.class_6b)
        assert [c["label_ky"].split(" — ")[0] for c in choices][:2] == ["Математика", "Кыргыз тили"]
        load = school_service.teaching_load(s, school.teacher_b, school.year_id)
        assert [r["subject_ky"] for r in load] == ["Математика", "Кыргыз тили"]
