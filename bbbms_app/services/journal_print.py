"""The class journal's print pages: a sheet per month of marks and the topics on a sheet of their own.

The journal's first sheet (journal_export.layout) is the paper journal's spread on one sheet: the
marks and the topics side by side, which a 47-lesson quarter prints at 40 % scale. These pages are
for the printer: each month's lessons on their own sheet (about 20 columns of days, so A4
landscape prints them near full size), the term and year marks on the last month's, then the
topics and homework of every lesson with who taught it. Every page has the heading the paper one
has — school, school year, class, subject, teacher, subgroup — and the pages are numbered
(the writer's footer). A lesson a substitute taught is starred in the month's header and named
under the grid and on the topics sheet.

Pure: `pages(grid, lang, heading)` reads nothing; `heading_of(session, grid, lang)` reads the
names the heading and the substitutes need.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t
from bbbms_app.models import AcademicYear, School, Staff, TeachingAssignment
from bbbms_app.services import journal
from bbbms_app.services.engine import xlsx
from bbbms_app.services.journal_export import _mark_cell, subject_name
from bbbms_app.services.school import localized_name
from bbbms_app.services.timetable import staff_short

MONTH_NAMES = {
    "ky": ("", "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь",
           "Ноябрь", "Декабрь"),
    "ru": ("", "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь",
           "Ноябрь", "Декабрь"),
    "en": ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip

HEAD = xlsx.Style(bold=True, size=12)
SUBHEAD = xlsx.Style(size=11)
TH = xlsx.Style(bold=True, align="center", valign="vcenter", border=True, fill="#E6F2F0", wrap=True)
TH_LEFT = xlsx.Style(bold=True, valign="vcenter", border=True, fill="#E6F2F0")
TH_SUB = xlsx.Style(bold=True, align="center", valign="vcenter", border=True, fill="#FFE8CC")  # a substitute's
NAME = xlsx.Style(border=True, size=11)
GONE = xlsx.Style(border=True, color="#666666", italic=True, size=11)
PERIOD = xlsx.Style(border=True, align="center", valign="vcenter", bold=True, fill="#FFF7E0", size=11)
TEXT = xlsx.Style(border=True, wrap=True, valign="top", size=11)
DATE = xlsx.Style(border=True, align="center", valign="top", size=11)
NOTE = xlsx.Style(italic=True, size=10)
DAY_COLUMNS = 22  # a month page's ruled columns at least (a 5-hour subject has up to 23 lessons a month)


@dataclass(frozen=True)
class Heading:
    """What the paper journal's page says at its top, and who taught which lesson."""

    school: str
    year: str
    teacher: str  # the assigned teacher(s) of the journal
    teacher_ids: frozenset[int] = frozenset()
    names: dict[int, str] = field(default_factory=dict)  # staff id -> «Иванов С. П.»


