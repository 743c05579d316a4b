"""Protection from copying: every bulk export of personal data is permitted, audited and marked with who and when.

Use it for every file that carries personal data out of the system (registers, lists, a person's
data). The calling order is always the same:

    stamp = marking.begin(session, principal, purpose=purpose, what="pupils", rows=len(rows))
    data = marking.xlsx([Sheet("Pupils", headers, rows)], stamp, title="Pupils of 5-A")
    # or marking.csv_bytes(headers, rows, stamp) / marking.json_bytes(payload, stamp)

`begin` refuses (ExportRefused) a principal without `export.personal`, refuses (ExportInvalid) an
empty or too short purpose, and writes the audit event (action "export", the purpose as its reason)
into the caller's transaction, so no file exists without its audit row. The writers then mark the
file:

- XLSX (written by engine/xlsx.py, the app's one writer): document properties (author = the user,
  title, subject, comments = the full marking line,
  custom properties "BBBMS exported by / exported at (UTC) / purpose / audit event"), a visible
  marking line under each sheet's table and the same line in the printed page footer.
- CSV: UTF-8 with BOM; the header stays on the first line so the file still imports, and the
  marking is the LAST line, whose first cell is `#BBBMS-EXPORT` (`is_mark_row` recognises it).
- JSON: an `_export` object at the top with the same facts.

Every text cell is written as text: a value such as `=HYPERLINK(…)` or `+996 …` is never a formula
(XLSX string cells; in CSV a leading `'` before = + - @ tab and CR).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import xlsx as xlsx_writer
from bbbms_app.services.errors import OutOfScope, Refused

PERMISSION = "export.personal"
MARK_CELL = "#BBBMS-EXPORT"
PURPOSE_MIN, PURPOSE_MAX = 5, 300
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


class ExportRefused(OutOfScope):
    """The principal may not export personal data (no export.personal)."""


class ExportInvalid(Refused):
    """The export request is incomplete (a purpose is required); `key`/`params` give the message."""


@dataclass(frozen=True)
class Stamp:
    """Who exported what, when (UTC) and why; the audit event that records it."""

    username: str
    full_name: str
    role: str
    at: datetime
    purpose: str
    audit_id: int | None
    lang: str = "ky"

    @property
    def at_text(self) -> str:
        return self.at.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def who(self) -> str:
        return (
            f"{self.full_name} ({self.username})"
            if self.full_name and self.full_name != self.username
            else self.username
        )

    def line(self) -> str:
        """The marking line, in the exporting user's language."""
        return t("export.mark_line", self.lang, user=self.who, at=self.at_text, purpose=self.purpose)

    def as_dict(self) -> dict[str, Any]:
        return {
            "exported_by": self.username,
            "exported_by_name": self.full_name,
            "role": self.role,
            "exported_at_utc": self.at.isoformat(),
            "purpose": self.purpose,
            "audit_event_id": self.audit_id,
            "notice": self.line(),
        }


def clean_purpose(purpose: object) -> str:
    """The purpose as stored: NFC, single spaces; ExportInvalid when missing or too short."""
    text = " ".join(unicodedata.normalize("NFC", str(purpose or "")).split())
    if len(text) < PURPOSE_MIN:
        raise ExportInvalid("export.purpose_required", min=PURPOSE_MIN)
    return text[:PURPOSE_MAX]


# Personal-data exports per user: a few in a row are work, a stream of them is a copy of the school.
EXPORT_LIMIT = 4
EXPORT_WINDOW_S = 60


def _rate_limit(
    session: Session, principal: Principal, entity: str, entity_id: int | None, school_id: int | None
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=EXPORT_WINDOW_S)
    recent = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.user_id == principal.user_id, AuditEvent.action == "export", AuditEvent.at >= since)
    ).one()
    if recent < EXPORT_LIMIT:
        return
    audit.record(
        session,
        principal,
        "rate_limited",
        entity[:40],
        entity_id,
        reason=f"{recent} personal-data exports in {EXPORT_WINDOW_S} s",
        school_id=school_id,
    )
    # The refusal is kept although the caller's transaction ends in the error below; nothing
    # else was written in it yet (this is the export's first write).
    session.commit()
    raise ExportInvalid("export.rate_limited", seconds=EXPORT_WINDOW_S)


