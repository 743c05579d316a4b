"""What the generic admin engine cannot guess about each table: data scope, labels, keys, related records.

`services.crud` is generic over any table; the rules that differ per table live here, looked up by
table name: which rows a role reaches (a teacher's classes, a class teacher's pupils' guardians),
how a row is named in a picker or a reference cell ("5-А", "Математика"), how search and sort keys
are built, the computed list columns (a pupil's current class), cross-field checks, and the tables
of related records on a detail card.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, format_number, t
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import (
    AcademicYear,
    BellSchedule,
    Enrollment,
    GradingPolicy,
    Guardian,
    Holiday,
    Lesson,
    Mark,
    MovementRecord,
    Order,
    Pupil,
    PupilGuardian,
    School,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.services import curriculum
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal, visible_class_ids, visible_pupil_ids_own
from bbbms_app.services.school import class_name, current_year

MODELS: dict[str, Any] = {
    str(m.__tablename__): m
    for m in (
        School,
        AcademicYear,
        Term,
        GradingPolicy,
        SchoolClass,
        Subject,
        TeachingAssignment,
        Staff,
        Pupil,
        Guardian,
        User,
        BellSchedule,
        Holiday,
        Order,
        MovementRecord,
    )
}
PICKER_LIMIT = 200  # options in a select; larger tables (pupils, guardians) are searched instead
SEARCH_PICKER_LIMIT = 20
SEARCHED_PICKERS = frozenset({"pupil", "guardian"})


def full_name(row: Any) -> str:
    return " ".join(p for p in (row.last_name, row.first_name, row.patronymic) if p)


def _current(today: date):
    return and_(Enrollment.starts_on <= today, or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today))  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------ scope


def scope(session: Session, table: str, principal: Principal | None, query, today: date | None = None):
    """Narrow `query` (over `table`'s model) to the rows the principal reaches."""
    if principal is None:
        return query  # the operator's command line
    today = today or date.today()
    model = MODELS[table]
    if table == "school":
        return query.where(School.id == principal.school_id) if principal.school_id is not None else query
    if principal.school_id is not None and "school_id" in model.model_fields:
        query = query.where(model.school_id == principal.school_id)
    if table == "user" and principal.school_id is not None:
        query = query.where(User.school_id == principal.school_id)
    if principal.role in SCHOOL_WIDE_ROLES:
        return query
    if table == "pupil":
        if principal.role in ("parent", "pupil"):
            return query.where(Pupil.id.in_(visible_pupil_ids_own(session, principal) or [-1]))  # type: ignore[union-attr]
        classes = visible_class_ids(session, principal, today) or [-1]
        on_roll = select(Enrollment.pupil_id).where(Enrollment.class_id.in_(classes), _current(today))  # type: ignore[union-attr]
        return query.where(Pupil.id.in_(on_roll))  # type: ignore[union-attr]
    if table == "guardian":
        classes = visible_class_ids(session, principal, today) or [-1]
        return query.where(
            exists().where(
                PupilGuardian.guardian_id == Guardian.id,
                Enrollment.pupil_id == PupilGuardian.pupil_id,
                Enrollment.class_id.in_(classes),  # type: ignore[union-attr]
                _current(today),
            )
        )
    if table == "schoolclass":
        return query.where(SchoolClass.id.in_(visible_class_ids(session, principal, today) or [-1]))  # type: ignore[union-attr]
    if table == "teachingassignment":
        return query.where(TeachingAssignment.class_id.in_(visible_class_ids(session, principal, today) or [-1]))  # type: ignore[union-attr]
    if table == "movementrecord":  # a role the director gave movement.read: his classes' pupils only
        pupils = scope(session, "pupil", principal, select(Pupil.id), today)
        return query.where(MovementRecord.pupil_id.in_(pupils))  # type: ignore[union-attr]
    return query


def in_scope(session: Session, table: str, principal: Principal | None, record_id: int) -> bool:
    """Whether one row is reachable (the same rule as the lists, for forged ids)."""
    model = MODELS[table]
    q = scope(session, table, principal, select(model.id).where(model.id == record_id))
    return session.exec(q).first() is not None


# ----------------------------------------------------------------------------------- labels

Labeler = Callable[[Any, str], str]


def _school_label(row: Any, lang: str) -> str:
    return {"ky": row.name_ky, "ru": row.name_ru}.get(lang) or row.name_en or row.name_ru


def _subject_label(row: Any, lang: str) -> str:
    return {"ky": row.name_ky, "ru": row.name_ru}.get(lang) or row.name_en or row.name_ru


def _term_label(row: Any, lang: str) -> str:
    return t(f"term.{row.kind}", lang, number=row.number)


def _holiday_label(row: Any, lang: str) -> str:
    name = {"ky": row.name_ky, "ru": row.name_ru}.get(lang) or row.name_en or row.name_ru
    return f"{name} ({format_date(row.starts_on, lang)}–{format_date(row.ends_on, lang)})"


def _order_label(row: Any, lang: str) -> str:
    from bbbms_app.services.movement import order_label

    return order_label(row, lang) + (f" {row.summary}" if row.summary else "")


def _movement_label(row: Any, lang: str) -> str:
    return f"{t(f'movement.kind.{row.kind}', lang)}, {format_date(row.date, lang)}"


LABELS: dict[str, Labeler] = {
    "school": _school_label,
    "academicyear": lambda row, _lang: row.name,
    "term": _term_label,
    "schoolclass": lambda row, _lang: class_name(row.grade, row.letter),
    "subject": _subject_label,
    "staff": lambda row, _lang: full_name(row),
    "pupil": lambda row, _lang: full_name(row),
    "guardian": lambda row, _lang: full_name(row),
    "user": lambda row, _lang: row.username,
    "bellschedule": lambda row, _lang: f"{row.shift}: {row.number} ({row.starts_at:%H:%M}–{row.ends_at:%H:%M})",
    "holiday": _holiday_label,
    "order": _order_label,
    "movementrecord": _movement_label,
}
ORDER: dict[str, tuple[str, ...]] = {
    "academicyear": ("starts_on",),
    "term": ("starts_on",),
    "schoolclass": ("grade", "letter"),
    "subject": ("position", "name_ky"),
    "staff": ("sort_key",),
    "pupil": ("sort_key",),
    "guardian": ("sort_key",),
    "user": ("username",),
    "school": ("okpo",),
    "order": ("date", "number"),
    "movementrecord": ("date",),
}


def label(table: str, row: Any, lang: str) -> str:
    return LABELS[table](row, lang)


def labels_for(session: Session, table: str, ids: Iterable[int | None], lang: str) -> dict[int, str]:
    """Labels of the rows `ids` of `table`, in one query."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    model = MODELS[table]
    rows = session.exec(select(model).where(model.id.in_(wanted))).all()
    return {r.id: label(table, r, lang) for r in rows}


def picker_options(
    session: Session, principal: Principal | None, table: str, lang: str, search: str = "", include: int | None = None
) -> list[dict[str, str]]:
    """Choices for a foreign-key field: rows of `table` in the principal's scope, not deleted.

    Classes are those of the current year. Pupils and guardians are many: only rows matching
    `search` are offered (plus `include`, the value already chosen).
    """
    model = MODELS[table]
    q = scope(session, table, principal, select(model))
    if "deleted_at" in model.model_fields:
        q = q.where(model.deleted_at.is_(None))
    if table == "schoolclass" and principal is not None and principal.school_id is not None:
        year = current_year(session, principal.school_id)
        q = q.where(SchoolClass.academic_year_id == (year.id if year else -1))
    limit = PICKER_LIMIT
    if table in SEARCHED_PICKERS:
        limit = SEARCH_PICKER_LIMIT
        if not search.strip():
            q = q.where(model.id == (include or -1))
    if search.strip() and "search_key" in model.model_fields:
        q = q.where(model.search_key.like(like_pattern(search), escape="\\"))
    for column in ORDER.get(table, ("id",)):
        # Orders pile up over the years: the picker offers the newest first.
        q = q.order_by(getattr(model, column).desc() if table == "order" else getattr(model, column))
    rows = list(session.exec(q.limit(limit)).all())
    if include is not None and all(r.id != include for r in rows):
        extra = session.get(model, include)
        if extra is not None and in_scope(session, table, principal, include):
            rows.insert(0, extra)
    return [{"id": str(r.id), "label": label(table, r, lang)} for r in rows]


def like_pattern(term: str) -> str:
    """A LIKE pattern for the folded words of `term` in that order, each anywhere («асан нур» finds
    «Асанов Нурбек»), with LIKE's own wildcards escaped."""
    words = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in search_key(term).split()]
    return "%" + "%".join(words[:6]) + "%"


