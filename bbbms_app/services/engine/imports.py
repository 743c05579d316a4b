"""Import of an entity from XLSX or CSV: template, whole-file check, row-level report, all or nothing.

The file is read (engine/sheets.py), its headers matched in any UI language, every cell typed
the school's way (dd.mm.yyyy or real Excel dates, 14-digit PINs even when Excel showed them as
2.01E+13, choices in Kyrgyz, Russian or English, references by name or code), duplicates found
inside the file and against the database, and then every row is written through the same create
and update as the forms, each in its own savepoint, so that the report lists every row's problem.
Any problem, or a dry run, rolls the whole transaction back: nothing is written. A row whose
natural key (PIN, code, username …) already exists updates that record, so importing the same
file twice creates no duplicates. What differs per entity (a guardian linked by his child's PIN,
accounts with one-time passwords, a pupil's class) is its profile's import hooks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.i18n.collation import normalize
from bbbms_app.services import names
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import marking, sheets, writes, xlsx
from bbbms_app.services.engine.listing import is_deleted, scope
from bbbms_app.services.engine.profile import ENTITIES, reference_fold
from bbbms_app.services.engine.sheets import FileProblem, Formula
from bbbms_app.services.engine.spec import EntitySpec, FieldSpec
from bbbms_app.services.engine.values import ValueProblem, check_value, parse_date
from bbbms_app.services.engine.writes import RecordInvalid
from bbbms_app.services.school import full_name

SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 in Excel's (Lotus-compatible) count
TRUE_WORDS = frozenset({"ооба", "да", "yes", "true", "1", "x", "+", "ооб"})
FALSE_WORDS = frozenset({"жок", "нет", "no", "false", "0", "-"})
CHOICE_ALIASES = {"sex": {"м": "m", "ж": "f", "э": "m"}}
MAX_REPORTED = 1000


@dataclass
class RowError:
    """One problem: the row and column as the user sees them in his file, the value, what is wrong."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"row": str(self.row), "column": self.column, "value": self.value, "message": self.message}