def begin(
    session: Session,
    principal: Principal | None,
    *,
    purpose: object,
    what: str,
    rows: int,
    fmt: str,
    entity: str = "export",
    entity_id: int | None = None,
    pupil_id: int | None = None,
    school_id: int | None = None,
    operator: str = "",
    lang: str | None = None,
) -> Stamp:
    """Check the right to export, audit the export with its purpose, and return the file's stamp.

    `principal=None` is allowed only with `operator` (the command line on the server, whose user
    already holds the database); every web export passes the signed-in principal.
    """
    if principal is None:
        if not operator:
            raise ExportRefused("no principal")
    elif not principal.can(PERMISSION):
        raise ExportRefused(principal.role)
    text = clean_purpose(purpose)
    if principal is not None:
        _rate_limit(session, principal, entity, entity_id, school_id)
    event = audit.record(
        session,
        principal,
        "export",
        entity[:40],
        entity_id,
        field=fmt[:60],
        new=f"{what}: {int(rows)} rows",
        reason=text,
        pupil_id=pupil_id,
        school_id=school_id,
        username=operator,
    )
    session.flush()
    return Stamp(
        username=principal.username if principal else operator,
        full_name=principal.full_name if principal else operator,
        role=principal.role if principal else "operator",
        at=event.at.astimezone(UTC) if event.at.tzinfo else event.at.replace(tzinfo=UTC),
        purpose=text,
        audit_id=event.id,
        lang=lang or (principal.language if principal else "en"),
    )


@dataclass
class Sheet:
    """One worksheet: its name, header row and data rows (str, int, float, date or None cells)."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)


def footer_line(stamp: Stamp) -> str:
    """The printed page footer's facts (plain text; the writer escapes "&" and adds page numbers)."""
    return f"BBBMS · {stamp.who} · {stamp.at_text} UTC · {stamp.purpose}"


def xlsx_properties(stamp: Stamp, title: str) -> dict[str, Any]:
    """The workbook's document properties (xlsxwriter `set_properties`): who, when, why."""
    return {
        "title": title[:250],
        "subject": t("export.subject", stamp.lang),
        "author": stamp.who,
        "manager": stamp.role,
        "company": "BBBMS",
        "category": "personal data",
        "keywords": "BBBMS, personal data, export",
        "comments": stamp.line(),
        "created": stamp.at.replace(tzinfo=None),
    }


def xlsx_custom_properties(stamp: Stamp) -> dict[str, str | int]:
    """The workbook's custom properties (Excel: File → Info → Properties → Advanced → Custom)."""
    props: dict[str, str | int] = {
        "BBBMS exported by": stamp.username,
        "BBBMS exported at (UTC)": stamp.at_text,
        "BBBMS purpose": stamp.purpose[:255],
    }
    if stamp.audit_id is not None:
        props["BBBMS audit event"] = int(stamp.audit_id)
    return props


def xlsx(sheets: Sequence[Sheet], stamp: Stamp, *, title: str) -> bytes:
    """An XLSX workbook of `sheets`, marked with `stamp` (properties, last line, printed footer)."""
    line = stamp.line()
    return xlsx_writer.to_bytes(
        [
            xlsx_writer.Sheet(
                sheet.name,
                [
                    xlsx_writer.Column(
                        str(text),
                        "auto",
                        sheet.widths[c] if c < len(sheet.widths) else max(10, min(40, len(str(text)) + 4)),
                    )
                    for c, text in enumerate(sheet.headers)
                ],
                sheet.rows,
                last_line=line,
            )
            for sheet in sheets
        ],
        footer=footer_line(stamp),
        properties=xlsx_properties(stamp, title),
        custom_properties=xlsx_custom_properties(stamp),
    )


def csv_safe(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]], stamp: Stamp) -> bytes:
    """CSV in UTF-8 with BOM (Excel opens Kyrgyz letters right); the marking is the last line."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_safe(h) for h in headers])
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    w.writerow(mark_row(stamp))
    return buf.getvalue().encode("utf-8-sig")


def mark_row(stamp: Stamp) -> list[str]:
    """The CSV marking line: `#BBBMS-EXPORT`, the marking text, the username, the UTC time, the purpose."""
    # The purpose is user text: like every other cell it must not run as a formula.
    return [MARK_CELL, csv_safe(stamp.line()), stamp.username, stamp.at.isoformat(), csv_safe(stamp.purpose)]


def is_mark_row(row: Sequence[str]) -> bool:
    """True for the marking line of a BBBMS CSV export (an importer skips it)."""
    return bool(row) and str(row[0]).lstrip("\ufeff") == MARK_CELL


def json_bytes(payload: dict[str, Any], stamp: Stamp) -> bytes:
    """Pretty UTF-8 JSON with the stamp first under `_export`; dates as ISO strings."""
    doc = {"_export": stamp.as_dict(), **payload}
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
