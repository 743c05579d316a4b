"""Teacher reports: every figure checked against a hand-computed value on a small fixture.

On top of tests/factories.py's school (quarter 1: Mon 01.09.2025 – Tue 04.11.2025, 47 weekdays):
- holidays: 01–03.10.2025 for every grade (3 weekdays), 05.09.2025 for grade 6 only;
  so 5-А has 44 school days in the quarter and 6-Б 43;
- 5-А maths (teacher A, 5 h): lessons (3 given by A) 02.09 (topic, no homework), 03.09 given by teacher B in A's
  place (no homework), 04.09 (no topic, no homework), 05.09 cancelled, 09.09 (topic and homework);
- 6-Б Kyrgyz (teacher B, 3 h): 08.09 with topic and homework; 6-Б maths (teacher B, 5 h): no lessons;
- marks in 5-А maths: Үсөнов 5 (02.09, written the same day), 4 (03.09, written 08.09: 5 days
  late, on B's lesson), 5 (09.09: the audit says written 09.09, the row itself was touched 20.10);
  Абдыкадырова 3 (02.09, written 05.09 20:00 UTC = 06.09 in Bishkek: 4 days late);
- Петрова is exempt («осв») from Kyrgyz in quarter 1.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Holiday, Lesson, Mark, PeriodMark
from bbbms_app.pages.teacher_reports import TeacherReportsState, teacher_reports_page
from bbbms_app.services.engine import downloads
from bbbms_app.services.journal import OutOfScope
from bbbms_app.services.reports import teachers as teachers_service
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def taught(school):
    sid = school.school_id
    l0, l1, l2 = school.lessons_5a_math
    u, a, _n = school.pupils_5a
    with db.session(write=True) as s:
        s.add(
            Holiday(
                school_id=sid,
                academic_year_id=school.year_id,
                name_ky="Эс алуу",
                name_ru="Каникулы",
                name_en="Break",
                starts_on=date(2025, 10, 1),
                ends_on=date(2025, 10, 3),
            )
        )
        s.add(
            Holiday(
                school_id=sid,
                academic_year_id=school.year_id,
                name_ky="6-класс",
                name_ru="6 класс",
                name_en="Grade 6",
                starts_on=date(2025, 9, 5),
                ends_on=date(2025, 9, 5),
                grade_from=6,
                grade_to=6,
            )
        )
        s.get(Lesson, l1).teacher_id = school.teacher_b  # a substitution
        s.get(Lesson, l2).topic = ""
        common = {"school_id": sid, "term_id": school.term_ids[0]}
        s.add(
            Lesson(
                **common, class_id=school.class_5a, subject_id=school.math, teacher_id=school.teacher_a,
                date=date(2025, 9, 5), number=1, cancelled=True,
            )
        )  # fmt: skip
        l4 = Lesson(
            **common, class_id=school.class_5a, subject_id=school.math, teacher_id=school.teacher_a,
            date=date(2025, 9, 9), number=1, topic="Бөлчөктөр", homework="№ 12",
        )  # fmt: skip
        s.add(l4)
        s.add(
            Lesson(
                **common, class_id=school.class_6b, subject_id=school.kyrgyz, teacher_id=school.teacher_b,
                date=date(2025, 9, 8), number=2, topic="Зат атооч", homework="7-көнүгүү",
            )
        )  # fmt: skip
        s.flush()
        stamps = {
            (l0, u): datetime(2025, 9, 2, 4, tzinfo=UTC),
            (l1, u): datetime(2025, 9, 8, 4, tzinfo=UTC),
            (l0, a): datetime(2025, 9, 5, 20, tzinfo=UTC),
        }
        for mark in s.exec(select(Mark)).all():
            mark.updated_at = stamps[(mark.lesson_id, mark.pupil_id)]
        s.add(Mark(school_id=sid, lesson_id=l4.id, pupil_id=u, value=5, updated_at=datetime(2025, 10, 20, tzinfo=UTC)))
        s.add(
            AuditEvent(
                at=datetime(2025, 9, 9, 6, tzinfo=UTC), action="create", entity="lesson", entity_id=l4.id,
                field="mark.class", new_value="5", pupil_id=u, school_id=sid,
            )
        )  # fmt: skip
        petrova = school.pupils_6b[0]
        s.add(
            PeriodMark(
                school_id=sid, pupil_id=petrova, subject_id=school.kyrgyz, class_id=school.class_6b,
                academic_year_id=school.year_id, term_id=school.term_ids[0], kind="quarter", number=1, special="осв",
            )
        )  # fmt: skip
    return school


def _report(who: str, school, **kw):
    with db.session() as s:
        return teachers_service.teacher_report(s, principal_of(who), school.year_id, school.term_ids[0], **kw)


def _hours(line):
    return [(r.class_label, r.subject_id, r.weekly, r.plan, r.plan_to_date, r.given, r.by_others, r.substitution)
            for r in line.hours]  # fmt: skip


def test_the_director_sees_every_teacher_with_hand_computed_figures(taught):
    school = taught
    rep = _report("t_director", school)
    by = {line.staff_id: line for line in rep.teachers}
    a, b = by[school.teacher_a], by[school.teacher_b]
    assert [line.name for line in rep.teachers] == ["Иванов С.", "Өмүрбекова А."]
    assert rep.upto == date(2025, 11, 4)
    # Hours: 5 h × 44 days ÷ 5 = 44; 6-Б: 5 × 43 ÷ 5 = 43, 3 × 43 ÷ 5 = 25.8 → 26.
    assert _hours(a) == [("5-А", school.math, 5, 44, 44, 3, 1, False)]
    assert _hours(b) == [
        ("5-А", school.math, None, None, None, 1, 0, True),
        ("6-Б", school.math, 5, 43, 43, 0, 0, False),
        ("6-Б", school.kyrgyz, 3, 26, 26, 1, 0, False),
    ]
    assert (a.plan, a.given, a.by_others, a.substituted) == (44, 3, 1, 0)
    assert (b.plan, b.given, b.by_others, b.substituted) == (69, 2, 0, 1)
    # Lessons without a topic or homework: each counted for the one who taught it.
    assert [(g.day, g.no_topic, g.no_homework) for g in a.gaps] == [
        (date(2025, 9, 2), False, True),
        (date(2025, 9, 4), True, True),
    ]
    assert (a.no_topic, a.no_homework) == (1, 2)
    assert [(g.day, g.no_topic, g.no_homework) for g in b.gaps] == [(date(2025, 9, 3), False, True)]
    # Too few marks (minimum 3): Үсөнов has 3, Абдыкадырова 1, Ңаматов 0; in 6-Б nobody has a mark
    # and Петрова is exempt from Kyrgyz.
    assert [(f.pupil, f.marks, f.needed) for f in a.few] == [("Абдыкадырова Мөлдир", 1, 3), ("Ңаматов Эрмек", 0, 3)]
    assert [(f.subject_id, f.pupil) for f in b.few] == [
        (school.math, "Орозов Тилек"),
        (school.math, "Петрова Анна"),
        (school.kyrgyz, "Орозов Тилек"),
    ]
    # Late (more than 3 days): Абдыкадырова's 3 written 06.09 in Bishkek (05.09 in UTC would be 3 days);
    # Үсөнов's 4 on B's lesson 5 days late; the 09.09 mark is on time by its audit record.
    assert [(m.pupil, m.day, m.entered_on, m.days_late, m.value) for m in a.late] == [
        ("Абдыкадырова Мөлдир", date(2025, 9, 2), date(2025, 9, 6), 4, 3)
    ]
    assert [(m.pupil, m.days_late, m.value) for m in b.late] == [("Үсөнов Нурбек", 5, 4)]


def test_the_report_up_to_a_day_inside_the_quarter(taught):
    school = taught
    rep = _report("t_deputy", school, today=date(2025, 9, 10))
    by = {line.staff_id: line for line in rep.teachers}
    assert rep.upto == date(2025, 9, 9)
    # Up to 09.09: 7 school days for 5-А (01–05, 08, 09), 6 for 6-Б (05.09 off): 7; 6 and 3.6 → 4.
    assert [(r.plan, r.plan_to_date, r.given) for r in by[school.teacher_a].hours] == [(44, 7, 3)]
    assert [(r.plan_to_date, r.given) for r in by[school.teacher_b].hours] == [(None, 1), (6, 0), (4, 1)]
    # While the quarter runs a pupil is listed when behind its share of the minimum: 3 × 7 ÷ 44 → 0.
    assert all(not line.few for line in rep.teachers)
    rep = _report("t_deputy", school, today=date(2025, 10, 21))  # 5-А: 3 × 33 ÷ 44 → 2 marks due
    few = {(f.pupil, f.marks, f.needed, f.due) for line in rep.teachers for f in line.few if f.class_label == "5-А"}
    assert few == {("Абдыкадырова Мөлдир", 1, 3, 2), ("Ңаматов Эрмек", 0, 3, 2)}
    # A later limit for lateness: nothing is more than 4 days late but Үсөнов's 4.
    rep = _report("t_director", school, late_days=4)
    assert [m.value for line in rep.teachers for m in line.late] == [4]


def test_a_teacher_sees_only_himself_and_a_leader_can_pick_one(taught):
    school = taught
    rep = _report("t_teacher", school)  # teacher B
    assert [line.staff_id for line in rep.teachers] == [school.teacher_b]
    with pytest.raises(OutOfScope):
        _report("t_teacher", school, staff_id=school.teacher_a)
    rep = _report("t_director", school, staff_id=school.teacher_a)
    assert [line.staff_id for line in rep.teachers] == [school.teacher_a]
    for who in ("t_clerk", "t_admin", "t_parent", "t_pupil"):
        with pytest.raises(OutOfScope):
            _report(who, school)


def test_the_year_has_no_few_marks_list(taught):
    school = taught
    with db.session() as s:
        rep = teachers_service.teacher_report(s, principal_of("t_director"), school.year_id, None)
    assert all(not line.few for line in rep.teachers)
    assert sum(line.given for line in rep.teachers) == 5


# ---------------------------------------------------------------------------------------------
# The page's handlers, as real and forged browser events call them
# ---------------------------------------------------------------------------------------------


async def _opened(username: str, school):

    state = sub(new_tab(username), TeacherReportsState)
    assert not is_refusal(await state.load())
    await state.set_period(str(school.term_ids[0]))
    return state


async def test_the_director_picks_a_teacher_and_the_workbook_reads_back_to_the_screen(taught):
    school = taught
    state = await _opened("t_director", school)
    assert state.leader and state.upto == "04.11.2025 чейинки сабактар эсептелди"
    by = {r["teacher"]: r for r in state.summary}
    columns = ("plan", "given", "by_others", "no_topic", "no_homework", "few", "late")
    assert [by["Өмүрбекова А."][c] for c in columns] == ["44", "3", "1", "1", "2", "2", "1"]
    assert [by["Иванов С."][c] for c in ("plan", "given", "substituted", "few", "late")] == ["69", "2", "1", "3", "1"]
    assert state.hours == [] and state.gaps == []  # the lists wait for a teacher to be picked
    await state.set_teacher("999")  # not offered: ignored
    assert state.teacher == "all"
    await state.set_teacher(str(school.teacher_b))
    assert [(r["group"], r["subject"], r["plan"], r["given"], r["substitution"]) for r in state.hours] == [
        ("5-А", "Математика — алмаштыруу", "—", "1", "1"),
        ("6-Б", "Математика", "43", "0", ""),
        ("6-Б", "Кыргыз тили", "26", "1", ""),
    ]
    assert state.hours[0]["subject_ru"] == "Математика — замена"
    assert [(r["date"], r["missing"], r["missing_ru"]) for r in state.gaps] == [
        ("03.09.2025", "үй тапшырмасы жок", "нет домашнего задания")
    ]
    assert [(r["pupil"], r["subject_en"], r["marks"], r["needed"]) for r in state.few][:1] == [
        ("Орозов Тилек", "Mathematics", "0", "3")
    ]
    assert [(r["date"], r["entered"], r["days_late"], r["mark"]) for r in state.late] == [
        ("03.09.2025", "08.09.2025", "5", "4")
    ]
    await state.set_late_days("5")  # 5 days is not more than 5
    assert state.late == []
    await state.set_late_days("x")  # refused quietly
    assert state.late_days == "5"
    text = repr(await state.download())
    assert "/admin-files/" in text and "teachers-quarter1.xlsx" in text
    meta = downloads.meta_of(text.split("/admin-files/")[1][:32])
    assert meta["permission"] == "report.teacher"
    book = openpyxl.load_workbook(io.BytesIO(downloads.ticket_of(meta).path.read_bytes()))
    assert book.sheetnames == ["Жалпы", "Сааттар", "Темасыз сабактар", "Баасы аз окуучулар", "Кечиккен баалар"]
    summary = list(book["Жалпы"].iter_rows(values_only=True))
    header = summary[0]
    row = dict(zip(header, summary[1], strict=True))
    assert row["Мугалим"] == "Иванов С." and row["План боюнча саат"] == 69 and row["Өтүлгөн сабактар"] == 2
    hours = list(book["Сааттар"].iter_rows(values_only=True))
    assert [r[3] for r in hours[1:4]] == ["Математика — алмаштыруу", "Математика", "Кыргыз тили"]
    assert [r[5] for r in hours[1:4]] == [None, 43, 26]
    gaps = list(book["Темасыз сабактар"].iter_rows(values_only=True))
    assert gaps[1][2].date() == date(2025, 9, 3)  # a real date


async def test_a_teacher_sees_his_own_and_cannot_reach_another_by_a_forged_event(taught):

    school = taught
    state = await _opened("t_teacher", school)
    assert not state.leader
    assert [r["teacher"] for r in state.summary] == ["Иванов С."]
    assert len(state.hours) == 3  # his lists show at once
    await state.set_teacher(str(school.teacher_a))  # forged: a teacher has no picker
    assert state.teacher == "all" and [r["teacher"] for r in state.summary] == ["Иванов С."]
    assert "teachers-quarter1.xlsx" in repr(await state.download())
    for who in ("t_clerk", "t_parent", "t_pupil"):
        other = sub(new_tab(who), TeacherReportsState)
        assert is_refusal(await other.load())
        for forged in (other.download(), other.set_period(str(school.term_ids[0])), other.set_teacher("all")):
            assert is_refusal(await forged)
        assert other.summary == []


def test_the_page_compiles():
    assert teacher_reports_page().render()


def test_the_report_teachers_command(taught, tmp_path, capsys):
    import pandas as pd

    from bbbms_app import cli
    from bbbms_app.i18n import t

    out = tmp_path / "teachers.xlsx"
    assert cli.main(["--lang", "ru", "report", "teachers", "--term", "1", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    df = pd.read_excel(out, sheet_name="Сводка").dropna(subset=["Учитель"])  # not the signature line
    assert list(df["Учитель"]) == ["Иванов С.", "Өмүрбекова А."]
    assert list(df["Часов по плану"]) == [69, 44] and list(df["Поздних оценок"]) == [1, 1]
    one = tmp_path / "one.xlsx"
    argv = ["report", "teachers", "--term", "1", "--teacher", "өмүрбекова", "--late-days", "4", "--out", str(one)]
    assert cli.main(argv) == 0
    df = pd.read_excel(one, sheet_name="Баасы аз окуучулар").dropna(subset=["Окуучу"])
    assert list(df["Окуучу"]) == ["Абдыкадырова Мөлдир", "Ңаматов Эрмек"]
    assert pd.read_excel(one, sheet_name="Кечиккен баалар").dropna(subset=["Окуучу"]).empty  # 4 days is not more than 4
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "report")).all()
    assert [e.field for e in events] == ["teachers:1:all", f"teachers:1:{taught.teacher_a}"]
    capsys.readouterr()
    bad = tmp_path / "bad.xlsx"
    argv = ["--lang", "en", "report", "teachers", "--term", "1", "--teacher", "Nobody", "--out", str(bad)]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err.strip() == t("cli.report.no_teacher", "en", teacher="Nobody")
    assert not bad.exists()


def test_the_results_workbook_has_a_native_chart_of_the_parallels(school):
    """The parallels' rates on their own sheet, and an Excel chart over exactly those cells."""
    import zipfile

    from bbbms_app.services.reports import results as results_service
    from bbbms_app.services.reports import sheets
    from tests import reports_factory

    reports_factory.build(school)
    with db.session() as s:
        res = results_service.results(s, principal_of("t_director"), school.year_id, school.term_ids[0])
    _name, data = sheets.results_xlsx(res, None, None, "ru")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == ["Итоги", "По параллелям", "По предметам"]
    rows = [r for r in book["По параллелям"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[3]) for r in rows] == [
        ("5-е классы", 83.3),
        ("6-е классы", 50.0),
        ("По школе", 75.0),
    ]  # the 10th grade has no marks: no row, no empty bar
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "'По параллелям'!$B$2:$B$4" in xml  # the categories: the three rows
    assert "'По параллелям'!$D$2:$D$4" in xml and "'По параллелям'!$F$2:$F$4" in xml  # success … СОУ
    assert "Успеваемость, качество и СОУ по параллелям" in xml