# ------------------------------------------------------------------------------------- keys

KEY_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # table: (search key parts, sort key parts)
    "pupil": (("last_name", "first_name", "patronymic", "pin"), ("last_name", "first_name", "patronymic")),
    "staff": (("last_name", "first_name", "patronymic", "phone"), ("last_name", "first_name", "patronymic")),
    "guardian": (("last_name", "first_name", "patronymic", "pin", "phone"), ("last_name", "first_name", "patronymic")),
    "user": (("username", "full_name"), ()),
    "order": (("number", "summary"), ()),
}


def keys(table: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The search_key / sort_key of a row with these values (empty when the table has none)."""
    if table not in KEY_PARTS:
        return {}
    search_parts, sort_parts = KEY_PARTS[table]
    out = {"search_key": search_key(*(str(values.get(p) or "") for p in search_parts))}
    if sort_parts:
        out["sort_key"] = sort_key(*(str(values.get(p) or "") for p in sort_parts))
    return out


# ---------------------------------------------------------------------------- list columns


def computed_columns(session: Session, table: str, rows: list[Any], lang: str, today: date | None = None):
    """Values of the computed list columns for one page of rows: {row id: {column: text}}."""
    today = today or date.today()
    out: dict[int, dict[str, str]] = defaultdict(dict)
    ids = [r.id for r in rows]
    if table in ("pupil", "staff", "guardian"):
        for r in rows:
            out[r.id]["name"] = full_name(r)
    if table == "pupil" and ids:
        for pupil_id, grade, letter in session.exec(
            select(Enrollment.pupil_id, SchoolClass.grade, SchoolClass.letter)
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .where(Enrollment.pupil_id.in_(ids), _current(today))  # type: ignore[union-attr]
        ).all():
            out[pupil_id]["class_name"] = class_name(grade, letter)
    if table == "guardian" and ids:
        names: dict[int, list[str]] = defaultdict(list)
        for guardian_id, last, first in session.exec(
            select(PupilGuardian.guardian_id, Pupil.last_name, Pupil.first_name)
            .join(Pupil, Pupil.id == PupilGuardian.pupil_id)  # type: ignore[arg-type]
            .where(PupilGuardian.guardian_id.in_(ids), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Pupil.sort_key)
        ).all():
            names[guardian_id].append(f"{last} {first}")
        for gid, children in names.items():
            out[gid]["children"] = ", ".join(children)
    if table == "movementrecord" and ids:
        from bbbms_app.services import movement

        orders = {o.id: o for o in session.exec(select(Order).where(Order.id.in_({r.order_id for r in rows}))).all()}  # type: ignore[union-attr]
        classes = labels_for(session, "schoolclass", [c for r in rows for c in (r.from_class_id, r.to_class_id)], lang)
        for r in rows:
            out[r.id]["order"] = movement.order_label(orders[r.order_id], lang) if r.order_id in orders else ""
            out[r.id]["from"] = movement.where(classes.get(r.from_class_id, ""), r.from_school)
            out[r.id]["to"] = movement.where(classes.get(r.to_class_id, ""), r.to_school)
    if table == "bellschedule":
        for r in rows:
            out[r.id]["band"] = f"{r.shift} ({_grades(r.grade_from, r.grade_to)})"
            out[r.id]["lesson_time"] = f"{r.starts_at:%H:%M}–{r.ends_at:%H:%M}"
    if table == "holiday":
        for r in rows:
            out[r.id]["grades"] = _grades(r.grade_from, r.grade_to)
            out[r.id]["dates"] = format_date(r.starts_on, lang) + (
                f"–{format_date(r.ends_on, lang)}" if r.ends_on != r.starts_on else ""
            )
    if table == "schoolclass" and ids:
        for r in rows:
            out[r.id]["class_name"] = class_name(r.grade, r.letter)
        for class_id, n in session.exec(
            select(Enrollment.class_id, func.count())
            .where(Enrollment.class_id.in_(ids), _current(today))  # type: ignore[union-attr]
            .group_by(Enrollment.class_id)
        ).all():
            out[class_id]["pupils"] = str(n)
    return out


def _grades(grade_from: int | None, grade_to: int | None) -> str:
    """A band of grades as the school says it: «1», «2–11»; empty for every grade."""
    if grade_from is None:
        return ""
    return str(grade_from) if grade_from == grade_to else f"{grade_from}–{grade_to}"


# ---------------------------------------------------------------------------------- filters


def filter_options(
    session: Session, principal: Principal | None, table: str, name: str, fk_table: str | None, lang: str
) -> list[dict[str, str]]:
    """The values a list filter offers; the same list bounds what a filter accepts."""
    if table in ("pupil", "movementrecord") and name == "class_id":
        return picker_options(session, principal, "schoolclass", lang)
    if fk_table is not None:
        return picker_options(session, principal, fk_table, lang)
    return []


def apply_filter(table: str, name: str, value: str, query, today: date | None = None):
    """Narrow a list by one filter value that was already checked against filter_options."""
    today = today or date.today()
    if table == "pupil" and name == "class_id":
        on_roll = select(Enrollment.pupil_id).where(Enrollment.class_id == int(value), _current(today))
        return query.where(Pupil.id.in_(on_roll))  # type: ignore[union-attr]
    if table == "movementrecord" and name == "class_id":
        return query.where(or_(MovementRecord.from_class_id == int(value), MovementRecord.to_class_id == int(value)))
    if table == "movementrecord" and name == "academic_year_id":
        year = AcademicYear.id == int(value)
        return query.where(
            MovementRecord.date >= select(AcademicYear.starts_on).where(year).scalar_subquery(),
            MovementRecord.date <= select(AcademicYear.ends_on).where(year).scalar_subquery(),
        )
    model = MODELS[table]
    column = getattr(model, name)
    return query.where(column == (int(value) if value.isdigit() and name.endswith("_id") else value))


# ----------------------------------------------------------------------------------- checks


def cross_field_errors(table: str, values: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Checks that involve more than one field (dates in order, grade ranges, weights)."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}

    def before(a: str, b: str, strict: bool) -> None:
        x, y = values.get(a), values.get(b)
        if x is not None and y is not None and (x >= y if strict else x > y):
            errors[b] = ("admin.error.order", {})

    if table == "academicyear":
        before("starts_on", "ends_on", strict=True)
    elif table == "term":
        before("starts_on", "ends_on", strict=False)
        top = {"quarter": 4, "half_year": 2}.get(str(values.get("kind")), 4)
        number = values.get("number")
        if isinstance(number, int) and not 1 <= number <= top:
            errors["number"] = ("admin.error.range", {"min": 1, "max": top})
    elif table == "bellschedule":
        before("starts_at", "ends_at", strict=True)
        before("grade_from", "grade_to", strict=False)
    elif table == "holiday":
        before("starts_on", "ends_on", strict=False)
        if (values.get("grade_from") is None) != (values.get("grade_to") is None):
            missing = "grade_to" if values.get("grade_to") is None else "grade_from"
            errors[missing] = ("tt.error.holiday_grades", {})
        else:
            before("grade_from", "grade_to", strict=False)
    elif table == "gradingpolicy":
        before("grade_from", "grade_to", strict=False)
        before("min_value", "max_value", strict=False)
        raw = values.get("weights_json")
        if raw is not None:
            try:
                weights = json.loads(str(raw))
                ok = isinstance(weights, dict) and all(
                    k in MARK_KINDS and isinstance(v, int | float) and 0 <= v <= 10 for k, v in weights.items()
                )
            except ValueError:
                ok = False
            if not ok:
                errors["weights_json"] = ("admin.error.weights", {"kinds": ", ".join(MARK_KINDS)})
    return errors


def delete_refusal(session: Session, table: str, row: Any, today: date | None = None) -> tuple[str, dict] | None:
    """Why a row may not be deleted now (a class still has pupils), or None."""
    if table == "schoolclass":
        n = session.exec(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.class_id == row.id, _current(today or date.today()))
        ).one()
        if n:
            return "admin.error.class_has_pupils", {"count": n}
    if table == "movementrecord":
        return "movement.error.no_delete", {}
    if table == "order":
        n = session.exec(
            select(func.count())
            .select_from(MovementRecord)
            .where(MovementRecord.order_id == row.id, MovementRecord.deleted_at.is_(None))  # type: ignore[union-attr]
        ).one()
        if n:
            return "movement.error.order_in_use", {"count": n}
    return None


# ---------------------------------------------------------------------------- detail cards


def related(
    session: Session, table: str, row: Any, lang: str, today: date | None = None
) -> dict[str, list[dict[str, str]]]:
    """The related-record tables of a detail card, by RelatedSpec name."""
    today = today or date.today()
    if table == "pupil":
        return {
            "guardians": pupil_guardians(session, row.id, lang),
            "enrollments": _pupil_enrollments(session, row.id, lang),
            "marks": _pupil_marks(session, row, lang),
            "consent": consent_status(session, "pupil", row.id, lang, today),
            "movements": _pupil_movements(session, row.id, lang),
        }
    if table == "order":
        from bbbms_app.services import movement

        return {"records": movement.order_movements(session, row.id, lang)}
    if table == "guardian":
        rows = session.exec(
            select(Pupil, PupilGuardian.relation)
            .join(PupilGuardian, PupilGuardian.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .where(PupilGuardian.guardian_id == row.id, Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Pupil.sort_key)
        ).all()
        classes = computed_columns(session, "pupil", [p for p, _ in rows], lang, today)
        return {
            "children": [
                {
                    "id": str(p.id),
                    "name": full_name(p),
                    "class_name": classes[p.id].get("class_name", ""),  # type: ignore[index]
                    "relation": t(f"admin.relation.{rel}", lang),
                }
                for p, rel in rows
            ]
        }
    if table == "schoolclass":
        pupils = session.exec(
            select(Pupil)
            .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .where(Enrollment.class_id == row.id, _current(today), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Pupil.sort_key)
        ).all()
        return {
            "pupils": [
                {"id": str(p.id), "name": full_name(p), "birth_date": format_date(p.birth_date, lang)} for p in pupils
            ]
        }
    if table in ("staff", "subject"):
        column = TeachingAssignment.teacher_id if table == "staff" else TeachingAssignment.subject_id
        items = session.exec(
            select(TeachingAssignment, SchoolClass, Subject, Staff)
            .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
            .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
            .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
            .where(column == row.id, TeachingAssignment.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(SchoolClass.grade, SchoolClass.letter)
        ).all()
        return {
            "assignments": [
                {
                    "id": str(ta.id),
                    "class_name": class_name(c.grade, c.letter) + (f" ({ta.subgroup})" if ta.subgroup else ""),
                    "subject": _subject_label(s, lang),
                    "teacher": full_name(st),
                    "hours": f"{ta.hours_per_week:g}",
                }
                for ta, c, s, st in items
            ]
        }
    return {}


def consent_status(session: Session, subject_type: str, subject_id: int, lang: str, today: date):
    """One line: whether a consent is in force for this person, and the categories it covers."""
    from bbbms_app.services import consent

    status = consent.status_of(consent.consents_of(session, subject_type, subject_id), today)
    categories = sorted(consent.active_categories(session, subject_type, subject_id, today))
    return [
        {
            "status": t(f"consent.status.{status}", lang),
            "categories": ", ".join(t(f"consent.category.{c}", lang) for c in categories),
        }
    ]


def pupil_guardians(session: Session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    rows = session.exec(
        select(Guardian, PupilGuardian)
        .join(PupilGuardian, PupilGuardian.guardian_id == Guardian.id)  # type: ignore[arg-type]
        .where(PupilGuardian.pupil_id == pupil_id, Guardian.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(PupilGuardian.is_primary.desc(), Guardian.sort_key)  # type: ignore[attr-defined]
    ).all()
    return [
        {
            "id": str(g.id),
            "link_id": str(link.id),
            "name": full_name(g),
            "relation": t(f"admin.relation.{link.relation}", lang),
            "phone": g.phone,
        }
        for g, link in rows
    ]


def _pupil_enrollments(session: Session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    rows = session.exec(
        select(Enrollment, SchoolClass, AcademicYear)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
        .where(Enrollment.pupil_id == pupil_id)
        .order_by(Enrollment.starts_on.desc())  # type: ignore[attr-defined]
    ).all()
    return [
        {
            "class_name": class_name(c.grade, c.letter),
            "year": y.name,
            "starts_on": format_date(e.starts_on, lang),
            "ends_on": format_date(e.ends_on, lang),
        }
        for e, c, y in rows
    ]


def _pupil_movements(session: Session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    from bbbms_app.services import movement

    return movement.pupil_movements(session, pupil_id, lang)


def _pupil_marks(session: Session, pupil: Pupil, lang: str) -> list[dict[str, str]]:
    """Marks of the school's current year per subject: how many, and their plain average."""
    year = current_year(session, pupil.school_id)
    if year is None:
        return []
    rows = session.exec(
        select(Subject, func.count(Mark.id), func.avg(Mark.value))
        .join(Lesson, Lesson.subject_id == Subject.id)  # type: ignore[arg-type]
        .join(Mark, Mark.lesson_id == Lesson.id)  # type: ignore[arg-type]
        .join(Term, Term.id == Lesson.term_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil.id, Term.academic_year_id == year.id)
        .group_by(Subject.id)
        .order_by(*curriculum.SUBJECT_ORDER)
    ).all()
    return [
        {"subject": _subject_label(s, lang), "count": str(n), "average": format_number(float(avg or 0), lang)}
        for s, n, avg in rows
    ]


# ------------------------------------------------------------------------ import references


def reference_fold(text: str) -> str:
    """A reference cell folded for lookup: case, spaces, dashes and quotes do not matter («5-А» = «5а»)."""
    return "".join(ch for ch in search_key(str(text)) if ch.isalnum())


CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*[-–—.]?\s*[«\"']?\s*([^\s»\"']+)\s*[»\"']?\s*$")


def reference_key(table: str, text: str) -> str:
    """How a reference cell is looked up in `table`: a class as grade-letter («5 А», «5А», «5-а»,
    «5«А»» are one class, «1-11» and «11-1» two), anything else by reference_fold."""
    if table == "schoolclass":
        m = CLASS_NAME.match(str(text))
        if m:
            return f"{int(m.group(1))}-{search_key(m.group(2))}"
    return reference_fold(text)


def _reference_names(table: str, row: Any) -> list[str]:
    if table == "schoolclass":
        return [f"{row.grade}-{row.letter}"]
    if table == "subject":
        return [row.code, row.name_ky, row.name_ru, row.name_en]
    if table in ("staff", "pupil", "guardian"):
        names = [full_name(row), f"{row.last_name} {row.first_name}"]
        return names + ([row.pin] if getattr(row, "pin", None) else [])
    if table == "academicyear":
        return [row.name]
    if table == "school":
        return [row.okpo, row.name_ky, row.name_ru]
    if table == "user":
        return [row.username]
    if table == "term":
        return [f"{row.kind}{row.number}"]
    if table == "order":
        return [f"{row.number} {row.date:%d.%m.%Y}", row.number]
    return [str(row.id)]


def reference_index(session: Session, principal: Principal | None, table: str, school_id: int | None):
    """folded name or code -> ids of live rows of `table` the principal reaches (more than one: ambiguous).

    Classes are those of the current year, as a class named in a file means this year's class.
    """
    model = MODELS[table]
    q = scope(session, table, principal, select(model))
    if school_id is not None and "school_id" in model.model_fields:
        q = q.where(model.school_id == school_id)
    if "deleted_at" in model.model_fields:
        q = q.where(model.deleted_at.is_(None))
    if table == "schoolclass" and school_id is not None:
        year = current_year(session, school_id)
        q = q.where(SchoolClass.academic_year_id == (year.id if year else -1))
    index: dict[str, set[int]] = defaultdict(set)
    for row in session.exec(q).all():
        for name in _reference_names(table, row):
            if name:
                index[reference_key(table, name)].add(row.id)
    return index


def current_class_of(session: Session, pupil_ids: list[int], today: date | None = None) -> dict[int, int]:
    """pupil id -> class id of the current enrollment."""
    if not pupil_ids:
        return {}
    rows = session.exec(
        select(Enrollment.pupil_id, Enrollment.class_id).where(
            Enrollment.pupil_id.in_(pupil_ids),  # type: ignore[union-attr]
            _current(today or date.today()),
        )
    ).all()
    return dict(rows)
