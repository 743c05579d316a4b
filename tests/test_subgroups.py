"""Subgroups on a real database: who splits a class, the split's audit, and a subgroup's journal, diary and export."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Mark, SubgroupMember
from bbbms_app.services import diary, journal, journal_export, subgroups
from bbbms_app.services.access import DEFAULT_MATRIX
from bbbms_app.services.journal import CellChange, JournalError, OutOfScope
from tests.factories import principal_of
from tests.subgroup_factory import EnglishGroups, add_english_groups

TODAY = date(2025, 9, 15)


@pytest.fixture
def eng(school) -> EnglishGroups:
    with db.session() as s:
        return add_english_groups(s, school)


def split(username: str, class_id: int, subject_id: int, wanted: dict[int, int]) -> int:
    with db.session(write=True) as s:
        return subgroups.save_membership(s, principal_of(username), class_id, subject_id, wanted, TODAY)


def names(g: journal.Grid) -> list[str]:
    return [p.name for p in g.pupils]


def grid(username: str, school, eng, group: int) -> journal.Grid:
    with db.session() as s:
        return journal.grid(s, principal_of(username), school.class_5a, eng.english, school.term_ids[0], group)


def halves_of(school, eng) -> dict[int, int]:
    with db.session() as s:
        _subject, rows = subgroups.membership(s, principal_of("t_deputy"), school.class_5a, eng.english, TODAY)
    return subgroups.halves([r.pupil_id for r in rows], (1, 2))


def test_only_leaders_and_the_class_teacher_may_split():
    assert "subgroup.write" in DEFAULT_MATRIX["deputy"] and "subgroup.write" in DEFAULT_MATRIX["director"]
    assert "subgroup.write" in DEFAULT_MATRIX["class_teacher"]
    assert "subgroup.write" not in DEFAULT_MATRIX["teacher"]
    assert "subgroup.write" not in DEFAULT_MATRIX["parent"] and "subgroup.write" not in DEFAULT_MATRIX["pupil"]


def test_before_the_split_a_subgroup_journal_lists_nobody_and_says_who_splits(school, eng):
    g = grid("t_eng1", school, eng, 1)
    assert g.needs_split and g.pupils == []
    assert [lesson.id for lesson in g.lessons] == [eng.lesson_g1]
    # The whole-class journal of another subject is untouched.
    with db.session() as s:
        maths = journal.grid(s, principal_of("t_classteacher"), school.class_5a, school.math, school.term_ids[0])
    assert not maths.needs_split and len(maths.pupils) == 3
    # Nobody can get a mark in a subgroup lesson before the split.
    with db.session(write=True) as s, pytest.raises(JournalError) as err:
        journal.save_cell(s, principal_of("t_eng1"), eng.lesson_g1, school.pupils_5a[0], CellChange("class", 5), "")
    assert err.value.key == "journal.error.not_in_subgroup"


def test_deputy_splits_alphabetically_and_each_group_lists_its_members(school, eng):
    with db.session() as s:
        subject, rows = subgroups.membership(s, principal_of("t_deputy"), school.class_5a, eng.english, TODAY)
    assert subject.groups == (1, 2) and subject.teachers == {1: "Жумабаева Н.", 2: "Иванов С."}
    assert [r.name for r in rows] == ["Абдыкадырова Мөлдир", "Ңаматов Эрмек", "Үсөнов Нурбек"]
    assert {r.subgroup for r in rows} == {0}
    wanted = halves_of(school, eng)
    assert split("t_deputy", school.class_5a, eng.english, wanted) == 3
    assert names(grid("t_eng1", school, eng, 1)) == ["Абдыкадырова Мөлдир", "Ңаматов Эрмек"]
    g2 = grid("t_teacher", school, eng, 2)
    assert names(g2) == ["Үсөнов Нурбек"] and not g2.needs_split
    # The director reads both groups' journals the same way.
    assert names(grid("t_director", school, eng, 2)) == ["Үсөнов Нурбек"]
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "subgroup").order_by(AuditEvent.id)).all()
    assert sorted((e.pupil_id, e.action, e.old_value, e.new_value) for e in events) == sorted(
        [
            (school.pupils_5a[1], "create", "", "1"),
            (school.pupils_5a[2], "create", "", "1"),
            (school.pupils_5a[0], "create", "", "2"),
        ]
    )
    assert {(e.entity_id, e.field, e.username) for e in events} == {
        (school.class_5a, f"subject:{eng.english}", "t_deputy")
    }
    # Saving the same split again changes nothing and audits nothing.
    assert split("t_deputy", school.class_5a, eng.english, wanted) == 0


def test_moving_a_pupil_and_taking_him_out_are_audited(school, eng):
    split("t_classteacher", school.class_5a, eng.english, halves_of(school, eng))
    assert split("t_classteacher", school.class_5a, eng.english, {school.pupils_5a[2]: 2, school.pupils_5a[1]: 0}) == 2
    with db.session() as s:
        assert subgroups.groups_of(s, school.class_5a, eng.english) == {school.pupils_5a[2]: 2, school.pupils_5a[0]: 2}
        last = s.exec(select(AuditEvent).where(AuditEvent.entity == "subgroup").order_by(AuditEvent.id)).all()[-2:]
    assert {(e.pupil_id, e.action, e.old_value, e.new_value) for e in last} == {
        (school.pupils_5a[1], "delete", "1", ""),
        (school.pupils_5a[2], "update", "1", "2"),
    }
    assert names(grid("t_teacher", school, eng, 2)) == ["Ңаматов Эрмек", "Үсөнов Нурбек"]


def test_a_subject_teacher_and_another_class_teacher_may_not_split(school, eng):
    wanted = {school.pupils_5a[0]: 1}
    for username in ("t_teacher", "t_eng1", "t_parent", "t_clerk"):
        with pytest.raises(subgroups.OutOfScope):
            split(username, school.class_5a, eng.english, wanted)
    # Teacher A leads 5-А, not 6-Б.
    with pytest.raises(subgroups.OutOfScope):
        split("t_classteacher", school.class_6b, eng.english, {school.pupils_6b[0]: 1})
    with db.session() as s:
        assert subgroups.splittable_classes(s, principal_of("t_classteacher"), school.year_id) == [
            {"id": str(school.class_5a), "name": "5-А"}
        ]
        assert [c["name"] for c in subgroups.splittable_classes(s, principal_of("t_deputy"), school.year_id)] == [
            "5-А",
            "6-Б",
        ]
        assert subgroups.splittable_classes(s, principal_of("t_teacher"), school.year_id) == []
        assert s.exec(select(SubgroupMember)).all() == []


def test_bad_splits_are_refused_whole(school, eng):
    cases = [
        ({school.pupils_5a[0]: 1, school.pupils_5a[1]: 3}, "subgroups.error.group"),  # 5-А English has no group 3
        ({school.pupils_5a[0]: 1, school.pupils_6b[0]: 2}, "subgroups.error.not_in_class"),
        ({school.pupils_5a[0]: True}, "subgroups.error.group"),
    ]
    for wanted, key in cases:
        with pytest.raises(subgroups.SubgroupError) as err:
            split("t_deputy", school.class_5a, eng.english, wanted)
        assert err.value.key == key
    # Maths is taught to the whole class: there is nothing to split.
    with pytest.raises(subgroups.SubgroupError) as err:
        split("t_deputy", school.class_5a, school.math, {school.pupils_5a[0]: 1})
    assert err.value.key == "subgroups.error.not_split_subject"
    with db.session() as s:
        assert s.exec(select(SubgroupMember)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "subgroup")).all() == []


def test_a_group_teacher_marks_only_his_groups_pupils(school, eng):
    split("t_deputy", school.class_5a, eng.english, halves_of(school, eng))
    member, other = school.pupils_5a[1], school.pupils_5a[0]  # group 1, group 2
    with db.session(write=True) as s:
        saved = journal.save_cell(s, principal_of("t_eng1"), eng.lesson_g1, member, CellChange("class", 5), "")
    assert saved.changed
    with db.session(write=True) as s, pytest.raises(JournalError) as err:
        journal.save_cell(s, principal_of("t_eng1"), eng.lesson_g1, other, CellChange("class", 4), "")
    assert err.value.key == "journal.error.not_in_subgroup" and err.value.params == {"subgroup": 1}
    # Group 2's teacher cannot write into group 1's lesson at all, not even for his own pupil.
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        journal.save_cell(s, principal_of("t_teacher"), eng.lesson_g1, other, CellChange("class", 4), "")
    # Period marks follow the same rule.
    with db.session(write=True) as s, pytest.raises(JournalError) as err:
        journal.set_period_mark(
            s, principal_of("t_eng1"), school.class_5a, eng.english, school.term_ids[0], other,
            value=4, reason="x", expected_version=0, subgroup=1,
        )  # fmt: skip
    assert err.value.key == "journal.error.not_in_subgroup"
    with db.session() as s:
        assert [
            (m.lesson_id, m.pupil_id, m.value) for m in s.exec(select(Mark).where(Mark.lesson_id == eng.lesson_g1))
        ] == [(eng.lesson_g1, member, 5)]


def test_the_diary_shows_a_pupil_his_own_groups_lessons(school, eng):
    pupil = school.pupils_5a[0]  # the t_pupil account; group 2 after the split

    def english_lessons() -> list[str]:
        with db.session() as s:
            week = diary.pupil_week(s, principal_of("t_pupil"), pupil, date(2025, 9, 1))
        return [row["topic"] for day in week["lessons"] for row in day if row["subject_en"] == "English"]

    assert english_lessons() == ["Unit 1 (1)", "Unit 1 (2)"]  # not split yet: nothing hidden
    split("t_deputy", school.class_5a, eng.english, halves_of(school, eng))
    assert english_lessons() == ["Unit 1 (2)"]


def test_the_export_follows_the_subgroup_grid(school, eng):
    split("t_deputy", school.class_5a, eng.english, halves_of(school, eng))
    with db.session() as s:
        name, data = journal_export.journal_xlsx(
            s, principal_of("t_eng1"), school.class_5a, eng.english, school.term_ids[0], 1, "ru"
        )
    assert name.endswith("-g1-quarter1.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    text = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Абдыкадырова" in v for v in text) and any("Ңаматов" in v for v in text)
    assert not any("Үсөнов" in v for v in text)
