"""The journal of a class × subject × term as an XLSX workbook laid out like the paper journal.

One sheet, two "pages" side by side as in the paper journal: on the left the pupils in
alphabetical order × the lesson dates (month over day) with marks and «н», then the period mark
(and, once the year is complete, the year mark); on the right the dates with the lesson's topic
and homework. Headers freeze, the sheet prints landscape one page wide.

The sheet is an `engine/xlsx.Layout` written by the app's one XLSX writer, which writes user text
(names, topics, homework) as strings and never turns them into formulas or links: a topic such as
"=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

from sqlmodel import Session

from bbbms_app.i18n import format_date, t
from bbbms_app.models import SchoolClass
from bbbms_app.services import audit, journal
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads, xlsx

MONTHS = {
    "ky": ("", "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "ru": ("", "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "en": ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def subject_name(subject, lang: str) -> str:
    return {"ru": subject.name_ru, "en": subject.name_en or subject.name_ru}.get(lang, subject.name_ky)


def export_filename(g: journal.Grid) -> str:
    group = f"-g{g.subgroup}" if g.subgroup else ""
    return f"journal-{g.cls.grade}{g.cls.letter}-{g.subject.code}{group}-{g.term.kind}{g.term.number}.xlsx"


def journal_xlsx(
    session: Session, principal: Principal, class_id: int, subject_id: int, term_id: int, subgroup: int, lang: str
) -> tuple[str, bytes]:
    """(file name, workbook bytes) of one journal; scope as for reading the grid; the export is audited."""
    from bbbms_app.services import journal_print  # it builds on this module's cells

    g = journal.grid(session, principal, class_id, subject_id, term_id, subgroup)
    heading = journal_print.heading_of(session, g, lang)
    # The spread as the paper journal (the first sheet), then the print pages: a sheet per month and the topics.
    data = xlsx.to_bytes([layout(g, lang), *journal_print.pages(g, lang, heading)], footer=export_filename(g)[:-5])
    audit.record(
        session,
        principal,
        "export",
        "journal",
        g.cls.id,
        field=f"{subject_id}:{subgroup}:{term_id}",
        new=export_filename(g),
    )
    return export_filename(g), data


JOURNAL_ROUTE = "/journal-files"
PERMISSION = "journal.read"


def write_download(
    session: Session, principal: Principal, class_id: int, subject_id: int, term_id: int, subgroup: int, lang: str
) -> tuple[str, str]:
    """Write the journal's workbook to a private file for this user; (download url, file name).

    The file is handed out by the authorized route (api/journal_files.py) to this user only, while
    he holds journal.read and may still read this journal; it expires with the other private
    downloads (engine.downloads.MAX_AGE_S). Scope and audit as journal_xlsx."""
    name, data = journal_xlsx(session, principal, class_id, subject_id, term_id, subgroup, lang)
    token, path = downloads.new_file("xlsx")
    path.write_bytes(data)
    downloads.publish(
        token,
        user_id=principal.user_id,  # type: ignore[arg-type]
        permission=PERMISSION,
        filename=name,
        scope={"journal": [class_id, subject_id, subgroup, term_id]},
    )
    return f"{JOURNAL_ROUTE}/{token}", name


def open_download(session: Session, principal: Principal, token: str) -> downloads.Ticket:
    """The journal file behind `token` for a signed-in principal.

    DownloadRefused (404) for an unknown or expired token; OutOfScope (403) when the file is another
    user's, he no longer holds journal.read, or he may no longer read that journal."""
    meta = downloads.meta_of(token)
    scope = meta.get("scope", {}).get("journal")
    if scope is None:
        raise downloads.DownloadRefused("not a journal file")
    if meta["user_id"] != principal.user_id or not principal.can(meta["permission"]):
        raise journal.OutOfScope(f"journal file of user {meta['user_id']}")
    class_id, subject_id, subgroup, term_id = (int(v) for v in scope)
    cls = session.get(SchoolClass, class_id)
    if cls is None or not journal.access_for(session, principal, cls, subject_id, subgroup, term_id).read:
        raise journal.OutOfScope(f"journal {class_id}/{subject_id}/{subgroup}")
    return downloads.ticket_of(meta)


# The journal's looks (engine/xlsx.Style): headers on a pale green, period marks on a pale yellow.
TITLE = xlsx.Style(bold=True, size=13)
HEAD = xlsx.Style(bold=True, align="center", valign="vcenter", border=True, fill="#E6F2F0")
HEAD_LEFT = xlsx.Style(bold=True, valign="vcenter", border=True, fill="#E6F2F0")
NAME = xlsx.Style(border=True)
GONE = xlsx.Style(border=True, color="#888888", italic=True)
CELL = xlsx.Style(border=True, align="center")
WEIGHTY = xlsx.Style(border=True, align="center", bold=True)
ABSENT = xlsx.Style(border=True, align="center", color="#B42318")
OUTSIDE = xlsx.Style(border=True, fill="#EEEEEE")  # the pupil was not in the class that day
PERIOD = xlsx.Style(border=True, align="center", bold=True, fill="#FFF7E0")
TEXT = xlsx.Style(border=True, wrap=True, valign="top")
DATE = xlsx.Style(border=True, align="center", valign="top")


