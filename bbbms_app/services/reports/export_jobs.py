"""Whole-school exports as background jobs: start, run (in the job queue), download, sweep.

A director or deputy (a school-wide role holding report.read, `results.school_wide`) asks for the
whole school's workbook of a period; an `ExportJob` row records it and a Huey task
(`jobs/tasks.py: school_export`) builds it outside the request, writing its progress to the row
so the /reports page shows it. Two kinds:

- `results`: the school's rows (classes, parallels, levels, the school), the school's figures by
  subject, then a sheet per class with its figures by subject (the curriculum's order), and the
  results by teacher;
- `attendance`: lessons and days missed by reason per class, then a sheet per class with its
  figures month by month and the period's total;
- `journals`: every class journal of a term in one workbook, a sheet per class × subject
  (`journals_export`; today a year of journals is about 1,400 separate downloads);
- `marks`: every mark of the school year as one flat table (`marks_export`, streamed);
- `archive`: the school year's archive (`archive.write`: results, attendance, journals, summary
  sheets, marks and a manifest of SHA-256 hashes, one ZIP), what `export archive` writes on the
  console, audited once with its purpose when asked for (the manifest names that audit event).

Named pupil lists (the results' lists of отличники … неуспевающие, the attendance per pupil, and
the journals and marks, which are nothing but named lists) are personal data: they are made only
for a holder of `export.personal` who gives a purpose; the
export is then audited with it (`engine.marking.begin`) and the workbook marked (properties, a
line under every sheet, the printed footer). Without them the workbook holds figures only.

The file lives under `<data_dir>/private/reports/<user>/` and is handed out by the authorized
route `/private/report-export/{id}` (api/report_exports.py) to its maker only, while he still
reads the school's reports (and still holds export.personal for a named one), for 24 hours;
then the clean-up job deletes it (`sweep`). Start and every download are audited.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bbbms_app import db
from bbbms_app.i18n import format_date, t
from bbbms_app.models import AcademicYear, ExportJob, User
from bbbms_app.services import accounts, audit, private_files
from bbbms_app.services.engine import marking, xlsx
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.journal_print import MONTH_NAMES
from bbbms_app.services.reports import attendance as attendance_service
from bbbms_app.services.reports import by_teacher, journals_export, marks_export, sheets
from bbbms_app.services.reports import results as results_service

log = logging.getLogger("bbbms.exports")
KINDS = ("results", "attendance", "journals", "marks", "archive")
NAMED_KINDS = ("journals", "marks", "archive")  # pupils' names and marks throughout: personal data, always
SUFFIX = {"archive": "zip"}  # the file's kind; every other export is a workbook
PERMISSION = "report.read"
ACTIVE = ("queued", "running")
TTL = timedelta(hours=24)
STALE = timedelta(hours=6)  # a job queued or running this long is not coming back (the queue was lost)
FOLDER = "reports"


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _params(job: ExportJob) -> dict[str, Any]:
    try:
        value = json.loads(job.params or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------


def start(
    session: Session,
    principal,
    kind: str,
    year_id: int,
    term_id: int | None,
    *,
    named: bool = False,
    purpose: str = "",
) -> ExportJob:
    """Record a new export of the whole school for `principal` (queued; the caller enqueues it after
    the commit, `enqueue`). OutOfScope for anyone but the school's leaders; Refused while one of
    his exports is still being made; marking's ExportRefused / ExportInvalid for a named one
    without export.personal or without a purpose."""
    if kind not in KINDS:
        raise Refused("exports.bad_kind")
    if not results_service.school_wide(principal):
        raise OutOfScope("whole-school exports")
    named = named or kind in NAMED_KINDS
    if kind == "journals" and term_id is None:
        raise Refused("exports.journals_term")
    if kind == "archive":
        term_id = None  # the whole year, whatever period the page shows
    period = results_service.period_of(session, principal, year_id, term_id)  # the year and term are his school's
    busy = session.exec(
        select(ExportJob.id).where(ExportJob.user_id == principal.user_id, col(ExportJob.status).in_(ACTIVE))
    ).first()
    if busy is not None:
        raise Refused("exports.busy")
    params: dict[str, Any] = {"year_id": year_id, "term_id": term_id, "lang": principal.language, "named": named}
    if named:
        stamp = marking.begin(
            session,
            principal,
            purpose=purpose,
            what=f"school {kind} {period.key}",
            rows=0,
            fmt=SUFFIX.get(kind, "xlsx"),
            entity="report_export",
            school_id=principal.school_id,
        )
        params["stamp"] = {
            "username": stamp.username,
            "full_name": stamp.full_name,
            "role": stamp.role,
            "at": stamp.at.isoformat(),
            "purpose": stamp.purpose,
            "audit_id": stamp.audit_id,
            "lang": stamp.lang,
        }
    text = json.dumps(params, ensure_ascii=False)
    job = ExportJob(school_id=principal.school_id, user_id=principal.user_id, kind=kind, params=text)
    session.add(job)
    session.flush()
    what = f"{period.key} named" if named else period.key
    audit.record(session, principal, "export", "report_export", job.id, field=kind, new=what)
    return job


def enqueue(job_id: int) -> None:
    """Hand the job to the queue (after the commit that made its row)."""
    from bbbms_app.jobs import tasks

    tasks.school_export(job_id)


# ---------------------------------------------------------------------------------------------
# Run (in the job consumer)
# ---------------------------------------------------------------------------------------------


def _set(job_id: int, **fields: Any) -> None:
    with db.session(write=True) as s:
        job = s.get(ExportJob, job_id)
        if job is not None:
            for name, value in fields.items():
                setattr(job, name, value)


def run(job_id: int) -> str:
    """Build the job's workbook; its final status ("done", "failed", or "" when there was nothing to do)."""
    with db.session(write=True) as s:
        job = s.get(ExportJob, job_id)
        if job is None or job.status != "queued":
            return ""
        job.status = "running"
        user = s.get(User, job.user_id)
        principal = accounts.principal_for(user, session=s) if user is not None and user.is_active else None
        kind, params, owner = job.kind, _params(job), job.user_id
    if principal is None or not results_service.school_wide(principal) or principal.school_id != job.school_id:
        _set(job_id, status="failed", error="the maker may no longer read the school's reports", finished_at=_now())
        return "failed"
    if params.get("named") and not principal.can(marking.PERMISSION):
        _set(job_id, status="failed", error="the maker may no longer export personal data", finished_at=_now())
        return "failed"

    last = {"percent": -1}

    def progress(done: int, total: int) -> None:
        percent = min(99, int(100 * done / max(1, total)))
        if percent != last["percent"]:
            last["percent"] = percent
            _set(job_id, progress=percent)

    folder = private_files.root(FOLDER) / str(int(owner))
    folder.mkdir(exist_ok=True, mode=0o700)
    token = secrets.token_hex(16)
    tmp = folder / f".{token}.part"
    try:
        with db.session() as s:
            build = {
                "results": _results_workbook,
                "attendance": _attendance_workbook,
                "journals": _journals_workbook,
                "marks": _marks_workbook,
                "archive": _archive,
            }[kind]
            label = build(s, principal, params, tmp, progress)
        suffix = SUFFIX.get(kind, "xlsx")
        os.replace(tmp, folder / f"{token}.{suffix}")
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        log.exception("export job %s failed", job_id)
        _set(job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:500], finished_at=_now())
        return "failed"
    _set(
        job_id,
        status="done",
        progress=100,
        file_name=f"{int(owner)}/{token}.{suffix}",
        file_label=label,
        finished_at=_now(),
    )
    return "done"