@dataclass
class ImportResult:
    """What an import found and (unless it failed or was a dry run) wrote."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Not refusals: a PIN that disagrees with the sex or birth date beside it (the file still imports).
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False
    encoding: str = ""
    # User accounts made by the import: (username, full name, role, one-time password). Only in
    # memory, for the credentials sheet handed to the importer (credentials_sheet); never stored.
    credentials: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------- headers


def header_text(spec: EntitySpec, name: str, lang: str) -> str:
    return t(spec.fields[name].label_key, lang)


def _header_index(spec: EntitySpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for name in spec.import_columns:
        f = spec.fields[name]
        for lang in LANGUAGES:
            index[reference_fold(t(f.label_key, lang))] = name
        index[reference_fold(name)] = name
    return index


def school_of(principal: Principal | None, school_id: int | None, lang: str, result: ImportResult) -> int | None:
    """The school an import writes to (given, or the importer's); None with a row-0 error when there is none."""
    school_id = school_id if school_id is not None else (principal.school_id if principal else None)
    if school_id is None:
        result.errors.append(RowError(0, "", "", t("admin.error.no_school", lang)))
    return school_id


def read_file(data: bytes, filename: str, lang: str, result: ImportResult) -> sheets.Table | None:
    """The uploaded file's table (its encoding noted in `result`); None with a row-0 error it cannot be read."""
    try:
        table = sheets.read_table(data, filename)
    except FileProblem as exc:
        result.errors.append(RowError(0, "", filename[:100], t(exc.key, lang, **exc.params)))
        return None
    result.encoding = table.encoding
    return table


def map_headers(spec: EntitySpec, headers: list[str], lang: str) -> tuple[dict[int, str], list[RowError]]:
    """Column index -> field, from headers in any UI language (or the field names)."""
    index = _header_index(spec)
    mapping: dict[int, str] = {}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, text in enumerate(headers):
        if not str(text).strip():
            continue
        name = index.get(reference_fold(text))
        refusal = spec.profile.refuse_header(str(text)) if name is None else None
        if refusal is not None:
            errors.append(RowError(1, str(text), str(text), t(refusal, lang)))
        elif name is None:
            errors.append(RowError(1, str(text), str(text), t("admin.import.unknown_column", lang)))
        elif name in seen:
            errors.append(RowError(1, str(text), str(text), t("admin.import.repeated_column", lang)))
        else:
            seen[name] = i
            mapping[i] = name
    for name in spec.import_columns:
        f = spec.fields[name]
        if name not in seen and f.required:
            errors.append(RowError(1, header_text(spec, name, lang), "", t("admin.import.missing_column", lang)))
    return mapping, errors


# ----------------------------------------------------------------------------- cell values


def _shown(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, datetime | date):
        return raw.strftime("%d.%m.%Y")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = normalize(str(raw))
    # Our own CSV export prefixes text that looks like a formula with ' : take it back off.
    if text.startswith("'") and text[1:2] in sheets.FORMULA_START:
        text = text[1:]
    return text


def pin_from_cell(raw: Any) -> str:
    """A 14-digit PIN from a cell: a text, a whole number, or a number Excel kept in full."""
    if isinstance(raw, bool):
        raise ValueProblem("admin.error.pin")
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer() and raw < 1e15:
            return str(int(raw))
        raise ValueProblem("admin.import.pin_scientific")
    text = str(raw).strip().replace(" ", "")
    if SCIENTIFIC.match(text):
        # Excel showed the PIN as 2.01E+13 and a CSV kept only that: the digits are gone.
        raise ValueProblem("admin.import.pin_scientific")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def date_from_cell(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1 <= raw <= 73050 and float(raw).is_integer():  # 1900 … 2099 as an Excel serial
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise ValueProblem("admin.error.date")
    return parse_date(_text(raw))


def _choice_index(f: FieldSpec) -> dict[str, str]:
    index = {reference_fold(v): v for v in f.choices}
    for value in f.choices:
        for lang in LANGUAGES:
            index[reference_fold(t(f.choice_key(value), lang))] = value
    index.update(CHOICE_ALIASES.get(f.name, {}))
    return index


class Converter:
    """Types the cells of one entity's file, with the reference tables loaded once."""

    def __init__(self, session: Session, spec: EntitySpec, principal: Principal | None, school_id: int | None):
        self.spec = spec
        self.refs: dict[str, dict[str, set[int]]] = {}
        self.choices: dict[str, dict[str, str]] = {}
        for name in spec.import_columns:
            f = spec.fields[name]
            if f.widget == "fk" and f.fk_table not in self.refs:
                self.refs[f.fk_table] = reference_index(session, principal, f.fk_table, school_id)  # type: ignore[index]
            if f.widget == "choice":
                self.choices[name] = _choice_index(f)

    def value(self, f: FieldSpec, raw: Any) -> Any:
        if isinstance(raw, Formula):
            raise ValueProblem("admin.import.formula")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return check_value(f, None)
        if f.pattern == r"\d{14}":
            return check_value(f, pin_from_cell(raw))
        if f.widget == "date":
            return check_value(f, date_from_cell(raw))
        if f.widget in ("int", "float"):
            return check_value(f, self._number(f, raw))
        if f.widget == "bool":
            word = reference_fold(_text(raw)) if not isinstance(raw, bool) else ("1" if raw else "0")
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueProblem("admin.error.yes_no")
        if f.widget == "choice":
            value = self.choices[f.name].get(reference_fold(_text(raw)))
            if value is None:
                raise ValueProblem("admin.import.unknown_choice")
            return value
        if f.widget == "fk":
            target = ENTITIES.by_table(f.fk_table).profile  # type: ignore[arg-type]
            ids = self.refs[f.fk_table].get(target.reference_key(_text(raw)), set())  # type: ignore[index]
            if not ids:
                raise ValueProblem("admin.import.unknown_reference")
            if len(ids) > 1:
                raise ValueProblem("admin.import.ambiguous")
            return next(iter(ids))
        if isinstance(raw, datetime | date):
            raise ValueProblem("admin.error.invalid")
        text = _text(raw)
        if f.lowercase:
            text = text.lower()
        return check_value(f, text)

    @staticmethod
    def _number(f: FieldSpec, raw: Any) -> int | float:
        if isinstance(raw, bool):
            raise ValueProblem("admin.error.number")
        if isinstance(raw, int | float):
            number = raw
        else:
            try:
                number = float(_text(raw).replace(",", ".").replace(" ", ""))
            except ValueError as exc:
                raise ValueProblem("admin.error.number") from exc
        if f.widget == "int":
            if not float(number).is_integer():
                raise ValueProblem("admin.error.number")
            return int(number)
        return float(number)


# ------------------------------------------------------------------------------- references


def reference_index(session: Session, principal: Principal | None, table: str, school_id: int | None):
    """folded name or code -> ids of live rows of `table` the principal reaches (more than one: ambiguous).

    The profile may narrow the rows (a class named in a file is this year's class)."""
    spec = ENTITIES.by_table(table)
    model, profile = spec.model, spec.profile
    q = scope(session, table, principal, select(model))
    if school_id is not None and "school_id" in model.model_fields:
        q = q.where(model.school_id == school_id)  # type: ignore[attr-defined]
    if "deleted_at" in model.model_fields:
        q = q.where(model.deleted_at.is_(None))  # type: ignore[attr-defined]
    q = profile.reference_query(session, q, school_id)
    index: dict[str, set[int]] = defaultdict(set)
    for row in session.exec(q).all():
        for name in profile.reference_names(row):
            if name:
                index[profile.reference_key(name)].add(row.id)
    return index


# ----------------------------------------------------------------------------------- import


@dataclass
class ImportRow:
    """One row of the file: its number there, its typed values, its cells, the record it names."""

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    existing: Any = None


def run(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    data: bytes,
    filename: str,
    *,
    lang: str = "ky",
    dry_run: bool = False,
    school_id: int | None = None,
    today: date | None = None,
) -> ImportResult:
    """Check the whole file and, if it is clean and not a dry run, write it in `session`'s transaction.

    On any problem (or a dry run) the session is rolled back before returning: nothing is written.
    """
    result = ImportResult()
    if not spec.importable:
        result.errors.append(RowError(0, "", "", t("admin.import.not_importable", lang)))
        return result
    school_id = school_of(principal, school_id, lang, result)
    if school_id is None:
        return result
    table = read_file(data, filename, lang, result)
    if table is None:
        return result
    mapping, header_errors = map_headers(spec, table.headers, lang)
    result.errors.extend(header_errors)
    if header_errors:
        return result
    convert = Converter(session, spec, principal, school_id)
    rows: list[ImportRow] = []
    for number, cells in table.rows:
        if marking.is_mark_row(cells):
            continue  # the marking line of a BBBMS CSV export: the file imports back unchanged
        values: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        for index, name in mapping.items():
            cell = cells[index] if index < len(cells) else None
            raw[name] = cell
            try:
                values[name] = convert.value(spec.fields[name], cell)
            except ValueProblem as exc:
                message = t(exc.key, lang, **exc.params)
                if exc.key == "admin.import.unknown_choice":  # say which values the column takes
                    allowed = ", ".join(t(spec.fields[name].choice_key(v), lang) for v in spec.fields[name].choices)
                    message = f"{message}. {t('admin.import.allowed', lang, values=allowed)}"
                _error(result, number, spec, name, cell, message, lang)
        rows.append(ImportRow(number, values, raw))
    result.rows = len(rows)
    _find_duplicates_in_file(result, spec, rows, lang)
    if not result.errors:
        _match_existing(session, spec, principal, rows, school_id, result, lang, today)
    if result.errors:
        session.rollback()
        return result
    _write(session, spec, principal, rows, school_id, result, lang, today, dry_run=dry_run)
    if result.errors or dry_run:
        session.rollback()
        return result
    session.flush()
    result.written = True
    return result


def _error(result: ImportResult, number: int, spec: EntitySpec, name: str, raw: Any, message: str, lang: str) -> None:
    column = header_text(spec, name, lang) if name in spec.fields else name
    result.errors.append(RowError(number, column, _shown(raw), message))


def _key_of(spec: EntitySpec, row: ImportRow) -> tuple[tuple | None, str]:
    """What makes two rows of the file one record, and the column a repeat is reported in."""
    own = spec.profile.import_key(row.values)
    if own is not None:
        return own
    key = _natural_key(spec, row)
    if key is None:
        return None, ""
    return tuple(reference_fold(v) if isinstance(v, str) else v for v in key), spec.natural_key[-1]


def _natural_key(spec: EntitySpec, row: ImportRow) -> tuple | None:
    """The row's natural key; an optional part left empty (a patronymic) is "", a missing required one None."""
    key = []
    for name in spec.natural_key:
        value = row.values.get(name)
        if value in (None, ""):
            if spec.fields[name].required or len(spec.natural_key) == 1:
                return None
            value = ""
        key.append(value)
    return tuple(key)


def _find_duplicates_in_file(result: ImportResult, spec: EntitySpec, rows: list[ImportRow], lang: str) -> None:
    first_seen: dict[tuple, int] = {}
    for row in rows:
        key, name = _key_of(spec, row)
        if key is None:
            continue
        if key in first_seen:
            _error(
                result,
                row.number,
                spec,
                name,
                row.raw.get(name),
                t("admin.import.duplicate_in_file", lang, row=first_seen[key]),
                lang,
            )
        else:
            first_seen[key] = row.number


def _match_existing(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    rows: list[ImportRow],
    school_id: int,
    result: ImportResult,
    lang: str,
    today: date | None,
) -> None:
    """Find the record each row's natural key names; refuse rows that would touch what they may not."""
    model = spec.model
    single = [k for k in spec.natural_key if not spec.fields[k].virtual]
    if len(single) == 1:
        column = getattr(model, single[0])
        wanted = [r.values.get(single[0]) for r in rows if r.values.get(single[0]) not in (None, "")]
        found: dict[Any, Any] = {}
        for start in range(0, len(wanted), 500):
            q = select(model).where(column.in_(wanted[start : start + 500]))
            unique_alone = bool(model.__table__.c[single[0]].unique)  # type: ignore[attr-defined]
            if spec.school_scoped and not unique_alone:
                q = q.where(model.school_id == school_id)
            for rec in session.exec(q).all():
                found[getattr(rec, single[0])] = rec
        for r in rows:
            r.existing = found.get(r.values.get(single[0]))
    elif named := [k for k in single if k in spec.profile.name_columns()]:
        # Names in the key (staff) match as canonical spellings: «Аcанова» (a Latin c) in the
        # list is the «Асанова» of the file, which then corrects it instead of adding a second one.
        q = select(model)
        if spec.school_scoped:
            q = q.where(model.school_id == school_id)
        by_key = {_folded_key(single, named, [getattr(rec, k) for k in single]): rec for rec in session.exec(q).all()}
        for r in rows:
            key = _natural_key(spec, r)
            if key is not None:
                r.existing = by_key.get(_folded_key(single, named, list(key)))
    else:
        for r in rows:
            key = _natural_key(spec, r)
            if key is None:
                continue
            q = select(model).where(*[getattr(model, k) == v for k, v in zip(single, key, strict=True)])
            if spec.school_scoped:
                q = q.where(model.school_id == school_id)
            r.existing = session.exec(q.limit(1)).first()

    def report(row: ImportRow, name: str, key: str, **params: Any) -> None:
        _error(result, row.number, spec, name, row.raw.get(name), t(key, lang, **params), lang)

    spec.profile.match_import(session, principal, rows, school_id, today or date.today(), report)
    # A new row that is a person already on the list under another spelling (a pupil without a PIN).
    new_rows = [r for r in rows if r.existing is None]
    others = writes.same_person_rows(session, spec, [r.values for r in new_rows], school_id, set())
    for r, other in zip(new_rows, others, strict=True):
        if other is not None:
            report(r, "last_name", "names.same_person", person=full_name(other))
    found_ids = [r.existing.id for r in rows if r.existing is not None]
    reachable: set[int] = set()
    for start in range(0, len(found_ids), 500):
        q = select(model.id).where(model.id.in_(found_ids[start : start + 500]))
        reachable.update(session.exec(scope(session, spec.table, principal, q, today)).all())
    for r in rows:
        rec = r.existing
        key_name = spec.natural_key[-1]
        if rec is not None:
            if spec.school_scoped and getattr(rec, "school_id", school_id) != school_id:
                _error(result, r.number, spec, key_name, r.raw.get(key_name), t("admin.import.elsewhere", lang), lang)
            elif is_deleted(spec, rec):
                _error(
                    result,
                    r.number,
                    spec,
                    key_name,
                    r.raw.get(key_name),
                    t("admin.error.duplicate_deleted", lang),
                    lang,
                )
            elif principal is not None and rec.id not in reachable:
                _error(result, r.number, spec, key_name, r.raw.get(key_name), t("error.forbidden", lang), lang)


def _folded_key(key: list[str], named: list[str], values: list[Any]) -> tuple:
    return tuple(names.canonical(str(v or "")) if k in named else v for k, v in zip(key, values, strict=True))


def _write(
    session: Session,
    spec: EntitySpec,
    principal: Principal | None,
    rows: list[ImportRow],
    school_id: int,
    result: ImportResult,
    lang: str,
    today: date | None,
    *,
    dry_run: bool = False,
) -> None:
    """Check every row as the form would, then write the new ones in one flush and update the others."""
    creates: list[tuple[ImportRow, dict[str, Any], dict[str, Any]]] = []
    written: list[tuple[int, ImportRow]] = []
    for row in rows:
        columns = {k: v for k, v in row.values.items() if k in spec.fields and not spec.fields[k].virtual}
        values = {k: v for k, v in row.values.items() if k in spec.fields}
        try:
            if row.existing is None:
                data = writes.check_create(session, spec, principal, values, school_id=school_id, trusted=True)
                creates.append((row, data, values))
                warned = writes.record_warnings(spec, data)
            else:
                changes = {k: v for k, v in columns.items() if getattr(row.existing, k) != v}
                warned = writes.record_warnings(spec, {**row.existing.model_dump(), **changes}, set(changes))
                if changes:
                    # Every check runs before the UPDATE: a refused row has written nothing.
                    writes.update_values(
                        session, spec, principal, row.existing.id, changes, row.existing.version, trusted=True
                    )
                    result.updated += 1
                else:
                    result.unchanged += 1
                written.append((row.existing.id, row))
            for name, (key, params) in warned.items():
                column = header_text(spec, name, lang)
                result.warnings.append(RowError(row.number, column, _shown(row.raw.get(name)), t(key, lang, **params)))
        except RecordInvalid as exc:
            for name, (key, params) in exc.errors.items():
                _error(result, row.number, spec, name, row.raw.get(name), t(key, lang, **params), lang)
        if len(result.errors) >= MAX_REPORTED:
            return
    if result.errors:
        return

    def report(row: ImportRow, name: str, key: str, **params: Any) -> None:
        _error(result, row.number, spec, name, row.raw.get(name), t(key, lang, **params), lang)

    # Rows made another way than an INSERT (accounts: each through services.accounts), or inserted.
    made = spec.profile.create_imported(session, principal, creates, result, report, dry_run)
    if made is not None:
        written.extend(made)
    else:
        try:
            created = writes.insert_checked(session, spec, principal, [(d, v) for _r, d, v in creates], today)
        except IntegrityError:
            # Another user saved the same record meanwhile: the whole file is refused, as any other problem.
            result.errors.append(RowError(0, "", "", t("admin.error.duplicate", lang)))
            return
        result.created = len(created)
        written.extend((record.id, row) for record, (row, _d, _v) in zip(created, creates, strict=True))
    if not result.errors and not dry_run:
        spec.profile.after_import(session, principal, written)


def credentials_sheet(result: ImportResult, lang: str) -> bytes:
    """The importer's sheet of new accounts and their one-time passwords (A4, to cut into slips)."""
    columns = [
        xlsx.Column(t("field.user.username", lang), "text", 22),
        xlsx.Column(t("field.user.full_name", lang), "text", 32),
        xlsx.Column(t("field.user.role", lang), "text", 18),
        xlsx.Column(t("import.users.password", lang), "text", 18),
    ]
    rows = [(u, name, t(f"role.{role}", lang), pw) for u, name, role, pw in result.credentials]
    return xlsx.to_bytes(
        [xlsx.Sheet(t("import.users.sheet", lang), columns, rows)], footer=t("import.users.slip_note", lang)
    )


# ------------------------------------------------------------------------ template, report


def template(spec: EntitySpec, lang: str) -> bytes:
    """An empty XLSX with the import's headers in `lang`, and a sheet saying what each column takes."""
    # PINs and codes are text columns, so Excel never turns a PIN into 2.01E+13.
    kinds = {"date": "date", "text": "text", "fk": "text"}
    columns = [
        xlsx.Column(header_text(spec, name, lang), kinds.get(spec.fields[name].widget, "number"), 18)
        for name in spec.import_columns
    ]
    help_rows = [(header_text(spec, name, lang), column_help(spec, name, lang)) for name in spec.import_columns]
    return xlsx.to_bytes(
        [
            xlsx.Sheet(t(spec.title_key, lang), columns, ()),
            xlsx.Sheet(
                t("admin.import.help_sheet", lang),
                [xlsx.Column("", "text", 28, bold=True), xlsx.Column("", "text", 80)],
                help_rows,
                header=False,
            ),
        ]
    )


def column_help(spec: EntitySpec, name: str, lang: str) -> str:
    f = spec.fields[name]
    parts = [t("admin.import.required" if f.required else "admin.import.optional", lang)]
    if f.widget == "date":
        parts.append(t("admin.import.help_date", lang))
    elif f.pattern == r"\d{14}":
        parts.append(t("admin.import.help_pin", lang))
    elif f.widget == "choice":
        parts.append(", ".join(t(f.choice_key(v), lang) for v in f.choices))
    elif f.widget == "fk":
        parts.append(t("admin.import.help_reference", lang))
    elif f.widget == "bool":
        parts.append(f"{t('yes', lang)} / {t('no', lang)}")
    return " · ".join(parts)


def error_report(result: ImportResult, lang: str) -> bytes:
    """The row-level report as an XLSX the user can keep beside his file."""
    columns = [
        xlsx.Column(t("admin.import.col_row", lang), "number", 8),
        xlsx.Column(t("admin.import.col_column", lang), "text", 24),
        xlsx.Column(t("admin.import.col_value", lang), "text", 24),
        xlsx.Column(t("admin.import.col_problem", lang), "text", 70),
    ]
    rows = [(e.row, e.column, e.value, e.message) for e in result.errors]
    return xlsx.to_bytes([xlsx.Sheet(t("admin.import.report_sheet", lang), columns, rows)])


def summary(result: ImportResult, lang: str) -> str:
    if result.errors:
        key = "admin.import.failed_one" if len(result.errors) == 1 else "admin.import.failed"
        return t(key, lang, errors=len(result.errors), rows=result.rows)
    key = "admin.import.done" if result.written else "admin.import.checked"
    text = t(key, lang, rows=result.rows, created=result.created, updated=result.updated, unchanged=result.unchanged)
    if result.warnings:
        text = f"{text} {t('admin.import.warnings', lang, n=len(result.warnings))}"
    return text
