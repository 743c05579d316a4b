"""The teacher reports as tables (the same rows on screen and in the workbook) and as XLSX.

A summary per teacher, then four lists, each with the teacher's name: the hours against the plan,
the lessons without a topic or homework, the pupils with too few marks, the marks entered late.
Dates are real dates in the workbook (dd.mm.yyyy) and dd.mm.yyyy text on screen; the workbook has
the school, the title, the period and the filter in its printed header, a № column and a
signature line (`sheets._sheet`'s conventions), A4 landscape through the one writer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bbbms_app.i18n import format_date, t
from bbbms_app.services import audit
from bbbms_app.services.engine import downloads, xlsx
from bbbms_app.services.reports.sheets import Table, _heading, period_label
from bbbms_app.services.reports.teachers import PERMISSION, TeacherLine, TeacherReport
from bbbms_app.services.school import localized_name

SUMMARY_COLUMNS = (
    "teacher",
    "plan",
    "plan_to_date",
    "given",
    "by_others",
    "substituted",
    "no_topic",
    "no_homework",
    "few",
    "late",
)
HOURS_COLUMNS = ("teacher", "group", "subject", "weekly", "plan", "plan_to_date", "given", "by_others")
GAPS_COLUMNS = ("teacher", "date", "number", "group", "subject", "missing")
FEW_COLUMNS = ("teacher", "group", "subject", "pupil", "marks", "needed", "due")
LATE_COLUMNS = ("teacher", "date", "entered", "days_late", "group", "subject", "pupil", "mark")
TEXT = {"teacher", "group", "subject", "missing", "pupil"}
DATES = {"date", "entered"}
WIDTHS = {"teacher": 22, "group": 8, "subject": 26, "missing": 22, "pupil": 28, "date": 11, "entered": 11}


def summary_table(rep: TeacherReport) -> Table:
    rows = []
    for tl in rep.teachers:
        rows.append(
            {
                "staff_id": tl.staff_id,
                "teacher": tl.name,
                "plan": tl.plan,
                "plan_to_date": tl.plan_to_date,
                "given": tl.given,
                "by_others": tl.by_others,
                "substituted": tl.substituted,
                "no_topic": tl.no_topic,
                "no_homework": tl.no_homework,
                "few": len(tl.few),
                "late": len(tl.late),
            }
        )
    return Table(SUMMARY_COLUMNS, rows)


def _subject(rep: TeacherReport, subject_id: int, subgroup: int, lang: str) -> str:
    subject = rep.subjects.get(subject_id)
    name = localized_name(subject, lang) if subject else "?"
    return f"{name} ({t('reports.t.subgroup', lang, n=subgroup)})" if subgroup else name


def _lines(rep: TeacherReport, staff_id: int | None) -> list[TeacherLine]:
    return [tl for tl in rep.teachers if staff_id is None or tl.staff_id == staff_id]


def hours_table(rep: TeacherReport, lang: str, staff_id: int | None = None) -> Table:
    rows = []
    for tl in _lines(rep, staff_id):
        for r in tl.hours:
            subject = _subject(rep, r.subject_id, r.subgroup, lang)
            if r.substitution:
                subject += f" — {t('reports.t.substitution', lang)}"
            rows.append(
                {
                    "teacher": tl.name,
                    "group": r.class_label,
                    "subject": subject,
                    "weekly": r.weekly,
                    "plan": r.plan,
                    "plan_to_date": r.plan_to_date,
                    "given": r.given,
                    "by_others": r.by_others,
                    "substitution": r.substitution,
                }
            )
    return Table(HOURS_COLUMNS, rows)


def gaps_table(rep: TeacherReport, lang: str, staff_id: int | None = None) -> Table:
    rows = []
    for tl in _lines(rep, staff_id):
        for g in tl.gaps:
            missing = [
                t(f"reports.t.no_{what}", lang)
                for what, gap in (("topic", g.no_topic), ("homework", g.no_homework))
                if gap
            ]
            rows.append(
                {
                    "teacher": tl.name,
                    "date": g.day,
                    "number": g.number,
                    "group": g.class_label,
                    "subject": _subject(rep, g.subject_id, g.subgroup, lang),
                    "missing": ", ".join(missing),
                    "lesson_id": g.lesson_id,
                }
            )
    return Table(GAPS_COLUMNS, rows)


def few_table(rep: TeacherReport, lang: str, staff_id: int | None = None) -> Table:
    rows = []
    for tl in _lines(rep, staff_id):
        for f in tl.few:
            rows.append(
                {
                    "teacher": tl.name,
                    "group": f.class_label,
                    "subject": _subject(rep, f.subject_id, f.subgroup, lang),
                    "pupil": f.pupil,
                    "marks": f.marks,
                    "needed": f.needed,
                    "due": f.due,
                }
            )
    return Table(FEW_COLUMNS, rows)


def late_table(rep: TeacherReport, lang: str, staff_id: int | None = None) -> Table:
    rows = []
    for tl in _lines(rep, staff_id):
        for m in tl.late:
            rows.append(
                {
                    "teacher": tl.name,
                    "date": m.day,
                    "entered": m.entered_on,
                    "days_late": m.days_late,
                    "group": m.class_label,
                    "subject": _subject(rep, m.subject_id, 0, lang),
                    "pupil": m.pupil,
                    "mark": m.value,
                }
            )
    return Table(LATE_COLUMNS, rows)


def display(key: str, value: Any, lang: str) -> str:
    """A cell as the screen shows it: dates dd.mm.yyyy, weekly hours without a needless «.0», «—» for none."""
    if value is None or value == "":
        return "—" if key not in TEXT else ""
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, float):
        text = f"{value:g}"
        return text if lang == "en" else text.replace(".", ",")
    return str(value)


def as_text(table: Table, lang: str) -> list[dict[str, str]]:
    return [{k: display(k, v, lang) for k, v in row.items()} for row in table.rows]


def header(key: str, lang: str) -> str:
    return t(f"reports.t.col.{key}", lang)


def _sheet(name: str, table: Table, lang: str, signature: str) -> xlsx.Sheet:
    columns = [xlsx.Column(t("reports.col.no", lang), "number", 5)]
    for key in table.columns:
        if key in DATES:
            columns.append(xlsx.Column(header(key, lang), "date", WIDTHS[key]))
        elif key in TEXT:
            columns.append(xlsx.Column(header(key, lang), "text", WIDTHS[key]))
        else:
            columns.append(xlsx.Column(header(key, lang), "number", 11, num_format="0.##" if key == "weekly" else ""))
    rows = ([n, *(row.get(key) for key in table.columns)] for n, row in enumerate(table.rows, start=1))
    return xlsx.Sheet(name[:31], columns, rows, last_line=signature, header_height=48, landscape=True)


def teacher_xlsx(
    rep: TeacherReport, lang: str, staff_id: int | None = None, today: date | None = None
) -> tuple[str, bytes]:
    """(file name, workbook): the summary, the hours, the lessons without a topic or homework, the
    pupils with too few marks and the late marks — of every teacher in the report or of one."""
    chosen = [tl for tl in rep.teachers if staff_id is None or tl.staff_id == staff_id]
    who = chosen[0].name if staff_id is not None and chosen else t("reports.t.all_teachers", lang)
    span = f"{format_date(rep.period.starts_on, lang)}–{format_date(rep.upto, lang)}"
    extra = f"{who} · {span} · {t('reports.t.late_after', lang, days=rep.late_days)}"
    signature = t("reports.signature", lang, date=format_date(today or date.today(), lang))
    summary = summary_table(rep)
    summary = Table(summary.columns, [r for r in summary.rows if staff_id is None or r["staff_id"] == staff_id])
    sheets = [
        _sheet(t("reports.t.sheet.summary", lang), summary, lang, signature),
        _sheet(t("reports.t.sheet.hours", lang), hours_table(rep, lang, staff_id), lang, signature),
        _sheet(t("reports.t.sheet.gaps", lang), gaps_table(rep, lang, staff_id), lang, signature),
        _sheet(t("reports.t.sheet.few", lang), few_table(rep, lang, staff_id), lang, signature),
        _sheet(t("reports.t.sheet.late", lang), late_table(rep, lang, staff_id), lang, signature),
    ]
    title = _heading(rep.school, "reports.t.title", period_label(rep.period, lang), lang, extra)
    data = xlsx.to_bytes(sheets, title=title)
    return f"teachers-{rep.period.kind}{rep.period.number or ''}.xlsx", data


def write_download(session, principal, name: str, data: bytes, what: str) -> str:
    """The workbook in the private downloads for this user while he holds report.teacher; its url. Audited."""
    token, path = downloads.new_file("xlsx")
    path.write_bytes(data)
    downloads.publish(token, user_id=principal.user_id, permission=PERMISSION, filename=name)
    audit.record(session, principal, "export", "report", None, field=what, new=name)
    return downloads.url(token)