def test_the_journal_prints_a_page_per_month_and_the_topics_on_their_own(taught):
    """The print pages after the journal's spread: September's lessons on a sheet of their own with
    the paper heading, the substitute's lesson starred and named, the topics with who taught them."""
    from bbbms_app.services import journal_export

    school = taught
    with db.session() as s:
        _name, data = journal_export.journal_xlsx(
            s, principal_of("t_director"), school.class_5a, school.math, school.term_ids[0], 0, "ru"
        )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Журнал", "Сентябрь", "Темы уроков"]
    month = book["Сентябрь"]
    heading = month["A1"].value
    for part in ("Школа № 1", "2025–2026 учебный год", "5-А", "Математика", "Учитель: Өмүрбекова А."):
        assert part in heading
    assert month["A2"].value == "1-я четверть · Сентябрь"
    days = [month.cell(4, c).value for c in range(3, 3 + 22)]
    assert days[:4] == [2, "3*", 4, 9] and days[4:] == [None] * 18  # the ruled columns of the page stay empty
    assert month.cell(3, 25).value == "1-я четверть"  # the term's mark on the last month's page
    rows = {month.cell(r, 2).value: r for r in range(5, 5 + 3)}
    usonov = rows["Үсөнов Нурбек"]
    assert [month.cell(usonov, c).value for c in (3, 4, 6)] == [5, 4, 5]
    notes = [c.value for row in month.iter_rows(min_row=8) for c in row if isinstance(c.value, str)]
    assert notes == ["* замена: 03.09 — Иванов С."]
    assert month.page_setup.orientation == "landscape" and month.print_title_rows == "$3:$4"
    assert "&P" in month.oddFooter.right.text  # numbered pages
    topics = book["Темы уроков"]
    lines = [[c.value for c in row] for row in topics.iter_rows(min_row=4, values_only=False)]
    assert [(line[1].date(), line[2], line[4]) for line in lines] == [
        (date(2025, 9, 2), "Тема 1", "Өмүрбекова А."),
        (date(2025, 9, 3), "Тема 2", "Иванов С. (замена)"),
        (date(2025, 9, 4), "", "Өмүрбекова А."),
        (date(2025, 9, 9), "Бөлчөктөр", "Өмүрбекова А."),
    ]


