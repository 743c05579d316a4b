"""The reports as tables (the same rows on screen and in the workbook) and as XLSX through the one writer.

Every workbook: the school, the report's title, the period and the filter in the printed page's
header, a № column, percents and averages as numbers with one or two decimals, the header row
frozen, A4 landscape fitted to the page's width (engine/xlsx.py) and a signature line under the
table. The file is written to the private downloads folder and handed out by the authorized
route (`engine.downloads`): only to its maker, while he holds report.read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bbbms_app.i18n import format_date, t
from bbbms_app.models import School
from bbbms_app.services import audit, grading
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads, xlsx
from bbbms_app.services.journal.access import class_label
from bbbms_app.services.reports.attendance import REASONS, AttendanceReport, Missed
from bbbms_app.services.reports.results import LIST_KINDS, Group, Period, Results
from bbbms_app.services.reports.summary import Summary, summary
from bbbms_app.services.school import localized_name

PERMISSION = "report.read"
COUNT_COLUMNS = ("roll", "n", "n5", "n4", "n3", "n2", "n_na")
RATE_COLUMNS = ("success", "quality", "sou")
PREVIOUS_COLUMNS = ("prev_success", "prev_quality", "prev_sou")
REASON_KEYS = dict(zip(REASONS, ("ill", "excused", "unexcused", "unknown"), strict=True))


@dataclass(frozen=True)
class Table:
    """Column keys and rows of plain values (numbers stay numbers; None is an empty cell)."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]


def period_label(period: Period, lang: str) -> str:
    if period.kind == "year":
        return t("reports.year", lang)
    return t(f"term.{period.kind}", lang, number=period.number)


def results_period_label(res: Results, lang: str) -> str:
    """What a results report counts: «2-чейрек», or «2-чейрек · 1-жарым жыл» when it counts half-year
    marks beside the quarter's (grades 10–11, subjects of few hours: `Results.half_year`), or «Жылдык»."""
    label = period_label(res.period, lang)
    if res.half_year is None:
        return label
    return f"{label} · {t('term.half_year', lang, number=res.half_year.number)}"


def group_label(group: Group, lang: str, school_name: str = "") -> str:
    if group.kind == "class":
        return group.label
    if group.kind == "grade":
        return t("reports.group.grade", lang, grade=group.grade)
    if group.kind == "level":
        lo, hi = group.grades
        return t("reports.group.level", lang, grades=f"{lo}–{hi}" if lo != hi else str(lo))
    return t("reports.group.school", lang)


def results_table(res: Results, subject_id: int | None, sex: str | None, lang: str) -> Table:
    """One row per class, parallel, level and the school: counts, rates, average, and the previous period's rates."""
    columns = ("group", *COUNT_COLUMNS, *RATE_COLUMNS, "average")
    if res.previous is not None:
        columns += PREVIOUS_COLUMNS
    rows = []
    for group in res.groups:
        ind = res.indicators(group, subject_id, sex)
        row: dict[str, Any] = {"kind": group.kind, "key": group.key, "group": group_label(group, lang)}
        row["roll"] = res.roll(group, sex)
        row.update({name: getattr(ind, name) for name in COUNT_COLUMNS[1:] + RATE_COLUMNS + ("average",)})
        before = res.previous_indicators(group, subject_id, sex)
        if before is not None:
            row.update({f"prev_{name}": getattr(before, name) for name in RATE_COLUMNS})
        rows.append(row)
    return Table(columns, rows)


GRADE_COLUMNS = ("group", "n", "success", "quality", "sou", "average")


def grades_table(res: Results, subject_id: int | None, sex: str | None, lang: str) -> Table:
    """The parallels with marks (the 1st grade has none) and the school: the workbook chart's rows."""
    rows = results_table(res, subject_id, sex, lang).rows
    rows = [r for r in rows if r["kind"] == "school" or (r["kind"] == "grade" and r["n"])]  # not a grade without marks
    return Table(GRADE_COLUMNS, rows)


def subjects_table(res: Results, group: Group, sex: str | None, lang: str) -> Table:
    """One row per subject (the curriculum's order) and one for all subjects, for one group."""
    columns = ("subject", *COUNT_COLUMNS[1:], *RATE_COLUMNS, "average")
    rows = []
    for subject_id, name in [(s.id, localized_name(s, lang)) for s in res.subjects] + [
        (None, t("reports.all_subjects", lang))
    ]:
        ind = res.indicators(group, subject_id, sex)
        rows.append({"subject": name, **{c: getattr(ind, c) for c in COUNT_COLUMNS[1:] + RATE_COLUMNS + ("average",)}})
    return Table(columns, rows)


