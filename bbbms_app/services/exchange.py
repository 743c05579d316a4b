"""Exchange files keyed by the national identifiers (issue 19 §4): PIN for people, OKPO for the
school, so a school never types the same data twice into the national e-journal and this system.

**Export** (`export_rows`): a term's marks, attendance and quarter (half-year) marks, every class ×
subject, as one flat table — PIN, OKPO, class, subject in Kyrgyz and Russian, lesson date and
number, kind, value (COLUMNS; docs/api.md says each field). The headers are these fixed names,
in no UI language: the file is read by programs. A pupil without a PIN cannot be keyed: his rows
are left out and counted (`Export.without_pin`), so the operator sees how many.

**Import** (`import_contingent`): the contingent from an enrolment system's flat table (PIN, last
and first name, patronymic, birth date, sex, class, language of instruction), all or nothing with
row errors. Headers are the fixed names or the catalog's labels in any UI language, mapped by
`movement_import.map_columns` (shared with the movement import). Each row is then written through
the pupil import's own path (services/engine/imports.py with the pupil profile): a new PIN is a new
pupil who arrives in the class through the movement book under the admission order given
(`movement.admit` → `movement.record`, the movement import's write path), a known PIN updates the
names, a pupil already on another class's list is refused (a class changes only through the
book). The language, when given, must be the class's language of instruction.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from bbbms_app.i18n import t
from bbbms_app.models import Attendance, Lesson, Mark, PeriodMark, Pupil, School, SchoolClass, Subject, Term
from bbbms_app.models.academics import LANGUAGES_OF_INSTRUCTION
from bbbms_app.services import movement_import
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.imports import ImportResult, RowError, date_from_cell, reference_index
from bbbms_app.services.engine.profile import ENTITIES
from bbbms_app.services.engine.values import ValueProblem
from bbbms_app.services.errors import NotFound

COLUMNS = ("pin", "okpo", "class", "subject_ky", "subject_ru", "date", "lesson_number", "kind", "value")
MARK_KINDS = ("class", "home", "test", "control")
KIND_ORDER = {**{k: i for i, k in enumerate(MARK_KINDS)}, "attendance": 4, "quarter": 5, "half_year": 5}


@dataclass
class Export:
    term: Term
    okpo: str
    rows: list[list[Any]] = field(default_factory=list)
    without_pin: int = 0

    @property
    def filename(self) -> str:
        return f"exchange-{self.okpo}-term-{self.term.id}"


def export_rows(s: Session, school_id: int, term_id: int) -> Export:
    """The term's marks, attendance and period marks of the school, one flat table (see COLUMNS).

    Rows are in the order class, subject, date, lesson number, kind, pupil; a term of another
    school is NotFound."""
    term = s.get(Term, term_id)
    school = s.get(School, school_id)
    if term is None or school is None or term.school_id != school_id or term.deleted_at is not None:
        raise NotFound(f"term {term_id}")
    out = Export(term, school.okpo)
    classes = {c.id: c for c in s.exec(select(SchoolClass).where(SchoolClass.school_id == school_id))}
    subjects = {x.id: x for x in s.exec(select(Subject).where(Subject.school_id == school_id))}
    pupils = {
        pid: (pin or "", key)
        for pid, pin, key in s.exec(select(Pupil.id, Pupil.pin, Pupil.sort_key).where(Pupil.school_id == school_id))
    }
    # Plain columns, no ORM objects: a busy quarter is some 75,000 rows.
    taught = (Lesson.class_id, Lesson.subject_id, Lesson.date, Lesson.number)
    in_term = and_(
        Lesson.school_id == school_id,
        Lesson.term_id == term_id,
        Lesson.cancelled == False,  # noqa: E712
    )
    found: list[tuple] = [  # (class, subject, date, number, kind, pupil, value)
        tuple(r)
        for r in s.exec(
            select(*taught, Mark.kind, Mark.pupil_id, Mark.value)
            .join(Lesson, col(Lesson.id) == Mark.lesson_id)
            .where(in_term, Mark.school_id == school_id)
        )
    ]
    found += [
        (*r[:4], "attendance", *r[4:])
        for r in s.exec(
            select(*taught, Attendance.pupil_id, Attendance.code)
            .join(Lesson, col(Lesson.id) == Attendance.lesson_id)
            .where(in_term, Attendance.school_id == school_id)
        )
    ]
    for class_id, subject_id, kind, pupil_id, value, special in s.exec(
        select(PeriodMark.class_id, PeriodMark.subject_id, PeriodMark.kind, PeriodMark.pupil_id, PeriodMark.value,
               PeriodMark.special).where(
            PeriodMark.school_id == school_id,
            PeriodMark.term_id == term_id,
            col(PeriodMark.kind).in_(("quarter", "half_year")),
        )
    ):  # fmt: skip
        shown = value if value is not None else special
        if shown not in (None, ""):
            found.append((class_id, subject_id, term.ends_on, None, kind, pupil_id, shown))

    class_rank = {c.id: (c.grade, c.letter) for c in classes.values()}
    class_name = {c.id: f"{c.grade}-{c.letter}" for c in classes.values()}
    subject_rank = {x.id: (x.position, x.id) for x in subjects.values()}
    subject_names = {x.id: (x.name_ky, x.name_ru) for x in subjects.values()}

    def key(r: tuple) -> tuple:
        return (
            class_rank.get(r[0], (0, "")),
            subject_rank.get(r[1], (0, 0)),
            r[2],
            r[3] or 0,
            KIND_ORDER.get(r[4], 9),
            pupils.get(r[5], ("", ""))[1],
        )

    okpo = school.okpo
    for class_id, subject_id, day, number, kind, pupil_id, value in sorted(found, key=key):
        pin = pupils.get(pupil_id, ("", ""))[0]
        if not pin:
            out.without_pin += 1
            continue
        ky, ru = subject_names.get(subject_id, ("", ""))
        out.rows.append([pin, okpo, class_name.get(class_id, ""), ky, ru, day, number, kind, value])
    return out


def to_csv(export: Export) -> bytes:
    """UTF-8 (no BOM), comma-separated, dates ISO 8601, the fixed headers first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in export.rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(export: Export) -> bytes:
    """One sheet: the PIN and OKPO as text (14 digits stay 14 digits), the date a date cell;
    written by the engine's fast table writer (a quarter of a big school is ~75,000 rows)."""
    import tempfile
    from pathlib import Path

    from bbbms_app.services.engine import xlsx

    kinds = {"date": "date", "lesson_number": "number"}
    columns = [xlsx.Column(name, kinds.get(name, "auto" if name == "value" else "text"), 16) for name in COLUMNS]
    with tempfile.TemporaryDirectory(prefix="bbbms-exchange-") as tmp:
        path = Path(tmp) / "exchange.xlsx"
        # The printed page names the school and the term (the file itself stays the fixed table).
        term = export.term
        title = f"OKPO {export.okpo} · {term.kind} {term.number} · {term.starts_on:%d.%m.%Y}–{term.ends_on:%d.%m.%Y}"
        xlsx.write_table(path, xlsx.Sheet("exchange", columns, export.rows, landscape=True), title=title)
        return path.read_bytes()