def test_export_marks_writes_the_year_as_one_flat_table(taught, tmp_path, capsys):
    import pandas as pd

    from bbbms_app import cli

    out = tmp_path / "marks.xlsx"
    argv = ["--lang", "ru", "export", "marks", "--year", "2025", "--out", str(out)]
    assert cli.main(argv) == 2 and not out.exists()  # pupils' marks are personal data: a purpose first
    capsys.readouterr()
    assert cli.main([*argv, "--purpose", "итоги года для РОО"]) == 0
    assert "5" in capsys.readouterr().out
    assert out.stat().st_mode & 0o077 == 0
    df = pd.read_excel(out, sheet_name="Оценки").dropna(subset=["Ученик"])
    assert list(df.columns) == [
        "Четверть", "Дата", "№ урока", "Класс", "Предмет", "Учитель", "Ученик", "Вид оценки", "Оценка",
    ]  # fmt: skip
    lessons = df[df["Дата"].notna()]
    assert [(r["Дата"].date(), r["Ученик"], r["Оценка"], r["Учитель"]) for _, r in lessons.iterrows()] == [
        (date(2025, 9, 2), "Үсөнов Нурбек", 5, "Өмүрбекова А."),
        (date(2025, 9, 2), "Абдыкадырова Мөлдир", 3, "Өмүрбекова А."),
        (date(2025, 9, 3), "Үсөнов Нурбек", 4, "Иванов С."),  # the substitute held the lesson
        (date(2025, 9, 9), "Үсөнов Нурбек", 5, "Өмүрбекова А."),
    ]
    period = df[df["Дата"].isna()]
    assert [(r["Ученик"], r["Вид оценки"], r["Оценка"]) for _, r in period.iterrows()] == [
        ("Петрова Анна", "1-я четверть", "осв")
    ]
    with db.session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.entity == "marks")).one()
    assert event.action == "export" and event.reason == "итоги года для РОО"


def test_export_journals_puts_every_journal_of_a_term_in_one_workbook(taught, tmp_path, capsys):
    from bbbms_app import cli

    out = tmp_path / "journals.xlsx"
    assert cli.main(["--lang", "ru", "export", "journals", "--term", "1", "--out", str(out)]) == 0
    assert "3" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["5-А Математика", "6-Б Кыргызский язык", "6-Б Математика"]
    sheet = book["5-А Математика"]
    assert sheet["A1"].value.startswith("5-А · Математика · 1-я четверть")
    assert [sheet.cell(3, c).value for c in range(3, 7)] == [2, 3, 4, 9]  # the days of its lessons
    with db.session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.entity == "journal")).one()
    assert event.action == "export" and event.field == f"journals:{taught.term_ids[0]}"
    assert cli.main(["export", "journals", "--out", str(tmp_path / "no.xlsx")]) == 2  # a term is needed
    assert not (tmp_path / "no.xlsx").exists()
