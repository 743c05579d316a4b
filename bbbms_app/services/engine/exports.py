"""Export of a list as XLSX or CSV: exactly the rows the list shows (scope, search, filters, selection).

The columns are the entity's import columns when it has them, so an exported file imports back
unchanged; otherwise its list columns. Values keep their types (real dates, numbers), choices and
references are written in the user's language, and every export is audited (who, what, how many).

An entity holding personal data (its export permission is `export.personal`) goes through
engine/marking.py: a purpose is required, the audit event carries it, and the file records who
exported it, when and why (XLSX: document and custom properties and the printed footer; CSV: the
`#BBBMS-EXPORT` marking as the last line). The XLSX sheet itself stays just header + rows, so the
file still reads back with pandas and imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import marking, sheets, xlsx
from bbbms_app.services.engine.listing import labels_for, list_query, order_clause
from bbbms_app.services.engine.spec import EntitySpec

CHUNK = 1000
FORMATS = ("xlsx", "csv")
WIDTHS = {"date": 12, "int": 8, "float": 8, "bool": 8}


def is_personal(spec: EntitySpec) -> bool:
    """True when a bulk export of this entity takes personal data out (a purpose, a marked file)."""
    return spec.permission("export") == marking.PERMISSION


def export_fields(spec: EntitySpec) -> tuple[str, ...]:
    return spec.import_columns or spec.columns


def columns(spec: EntitySpec, lang: str) -> list[xlsx.Column]:
    out = []
    for name in export_fields(spec):
        f = spec.fields[name]
        kind = {"date": "date", "datetime": "datetime", "int": "number", "float": "number"}.get(f.widget, "text")
        width = WIDTHS.get(f.widget, 30 if name in ("name", "children", "address") else 18)
        out.append(xlsx.Column(t(f.label_key, lang), kind, width))
    return out


def _rows(session: Session, spec: EntitySpec, records: list[Any], lang: str, today: date | None) -> Iterator[list]:
    names = export_fields(spec)
    computed = spec.profile.computed(session, records, lang, today or date.today())
    fk: dict[str, dict[int, str]] = {}
    for name in names:
        f = spec.fields[name]
        if f.widget == "fk" and not f.virtual:
            fk[name] = labels_for(session, f.fk_table, (getattr(r, name) for r in records), lang)  # type: ignore[arg-type]
    extra = spec.profile.export_values(session, records, names, lang, today or date.today())
    for r in records:
        links = extra.get(r.id, [{}])
        for link in links:
            row: list[Any] = []
            for name in names:
                f = spec.fields[name]
                if f.virtual:
                    row.append(link.get(name, computed.get(r.id, {}).get(name, "")))
                    continue
                value = getattr(r, name)
                if value is None:
                    row.append(None)
                elif f.widget == "fk":
                    row.append(fk[name].get(value, ""))
                elif f.widget == "choice":
                    row.append(t(f.choice_key(value), lang))
                elif f.widget == "bool":
                    row.append(t("yes" if value else "no", lang))
                elif f.widget == "time":
                    row.append(value.strftime("%H:%M"))
                else:
                    row.append(value)
            yield row


def export(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    out: Path | str | io.BytesIO,
    *,
    fmt: str = "xlsx",
    search: str = "",
    filters: dict[str, str] | None = None,
    ids: list[int] | None = None,
    deleted: bool = False,
    lang: str = "ky",
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    school_id: int | None = None,
    purpose: str = "",
    operator: str = "",
) -> int:
    """Write the list (or the selected rows of it) to `out`; returns the number of records.

    For a personal-data entity `purpose` is required: marking.ExportInvalid (or
    ExportRefused without export.personal) is raised before anything is written. `operator` names
    the console user when there is no principal (the command line)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    personal = is_personal(spec)
    if personal:
        marking.clean_purpose(purpose)  # refuse early, before the list is even read
    q = list_query(
        session, spec, principal, search=search, filters=filters, deleted=deleted, today=today, school_id=school_id
    )
    if ids:
        q = q.where(spec.model.id.in_(ids))  # type: ignore[attr-defined]
    id_query = q.with_only_columns(spec.model.id).order_by(*order_clause(spec))  # type: ignore[attr-defined]
    all_ids = list(session.exec(id_query).all())

    def records() -> Iterator[list]:
        for start in range(0, len(all_ids), CHUNK):
            chunk = all_ids[start : start + CHUNK]
            found = {r.id: r for r in session.exec(select(spec.model).where(spec.model.id.in_(chunk))).all()}  # type: ignore[attr-defined]
            yield from _rows(session, spec, [found[i] for i in chunk if i in found], lang, today)
            if progress is not None:
                progress(min(start + CHUNK, len(all_ids)))

    cols = columns(spec, lang)
    title = t(spec.title_key, lang)
    listed = f"search={search[:60]!r} filters={filters or {}} selected={len(ids or [])}"
    stamp: marking.Stamp | None = None
    if personal:
        # One audit event, with the purpose, before the file exists: the stamp carries its id.
        stamp = marking.begin(
            session,
            principal,
            purpose=purpose,
            what=f"{spec.table} ({listed})"[:400],
            rows=len(all_ids),
            fmt=fmt,
            entity=spec.table,
            school_id=school_id,
            operator=operator,
            lang=lang,
        )
    if fmt == "xlsx":
        sheet = [xlsx.Sheet(title, cols, records())]
        if stamp is not None:
            xlsx.write(
                out,
                sheet,
                title=title,
                footer=marking.footer_line(stamp),
                properties=marking.xlsx_properties(stamp, title),
                custom_properties=marking.xlsx_custom_properties(stamp),
                streaming=True,
            )
        else:
            who = principal.username if principal else (operator or "cli")
            xlsx.write(out, sheet, title=title, footer=f"BBBMS · {who}", streaming=True)
    elif isinstance(out, io.BytesIO):
        text = io.StringIO()
        _write_csv(text, cols, records(), stamp, lang)
        out.write(text.getvalue().encode("utf-8-sig"))
    else:
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            _write_csv(fh, cols, records(), stamp, lang)
    if stamp is None:
        audit.record(
            session,
            principal,
            "export",
            spec.table,
            None,
            new=f"{len(all_ids)} {fmt}",
            reason=listed[:500],
            school_id=school_id,
            username=operator,
        )
    return len(all_ids)


def _write_csv(
    out: Any, cols: list[xlsx.Column], rows: Iterator[list], stamp: marking.Stamp | None, lang: str | None = None
) -> None:
    sheets.write_csv(out, cols, rows, lang)
    if stamp is not None:
        # The marking is the LAST line (marking.csv_bytes does the same): line 1 stays the header.
        writer = csv.writer(out, delimiter=sheets.csv_delimiter(lang), lineterminator="\r\n")
        writer.writerow(marking.mark_row(stamp))


def file_name(spec: EntitySpec, fmt: str, lang: str, today: date | None = None) -> str:
    """A download name such as «Окуучулар-2026-11-25.xlsx»."""
    return f"{t(spec.title_key, lang)}-{(today or date.today()).isoformat()}.{fmt}"
