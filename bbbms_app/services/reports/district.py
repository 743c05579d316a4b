"""The district summary (issue 16): one row per school of the installation — pupils, classes,
teachers, the успеваемость and качество of the dashboard's term (the last finished quarter; the
running one has no quarter marks yet), the lessons missed in that quarter and the age of the last
good backup — and a totals row, on screen (`/district`) and as XLSX.

Nothing is counted twice here: the rates are `results.results` of each school's figures term
(`dashboard.figures_term`: the last finished; else the latest before it that counts marks; the same tallies as
/reports, through the dashboard's per-term cache: an opening recounts a school only when its marks
or roll changed), the lessons missed `attendance.lessons_missed` (the attendance
report's total, counted alone), the pupils and the backup `district.list_schools` (as /schools).

The district account reads each school as its director reads his reports, counts only: the reader
it lends the services holds `report.read` and not `export.personal`, so no list naming a pupil is
ever made for it.

The totals add the counts and the schools' tallies; their rates are recomputed from the summed
tallies (`formulas.indicators`), never averaged over the schools (a school of 90 pupils would
weigh as much as one of 1,200).

Only a district account reads it (`district.check`); every school's row is computed with a reader
bound to that school, so a row holds its own school's numbers and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.models import SchoolClass, Staff, TeachingAssignment
from bbbms_app.services import backup, district
from bbbms_app.services import school as school_service
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads, xlsx
from bbbms_app.services.grading import Indicators
from bbbms_app.services.journal.access import year_terms
from bbbms_app.services.reports import formulas
from bbbms_app.services.reports import results as results_service
from bbbms_app.services.reports.attendance import lessons_missed
from bbbms_app.services.reports.dashboard import cached_results
from bbbms_app.services.reports.formulas import Tally
from bbbms_app.services.reports.results import Period

PERMISSION = district.PERMISSION


@dataclass(frozen=True)
class SchoolFigures:
    """One row: a school's figures (or the district's totals: `school_id` 0, no term)."""

    school_id: int
    okpo: str
    names: dict[str, str]  # the school's name in each UI language
    period: Period | None  # the term of its figures, the dashboard's (None: the school has no year or term yet)
    pupils: int
    classes: int
    teachers: int
    pupil_tally: Tally  # each pupil's worst mark over all subjects of the term (results' tally)
    mark_tally: Tally  # every pupil × subject mark of the term
    missed: int  # lessons missed in the term, every reason
    last_backup: dt.datetime | None

    @property
    def indicators(self) -> Indicators:
        return formulas.indicators(self.pupil_tally, self.mark_tally)


@dataclass(frozen=True)
class DistrictSummary:
    area: dict[str, str]  # the district's name in each language (the header's)
    today: date
    rows: list[SchoolFigures]
    total: SchoolFigures


def reader_for(principal: Principal, school_id: int) -> Principal:
    """The district account as the reports' reader of one school: school-wide, counts only.

    Only `report.read` (never `export.personal`): results and attendance then make no named list."""
    district.check(principal)
    return Principal(
        principal.user_id,
        principal.username,
        "director",
        school_id,
        full_name=principal.full_name,
        language=principal.language,
        permissions=frozenset({"report.read"}),
    )


def _today() -> date:  # one place to say «today» (a test moves it into its school year)
    return date.today()


def summary(session: Session, principal: Principal, today: date | None = None) -> DistrictSummary:
    """Every live school's row, in /schools' order, and the totals. OutOfScope for anyone but a
    district account."""
    district.check(principal)
    today = today or _today()
    rows = [_school(session, principal, listed, today) for listed in district.list_schools(session, principal)]
    return DistrictSummary(district.area_names(session), today, rows, _total(rows))


def _school(session: Session, principal: Principal, listed: district.SchoolRow, today: date) -> SchoolFigures:
    names = {"ky": listed.name_ky or listed.name_ru, "ru": listed.name_ru or listed.name_ky}
    names["en"] = names["ru"]
    blank = SchoolFigures(
        listed.school_id, listed.okpo, names, None, listed.pupils, 0, 0, Tally(), Tally(), 0, listed.last_backup
    )
    year = school_service.current_year(session, listed.school_id)
    if year is None:
        return blank
    # The dashboard's term (the last finished one: a running quarter has no quarter marks yet); when
    # it counts no mark (a quarter not closed yet), the finished one before it, and so on; the
    # running term last.
    terms = year_terms(session, year.id)  # type: ignore[arg-type]
    finished = sorted((t for t in terms if t.ends_on < today), key=lambda t: (t.ends_on, t.starts_on), reverse=True)
    running = [t for t in terms if t.starts_on <= today <= t.ends_on]
    candidates = finished + running or terms[:1]
    reader = reader_for(principal, listed.school_id)
    if not candidates:
        classes = results_service.report_classes(session, reader, year.id)  # type: ignore[arg-type]
        return SchoolFigures(**{**blank.__dict__, "classes": len(classes)})

    def counted(term):  # type: ignore[no-untyped-def]
        # The dashboard's per-term cache of the results: recounted only when the term's marks or roll
        # changed, so an opening of ten schools costs ten fingerprints, not ten reports.
        res = cached_results(session, reader, year.id, term.id)  # type: ignore[arg-type]
        school_group = next((g for g in res.groups if g.kind == "school"), None)
        return (res, *(res.tally(school_group) if school_group is not None else (Tally(), Tally())))

    for term in candidates:
        res, pupil_tally, mark_tally = counted(term)
        if formulas.indicators(pupil_tally, mark_tally).n:
            break
    else:  # no term counts a mark yet: the dashboard's term, with its dashes
        term = candidates[0]
        res, pupil_tally, mark_tally = counted(term)
    classes = res.classes
    missed = lessons_missed(session, reader, year.id, term.id)  # type: ignore[arg-type]
    return SchoolFigures(
        listed.school_id,
        listed.okpo,
        names,
        res.period,
        listed.pupils,
        len(classes),
        _teachers(session, listed.school_id, [c.id for c in classes]),  # type: ignore[misc]
        pupil_tally,
        mark_tally,
        missed,
        listed.last_backup,
    )


def _teachers(session: Session, school_id: int, class_ids: list[int]) -> int:
    """The live staff who teach a class of the year (a director who teaches counts; a clerk does not)."""
    if not class_ids:
        return 0
    return session.exec(
        select(func.count(func.distinct(TeachingAssignment.teacher_id)))
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
        .where(
            TeachingAssignment.school_id == school_id,
            TeachingAssignment.class_id.in_(class_ids),  # type: ignore[attr-defined]
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            Staff.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).one()


def _total(rows: list[SchoolFigures]) -> SchoolFigures:
    """The sums; the rates follow from the summed tallies. The backup is the oldest of the rows'
    (none if any school has none): the district is only as safe as its least recent copy."""
    backups = [r.last_backup for r in rows]
    oldest = None if not backups or any(b is None for b in backups) else min(b for b in backups if b is not None)
    return SchoolFigures(
        0,
        "",
        {lang: t("district.summary.total", lang) for lang in LANGUAGES},
        None,
        sum(r.pupils for r in rows),
        sum(r.classes for r in rows),
        sum(r.teachers for r in rows),
        sum((r.pupil_tally for r in rows), Tally()),
        sum((r.mark_tally for r in rows), Tally()),
        sum(r.missed for r in rows),
        oldest,
    )


# ---------------------------------------------------------------------------------------------
# As the screen and the workbook show it
# ---------------------------------------------------------------------------------------------

COLUMNS = ("school", "term", "pupils", "classes", "teachers", "success", "quality", "missed", "backup")


def term_label(period: Period | None, lang: str) -> str:
    if period is None:
        return "—"
    return t(f"term.{period.kind}", lang, number=period.number)


def backup_words(when: dt.datetime | None, lang: str, now: dt.datetime | None = None) -> str:
    """«3 сааттан мурун» / «копии нет»: /schools' words for the last good backup."""
    if when is None:
        return t("district.no_backup", lang)
    age = (now or dt.datetime.now(dt.UTC)) - when
    return t("district.backup_age", lang, age=backup.age_words(age)[lang])


