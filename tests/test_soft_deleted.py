"""Soft-deleted classes and subjects (deleted_at set) leave the journal's, timetable's and admin's pickers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bbbms_app import db
from bbbms_app.models import SchoolClass, Subject
from bbbms_app.services import journal, reports, subgroups, timetable
from bbbms_app.services.engine import listing
from tests.factories import principal_of
from tests.subgroup_factory import add_english_groups

TODAY = date(2025, 9, 15)


def soft_delete(model, row_id: int) -> None:
    with db.session() as s:
        row = s.get(model, row_id)
        row.deleted_at = datetime(2025, 9, 10, tzinfo=UTC)
        row.deleted_reason = "created by mistake"
        s.add(row)


def class_names(rows: list[dict[str, str]]) -> set[str]:
    return {r.get("name") or r.get("class_name") for r in rows}  # type: ignore[misc]


def test_a_deleted_class_leaves_every_class_picker(school):
    with db.session() as s:
        add_english_groups(s, school)
    deputy, teacher = principal_of("t_deputy"), principal_of("t_teacher")

    def seen() -> list[set[str]]:
        with db.session() as s:
            return [
                class_names(journal.journal_classes(s, deputy, school.year_id)),
                class_names(journal.journal_classes(s, teacher, school.year_id)),
                class_names(reports.summary_classes(s, deputy, school.year_id)),
                class_names(timetable.readable_classes(s, deputy, school.year_id)),
                {o["label"] for o in listing.picker_options(s, deputy, "schoolclass", "ky")},
                class_names(subgroups.splittable_classes(s, deputy, school.year_id)),
            ]

    assert all("6-Б" in names for names in seen())
    soft_delete(SchoolClass, school.class_6b)
    after = seen()
    assert all("6-Б" not in names for names in after), after
    assert all("5-А" in names for names in after[:1] + after[2:])  # the teacher taught only 6-Б
    with db.session() as s:
        assert [a["label_en"] for a in timetable.teacher_assignments(s, teacher, school.year_id)] == [
            "5-А (2) · English"
        ]


def test_a_deleted_subject_leaves_the_subject_pickers(school):
    with db.session() as s:
        eng = add_english_groups(s, school)
    deputy, teacher = principal_of("t_deputy"), principal_of("t_teacher")

    def seen() -> list[set[str]]:
        with db.session() as s:
            return [
                {o["en"] for o in journal.journal_subjects(s, teacher, school.class_6b)},
                {o["label_en"].split(" — ")[0] for o in timetable.class_choices(s, deputy, school.class_6b)},
                {a["label_en"].split(" · ")[1] for a in timetable.teacher_assignments(s, teacher, school.year_id)},
                {x.names["en"] for x in subgroups.split_subjects(s, deputy, school.class_6b)},
                {sub.name_en for sub in reports.summary(s, deputy, school.class_6b, school.term_ids[0]).subjects},
            ]

    before = seen()
    assert "Kyrgyz" in before[0] and "Kyrgyz" in before[1] and "Kyrgyz" in before[2] and "Kyrgyz" in before[4]
    assert before[3] == {"English"}
    soft_delete(Subject, school.kyrgyz)
    soft_delete(Subject, eng.english)
    after = seen()
    assert after[0] == {"Mathematics"} and after[1] == {"Mathematics"} and after[4] == {"Mathematics"}
    assert after[2] == {"Mathematics"} and after[3] == set()