def _stamp(params: dict[str, Any]) -> marking.Stamp | None:
    raw = params.get("stamp") if params.get("named") else None
    if not isinstance(raw, dict):
        return None
    return marking.Stamp(**{**raw, "at": datetime.fromisoformat(raw["at"])})


def _marks(params: dict[str, Any], title: str) -> dict[str, Any]:
    """The writer's title, footer and properties; a named workbook is marked as personal data."""
    stamp = _stamp(params)
    if stamp is None:
        return {"title": title, "footer": "BBBMS"}
    return {
        "title": title,
        "footer": marking.footer_line(stamp),
        "properties": marking.xlsx_properties(stamp, title),
        "custom_properties": marking.xlsx_custom_properties(stamp),
    }


def _signature(params: dict[str, Any], lang: str) -> str:
    stamp = _stamp(params)
    line = t("reports.signature", lang, date=format_date(_now().date(), lang))
    return f"{line}   {stamp.line()}" if stamp else line


def _results_workbook(s: Session, principal, params: dict[str, Any], out: Path, progress: Callable) -> str:
    lang = params.get("lang") or principal.language
    res = results_service.results(s, principal, int(params["year_id"]), params.get("term_id"))
    classes = [g for g in res.groups if g.kind == "class"]
    total = len(classes) + 2
    signature = _signature(params, lang)
    school = res.groups[-1]
    book = [
        sheets._sheet(t("reports.sheet.results", lang), sheets.results_table(res, None, None, lang), lang, signature),
        sheets._sheet(
            t("reports.sheet.subjects", lang), sheets.subjects_table(res, school, None, lang), lang, signature
        ),
    ]
    progress(1, total)
    for done, group in enumerate(classes, start=2):
        book.append(sheets._sheet(group.label, sheets.subjects_table(res, group, None, lang), lang, signature))
        progress(done, total)
    teachers = by_teacher.sheet_table(s, res, None, None, lang)
    book.append(sheets._sheet(t("reports.sheet.teachers", lang), teachers, lang, signature))
    if params.get("named"):
        book.append(sheets._sheet(t("reports.sheet.lists", lang), sheets.lists_table(res, lang), lang, signature))
    period = sheets.results_period_label(res, lang)
    xlsx.write(out, book, **_marks(params, sheets._heading(res.school, "exports.results.title", period, lang)))
    return f"school-results-{res.period.kind}{res.period.number or ''}.xlsx"


