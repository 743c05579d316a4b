"""Reports: every figure checked against a hand-computed value on tests/reports_factory.py's marks."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.services import reports
from bbbms_app.services.journal import OutOfScope
from bbbms_app.services.reports import results as results_service
from tests import reports_factory
from tests.factories import principal_of


@pytest.fixture
def marks(school):
    return reports_factory.build(school)


def _q(res, kind: str, key: str):
    return next(g for g in res.groups if g.kind == kind and g.key == key)


def figures(ind):
    return (ind.n, ind.n5, ind.n4, ind.n3, ind.n2, ind.n_na, ind.success, ind.quality, ind.sou, ind.average)


def test_results_per_subject_class_parallel_level_and_school(school, marks):
    with db.session() as s:
        res = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    ids = (school.class_5a, marks.class_5b, school.class_6b, marks.class_10a)
    c5a, c5b, c6b, c10 = (_q(res, "class", str(c)) for c in ids)
    # One subject: N = pupils with a mark or «н/а» in it.
    assert figures(res.indicators(c5a, school.math)) == (3, 1, 1, 0, 0, 1, 66.7, 66.7, 57.0, 4.5)
    assert figures(res.indicators(c5a, school.kyrgyz)) == (3, 1, 0, 1, 1, 0, 66.7, 33.3, 50.7, 3.33)
    # 5-Б maths: Бекова left before the quarter's end, Жумаев is exempt: both out of N.
    assert figures(res.indicators(c5b, school.math)) == (2, 1, 0, 1, 0, 0, 100.0, 50.0, 68.0, 4.0)
    assert figures(res.indicators(c5b, school.kyrgyz)) == (3, 1, 2, 0, 0, 0, 100.0, 100.0, 76.0, 4.33)
    # All subjects: pupils by their worst mark; СОУ and the average over every pupil × subject mark.
    assert figures(res.indicators(c5a)) == (3, 1, 0, 1, 1, 0, 66.7, 33.3, 53.8, 3.8)
    assert figures(res.indicators(c5b)) == (3, 1, 1, 1, 0, 0, 100.0, 66.7, 72.8, 4.2)
    assert figures(res.indicators(c6b)) == (2, 0, 1, 0, 1, 0, 50.0, 50.0, 45.0, 3.25)
    # A class with no marks: nothing to divide by, and no error.
    assert figures(res.indicators(c10)) == (0, 0, 0, 0, 0, 0, None, None, None, None)
    assert res.roll(c10) == 1 and res.roll(c5b) == 3  # Бекова left: not on roll at the end
    grade5 = _q(res, "grade", "g5")
    assert figures(res.indicators(grade5)) == (6, 2, 1, 2, 1, 0, 83.3, 50.0, 62.5, 4.0)
    level = _q(res, "level", "l5")
    assert level.grades == (5, 6)
    assert figures(res.indicators(level)) == (8, 2, 2, 2, 2, 0, 75.0, 50.0, 57.8, 3.79)
    school_row = res.groups[-1]
    assert school_row.kind == "school"
    assert figures(res.indicators(school_row)) == figures(res.indicators(level))
    assert res.roll(school_row) == 9
    kinds = ["class", "class", "grade", "class", "grade", "level", "class", "grade", "level", "school"]
    assert [g.kind for g in res.groups] == kinds
    assert [sub.id for sub in res.subjects] == [school.kyrgyz, school.math]  # the curriculum's order


def test_results_by_sex(school, marks):
    with db.session() as s:
        res = results_service.results(s, principal_of("t_deputy"), school.year_id, school.term_ids[0])
    everyone = res.groups[-1]
    girls = res.indicators(everyone, sex="f")
    boys = res.indicators(everyone, sex="m")
    assert figures(girls) == (3, 1, 1, 1, 0, 0, 100.0, 66.7, 71.3, 4.17)
    assert figures(boys) == (5, 1, 1, 1, 2, 0, 60.0, 40.0, round((200 + 128 + 72 + 32 + 7) / 9, 1), round(28 / 8, 2))
    assert res.roll(everyone, "f") + res.roll(everyone, "m") == res.roll(everyone)
    assert figures(res.indicators(everyone, school.math, "f")) == (3, 1, 2, 0, 0, 0, 100.0, 100.0, 76.0, 4.33)


def test_results_lists_of_pupils(school, marks):
    with db.session() as s:
        res = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    names = {kind: [(p.name, p.class_label) for p in res.lists[kind]] for kind in results_service.LIST_KINDS}
    assert names["excellent"] == [("Үсөнов Нурбек", "5-А"), ("Асанова Айгерим", "5-Б")]
    assert names["good"] == [("Петрова Анна", "6-Б")]
    assert names["one_three"] == [("Абдыкадырова Мөлдир", "5-А"), ("Токтогулов Бекзат", "5-Б")]
    assert names["one_four"] == [("Жумаев Азамат", "5-Б")]
    assert names["failing"] == [("Ңаматов Эрмек", "5-А"), ("Орозов Тилек", "6-Б")]
    subjects = {p.name: sorted(p.subjects) for kind in ("failing", "one_three", "one_four") for p in res.lists[kind]}
    assert subjects["Ңаматов Эрмек"] == sorted([(school.kyrgyz, "2"), (school.math, "н/а")])
    assert subjects["Орозов Тилек"] == [(school.math, "2")]
    assert subjects["Абдыкадырова Мөлдир"] == [(school.kyrgyz, "3")]
    assert subjects["Жумаев Азамат"] == [(school.kyrgyz, "4")]
    # Бекова (two 2s, but she left before the quarter's end) is on no list.
    assert all(p.pupil_id != marks.pupils_5b[2] for kind in res.lists.values() for p in kind)


def test_results_compare_with_the_previous_quarter_and_the_year(school, marks):
    with db.session() as s:
        q2 = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[1])
        q1 = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
        year = results_service.results(s, principal_of("t_director"), school.year_id, None)
    c5a = _q(q2, "class", str(school.class_5a))
    now = q2.indicators(c5a, school.math)
    before = q2.previous_indicators(c5a, school.math)
    assert figures(now) == (3, 2, 0, 1, 0, 0, 100.0, 66.7, 78.7, 4.33)
    assert figures(before) == figures(q1.indicators(c5a, school.math))
    assert q1.previous is None and q1.previous_indicators(c5a) is None
    assert year.period.kind == "year" and year.previous is None
    assert figures(year.indicators(year.groups[-1])) == (1, 1, 0, 0, 0, 0, 100.0, 100.0, 100.0, 5.0)


def test_results_scope(school, marks):
    with db.session() as s:
        own = results_service.results(s, principal_of("t_classteacher"), school.year_id, school.term_ids[0])
        assert [c.id for c in own.classes] == [school.class_5a]
        assert figures(own.indicators(own.groups[-1])) == figures(own.indicators(own.groups[0]))
        for username in ("t_teacher", "t_pupil", "t_parent", "t_clerk"):
            with pytest.raises(OutOfScope):
                results_service.results(s, principal_of(username), school.year_id, school.term_ids[0])
        with pytest.raises(OutOfScope):  # another school's term
            results_service.results(s, principal_of("t_director"), school.year_id, 10_000)


def test_summary_sheet_sou_is_over_every_mark(school, marks):
    """The class figure: pass rate and quality per pupil, СОУ over all pupil × subject marks (not the worst mark)."""
    with db.session() as s:
        sheet = reports.summary(s, principal_of("t_director"), school.class_5a, school.term_ids[0])
    assert figures(sheet.overall) == (3, 1, 0, 1, 1, 0, 66.7, 33.3, 53.8, 3.8)
    assert sheet.overall.sou != round((100 + 36 + 16) / 3, 1)  # the old, worst-mark figure: 50.7


# -- attendance -------------------------------------------------------------------------------


def _attendance_days(school):
    """5-А: 02.09 maths + Kyrgyz, 03.09 maths + a Kyrgyz lesson of subgroup 1 (Абдыкадырова only),
    04.09 maths + a cancelled Kyrgyz lesson; 6-Б: 05.09 maths. The factory already has Үсөнов ill on 04.09."""
    from datetime import date

    from bbbms_app.models import Attendance, Lesson, SubgroupMember

    _u, a, n = school.pupils_5a
    m1, m2, _m3 = school.lessons_5a_math
    sid = school.school_id
    with db.session(write=True) as s:

        def lesson(class_id, subject, day, number, teacher, **kw):
            row = Lesson(
                school_id=sid,
                class_id=class_id,
                subject_id=subject,
                teacher_id=teacher,
                term_id=school.term_ids[0],
                date=day,
                number=number,
                **kw,
            )
            s.add(row)
            s.flush()
            return row.id

        ky2 = lesson(school.class_5a, school.kyrgyz, date(2025, 9, 2), 2, school.teacher_a)
        ky3 = lesson(school.class_5a, school.kyrgyz, date(2025, 9, 3), 3, school.teacher_a, subgroup=1)
        lesson(school.class_5a, school.kyrgyz, date(2025, 9, 4), 4, school.teacher_a, cancelled=True)
        m6 = lesson(school.class_6b, school.math, date(2025, 9, 5), 1, school.teacher_b)
        s.add(SubgroupMember(school_id=sid, class_id=school.class_5a, subject_id=school.kyrgyz, subgroup=1, pupil_id=a))
        for lesson_id, pupil, code, minutes in (
            (m1, a, "п", 0),
            (ky2, a, "п", 0),  # all of 02.09: a full day unexcused
            (m2, a, "п", 0),  # 03.09 she was at her subgroup's lesson: not a full day
            (m1, n, "п", 0),
            (ky2, n, "о", 5),
            (m2, n, "у", 0),  # 03.09: the subgroup lesson is not his, so a full day excused
            (m6, school.pupils_6b[1], "н", 0),
        ):
            s.add(Attendance(school_id=sid, lesson_id=lesson_id, pupil_id=pupil, code=code, late_minutes=minutes))
        assert ky3


def test_attendance_lessons_and_full_days_by_reason(school, marks):
    from bbbms_app.services.reports import attendance as attendance_service

    _attendance_days(school)
    u, a, n = school.pupils_5a
    with db.session() as s:
        rep = attendance_service.attendance(
            s, principal_of("t_director"), school.year_id, school.term_ids[0], threshold=2
        )
        october = attendance_service.attendance(s, principal_of("t_director"), school.year_id, None, month="2025-10")
        own = attendance_service.attendance(s, principal_of("t_classteacher"), school.year_id, school.term_ids[0])
        with pytest.raises(OutOfScope):
            attendance_service.attendance(s, principal_of("t_teacher"), school.year_id, school.term_ids[0])
    rows = {p.pupil_id: p.missed for p in rep.pupils}
    assert rows[u].lessons == {"б": 1, "у": 0, "п": 0, "н": 0} and rows[u].days == {"б": 1, "у": 0, "п": 0, "н": 0}
    assert rows[a].lessons["п"] == 3 and rows[a].days == {"б": 0, "у": 0, "п": 1, "н": 0}
    assert rows[n].lessons == {"б": 0, "у": 1, "п": 1, "н": 0} and rows[n].days_total == 1 and rows[n].days["у"] == 1
    assert (rows[n].late, rows[n].late_minutes) == (1, 5)
    c5a = rep.by_class[school.class_5a]
    assert (c5a.lessons_total, c5a.days_total, c5a.late) == (6, 3, 1)
    assert rep.by_class[school.class_6b].days == {"б": 0, "у": 0, "п": 0, "н": 1}
    assert (rep.total.lessons_total, rep.total.days_total) == (7, 4)
    assert [p.pupil_id for p in rep.above] == [a]  # 3 unexcused lessons ≥ 2
    assert october.pupils == [] and october.total.lessons_total == 0
    assert [c.id for c in own.classes] == [school.class_5a] and set(own.by_class) == {school.class_5a}  # his class
    assert own.by_class[school.class_5a] == c5a  # its figures, as the director's
    # …without the pupils' names: a class teacher does not hold export.personal (the named lists' right)
    assert not own.named and own.pupils == [] and own.above == []


# -- workbooks --------------------------------------------------------------------------------


def test_results_workbook_reads_back_to_the_figures(school, marks):
    import io
    from datetime import date

    import openpyxl
    import pandas as pd

    from bbbms_app.services.reports import sheets

    with db.session() as s:
        res = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[1])
    name, data = sheets.results_xlsx(res, school.math, None, "ru", today=date(2025, 12, 30))
    assert name == "results-quarter2.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Итоги", "По параллелям", "По предметам", "Списки"]
    ws = wb["Итоги"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["№", "Класс", "По списку", "Учтено"] and "СОУ ранее, %" in header
    assert ws.freeze_panes == "A2" and ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert "Школа № 1" in ws.oddHeader.left.text and "2-я четверть" in ws.oddHeader.left.text
    assert "Математика" in ws.oddHeader.left.text and "1-я четверть" in ws.oddHeader.left.text
    df = pd.read_excel(io.BytesIO(data), sheet_name="Итоги")
    row = df[df["Класс"] == "5-А"].iloc[0]
    assert (row["№"], row["Учтено"], row["«5»"], row["«3»"]) == (1, 3, 2, 1)
    assert (row["Успеваемость, %"], row["Качество, %"], row["СОУ, %"]) == (100.0, 66.7, 78.7)
    assert (row["Успеваемость ранее, %"], row["СОУ ранее, %"]) == (66.7, 57.0)
    col = header.index("Успеваемость, %") + 1
    assert ws.cell(2, col).number_format == "0.0"
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value)
    assert ws.cell(last, 1).value.startswith("Заместитель директора") and "30.12.2025" in ws.cell(last, 1).value
    assert list(df["Класс"].dropna())[-4:] == ["10-А", "10-е классы", "10 классы", "По школе"]
    lists = pd.read_excel(io.BytesIO(data), sheet_name="Списки")
    assert list(lists["Ученик"].dropna()) == ["Абдыкадырова Мөлдир", "Үсөнов Нурбек", "Ңаматов Эрмек"]
    assert list(lists["Список"].dropna()) == ["Отличники", "Отличники", "С одной «3»"]
    with db.session() as s:
        q1 = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    _name, data = sheets.results_xlsx(q1, None, "f", "ky")
    lists = pd.read_excel(io.BytesIO(data), sheet_name="Тизмелер")
    assert list(lists["Окуучу"].dropna()) == ["Асанова Айгерим", "Петрова Анна", "Абдыкадырова Мөлдир"]  # girls
    assert list(lists["Предметтер"].fillna(""))[:3] == ["", "", "Кыргыз тили (3)"]


def test_attendance_workbook(school, marks):
    import io

    import pandas as pd

    from bbbms_app.services.reports import attendance as attendance_service
    from bbbms_app.services.reports import sheets

    _attendance_days(school)
    with db.session() as s:
        rep = attendance_service.attendance(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    name, data = sheets.attendance_xlsx(rep, "ru")
    assert name == "attendance-20250901-20251104.xlsx"
    by_class = pd.read_excel(io.BytesIO(data), sheet_name="По классам")
    school_row = by_class[by_class["Класс"] == "По школе"].iloc[0]
    assert (school_row["Пропущено уроков"], school_row["Пропущено дней"]) == (7, 4)
    assert school_row["Пропущено уроков: неуважит."] == 4 and school_row["Опоздания, мин"] == 5
    pupils = pd.read_excel(io.BytesIO(data), sheet_name="По ученикам")
    assert list(pupils["Ученик"].dropna())[:3] == ["Абдыкадырова Мөлдир", "Ңаматов Эрмек", "Үсөнов Нурбек"]


# -- command line -----------------------------------------------------------------------------


def test_report_commands_write_the_workbooks(school, marks, tmp_path, capsys):
    import pandas as pd

    from bbbms_app import cli
    from bbbms_app.i18n import t
    from bbbms_app.models import AuditEvent

    out = tmp_path / "q1.xlsx"
    assert cli.main(["--lang", "ru", "report", "results", "--term", "1", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    df = pd.read_excel(out, sheet_name="Итоги")
    row = df[df["Класс"] == "По школе"].iloc[0]
    assert (row["Учтено"], row["Успеваемость, %"], row["СОУ, %"]) == (8, 75.0, 57.8)
    assert out.stat().st_mode & 0o077 == 0  # owner only: the lists name pupils
    maths = tmp_path / "maths.xlsx"
    assert cli.main(["report", "results", "--term", "1", "--subject", "math", "--sex", "f", "--out", str(maths)]) == 0
    df = pd.read_excel(maths, sheet_name="Жыйынтыктар")
    row = df[df["Класс"] == "Мектеп боюнча"].iloc[0]
    assert (row["Эсепке алынган окуучулар"], row["СОУ, %"]) == (3, 76.0)
    att = tmp_path / "att.xlsx"
    assert cli.main(["report", "attendance", "--term", "year", "--month", "2025-09", "--out", str(att)]) == 0
    df = pd.read_excel(att, sheet_name="Класстар боюнча")
    assert df[df["Класс"] == "Мектеп боюнча"].iloc[0]["Калтырган сабактар"] == 1  # the factory's one «б»
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "report")).all()
    assert [e.field.split(":")[0] for e in events] == ["results", "results", "attendance"]
    assert all(e.username.startswith("cli:") for e in events)
    capsys.readouterr()
    bad = tmp_path / "bad.xlsx"
    assert cli.main(["--lang", "en", "report", "results", "--term", "7", "--out", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == t("cli.report.no_term", "en", term="7", choices="1, 2, 3, 4, year")
    month = ["--month", "2026-13"]
    assert cli.main(["--lang", "en", "report", "attendance", "--term", "1", *month, "--out", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == t("cli.report.bad_month", "en", month="2026-13")
    assert cli.main(["--lang", "en", "report", "results", "--term", "1", "--subject", "X", "--out", str(bad)]) == 2
    assert "X" in capsys.readouterr().err and not bad.exists()


def test_summary_sheet_workbook(school, marks):
    import io
    from datetime import date

    import openpyxl
    import pandas as pd

    from bbbms_app.models import School
    from bbbms_app.services.reports import sheets

    _attendance_days(school)
    with db.session() as s:
        sheet = reports.summary(s, principal_of("t_classteacher"), school.class_5a, school.term_ids[0])
        name, data = sheets.summary_xlsx(sheet, s.get(School, school.school_id), "ru", today=date(2025, 11, 5))
    assert name == "summary-5А-quarter1.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.page_setup.orientation == "landscape" and ws.freeze_panes == "A2"
    assert "Сводная ведомость успеваемости" in ws.oddHeader.left.text and "5-А" in ws.oddHeader.left.text
    # Subjects written upwards in a tall header row: every subject and absence column fits one page.
    assert ws.row_dimensions[1].height >= 110 and ws["C1"].alignment.textRotation == 90
    assert ws["B1"].alignment.textRotation == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0  # one page wide
    df = pd.read_excel(io.BytesIO(data))
    assert list(df.columns) == [
        "№",
        "Ученик",
        "Кыргызский язык",
        "Математика",
        "Пропущено уроков",
        "б",
        "у",
        "п",
        "н",
        "о",
    ]
    pupils = df[df["№"].notna()].set_index("Ученик")
    assert pupils.loc["Ңаматов Эрмек", "Кыргызский язык"] == 2 and pupils.loc["Ңаматов Эрмек", "Математика"] == "н/а"
    assert pupils.loc["Ңаматов Эрмек", "Пропущено уроков"] == 2 and pupils.loc["Ңаматов Эрмек", "о"] == 1
    assert pupils.loc["Абдыкадырова Мөлдир", "п"] == 3
    sou = df[df["Ученик"] == "Степень обученности (СОУ), %"].iloc[0]
    assert (sou["Кыргызский язык"], sou["Математика"]) == (50.7, 57.0)
    overall = df[df["Ученик"].fillna("").str.startswith("Все предметы")].iloc[0]["Ученик"]
    assert "Степень обученности (СОУ), %: 53,8" in overall


def test_a_pupil_who_left_and_came_back_counts(school, marks):
    from datetime import date

    from bbbms_app.models import Enrollment

    with db.session(write=True) as s:  # Бекова came back to 5-Б on 20.10, before the quarter's end
        s.add(
            Enrollment(
                school_id=school.school_id,
                pupil_id=marks.pupils_5b[2],
                class_id=marks.class_5b,
                starts_on=date(2025, 10, 20),
            )
        )
    with db.session() as s:
        res = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    c5b = _q(res, "class", str(marks.class_5b))
    assert res.roll(c5b) == 4 and res.indicators(c5b, school.math).n == 3  # her 2 counts now
    assert figures(res.indicators(c5b, school.math))[:5] == (3, 1, 0, 1, 1)
    assert "Бекова Нургүл" in [p.name for p in res.lists["failing"]]