def lists_table(res: Results, lang: str, sex: str | None = None) -> Table:
    """The lists of pupils (of one sex, or all), each with the subjects that put a pupil on it."""
    names = {s.id: localized_name(s, lang) for s in res.subjects}
    rows = []
    for kind in LIST_KINDS:
        for p in res.lists.get(kind, []):
            if sex and p.sex != sex:
                continue
            rows.append(
                {
                    "list": t(f"reports.list.{kind}", lang),
                    "pupil": p.name,
                    "group": p.class_label,
                    "subjects": ", ".join(f"{names.get(sid, '?')} ({mark})" for sid, mark in p.subjects),
                }
            )
    return Table(("list", "pupil", "group", "subjects"), rows)


def _missed_row(m: Missed) -> dict[str, Any]:
    row: dict[str, Any] = {"lessons": m.lessons_total, "days": m.days_total}
    for code, key in REASON_KEYS.items():
        row[f"lessons_{key}"] = m.lessons[code]
        row[f"days_{key}"] = m.days[code]
    row["late"] = m.late
    row["late_minutes"] = m.late_minutes
    return row


MISSED_COLUMNS = (
    "lessons",
    *(f"lessons_{k}" for k in REASON_KEYS.values()),
    "days",
    *(f"days_{k}" for k in REASON_KEYS.values()),
    "late",
    "late_minutes",
)


def attendance_classes_table(rep: AttendanceReport, lang: str) -> Table:
    rows = [{"group": class_label(c), **_missed_row(rep.by_class[c.id])} for c in rep.classes]  # type: ignore[index]
    rows.append({"group": t("reports.group.school", lang), **_missed_row(rep.total)})
    return Table(("group", *MISSED_COLUMNS), rows)


def attendance_pupils_table(rep: AttendanceReport, pupils=None) -> Table:
    chosen = rep.pupils if pupils is None else pupils
    rows = [{"pupil": p.name, "group": p.class_label, **_missed_row(p.missed)} for p in chosen]
    return Table(("pupil", "group", *MISSED_COLUMNS), rows)


def column_header(key: str, lang: str) -> str:
    """A column's heading; the attendance columns are «lessons missed: ill» and so on."""
    head, _, reason = key.partition("_")
    if head in ("lessons", "days") and reason:
        return f"{t(f'reports.col.{head}', lang)}: {t(f'reports.col.{reason}', lang)}"
    return t(f"reports.col.{key}", lang)


_WIDTHS = {"group": 16, "pupil": 28, "subject": 24, "list": 34, "subjects": 48, "month": 16, "teacher": 30}


def _sheet(name: str, table: Table, lang: str, signature: str = "") -> xlsx.Sheet:
    columns = [xlsx.Column(t("reports.col.no", lang), "number", 5)]
    for key in table.columns:
        if key in _WIDTHS:  # the subjects of a listed pupil can be a dozen: wrapped in their column
            columns.append(xlsx.Column(column_header(key, lang), "text", _WIDTHS[key], wrap=key == "subjects"))
        else:
            fmt = "0.0" if key in RATE_COLUMNS + PREVIOUS_COLUMNS else "0.00" if key == "average" else ""
            columns.append(xlsx.Column(column_header(key, lang), "number", 12, num_format=fmt))
    rows = ([n, *(row.get(key) for key in table.columns)] for n, row in enumerate(table.rows, start=1))
    return xlsx.Sheet(name, columns, rows, last_line=signature, header_height=48, landscape=True)


def _heading(school, title_key: str, period: str, lang: str, extra: str = "") -> str:
    text = t("reports.heading", lang, school=localized_name(school, lang), title=t(title_key, lang), period=period)
    return f"{text} · {extra}" if extra else text


def _lists_sheet(res: Results, lang: str, sex: str | None, signature: str) -> xlsx.Sheet:
    """The lists of pupils; for a reader without export.personal an empty sheet that says why."""
    line = signature if res.named else t("reports.lists_need_right", lang)
    return _sheet(t("reports.sheet.lists", lang), lists_table(res, lang, sex), lang, line)