def render(g: journal.Grid, lang: str) -> bytes:
    """The workbook of a grid (pure: no database), written by the app's one writer (engine/xlsx)."""
    return xlsx.to_bytes([layout(g, lang)])


def layout(g: journal.Grid, lang: str) -> xlsx.Layout:
    """The journal's sheet cell by cell: the title in row 1, the two-row header, a row per pupil."""
    C = xlsx.Cell
    term_titles, period_heads = journal.journal_term_labels(g)  # «… · 1-жарым жыл» for grades 10–11
    term_label, period_label = term_titles[lang], period_heads[lang]
    title = (
        f"{journal.class_label(g.cls)} · {subject_name(g.subject, lang)}"
        + (f" · {t('journal.subgroup', lang)} {g.subgroup}" if g.subgroup else "")
        + f" · {term_label}"
    )
    cells = [C(0, 0, title, TITLE)]
    # Left page: № | pupil | one column per lesson | period mark | year mark
    first_date_col = 2
    n = len(g.lessons)
    period_col = first_date_col + n
    year_col = period_col + 1
    cells += [C(1, 0, "№", HEAD, rows=2), C(1, 1, t("journal.col.pupil", lang), HEAD_LEFT, rows=2)]
    months = MONTHS.get(lang, MONTHS["ky"])
    j = 0
    while j < n:  # a month's name over its lessons' days
        month = g.lessons[j].date.month
        span = 1
        while j + span < n and g.lessons[j + span].date.month == month:
            span += 1
        cells.append(C(1, first_date_col + j, months[month], HEAD, cols=span))
        j += span
    cells += [C(2, first_date_col + j, lesson.date.day, HEAD) for j, lesson in enumerate(g.lessons)]
    cells += [C(1, period_col, period_label, HEAD, rows=2), C(1, year_col, t("journal.col.year", lang), HEAD, rows=2)]
    for i, pupil in enumerate(g.pupils):
        row = 3 + i
        name = pupil.name
        gone = pupil.ends_on is not None and pupil.ends_on < g.term.ends_on
        if gone:
            name += " — " + t("journal.left_on", lang, date=format_date(pupil.ends_on, lang))
        cells += [C(row, 0, i + 1, NAME), C(row, 1, name, GONE if gone else NAME)]
        for j, lesson in enumerate(g.lessons):
            cells.append(_mark_cell(g, pupil, lesson, row, first_date_col + j))
        for c, pc in ((period_col, g.period[pupil.id]), (year_col, g.year[pupil.id])):
            cells.append(C(row, c, pc.value if pc.value is not None else pc.special, PERIOD))
    widths: dict[int | tuple[int, int], float] = {0: 4, 1: 28, (period_col, year_col): 9}
    if n:
        widths[first_date_col, period_col - 1] = 3.6
    # Right page: date | topic | homework, one row per lesson.
    right = year_col + 2
    heads = ((t("journal.col.date", lang), HEAD), (t("journal.col.topic", lang), HEAD_LEFT))
    heads += ((t("journal.col.homework", lang), HEAD_LEFT),)
    for k, (text, style) in enumerate(heads):
        cells += [C(1, right + k, text, style), C(2, right + k, "", style)]
    for j, lesson in enumerate(g.lessons):
        row = 3 + j
        cells += [
            C(row, right, format_date(lesson.date, lang, "dd.MM"), DATE),
            C(row, right + 1, lesson.topic, TEXT),
            C(row, right + 2, lesson.homework, TEXT),
        ]
    widths |= {right - 1: 2, right: 7, right + 1: 40, right + 2: 36}
    return xlsx.Layout(
        t("journal.xlsx.sheet", lang),
        cells,
        widths=widths,
        freeze=(3, 2),
        repeat=(1, 2),
        landscape=True,
        margins=(0.4, 0.4, 0.5, 0.5),
    )


def _mark_cell(g: journal.Grid, pupil, lesson, row: int, col: int) -> xlsx.Cell:
    """A pupil's cell on a lesson: grey when he was not in the class, a number for one plain mark."""
    if not pupil.in_class_on(lesson.date):
        return xlsx.Cell(row, col, None, OUTSIDE)
    cell = g.cells.get((pupil.id, lesson.id))
    if cell is None:
        return xlsx.Cell(row, col, None, CELL)
    text = cell.text()
    style = ABSENT if cell.absent else WEIGHTY if cell.weighty else CELL
    value = int(text) if len(cell.marks) == 1 and not cell.code else text
    return xlsx.Cell(row, col, value, style)
