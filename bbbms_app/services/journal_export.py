"""The journal of a class × subject × term as an XLSX workbook laid out like the paper journal.

One sheet, two "pages" side by side as in the paper journal: on the left the pupils in
alphabetical order × the lesson dates (month over day) with marks and «н», then the period mark
(and, once the year is complete, the year mark); on the right the dates with the lesson's topic
and homework. Headers freeze, the sheet prints landscape one page wide.

User text (names, topics, homework) is written with `write_string` and the workbook refuses to
turn strings into formulas or links: a topic such as "=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

import io

import xlsxwriter
from sqlmodel import Session

from bbbms_app.i18n import format_date, t
from bbbms_app.models import SchoolClass
from bbbms_app.services import audit, journal
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads
from bbbms_app.services.school import term_labels

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
    g = journal.grid(session, principal, class_id, subject_id, term_id, subgroup)
    data = render(g, lang)
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


def render(g: journal.Grid, lang: str) -> bytes:
    """The workbook of a grid (pure: no database)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    ws = wb.add_worksheet(t("journal.xlsx.sheet", lang)[:31])
    title = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "bg_color": "#E6F2F0"})
    head_left = wb.add_format({"bold": True, "valign": "vcenter", "border": 1, "bg_color": "#E6F2F0"})
    name_fmt = wb.add_format({"border": 1})
    gone_fmt = wb.add_format({"border": 1, "font_color": "#888888", "italic": True})
    cell_fmt = wb.add_format({"border": 1, "align": "center"})
    bold_cell = wb.add_format({"border": 1, "align": "center", "bold": True})
    absent_fmt = wb.add_format({"border": 1, "align": "center", "font_color": "#B42318"})
    grey_cell = wb.add_format({"border": 1, "bg_color": "#EEEEEE"})
    period_fmt = wb.add_format({"border": 1, "align": "center", "bold": True, "bg_color": "#FFF7E0"})
    text_fmt = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"border": 1, "align": "center", "valign": "top"})

    term_label = term_labels(g.term)[lang]
    ws.write_string(
        0,
        0,
        f"{journal.class_label(g.cls)} · {subject_name(g.subject, lang)}"
        + (f" · {t('journal.subgroup', lang)} {g.subgroup}" if g.subgroup else "")
        + f" · {term_label}",
        title,
    )
    # Left page: № | pupil | one column per lesson | period mark | year mark
    first_date_col = 2
    n = len(g.lessons)
    period_col = first_date_col + n
    year_col = period_col + 1
    ws.merge_range(1, 0, 2, 0, "№", head)
    ws.merge_range(1, 1, 2, 1, t("journal.col.pupil", lang), head_left)
    months = MONTHS.get(lang, MONTHS["ky"])
    col = first_date_col
    while col < period_col:
        month = g.lessons[col - first_date_col].date.month
        end = col
        while end + 1 < period_col and g.lessons[end + 1 - first_date_col].date.month == month:
            end += 1
        if end > col:
            ws.merge_range(1, col, 1, end, months[month], head)
        else:
            ws.write_string(1, col, months[month], head)
        col = end + 1
    for j, lesson in enumerate(g.lessons):
        ws.write_number(2, first_date_col + j, lesson.date.day, head)
    ws.merge_range(1, period_col, 2, period_col, term_label, head)
    ws.merge_range(1, year_col, 2, year_col, t("journal.col.year", lang), head)
    for i, pupil in enumerate(g.pupils):
        row = 3 + i
        ws.write_number(row, 0, i + 1, name_fmt)
        name = pupil.name
        gone = pupil.ends_on is not None and pupil.ends_on < g.term.ends_on
        if gone:
            name += " — " + t("journal.left_on", lang, date=format_date(pupil.ends_on, lang))
        ws.write_string(row, 1, name, gone_fmt if gone else name_fmt)
        for j, lesson in enumerate(g.lessons):
            c = first_date_col + j
            if not pupil.in_class_on(lesson.date):
                ws.write_blank(row, c, None, grey_cell)
                continue
            cell = g.cells.get((pupil.id, lesson.id))
            if cell is None:
                ws.write_blank(row, c, None, cell_fmt)
                continue
            text = cell.text()
            fmt = absent_fmt if cell.absent else bold_cell if cell.weighty else cell_fmt
            if len(cell.marks) == 1 and not cell.code:
                ws.write_number(row, c, int(text), fmt)
            else:
                ws.write_string(row, c, text, fmt)
        for c, pc in ((period_col, g.period[pupil.id]), (year_col, g.year[pupil.id])):
            if pc.value is not None:
                ws.write_number(row, c, pc.value, period_fmt)
            else:
                ws.write_string(row, c, pc.special, period_fmt)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 28)
    if n:
        ws.set_column(first_date_col, period_col - 1, 3.6)
    ws.set_column(period_col, year_col, 9)
    # Right page: date | topic | homework, one row per lesson.
    right = year_col + 2
    ws.write_string(1, right, t("journal.col.date", lang), head)
    ws.write_string(1, right + 1, t("journal.col.topic", lang), head_left)
    ws.write_string(1, right + 2, t("journal.col.homework", lang), head_left)
    ws.write_string(2, right, "", head)
    ws.write_string(2, right + 1, "", head_left)
    ws.write_string(2, right + 2, "", head_left)
    for j, lesson in enumerate(g.lessons):
        row = 3 + j
        ws.write_string(row, right, format_date(lesson.date, lang, "dd.MM"), date_fmt)
        ws.write_string(row, right + 1, lesson.topic, text_fmt)
        ws.write_string(row, right + 2, lesson.homework, text_fmt)
    ws.set_column(right - 1, right - 1, 2)
    ws.set_column(right, right, 7)
    ws.set_column(right + 1, right + 1, 40)
    ws.set_column(right + 2, right + 2, 36)
    ws.freeze_panes(3, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1, 2)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    wb.close()
    return out.getvalue()