def results_xlsx(
    res: Results,
    subject_id: int | None,
    sex: str | None,
    lang: str,
    today: date | None = None,
    teachers: Table | None = None,
) -> tuple[str, bytes]:
    """(file name, workbook): the results as filtered, the school's figures by subject, and the lists."""
    subject = next((localized_name(s, lang) for s in res.subjects if s.id == subject_id), None)
    extra = t(
        "reports.filter",
        lang,
        subject=subject or t("reports.all_subjects", lang),
        sex=t(f"reports.sex.{sex}", lang) if sex else t("reports.all_pupils", lang),
    )
    period = results_period_label(res, lang)
    if res.previous is not None:
        extra += " · " + t("reports.previous", lang, period=results_period_label(res.previous, lang))
    signature = t("reports.signature", lang, date=format_date(today or date.today(), lang))
    by_grade = _sheet(t("reports.sheet.grades", lang), grades_table(res, subject_id, sex, lang), lang, signature)
    # A native chart of the parallels' rates (columns: № | group | N | success | quality | СОУ | average).
    by_grade.charts = (
        xlsx.Chart(t("reports.chart.grades", lang), categories=1, series=(3, 4, 5), y_title="%", y_max=100),
    )
    sheets = [
        _sheet(t("reports.sheet.results", lang), results_table(res, subject_id, sex, lang), lang, signature),
        by_grade,
        _sheet(t("reports.sheet.subjects", lang), subjects_table(res, res.groups[-1], sex, lang), lang, signature),
        _lists_sheet(res, lang, sex, signature),
    ]
    if teachers is not None:  # the results by teacher (services/reports/by_teacher.py), before the lists
        sheets.insert(-1, _sheet(t("reports.sheet.teachers", lang), teachers, lang, signature))
    data = xlsx.to_bytes(sheets, title=_heading(res.school, "reports.results.title", period, lang, extra))
    return f"results-{res.period.kind}{res.period.number or ''}.xlsx", data


def attendance_xlsx(rep: AttendanceReport, lang: str, today: date | None = None) -> tuple[str, bytes]:
    span = f"{format_date(rep.starts_on, lang)}–{format_date(rep.ends_on, lang)}"
    signature = t("reports.signature", lang, date=format_date(today or date.today(), lang))
    sheets = [
        _sheet(t("reports.sheet.classes", lang), attendance_classes_table(rep, lang), lang, signature),
        _sheet(
            t("reports.sheet.pupils", lang),
            attendance_pupils_table(rep),
            lang,
            signature if rep.named else t("reports.lists_need_right", lang),
        ),
    ]
    data = xlsx.to_bytes(sheets, title=_heading(rep.school, "reports.attendance.title", span, lang))
    return f"attendance-{rep.starts_on:%Y%m%d}-{rep.ends_on:%Y%m%d}.xlsx", data


def write_download(session: Session, principal: Principal, name: str, data: bytes, what: str) -> str:
    """Put a report's workbook in the private downloads for this user; the download url. Audited."""
    token, path = downloads.new_file("xlsx")
    path.write_bytes(data)
    downloads.publish(token, user_id=principal.user_id, permission=PERMISSION, filename=name)  # type: ignore[arg-type]
    audit.record(session, principal, "export", "report", None, field=what, new=name)
    return downloads.url(token)