def months_of(starts, ends) -> list[str]:
    out, y, m = [], starts.year, starts.month
    while (y, m) <= (ends.year, ends.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _attendance_workbook(s: Session, principal, params: dict[str, Any], out: Path, progress: Callable) -> str:
    lang = params.get("lang") or principal.language
    year_id, term_id = int(params["year_id"]), params.get("term_id")
    whole = attendance_service.attendance(s, principal, year_id, term_id)
    months = months_of(whole.starts_on, whole.ends_on)
    total = len(months) + len(whole.classes) + 1
    by_month = {}
    for done, month in enumerate(months, start=1):
        by_month[month] = attendance_service.attendance(s, principal, year_id, term_id, month=month).by_class
        progress(done, total)
    signature = _signature(params, lang)
    book = [
        sheets._sheet(t("reports.sheet.classes", lang), sheets.attendance_classes_table(whole, lang), lang, signature)
    ]
    columns = ("month", *sheets.MISSED_COLUMNS)
    names = MONTH_NAMES.get(lang, MONTH_NAMES["ky"])
    for done, cls in enumerate(whole.classes, start=len(months) + 1):
        rows = [
            {"month": f"{names[int(m[5:])]} {m[:4]}", **sheets._missed_row(by_month[m][cls.id])}  # type: ignore[index]
            for m in months
        ]
        rows.append({"month": t("exports.total", lang), **sheets._missed_row(whole.by_class[cls.id])})  # type: ignore[index]
        book.append(sheets._sheet(results_service.class_label(cls), sheets.Table(columns, rows), lang, signature))
        progress(done, total)
    if params.get("named"):
        book.append(
            sheets._sheet(t("reports.sheet.pupils", lang), sheets.attendance_pupils_table(whole), lang, signature)
        )
    span = f"{format_date(whole.starts_on, lang)}–{format_date(whole.ends_on, lang)}"
    xlsx.write(out, book, **_marks(params, sheets._heading(whole.school, "exports.attendance.title", span, lang)))
    return f"school-attendance-{whole.starts_on:%Y%m%d}-{whole.ends_on:%Y%m%d}.xlsx"


def _journals_workbook(s: Session, principal, params: dict[str, Any], out: Path, progress: Callable) -> str:
    lang = params.get("lang") or principal.language
    period = results_service.period_of(s, principal, int(params["year_id"]), params.get("term_id"))
    title = f"{t('exports.kind.journals', lang)} · {sheets.period_label(period, lang)}"
    marks = _marks(params, title)
    marks.pop("title")
    journals_export.write(out, s, principal, period.year_id, period.term_id, lang, progress=progress, **marks)  # type: ignore[arg-type]
    return f"school-journals-{period.kind}{period.number}.xlsx"


def _marks_workbook(s: Session, principal, params: dict[str, Any], out: Path, progress: Callable) -> str:
    lang = params.get("lang") or principal.language
    year = s.get(AcademicYear, int(params["year_id"]))
    stamp = _stamp(params)
    name = year.name if year is not None else ""
    marks = _marks(params, f"{t('export.marks.sheet', lang)} {name}")
    marks.pop("title")
    progress(1, 2)
    last_line = stamp.line() if stamp else ""
    marks_export.write(out, s, principal.school_id, int(params["year_id"]), lang, last_line=last_line, **marks)
    return f"school-marks-{name}.xlsx"


def _archive(s: Session, principal, params: dict[str, Any], out: Path, progress: Callable) -> str:
    """The year's archive as the console writes it, under the stamp of the request (its one audit)."""
    from bbbms_app.services.reports import archive

    lang = params.get("lang") or principal.language
    year_id = int(params["year_id"])
    year = s.get(AcademicYear, year_id)
    stamp = _stamp(params)
    if year is None or stamp is None:
        raise ValueError(f"archive of year {year_id}: no year or no audit stamp")
    terms = len(results_service.year_terms(s, year_id))
    classes = len(results_service.report_classes(s, principal, year_id))
    total = (terms + 1) * (2 + classes) + terms + 1  # results, attendance, summary sheets; journals; marks
    done = {"n": 0}

    def step(_name: str) -> None:
        done["n"] += 1
        progress(done["n"], total)

    archive.write(
        out,
        s,
        principal.school_id,
        year_id,
        purpose=stamp.purpose,
        operator=stamp.username,
        lang=lang,
        progress=step,
        stamp=stamp,
    )
    return f"archive-{archive._safe(year.name)}.zip"


# ---------------------------------------------------------------------------------------------
# Screen, download, sweep
# ---------------------------------------------------------------------------------------------


def recent(session: Session, principal, limit: int = 5) -> list[ExportJob]:
    """The principal's own latest export jobs, newest first."""
    return list(
        session.exec(
            select(ExportJob)
            .where(ExportJob.user_id == principal.user_id)
            .order_by(col(ExportJob.created_at).desc(), col(ExportJob.id).desc())
            .limit(limit)
        ).all()
    )


def url(job_id: int) -> str:
    return f"/private/report-export/{int(job_id)}"


def open_for(session: Session, principal, job_id: object, now: datetime | None = None) -> tuple[Path, str]:
    """(file, name to save as) of a finished export for its maker, audited as a download. NotFound for
    anyone else, an unknown id, an unfinished or expired job; OutOfScope once the maker no longer
    reads the school's reports (or no longer holds export.personal, for a named one)."""
    try:
        job = session.get(ExportJob, int(str(job_id)))
    except ValueError:
        job = None
    if job is None or job.user_id != principal.user_id or job.school_id != principal.school_id:
        raise NotFound(f"report export {str(job_id)[:20]}")
    if not results_service.school_wide(principal):
        raise OutOfScope("whole-school exports")
    if _params(job).get("named") and not principal.can(marking.PERMISSION):
        raise OutOfScope(f"{marking.PERMISSION}: named report export {job.id}")
    finished = _aware(job.finished_at)
    if job.status != "done" or finished is None or (now or _now()) - finished > TTL:
        raise NotFound(f"report export {job.id}: {job.status}")
    path = private_files.path_of(FOLDER, job.file_name)
    if not path.is_file():
        raise NotFound(f"report export {job.id}: file gone")
    audit.record(session, principal, "download", "report_export", job.id, field=job.kind, new=job.file_label)
    return path, job.file_label


def sweep(now: datetime | None = None) -> int:
    """Delete the files of exports older than 24 hours (the job becomes "expired"), mark jobs that
    never finished as failed, and remove stray files; the number of files removed."""
    now = now or _now()
    removed = 0
    with db.session(write=True) as s:
        for job in s.exec(select(ExportJob).where(col(ExportJob.status).in_(("done", *ACTIVE)))).all():
            if job.status == "done":
                finished = _aware(job.finished_at)
                if finished is not None and now - finished > TTL:
                    if job.file_name:
                        path = private_files.path_of(FOLDER, job.file_name)
                        removed += int(path.is_file())
                        path.unlink(missing_ok=True)
                    job.status, job.file_name = "expired", ""
            elif now - (_aware(job.created_at) or now) > STALE:
                job.status, job.error, job.finished_at = "failed", "not finished in time", now
        kept = {j.file_name for j in s.exec(select(ExportJob).where(ExportJob.file_name != "")).all()}
    cutoff = now.timestamp() - TTL.total_seconds()
    for path in private_files.root(FOLDER).glob("*/*"):
        name = f"{path.parent.name}/{path.name}"
        if path.is_file() and name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