def values(row: SchoolFigures, lang: str, now: dt.datetime | None = None) -> dict[str, object]:
    """A row as plain values (numbers stay numbers, None when a rate has no marks behind it)."""
    ind = row.indicators
    return {
        "school": row.names.get(lang) or row.names["ru"],
        "term": term_label(row.period, lang) if row.school_id else "",
        "pupils": row.pupils,
        "classes": row.classes,
        "teachers": row.teachers,
        "success": ind.success if ind.n else None,
        "quality": ind.quality if ind.n else None,
        "missed": row.missed,
        "backup": backup_words(row.last_backup, lang, now),
    }


def title(summary_: DistrictSummary, lang: str) -> str:
    """The workbook's and the page's heading: the district, the report, the day (dd.mm.yyyy)."""
    return t(
        "district.summary.heading",
        lang,
        area=summary_.area[lang],
        date=summary_.today.strftime("%d.%m.%Y"),
    )


_WIDTHS = {"school": 36, "term": 14, "backup": 20}


def xlsx_bytes(summary_: DistrictSummary, lang: str, now: dt.datetime | None = None) -> tuple[str, bytes]:
    """(file name, workbook): № | school | term | pupils | classes | teachers | rates | missed | backup,
    a row per school and the totals row; the district and the day in the printed header and the
    line under the table."""
    columns = [xlsx.Column(t("reports.col.no", lang), "number", 5)]
    for key in COLUMNS:
        header = t(f"district.summary.col.{key}", lang)
        if key in _WIDTHS:
            columns.append(xlsx.Column(header, "text", _WIDTHS[key], wrap=key == "school"))
        else:
            # As wide as the heading's longest word in bold («Калтырылган»): no word broken in two.
            width = max(12, round(max(len(w) for w in header.split()) * 1.2) + 1)
            rate = key in ("success", "quality")
            columns.append(xlsx.Column(header, "number", width, num_format="0.0" if rate else ""))
    body = [[n, *values(row, lang, now).values()] for n, row in enumerate(summary_.rows, start=1)]
    body.append([None, *values(summary_.total, lang, now).values()])
    heading = title(summary_, lang)
    sheet = xlsx.Sheet(
        t("district.summary.sheet", lang), columns, body, last_line=heading, header_height=36, landscape=True
    )
    data = xlsx.to_bytes([sheet], title=heading)
    return f"district-{summary_.today:%Y%m%d}.xlsx", data


def write_download(session: Session, principal: Principal, name: str, data: bytes) -> str:
    """The workbook as a private download of this district account (while it holds district.schools); audited."""
    from bbbms_app.services import audit

    district.check(principal)
    token, path = downloads.new_file("xlsx")
    path.write_bytes(data)
    downloads.publish(token, user_id=principal.user_id, permission=PERMISSION, filename=name)
    audit.record(session, principal, "export", "district_summary", None, new=name)
    return downloads.url(token)