def heading_of(session: Session, g: journal.Grid, lang: str) -> Heading:
    """The school, the year, the journal's teacher(s) and the names of everyone who taught a lesson of it."""
    school = session.get(School, g.cls.school_id)
    year = session.get(AcademicYear, g.cls.academic_year_id)
    assigned = session.exec(
        select(TeachingAssignment.teacher_id).where(
            TeachingAssignment.class_id == g.cls.id,
            TeachingAssignment.subject_id == g.subject.id,
            TeachingAssignment.subgroup == g.subgroup,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    ids = set(assigned) | {lesson.teacher_id for lesson in g.lessons}
    staff = session.exec(select(Staff).where(Staff.id.in_(sorted(ids) or [-1]))).all()  # type: ignore[union-attr]
    names = {s.id: staff_short(s) for s in staff}
    return Heading(
        localized_name(school, lang) if school else "",
        year.name if year else "",
        ", ".join(names.get(i, "") for i in sorted(set(assigned))),
        frozenset(assigned),
        names,  # type: ignore[arg-type]
    )


def _title(g: journal.Grid, lang: str, h: Heading) -> str:
    parts = [
        h.school,
        t("journal.print.year", lang, year=h.year),
        journal.class_label(g.cls),
        subject_name(g.subject, lang),
    ]
    if g.subgroup:
        parts.append(f"{t('journal.subgroup', lang)} {g.subgroup}")
    if h.teacher:
        parts.append(t("journal.print.teacher", lang, name=h.teacher))
    return " · ".join(p for p in parts if p)


def _substitute(lesson, h: Heading) -> bool:
    return bool(h.teacher_ids) and lesson.teacher_id not in h.teacher_ids


def pages(g: journal.Grid, lang: str, h: Heading) -> list[xlsx.Layout]:
    """A sheet per month of the term's lessons (the term and year marks on the last), then the topics."""
    months: list[list] = []
    for lesson in g.lessons:
        if not months or months[-1][0].date.month != lesson.date.month:
            months.append([])
        months[-1].append(lesson)
    out = [_month(g, lang, h, lessons, last=k == len(months) - 1) for k, lessons in enumerate(months)]
    if not months:
        out.append(_month(g, lang, h, [], last=True))
    out.append(_topics(g, lang, h))
    return out


def _month(g: journal.Grid, lang: str, h: Heading, lessons: list, *, last: bool) -> xlsx.Layout:
    C = xlsx.Cell
    names = MONTH_NAMES.get(lang, MONTH_NAMES["ky"])
    month = names[lessons[0].date.month] if lessons else ""
    titles, heads = journal.journal_term_labels(g)  # «2-чейрек · 1-жарым жыл» and «1-жарым жыл» for grades 10–11
    term, period_head = titles[lang], heads[lang]
    n = len(lessons)
    blank = max(n, DAY_COLUMNS) - n  # a page has its columns ruled even where no lesson falls, as on paper
    marks_cols = 2 if last else 0
    width = 2 + n + blank + marks_cols
    cells = [
        C(0, 0, _title(g, lang, h), HEAD, cols=max(width, 2)),
        C(1, 0, f"{term} · {month}" if month else term, SUBHEAD, cols=max(width, 2)),
        C(2, 0, "№", TH, rows=2),
        C(2, 1, t("journal.col.pupil", lang), TH_LEFT, rows=2),
    ]
    if n + blank:
        cells.append(C(2, 2, month, TH, cols=n + blank))
    cells += [C(3, 2 + n + k, None, TH) for k in range(blank)]
    subs = []
    for j, lesson in enumerate(lessons):
        starred = _substitute(lesson, h)
        cells.append(C(3, 2 + j, f"{lesson.date.day}*" if starred else lesson.date.day, TH_SUB if starred else TH))
        if starred:
            subs.append(f"{format_date(lesson.date, lang, 'dd.MM')} — {h.names.get(lesson.teacher_id, '')}")
    n += blank  # the term's and year's columns after the ruled ones
    if last:
        cells += [
            C(2, 2 + n, period_head, TH, rows=2),
            C(2, 3 + n, t("journal.col.year", lang), TH, rows=2),
        ]
    for i, pupil in enumerate(g.pupils):
        row = 4 + i
        name = pupil.name
        gone = pupil.ends_on is not None and pupil.ends_on < g.term.ends_on
        if gone:
            name += " — " + t("journal.left_on", lang, date=format_date(pupil.ends_on, lang))
        cells += [C(row, 0, i + 1, NAME), C(row, 1, name, GONE if gone else NAME)]
        for j, lesson in enumerate(lessons):
            cell = _mark_cell(g, pupil, lesson, row, 2 + j)
            cells.append(replace(cell, style=replace(cell.style, size=11, valign="vcenter")))  # the print size
        cells += [C(row, 2 + len(lessons) + k, None, NAME) for k in range(blank)]
        if last:
            for c, pc in ((2 + n, g.period[pupil.id]), (3 + n, g.year[pupil.id])):
                cells.append(C(row, c, pc.value if pc.value is not None else pc.special, PERIOD))
    below = 4 + len(g.pupils) + 1
    if subs:
        cells.append(C(below, 1, "* " + t("journal.print.substitute", lang) + ": " + "; ".join(subs), NOTE))
    widths: dict[int | tuple[int, int], float] = {0: 4, 1: 30}
    if n:
        widths[2, 1 + n] = 4.6
    if last:
        widths[2 + n, 3 + n] = 10
    return xlsx.Layout(
        f"{month or term}"[:31],
        cells,
        widths=widths,
        freeze=(4, 2),
        repeat=(2, 3),
        landscape=True,
        margins=(0.4, 0.4, 0.6, 0.6),
    )


def _topics(g: journal.Grid, lang: str, h: Heading) -> xlsx.Layout:
    C = xlsx.Cell
    term = journal.journal_term_labels(g)[0][lang]
    cells = [
        C(0, 0, _title(g, lang, h), HEAD, cols=6),
        C(1, 0, f"{term} · {t('journal.print.topics', lang)}", SUBHEAD, cols=6),
    ]
    heads = ("№", t("journal.col.date", lang), t("journal.col.topic", lang), t("journal.col.homework", lang))
    heads += (t("journal.print.taught", lang),)
    for k, text in enumerate(heads):
        cells.append(C(2, k, text, TH if k < 2 else TH_LEFT))
    for j, lesson in enumerate(g.lessons):
        row = 3 + j
        starred = _substitute(lesson, h)
        who = h.names.get(lesson.teacher_id, "")
        cells += [
            C(row, 0, j + 1, DATE),
            C(row, 1, lesson.date, DATE),
            C(row, 2, lesson.topic, TEXT),
            C(row, 3, lesson.homework, TEXT),
            C(row, 4, f"{who} ({t('journal.print.substitute', lang)})" if starred else who, TEXT),
        ]
    return xlsx.Layout(
        t("journal.print.topics", lang)[:31],
        cells,
        widths={0: 4, 1: 11, 2: 54, 3: 40, 4: 34},
        freeze=(3, 0),
        repeat=(2, 2),
        landscape=True,
        margins=(0.4, 0.4, 0.6, 0.6),
    )
