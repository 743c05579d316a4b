"""The year archive: every document of a school year the school keeps, in one ZIP with a manifest.

The paper rule: class journals are kept 5 years, summary sheets 25 years and more. At the end of a
year the school writes one file set (`python -m bbbms_app export archive --year Y --out F.zip
--purpose …`):

    results/results-quarter1.xlsx …, results-year.xlsx     the academic results of each term and the year
    attendance/attendance-<from>-<to>.xlsx                 attendance of each term and the year
    journals/journals-quarter1.xlsx …                      every class journal of each term (a sheet each)
    summary/<class>/summary-<class>-quarter1.xlsx …, -year  the summary sheet of each class × term and year
    marks/marks-<year>.xlsx                                every mark of the year as one flat table
    manifest.json                                          the school, year, who, when, why, and each
                                                           file's size and SHA-256

It holds pupils' names and marks, so it is personal data: `engine.marking.begin` audits it with
its purpose (under the console operator) before anything is written; the journals and the marks
carry the marking in their properties and footer, and the manifest names it for the whole set. A
file that cannot be made is left out and named in the manifest's `skipped`, never half-written;
the ZIP is written beside the target and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bbbms_app.models import AcademicYear, School, SchoolClass
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import marking
from bbbms_app.services.journal.access import class_label, year_terms
from bbbms_app.services.reports import attendance as attendance_service
from bbbms_app.services.reports import journals_export, marks_export, sheets
from bbbms_app.services.reports import results as results_service
from bbbms_app.services.reports.summary import summary
from bbbms_app.services.school import localized_name

MANIFEST = "manifest.json"
KEEP_YEARS = {"journals": 5, "summary": 25, "results": 25, "attendance": 5, "marks": 25}


@dataclass
class Archive:
    path: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    audit_id: int | None = None


def _period_key(term) -> str:
    return f"{term.kind}{term.number}" if term is not None else "year"


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-") or "x"


def write(
    out: Path,
    session: Session,
    school_id: int,
    year_id: int,
    *,
    purpose: str,
    operator: str,
    lang: str,
    progress: Callable[[str], None] | None = None,
    stamp: marking.Stamp | None = None,
) -> Archive:
    """Write the year's archive to `out`. Audited first (marking.begin: ExportInvalid without a purpose),
    unless `stamp` is the audit already made when the archive was asked for (a background export job,
    export_jobs.start: the request was audited with its purpose then, under the user who asked)."""
    year = session.get(AcademicYear, year_id)
    school = session.get(School, school_id)
    if year is None or school is None or year.school_id != school_id:
        raise ValueError(f"year {year_id} of school {school_id}")
    if stamp is None:
        stamp = marking.begin(
            session,
            None,
            purpose=purpose,
            what=f"archive {year.name}",
            rows=0,
            fmt="zip",
            entity="archive",
            entity_id=year_id,
            school_id=school_id,
            operator=operator,
            lang=lang,
        )
    principal = Principal(
        0,
        operator,
        "director",
        school_id,
        language=lang,
        # export.personal: the results' lists name pupils; this export is marked and audited with its purpose above
        permissions=frozenset({"report.read", "journal.read", marking.PERMISSION}),
    )
    terms = year_terms(session, year_id)
    classes = session.exec(
        select(SchoolClass)
        .where(
            SchoolClass.school_id == school_id,
            SchoolClass.academic_year_id == year_id,
            SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, SchoolClass.id)  # type: ignore[arg-type]
    ).all()
    title = f"{localized_name(school, lang)} · {year.name}"
    marks = {
        "footer": marking.footer_line(stamp),
        "properties": marking.xlsx_properties(stamp, title),
        "custom_properties": marking.xlsx_custom_properties(stamp),
    }
    archive = Archive(out, audit_id=stamp.audit_id)
    with tempfile.TemporaryDirectory(prefix="bbbms-archive-") as tmp:
        folder = Path(tmp)

        def add(name: str, kind: str, period: str, make: Callable[[Path], Any]) -> None:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                make(path)
            except Exception as exc:  # one missing document must not lose the others
                path.unlink(missing_ok=True)
                archive.skipped.append({"file": name, "reason": f"{type(exc).__name__}: {exc}"[:300]})
                return
            data = path.read_bytes()
            archive.files.append(
                {
                    "file": name,
                    "kind": kind,
                    "period": period,
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "keep_years": KEEP_YEARS[kind],
                }
            )
            if progress is not None:
                progress(name)

        def xlsx_bytes(name_and_data: tuple[str, bytes]) -> Callable[[Path], None]:
            return lambda path: path.write_bytes(name_and_data[1])

        for term in [*terms, None]:
            term_id = term.id if term is not None else None
            key = _period_key(term)
            res = results_service.results(session, principal, year_id, term_id)
            add(f"results/results-{key}.xlsx", "results", key, xlsx_bytes(sheets.results_xlsx(res, None, None, lang)))
            rep = attendance_service.attendance(session, principal, year_id, term_id)
            name, data = sheets.attendance_xlsx(rep, lang)
            add(f"attendance/{name}", "attendance", key, xlsx_bytes((name, data)))
            if term is not None:
                add(
                    f"journals/journals-{key}.xlsx",
                    "journals",
                    key,
                    lambda path, term_id=term_id: journals_export.write(
                        path, session, principal, year_id, term_id, lang, **marks
                    ),
                )
            for cls in classes:
                label = _safe(class_label(cls))
                add(
                    f"summary/{label}/summary-{label}-{key}.xlsx",
                    "summary",
                    key,
                    lambda path, cls=cls, term_id=term_id: path.write_bytes(
                        sheets.summary_xlsx(summary(session, principal, cls.id, term_id), school, lang)[1]
                    ),
                )
        add(
            f"marks/marks-{_safe(year.name)}.xlsx",
            "marks",
            "year",
            lambda path: marks_export.write(path, session, school_id, year_id, lang, last_line=stamp.line(), **marks),
        )
        manifest = {
            "school": localized_name(school, lang),
            "school_id": school_id,
            "year": year.name,
            "year_id": year_id,
            "made_at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "made_by": stamp.username,
            "purpose": stamp.purpose,
            "audit_event_id": stamp.audit_id,
            "notice": stamp.line(),
            "files": archive.files,
            "skipped": archive.skipped,
        }
        part = out.with_name(f".{out.name}.part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        try:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
                for entry in archive.files:
                    zf.write(folder / entry["file"], entry["file"])
            os.replace(part, out)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return archive


def verify(path: Path) -> list[str]:
    """The files of an archive whose size or SHA-256 differs from its manifest (empty: all good)."""
    bad = []
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        names = set(zf.namelist())
        for entry in manifest["files"]:
            if entry["file"] not in names:
                bad.append(entry["file"])
                continue
            data = zf.read(entry["file"])
            if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                bad.append(entry["file"])
    return bad