# --- the contingent from an enrolment system ------------------------------------------------------

IMPORT_COLUMNS = {
    "pin": "field.pupil.pin",
    "last_name": "field.pupil.last_name",
    "first_name": "field.pupil.first_name",
    "patronymic": "field.pupil.patronymic",
    "birth_date": "field.pupil.birth_date",
    "sex": "field.pupil.sex",
    "class": "field.pupil.class_id",
    "language": "exchange.col.language",
}
IMPORT_REQUIRED = ("pin", "last_name", "first_name", "birth_date", "sex", "class")
# A language by its code or its name in any UI language («Орус тили», «Русский», «орусча», «ru»).
LANGUAGES = {
    **movement_import._index(dict.fromkeys(("ky", "ru", "en")), "lang"),
    **movement_import._index(dict.fromkeys(LANGUAGES_OF_INSTRUCTION), "admin.language"),
}


def import_contingent(
    s: Session,
    principal: Principal | None,
    data: bytes,
    filename: str,
    order: str,
    *,
    lang: str = "ky",
    dry_run: bool = False,
    school_id: int | None = None,
) -> ImportResult:
    """Check and write the file's pupils in `s`'s transaction, all or nothing (see the module)."""
    from bbbms_app.services.engine import imports
    from bbbms_app.services.engine.registry import ENTITIES as SPECS

    result = ImportResult()
    school_id = imports.school_of(principal, school_id, lang, result)
    if school_id is None:
        return result
    table = imports.read_file(data, filename, lang, result)
    if table is None:
        return result
    mapping = movement_import.map_columns(table.headers, IMPORT_COLUMNS, IMPORT_REQUIRED, lang, result)
    if result.errors:
        return result
    spec = SPECS.specs["pupil"]
    classes = reference_index(s, principal, "schoolclass", school_id)
    class_key = ENTITIES.by_table("schoolclass").profile
    ours = [name for name in IMPORT_COLUMNS if name != "language"]
    theirs = [*("pin", "last_name", "first_name", "patronymic", "birth_date", "sex"), "class_id", "order_id"]
    header_of = {
        imports.header_text(spec, f, lang): t(IMPORT_COLUMNS[o], lang) for o, f in zip(ours, theirs[:-1], strict=True)
    }
    header_of[imports.header_text(spec, "order_id", lang)] = t("field.pupil.order_id", lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([imports.header_text(spec, f, lang) for f in theirs])
    numbers: dict[int, int] = {}  # row of the file handed on -> row of the user's file
    for number, cells in table.rows:
        raw = {name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()}
        language = str(raw.get("language") or "").strip()
        if language:
            problem = _language_problem(s, classes, class_key, language, str(raw.get("class") or ""))
            if problem:
                shown = language
                result.errors.append(RowError(number, t(IMPORT_COLUMNS["language"], lang), shown, t(problem, lang)))
        cells_out = []
        for name in ours:
            cell = raw.get(name)
            if name == "birth_date" and cell not in (None, ""):
                with contextlib.suppress(ValueProblem):  # else the pupil import says what is wrong with it
                    cell = date_from_cell(cell).strftime("%d.%m.%Y")
            cells_out.append("" if cell is None else cell)
        writer.writerow([*cells_out, order])
        numbers[len(numbers) + 2] = number
    if result.errors:
        result.rows = len(table.rows)
        return result
    inner = imports.run(s, spec, principal, buffer.getvalue().encode("utf-8"), "contingent.csv", lang=lang,
                        dry_run=dry_run, school_id=school_id)  # fmt: skip
    inner.errors = [
        RowError(numbers.get(e.row, e.row), header_of.get(e.column, e.column), e.value, e.message) for e in inner.errors
    ]
    inner.warnings = [
        RowError(numbers.get(e.row, e.row), header_of.get(e.column, e.column), e.value, e.message)
        for e in inner.warnings
    ]
    inner.encoding = result.encoding
    return inner


def _language_problem(s: Session, classes, class_key, language: str, class_text: str) -> str | None:
    from bbbms_app.services.engine.profile import reference_fold

    code = LANGUAGES.get(reference_fold(language))
    if code is None:
        return "admin.import.unknown_choice"
    ids = classes.get(class_key.reference_key(class_text), set())
    if len(ids) == 1:
        cls = s.get(SchoolClass, next(iter(ids)))
        if cls is not None and cls.language != code:
            return "exchange.error.language"
    return None  # an unknown class is the pupil import's refusal