def display(key: str, value: Any, lang: str) -> str:
    """A cell as the screen shows it: percents with one decimal, the average with two, «—» for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.2f}" if key == "average" else f"{value:.1f}"
        return text if lang == "en" else text.replace(".", ",")
    return str(value)


def rows_as_text(table: Table, columns: Sequence[str], lang: str) -> list[dict[str, str]]:
    """Display-ready rows: every value through `display` in the UI language."""
    out = []
    for row in table.rows:
        text = {k: str(row[k]) for k in ("kind", "key") if k in row}
        out.append(text | {c: display(c, row.get(c), lang) for c in columns})
    return out


# ---------------------------------------------------------------------------------------------
# The summary sheet (сводная ведомость) of one class × period
# ---------------------------------------------------------------------------------------------

SUMMARY_INDICATORS = ("n", "success", "quality", "sou", "average")
SUMMARY_ABSENCES = ("б", "у", "п", "н", "о")


HALF_YEAR_MARK = " *"  # after the name of a subject of few hours assessed by half-year
NOT_ASSESSED = "—"  # its cells in Q1 / Q3: no mark owed, not a missing one


def half_year_note(sheet: Summary, lang: str) -> str:
    """The footnote of the subjects marked «*»: the half-year whose mark they show (Q2 / Q4), or that
    they owe none this quarter (Q1 / Q3); "" when the sheet has none."""
    if not sheet.half_year or sheet.term is None:
        return ""
    names = ", ".join(localized_name(s, lang) for s in sheet.subjects if s.id in sheet.half_year)
    if sheet.not_assessed:
        return t("journal.summary.half_year_none", lang, subjects=names)
    half = grading.period_of_term(grading.HALF_YEAR, sheet.term.kind, sheet.term.number)
    return t("journal.summary.half_year_shown", lang, half=half.number if half else "", subjects=names)


def summary_xlsx(sheet: Summary, school, lang: str, today: date | None = None) -> tuple[str, bytes]:
    """The class's sheet as the paper one: № | pupil | a narrow column per subject (the curriculum's
    order) | lessons missed in all and by code; the indicators per subject under the pupils; the
    whole class's figures, then the signature line. Landscape, one page wide."""
    subjects = list(sheet.subjects)
    period = period_label_of_summary(sheet, lang)
    columns = [
        xlsx.Column(t("reports.col.no", lang), "number", 4),
        xlsx.Column(t("reports.col.pupil", lang), "text", 26),
    ]
    columns += [
        xlsx.Column(localized_name(s, lang) + (HALF_YEAR_MARK * (s.id in sheet.half_year)), "auto", 5, vertical=True)
        for s in subjects
    ]
    columns += [xlsx.Column(t("journal.summary.absences", lang), "number", 11)]
    columns += [xlsx.Column(code, "number", 4) for code in SUMMARY_ABSENCES]
    rows: list[list[Any]] = []
    for n, r in enumerate(sheet.rows, start=1):
        name = r.name
        if r.left_on:
            name += " — " + t("journal.left_on", lang, date=format_date(r.left_on, lang))
        marks = []
        for s in subjects:
            if s.id in sheet.not_assessed:
                marks.append(NOT_ASSESSED)
                continue
            value, special = r.marks.get(s.id, (None, ""))  # type: ignore[arg-type]
            text = value if value is not None else special
            marks.append(f"({text})" if s.id in r.suggested and text != "" else text)
        absences = [r.absences.get(code) or None for code in SUMMARY_ABSENCES]
        rows.append([n, name, *marks, r.absences["total"] or None, *absences])
    for key in SUMMARY_INDICATORS:
        label = t(f"journal.summary.{key}", lang)
        rows.append(
            [
                None,
                label,
                *(
                    NOT_ASSESSED if s.id in sheet.not_assessed else getattr(sheet.by_subject[s.id], key)  # type: ignore[index]
                    for s in subjects
                ),
            ]
        )
    rows.append([])
    overall = ", ".join(
        f"{t(f'journal.summary.{key}', lang)}: {display(key, getattr(sheet.overall, key), lang)}"
        for key in SUMMARY_INDICATORS
    )
    rows.append([None, f"{t('journal.summary.all', lang)}: {overall}"])
    note = half_year_note(sheet, lang)
    if note:
        rows.append([None, note])
    signature = t("reports.signature", lang, date=format_date(today or date.today(), lang))
    book = xlsx.Sheet(
        t("journal.summary.title", lang), columns, rows, last_line=signature, header_height=110, landscape=True
    )
    title = _heading(school, "journal.summary.title", period, lang, class_label(sheet.cls))
    data = xlsx.to_bytes([book], title=title)
    return f"summary-{sheet.cls.grade}{sheet.cls.letter}-{period_key(sheet)}.xlsx", data


def summary_download(
    session: Session, principal: Principal, class_id: int, term_id: int | None, *, with_suggestions: bool, lang: str
) -> tuple[str, str]:
    """(download url, file name) of a class's summary sheet; scope as `reports.summary` (OutOfScope). Audited."""
    sheet = summary(session, principal, class_id, term_id, with_suggestions=with_suggestions)
    name, data = summary_xlsx(sheet, session.get(School, principal.school_id), lang)
    return write_download(session, principal, name, data, f"summary:{class_id}:{term_id or 'year'}"), name


def period_key(sheet: Summary) -> str:
    return f"{sheet.term.kind}{sheet.term.number}" if sheet.term else "year"


def period_label_of_summary(sheet: Summary, lang: str) -> str:
    """«2-чейрек», or for grades 10–11 in Q2 «1-жарым жыл» (the marks the sheet shows), or «Жылдык»."""
    if sheet.term is None:
        return t("reports.year", lang)
    if sheet.assessed is not None and sheet.assessed.kind != sheet.term.kind:
        return t(f"term.{sheet.assessed.kind}", lang, number=sheet.assessed.number)
    return t(f"term.{sheet.term.kind}", lang, number=sheet.term.number)
