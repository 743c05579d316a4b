"""The results grouped by teacher (services/reports/by_teacher.py), hand-computed on
tests/reports_factory.py's quarter 1, with a subject taught in two subgroups by two teachers:
a pupil's mark belongs to the teacher of his own group. Then the /reports tab and its XLSX sheet."""

from __future__ import annotations

import dataclasses
import io

import openpyxl

from bbbms_app import db
from bbbms_app.models import PeriodMark, SubgroupMember, Subject, TeachingAssignment
from bbbms_app.pages.reports import ReportsState
from bbbms_app.services.engine import downloads
from bbbms_app.services.reports import by_teacher, results
from tests import reports_factory
from tests.states import is_refusal, new_tab, sub
from tests.test_export_jobs import principal


def _english_in_groups(school) -> int:
    """6-Б English in two groups: Петрова in group 1 (Өмүрбекова), Орозов in group 2 (Иванов); Q1: 5 and 3."""
    sid = school.school_id
    petrova, orozov = school.pupils_6b
    with db.session(write=True) as s:
        en = Subject(school_id=sid, code="EN", name_ky="Англис тили", name_ru="Английский язык", name_en="English")
        s.add(en)
        s.flush()
        for group, teacher, pupil, mark in ((1, school.teacher_a, petrova, 5), (2, school.teacher_b, orozov, 3)):
            s.add(
                TeachingAssignment(
                    school_id=sid, class_id=school.class_6b, subject_id=en.id, teacher_id=teacher, subgroup=group
                )
            )  # type: ignore[arg-type]
            s.add(
                SubgroupMember(
                    school_id=sid, class_id=school.class_6b, subject_id=en.id, subgroup=group, pupil_id=pupil
                )
            )  # type: ignore[arg-type]
            s.add(
                PeriodMark(
                    school_id=sid, pupil_id=pupil, subject_id=en.id, class_id=school.class_6b,  # type: ignore[arg-type]
                    academic_year_id=school.year_id, term_id=school.term_ids[0], kind="quarter", number=1, value=mark,
                )
            )  # fmt: skip
        s.flush()
        return en.id  # type: ignore[return-value]


def _figures(row: dict) -> tuple:
    return tuple(row[c] for c in ("n", "n5", "n4", "n3", "n2", "n_na", "success", "quality", "sou", "average"))


def test_each_teacher_counts_the_marks_of_his_classes_and_his_own_group(school):
    reports_factory.build(school)
    english = _english_in_groups(school)
    with db.session() as s:
        res = results.results(s, principal("t_director"), school.year_id, school.term_ids[0])
        teachers = by_teacher.by_teacher(s, res)
        # The report's own read of the marks is what the grouping counts; without it, it reads them.
        assert res.counted and (res.previous is None or not res.previous.counted)
        unread = by_teacher.by_teacher(s, dataclasses.replace(res, counted=[]))
        assert [(t.staff_id, t.marks) for t in unread] == [(t.staff_id, t.marks) for t in teachers]
    rows = by_teacher.table(res, teachers, None, None, "ky")
    tops = {r["teacher"]: r for r in rows if r["kind"] == "teacher"}
    assert list(tops) == ["Иванов С.", "Өмүрбекова А."]
    # Өмүрбекова: 5-А math 5,4,н/а; 5-А ky 5,3,2; 5-Б math 3,5 (Бекова left, Жумаев exempt); 5-Б ky 4,5,4;
    # 6-Б English group 1: Петрова 5. N 12: 5×5, 3×4, 2×3, 1×2, 1 н/а; СОУ (500+192+72+16+7)/12 = 65.6.
    assert _figures(tops["Өмүрбекова А."]) == (12, 5, 3, 2, 1, 1, 83.3, 66.7, 65.6, 4.09)
    # Иванов: 6-Б math 4,2; 6-Б ky 4,3; 6-Б English group 2: Орозов 3. СОУ (128+72+16)/5 = 43.2.
    assert _figures(tops["Иванов С."]) == (5, 0, 2, 2, 1, 0, 80.0, 40.0, 43.2, 3.2)
    ivanov = [r["teacher"] for r in rows[: rows.index(tops["Өмүрбекова А."])]]
    # The curriculum's order: the subjects' position (none set here), then the Kyrgyz alphabet.
    assert ivanov == ["Иванов С.", "6-Б Англис тили", "6-Б Кыргыз тили", "6-Б Математика"]
    group_1 = next(r for r in rows if r["key"] == f"{school.teacher_a}:{school.class_6b}:{english}")
    assert _figures(group_1)[:2] == (1, 1)  # only his own group's pupil
    # Together the teachers hold every counted mark of the school once: 15 + the 2 English marks.
    assert sum(r["n"] for r in tops.values()) == 17
    girls = {r["teacher"]: r for r in by_teacher.table(res, teachers, school.math, "f", "ky") if r["kind"] == "teacher"}
    assert {k: v["n"] for k, v in girls.items()} == {
        "Иванов С.": 1,
        "Өмүрбекова А.": 2,
    }  # Петрова; Абдыкадырова, Асанова


async def test_the_teachers_tab_and_its_sheet(school):
    reports_factory.build(school)
    state = sub(new_tab("t_deputy"), ReportsState)
    assert not is_refusal(await state.load())
    await state.set_period(str(school.term_ids[0]))
    await state.set_tab("teachers")
    top = next(r for r in state.teacher_rows if r["teacher"] == "Өмүрбекова А.")
    assert (top["kind"], top["n"], top["sou"], top["teacher_ru"]) == ("teacher", "11", "62,5", "Өмүрбекова А.")
    assert next(r for r in state.teacher_rows if r["kind"] == "class")["teacher_ru"] == "6-Б Кыргызский язык"
    text = repr(await state.download())
    token = text.split("/admin-files/")[1][:32]
    book = openpyxl.load_workbook(io.BytesIO(downloads.ticket_of(downloads.meta_of(token)).path.read_bytes()))
    sheet = book["Мугалимдер боюнча"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)
    ]
    mine = next(r for r in rows if r["Мугалим / класс, предмет"] == "Өмүрбекова А.")
    assert (mine["Эсепке алынган окуучулар"], mine["СОУ, %"]) == (11, 62.5)  # as on screen
    assert book.sheetnames.index("Мугалимдер боюнча") == book.sheetnames.index("Тизмелер") - 1


def test_the_command_lines_results_workbook_has_the_teachers_sheet(school, tmp_path):
    from bbbms_app import cli

    reports_factory.build(school)
    out = tmp_path / "results.xlsx"
    assert cli.main(["--lang", "ru", "report", "results", "--term", "1", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["По учителям"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    mine = next(r for r in rows if r["Учитель / класс, предмет"] == "Өмүрбекова А.")
    assert (mine["Учтено"], mine["СОУ, %"], mine["Успеваемость, %"]) == (11, 62.5, 81.8)
