"""OneRoster 1.2 (REST binding, JSON) over one school's data (issue 19 §3): rostering and gradebook.

The mapping (docs/api.md says it for the integrator):

- **org**: the school, `sourcedId` = `org-<OKPO>`, `identifier` = its OKPO, type `school`.
- **academicSessions**: the school year (`year-<id>`, type `schoolYear`) and its quarters
  (`term-<id>`, type `gradingPeriod`) or half-years (type `semester`), the year as their parent.
- **courses**: one per subject (`course-<subject id>`), title in the class's language of teaching
  is not known at that level: the Kyrgyz name, the Russian one in `courseCode`'s neighbour
  `title` of the class.
- **classes**: one per class × subject taught (`class-<class id>-<subject id>`, type `scheduled`,
  from the teaching assignments) and one homeroom per class (`class-<class id>`, type `homeroom`).
- **users**: pupils `pupil-<id>` (role `student`), staff `staff-<id>` (`teacher`, or
  `administrator` for the director and deputies), guardians `guardian-<id>` (`guardian`, their
  children as `agents`). Names only: never the PIN, a phone, an address or an email.
- **enrollments**: a pupil in each homeroom and each subject class of his class today
  (`enr-<pupil>-<class>[-<subject>]`), a teacher in each class he teaches (`enr-t-<assignment id>`),
  the class teacher in the homeroom (`enr-h-<class id>`).
- **demographics**: birth date and sex, only under the `demographics:read` scope **and** only for
  a pupil with an active consent covering `identity`.
- **categories**: the journal's four mark kinds (`cat-class`, `cat-home`, `cat-test`, `cat-control`).
- **lineItems**: one per journal lesson × mark kind (`li-<lesson id>-<kind>`), results 0–100 (a
  percentage, converted by the policy's criterion bands to a mark).
- **results**: one per current mark (`res-<lesson id>-<pupil id>-<kind>`), `score` = the mark,
  `textScore` = the mark as text; written back through `services.journal.set_mark`.

Everything is the caller's school only; a row of another school is simply unknown (404).
Collections are built in memory (a school has hundreds of people, not millions) except lineItems
and results, which are paged in SQL and filter on `dateLastModified` only.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    Enrollment,
    Guardian,
    Lesson,
    Mark,
    Pupil,
    PupilGuardian,
    School,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import consent, grading
from bbbms_app.services.access import Principal
from bbbms_app.services.api_clients import ApiCaller
from bbbms_app.services.api_v1 import MAX_ID, InsufficientScope, require
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

KINDS = ("class", "home", "test", "control")
KIND_TITLES = {"class": "Class work", "home": "Homework", "test": "Test", "control": "Control work"}
LEADERS = ("director", "deputy")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
ROSTER_SCOPES = ("roster:read",)
GRADEBOOK_READ = ("gradebook:read", "gradebook:write")


class OneRosterError(Exception):
    """A refusal in OneRoster terms: HTTP status, imsx_CodeMinor value and a description."""

    def __init__(self, status: int, minor: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.minor = minor
        self.description = description


@dataclass
class Query:
    """OneRoster's collection parameters, parsed: limit, offset, sort/orderBy, filter, fields."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: str = ""
    descending: bool = False
    predicates: list[tuple[str, str, str]] = field(default_factory=list)
    any_of: bool = False  # OR between predicates instead of AND
    fields: list[str] = field(default_factory=list)


_PREDICATE = re.compile(r"\s*([A-Za-z][A-Za-z0-9.]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*")


def parse_query(params: dict[str, str]) -> Query:
    q = Query()
    for name in ("limit", "offset"):
        raw = params.get(name)
        if raw in (None, ""):
            continue
        try:
            value = int(raw)  # type: ignore[arg-type]
        except ValueError:
            raise OneRosterError(400, "invaliddata", f"{name} must be an integer") from None
        if name == "limit" and not 1 <= value <= MAX_LIMIT:
            raise OneRosterError(400, "invaliddata", f"limit is 1 to {MAX_LIMIT}")
        if name == "offset" and not 0 <= value <= MAX_ID:
            raise OneRosterError(400, "invaliddata", f"offset is 0 to {MAX_ID}")
        setattr(q, name, value)
    q.sort = params.get("sort", "").strip()
    order = params.get("orderBy", "asc").strip().lower() or "asc"
    if order not in ("asc", "desc"):
        raise OneRosterError(400, "invaliddata", "orderBy is asc or desc")
    q.descending = order == "desc"
    q.fields = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
    text = params.get("filter", "").strip()
    if text:
        parts = re.split(r"\s+(AND|OR)\s+", text)
        joins = set(parts[1::2])
        if len(joins) > 1 or len(parts) > 3:
            raise OneRosterError(400, "invalid_filter_field", "a filter is one or two predicates joined by AND or OR")
        q.any_of = joins == {"OR"}
        for part in parts[0::2]:
            m = _PREDICATE.fullmatch(part)
            if not m:
                raise OneRosterError(400, "invalid_filter_field", f"malformed filter: {part.strip()[:80]}")
            q.predicates.append((m.group(1), m.group(2), m.group(3).replace("''", "'")))
    return q


def _value(row: Any, path: str) -> Any:
    """A field by its dotted path (`roles.role`); through a list, the list of its items' values."""
    head, _, rest = path.partition(".")
    if isinstance(row, list):
        return [_value(item, path) for item in row]
    if not isinstance(row, dict) or head not in row:
        return None
    return _value(row[head], rest) if rest else row[head]


def _matches(value: Any, op: str, wanted: str) -> bool:
    if isinstance(value, list):
        return (
            any(_matches(v, op, wanted) for v in value) if op != "!=" else all(_matches(v, op, wanted) for v in value)
        )
    if isinstance(value, dict):
        value = value.get("sourcedId")
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if op == "~":
        return wanted.lower() in text.lower()
    return {
        "=": text == wanted,
        "!=": text != wanted,
        ">": text > wanted,
        ">=": text >= wanted,
        "<": text < wanted,
        "<=": text <= wanted,
    }[op]


def _known_field(rows: list[dict], name: str, kind: str) -> None:
    top = name.split(".")[0]
    if rows and not any(top in r for r in rows[:50]):
        raise OneRosterError(400, f"invalid_{kind}_field", f"no such field: {name}")


def apply(rows: Sequence[dict], q: Query) -> tuple[list[dict], int]:
    """Filter, sort, page and select fields of an in-memory collection; returns (page, total)."""
    for name, _op, _v in q.predicates:
        _known_field(rows, name, "filter")
    if q.predicates:
        test = any if q.any_of else all
        rows = [r for r in rows if test(_matches(_value(r, n), op, v) for n, op, v in q.predicates)]
    if q.sort:
        _known_field(rows, q.sort, "sort")
        rows = sorted(
            rows, key=lambda r: (_value(r, q.sort) is None, str(_value(r, q.sort) or "")), reverse=q.descending
        )
    total = len(rows)
    return [select_fields(r, q.fields) for r in rows[q.offset : q.offset + q.limit]], total


def select_fields(row: dict, fields: list[str]) -> dict:
    if not fields:
        return row
    unknown = [f for f in fields if f not in row]
    if unknown:
        raise OneRosterError(400, "invalid_selection_field", f"no such field: {unknown[0]}")
    return {f: row[f] for f in fields}


# --- helpers -------------------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.isoformat()


def _ref(kind: str, sourced_id: str) -> dict[str, str]:
    path = {"org": "orgs", "academicSession": "academicSessions", "course": "courses", "class": "classes",
            "user": "users", "category": "categories", "lineItem": "lineItems"}[kind]  # fmt: skip
    base = "gradebook" if kind in ("category", "lineItem") else "rostering"
    return {"href": f"/ims/oneroster/{base}/v1p2/{path}/{sourced_id}", "sourcedId": sourced_id, "type": kind}


def _grade(n: int) -> str:
    return f"{n:02d}"


def _school(s: Session, caller: ApiCaller) -> School:
    school = s.get(School, caller.school_id)
    if school is None:
        raise NotFound("school")
    return school


def _changed(s: Session, entity: str, school_id: int) -> dict[int, datetime]:
    """The last audited change of each row of `entity` (the tables keep no time of their own)."""
    q = (
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(AuditEvent.entity == entity, AuditEvent.school_id == school_id, col(AuditEvent.entity_id).is_not(None))
        .group_by(AuditEvent.entity_id)
    )
    return dict(s.exec(q).all())  # type: ignore[arg-type]


class LazyRows(Sequence):
    """A long collection kept as light tuples; an item (or a page) is made into its dict when read,
    so a page of 100 of 11,000 enrollments costs 100 dicts, not 11,000."""

    def __init__(self, rows: list, render) -> None:
        self.rows = rows
        self.render = render

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self.render(r) for r in self.rows[index]]
        return self.render(self.rows[index])


class Roster:
    """One school's rostering collections, built once per request."""

    def __init__(self, s: Session, caller: ApiCaller, today: date | None = None) -> None:
        self.s = s
        self.caller = caller
        self.today = today or date.today()
        self.school = _school(s, caller)
        self.org_id = f"org-{self.school.okpo}"
        self.base = _iso(self.school.created_at) or "2020-01-01T00:00:00.000Z"
        self._cache: dict[str, Sequence[dict]] = {}

    def _stamp(self, changes: dict[int, datetime], row_id: int | None) -> str:
        at = changes.get(row_id or 0)
        return _iso(at) if at else self.base  # type: ignore[return-value]

    def _base(self, sourced_id: str, stamp: str | None = None, status: str = "active") -> dict[str, Any]:
        return {"sourcedId": sourced_id, "status": status, "dateLastModified": stamp or self.base, "metadata": {}}

    def get(self, name: str) -> Sequence[dict]:
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_{name}")()
        return self._cache[name]

    # orgs
    def _orgs(self) -> list[dict]:
        sc = self.school
        return [
            {
                **self._base(self.org_id, _iso(sc.created_at)),
                "name": sc.name_ky,
                "type": "school",
                "identifier": sc.okpo,
                "metadata": {"name_ru": sc.name_ru, "name_en": sc.name_en, "okpo": sc.okpo},
                "parent": None,
                "children": [],
            }
        ]

    def _years(self) -> list[AcademicYear]:
        q = select(AcademicYear).where(
            AcademicYear.school_id == self.caller.school_id, col(AcademicYear.deleted_at).is_(None)
        )
        return list(self.s.exec(q.order_by(AcademicYear.starts_on)))

    def _academicSessions(self) -> list[dict]:  # OneRoster's name
        out: list[dict] = []
        terms = list(
            self.s.exec(
                select(Term)
                .where(Term.school_id == self.caller.school_id, col(Term.deleted_at).is_(None))
                .order_by(Term.academic_year_id, Term.kind, Term.number)
            )
        )
        for y in self._years():
            mine = [t for t in terms if t.academic_year_id == y.id]
            out.append(
                {
                    **self._base(f"year-{y.id}"),
                    "title": y.name,
                    "type": "schoolYear",
                    "startDate": _iso(y.starts_on),
                    "endDate": _iso(y.ends_on),
                    "parent": None,
                    "children": [_ref("academicSession", f"term-{t.id}") for t in mine],
                    "schoolYear": str(y.ends_on.year),
                    "org": _ref("org", self.org_id),
                }
            )
            for t in mine:
                title = f"{t.number}-чейрек" if t.kind == "quarter" else f"{t.number}-жарым жылдык"
                out.append(
                    {
                        **self._base(f"term-{t.id}", _iso(t.closed_at)),
                        "title": title,
                        "type": "gradingPeriod" if t.kind == "quarter" else "semester",
                        "startDate": _iso(t.starts_on),
                        "endDate": _iso(t.ends_on),
                        "parent": _ref("academicSession", f"year-{y.id}"),
                        "children": [],
                        "schoolYear": str(y.ends_on.year),
                        "org": _ref("org", self.org_id),
                        "metadata": {"closed": t.closed_at is not None},
                    }
                )
        return out

    def _subjects(self) -> list[Subject]:
        q = select(Subject).where(Subject.school_id == self.caller.school_id, col(Subject.deleted_at).is_(None))
        return list(self.s.exec(q.order_by(Subject.position, Subject.id)))

    def _courses(self) -> list[dict]:
        changes = _changed(self.s, "subject", self.caller.school_id)
        return [
            {
                **self._base(f"course-{x.id}", self._stamp(changes, x.id)),
                "title": x.name_ky,
                "courseCode": x.code,
                "grades": [],
                "subjects": [x.name_ky],
                "subjectCodes": [x.code],
                "org": _ref("org", self.org_id),
                "metadata": {"name_ru": x.name_ru, "name_en": x.name_en},
            }
            for x in self._subjects()
        ]

    def _school_classes(self) -> list[SchoolClass]:
        q = select(SchoolClass).where(
            SchoolClass.school_id == self.caller.school_id, col(SchoolClass.deleted_at).is_(None)
        )
        return list(self.s.exec(q.order_by(SchoolClass.academic_year_id, SchoolClass.grade, SchoolClass.letter)))

    def _assignments(self) -> list[TeachingAssignment]:
        q = select(TeachingAssignment).where(
            TeachingAssignment.school_id == self.caller.school_id, col(TeachingAssignment.deleted_at).is_(None)
        )
        return list(self.s.exec(q.order_by(TeachingAssignment.class_id, TeachingAssignment.subject_id)))

    def _year_terms(self) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        for row in self.get("academicSessions"):
            if row["type"] != "schoolYear":
                year_id = int(row["parent"]["sourcedId"].split("-")[1])
                out.setdefault(year_id, []).append(_ref("academicSession", row["sourcedId"]))
        return out

    def _classes(self) -> list[dict]:
        subjects = {x.id: x for x in self._subjects()}
        terms = self._year_terms()
        out: list[dict] = []
        classes = self._school_classes()
        taught: dict[int, list[int]] = {}
        for a in self._assignments():
            if a.subject_id in subjects and a.subject_id not in taught.setdefault(a.class_id, []):
                taught[a.class_id].append(a.subject_id)
        for c in classes:
            name = f"{c.grade}-{c.letter}"
            common = {
                "classCode": name,
                "location": "",
                "grades": [_grade(c.grade)],
                "school": _ref("org", self.org_id),
                "terms": terms.get(c.academic_year_id, []) or [_ref("academicSession", f"year-{c.academic_year_id}")],
                "metadata": {"language": c.language, "shift": c.shift, "academicYear": f"year-{c.academic_year_id}"},
            }
            out.append(
                {
                    **self._base(f"class-{c.id}"),
                    "title": name,
                    "classType": "homeroom",
                    "course": None,
                    "subjects": [],
                    "subjectCodes": [],
                    "periods": [],
                    **common,
                }
            )
            for subject_id in taught.get(c.id or 0, []):
                x = subjects[subject_id]
                out.append(
                    {
                        **self._base(f"class-{c.id}-{x.id}"),
                        "title": f"{name} {x.name_ky}",
                        "classType": "scheduled",
                        "course": _ref("course", f"course-{x.id}"),
                        "subjects": [x.name_ky],
                        "subjectCodes": [x.code],
                        "periods": [],
                        **common,
                    }
                )
        return out

    def _current(self) -> list[tuple[int, int]]:
        on = self.today
        q = select(Enrollment.pupil_id, Enrollment.class_id).where(
            Enrollment.school_id == self.caller.school_id,
            Enrollment.starts_on <= on,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= on),
        )
        return [(p, c) for p, c in self.s.exec(q)]  # type: ignore[misc]

    def _users(self) -> list[dict]:
        org = [_ref("org", self.org_id)]
        sid = self.caller.school_id
        out: list[dict] = []

        def person(kind: str, row: Any, role: str, changes: dict[int, datetime]) -> dict:
            return {
                **self._base(f"{kind}-{row.id}", self._stamp(changes, row.id)),
                "enabledUser": True,
                "username": "",
                "userIds": [],
                "givenName": row.first_name,
                "familyName": row.last_name,
                "middleName": row.patronymic or None,
                "preferredGivenName": None,
                "roles": [{"roleType": "primary", "role": role, "org": org[0]}],
                "primaryOrg": org[0],
                "agents": [],
                "identifier": None,
                "email": None,
                "sms": None,
                "phone": None,
                "grades": [],
            }

        pupils = list(
            self.s.exec(
                select(Pupil.id, Pupil.first_name, Pupil.last_name, Pupil.patronymic)
                .where(Pupil.school_id == sid, col(Pupil.deleted_at).is_(None))
                .order_by(Pupil.sort_key)
            )
        )
        classes = {c.id: c for c in self._school_classes()}
        grade_of = {p: classes[c].grade for p, c in self._current() if c in classes}
        links = list(
            self.s.exec(
                select(PupilGuardian.pupil_id, PupilGuardian.guardian_id)
                .join(Pupil, col(Pupil.id) == PupilGuardian.pupil_id)
                .where(Pupil.school_id == sid)
                .order_by(PupilGuardian.pupil_id, PupilGuardian.guardian_id)
            )
        )
        live = {p.id for p in pupils}
        guardians_of: dict[int, list[dict]] = {}
        children_of: dict[int, list[dict]] = {}
        for x in links:
            guardians_of.setdefault(x.pupil_id, []).append(_ref("user", f"guardian-{x.guardian_id}"))
            if x.pupil_id in live:
                children_of.setdefault(x.guardian_id, []).append(_ref("user", f"pupil-{x.pupil_id}"))
        changes = _changed(self.s, "pupil", sid)
        for p in pupils:
            row = person("pupil", p, "student", changes)
            row["grades"] = [_grade(grade_of[p.id])] if p.id in grade_of else []
            row["agents"] = guardians_of.get(p.id, [])  # type: ignore[arg-type]
            out.append(row)
        changes = _changed(self.s, "staff", sid)
        for x in self.s.exec(
            select(Staff.id, Staff.first_name, Staff.last_name, Staff.patronymic, Staff.position)
            .where(Staff.school_id == sid, col(Staff.deleted_at).is_(None))
            .order_by(Staff.sort_key)
        ):
            out.append(person("staff", x, "administrator" if x.position in LEADERS else "teacher", changes))
        changes = _changed(self.s, "guardian", sid)
        for g in self.s.exec(
            select(Guardian.id, Guardian.first_name, Guardian.last_name, Guardian.patronymic)
            .where(Guardian.school_id == sid, col(Guardian.deleted_at).is_(None))
            .order_by(Guardian.sort_key)
        ):
            row = person("guardian", g, "guardian", changes)
            row["agents"] = children_of.get(g.id, [])  # type: ignore[arg-type]
            out.append(row)
        return out

    def _enrollments(self) -> LazyRows:
        """Many rows (a pupil × each of his class's subjects): kept as tuples, a page made into dicts."""
        org = _ref("org", self.org_id)
        classes = {c.id: c for c in self._school_classes()}
        sections: dict[int, list[int]] = {}
        assignments = self._assignments()
        subjects = {x.id for x in self._subjects()}
        for a in assignments:
            if a.subject_id in subjects and a.subject_id not in sections.setdefault(a.class_id, []):
                sections[a.class_id].append(a.subject_id)
        live = set(self.s.exec(select(Pupil.id).where(Pupil.school_id == self.caller.school_id,
                                                      col(Pupil.deleted_at).is_(None))))  # fmt: skip
        rows: list[tuple[str, str, str, str]] = []  # (sourcedId, user, class, role)
        for pupil_id, class_id in sorted(self._current()):
            if class_id in classes and pupil_id in live:
                for target in [str(class_id), *(f"{class_id}-{x}" for x in sections.get(class_id, []))]:
                    rows.append((f"enr-{pupil_id}-{target}", f"pupil-{pupil_id}", f"class-{target}", "student"))
        for a in assignments:
            if a.class_id in classes and a.subject_id in subjects:
                rows.append((f"enr-t-{a.id}", f"staff-{a.teacher_id}", f"class-{a.class_id}-{a.subject_id}", "teacher"))
        for c in classes.values():
            if c.class_teacher_id:
                rows.append((f"enr-h-{c.id}", f"staff-{c.class_teacher_id}", f"class-{c.id}", "teacher"))

        def render(row: tuple[str, str, str, str]) -> dict:
            sourced_id, user, target, role = row
            return {
                **self._base(sourced_id),
                "user": _ref("user", user),
                "class": _ref("class", target),
                "school": org,
                "role": role,
                "primary": role == "teacher",
                "beginDate": None,
                "endDate": None,
            }

        return LazyRows(rows, render)

    def _demographics(self) -> list[dict]:
        require(self.caller, "demographics:read")
        out = []
        sid = self.caller.school_id
        for p in self.s.exec(
            select(Pupil).where(Pupil.school_id == sid, col(Pupil.deleted_at).is_(None)).order_by(Pupil.sort_key)
        ):
            if "identity" not in consent.active_categories(self.s, "pupil", p.id, self.today):  # type: ignore[arg-type]
                continue
            out.append(
                {
                    **self._base(f"pupil-{p.id}"),
                    "birthDate": _iso(p.birth_date),
                    "sex": {"m": "male", "f": "female"}.get(p.sex, "other"),
                }
            )
        return out


ROSTER_COLLECTIONS = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics")
# Sub-collections of /users and /academicSessions etc.: (base collection, predicate).
VIEWS: dict[str, tuple[str, Any]] = {
    "orgs": ("orgs", None),
    "schools": ("orgs", lambda r: r["type"] == "school"),
    "academicSessions": ("academicSessions", None),
    "terms": ("academicSessions", lambda r: r["type"] in ("term", "semester")),
    "gradingPeriods": ("academicSessions", lambda r: r["type"] == "gradingPeriod"),
    "courses": ("courses", None),
    "classes": ("classes", None),
    "users": ("users", None),
    "students": ("users", lambda r: r["roles"][0]["role"] == "student"),
    "teachers": ("users", lambda r: r["roles"][0]["role"] == "teacher"),
    "enrollments": ("enrollments", None),
    "demographics": ("demographics", None),
}
SINGULAR = {
    "orgs": "org", "schools": "org", "academicSessions": "academicSession", "terms": "academicSession",
    "gradingPeriods": "academicSession", "courses": "course", "classes": "class", "users": "user",
    "students": "user", "teachers": "user", "enrollments": "enrollment", "demographics": "demographics",
    "categories": "category", "lineItems": "lineItem", "results": "result",
}  # fmt: skip


SNAPSHOT_SECONDS = 60.0
MAX_SNAPSHOTS = 32


class Snapshots:
    """A client's pull of a collection is one snapshot: built at its first page (offset 0, always
    fresh) and kept for the next pages of the same client for a minute, so that offset paging
    neither skips nor repeats a row when something changes mid-pull, and a pull of 12 pages of
    enrollments builds them once. Per process; a few collections of one school each."""

    def __init__(self) -> None:
        self._items: dict[tuple, tuple[float, Sequence[dict]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, fresh: bool, build) -> Sequence[dict]:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
        if hit and not fresh and now - hit[0] < SNAPSHOT_SECONDS:
            return hit[1]
        rows = build()
        with self._lock:
            for old in [k for k, (at, _r) in self._items.items() if now - at >= SNAPSHOT_SECONDS]:
                del self._items[old]
            if len(self._items) >= MAX_SNAPSHOTS:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (now, rows)
        return rows

    def reset(self) -> None:
        with self._lock:
            self._items.clear()


SNAPSHOTS = Snapshots()


def roster_collection(s: Session, caller: ApiCaller, view: str, q: Query) -> tuple[list[dict], int]:
    require(caller, *ROSTER_SCOPES)
    base, keep = VIEWS[view]
    if base == "demographics":
        require(caller, "demographics:read")
    key = (caller.client_pk, caller.school_id, view, tuple(sorted(caller.scopes)))

    def build() -> Sequence[dict]:
        rows = Roster(s, caller).get(base)
        return rows if keep is None else [r for r in rows if keep(r)]

    return apply(SNAPSHOTS.get(key, q.offset == 0, build), q)


def roster_one(s: Session, caller: ApiCaller, view: str, sourced_id: str, fields: list[str]) -> dict:
    require(caller, *ROSTER_SCOPES)
    base, keep = VIEWS[view]
    for row in Roster(s, caller).get(base):
        if row["sourcedId"] == sourced_id and (keep is None or keep(row)):
            return select_fields(row, fields)
    raise NotFound(sourced_id)


def class_members(s: Session, caller: ApiCaller, class_sid: str, role: str, q: Query) -> tuple[list[dict], int]:
    """/classes/{id}/students and /classes/{id}/teachers."""
    require(caller, *ROSTER_SCOPES)
    roster = Roster(s, caller)
    if not any(r["sourcedId"] == class_sid for r in roster.get("classes")):
        raise NotFound(class_sid)
    members = {e["user"]["sourcedId"] for e in roster.get("enrollments") if e["class"]["sourcedId"] == class_sid
               and e["role"] == role}  # fmt: skip
    return apply([u for u in roster.get("users") if u["sourcedId"] in members], q)


# --- gradebook ----------------------------------------------------------------------------------


def _org_id(s: Session, caller: ApiCaller) -> str:
    return f"org-{_school(s, caller).okpo}"


def categories(s: Session, caller: ApiCaller, q: Query) -> tuple[list[dict], int]:
    require(caller, *GRADEBOOK_READ)
    base = _iso(_school(s, caller).created_at)
    rows = [
        {"sourcedId": f"cat-{k}", "status": "active", "dateLastModified": base, "metadata": {}, "title": KIND_TITLES[k]}
        for k in KINDS
    ]
    return apply(rows, q)


def _parse_sid(value: str, prefix: str, parts: int) -> list[str]:
    if not value.startswith(prefix + "-"):
        raise NotFound(value)
    bits = value[len(prefix) + 1 :].split("-")
    if len(bits) != parts or not all(b for b in bits):
        raise NotFound(value)
    if any(b.isdigit() and (not b.isascii() or int(b) > MAX_ID) for b in bits):
        raise NotFound(value)  # no row of ours has such a number
    return bits


def parse_line_item(value: str) -> tuple[int, str]:
    lesson, kind = _parse_sid(value, "li", 2)
    if not lesson.isdigit() or kind not in KINDS:
        raise NotFound(value)
    return int(lesson), kind


def _since(q: Query) -> datetime | None:
    """The one filter lineItems and results take: `dateLastModified>'…'` (or >=)."""
    since = None
    for name, op, value in q.predicates:
        if name != "dateLastModified" or op not in (">", ">=") or q.any_of:
            raise OneRosterError(400, "invalid_filter_field", "here only dateLastModified>'…' can be filtered")
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise OneRosterError(400, "invalid_filter_field", "dateLastModified is an ISO 8601 instant") from None
        since = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
        if op == ">":  # the instants are shown to the millisecond: after the shown one is a millisecond on
            since = since.replace(microsecond=since.microsecond // 1000 * 1000) + timedelta(milliseconds=1)
    if q.sort and q.sort not in ("sourcedId", "dateLastModified"):
        raise OneRosterError(400, "invalid_sort_field", "here lists sort by sourcedId or dateLastModified only")
    return since


def _line_item(lesson: Lesson, kind: str, org: str, subject: str) -> dict:
    stamp = _iso(datetime.combine(lesson.date, datetime.min.time(), tzinfo=UTC))
    return {
        "sourcedId": f"li-{lesson.id}-{kind}",
        "status": "active",
        "dateLastModified": stamp,
        "metadata": {"lessonNumber": lesson.number, "topic": lesson.topic, "kind": kind},
        "title": f"{lesson.date:%d.%m.%Y} №{lesson.number} {subject}: {KIND_TITLES[kind]}",
        "description": lesson.topic,
        "assignDate": stamp,
        "dueDate": stamp,
        "class": _ref("class", f"class-{lesson.class_id}-{lesson.subject_id}"),
        "school": _ref("org", org),
        "category": _ref("category", f"cat-{kind}"),
        "gradingPeriod": _ref("academicSession", f"term-{lesson.term_id}"),
        "resultValueMin": 0.0,
        "resultValueMax": 100.0,
    }


def _lesson_query(caller: ApiCaller, class_sid: str | None):
    q = (
        select(Lesson, Subject.name_ky)
        .join(Subject, col(Subject.id) == Lesson.subject_id)
        .where(Lesson.school_id == caller.school_id, Lesson.cancelled == False)  # noqa: E712
    )
    if class_sid is not None:
        class_id, subject_id = _parse_sid(class_sid, "class", 2)
        if not (class_id.isdigit() and subject_id.isdigit()):
            raise NotFound(class_sid)
        q = q.where(Lesson.class_id == int(class_id), Lesson.subject_id == int(subject_id))
    return q


def line_items(s: Session, caller: ApiCaller, q: Query, class_sid: str | None = None) -> tuple[list[dict], int]:
    """Lessons × the four kinds, oldest lesson first, paged in SQL (4 lineItems a lesson)."""
    require(caller, *GRADEBOOK_READ)
    since = _since(q)
    org = _org_id(s, caller)
    base = _lesson_query(caller, class_sid)
    if since is not None:
        # a lineItem's dateLastModified is its lesson's date at midnight UTC
        midnight = since.replace(hour=0, minute=0, second=0, microsecond=0) == since
        base = base.where(Lesson.date >= since.date() if midnight else Lesson.date > since.date())
    total_lessons = s.exec(select(func.count()).select_from(base.subquery())).one()
    order = (col(Lesson.date).desc(), col(Lesson.id).desc()) if q.descending else (Lesson.date, Lesson.id)
    first, skip = divmod(q.offset, len(KINDS))
    count = (skip + q.limit + len(KINDS) - 1) // len(KINDS)
    rows = list(s.exec(base.order_by(*order).offset(first).limit(count)))
    items = [_line_item(lesson, k, org, name) for lesson, name in rows for k in KINDS][skip : skip + q.limit]
    return [select_fields(i, q.fields) for i in items], total_lessons * len(KINDS)


def line_item(s: Session, caller: ApiCaller, sourced_id: str, fields: list[str]) -> dict:
    require(caller, *GRADEBOOK_READ)
    lesson_id, kind = parse_line_item(sourced_id)
    row = s.exec(_lesson_query(caller, None).where(Lesson.id == lesson_id)).first()
    if row is None:
        raise NotFound(sourced_id)
    return select_fields(_line_item(row[0], kind, _org_id(s, caller), row[1]), fields)


def _result(mark: Mark, lesson: Lesson) -> dict:
    return {
        "sourcedId": f"res-{lesson.id}-{mark.pupil_id}-{mark.kind}",
        "status": "active",
        "dateLastModified": _iso(mark.updated_at),
        "metadata": {"mark": mark.value},
        "lineItem": _ref("lineItem", f"li-{lesson.id}-{mark.kind}"),
        "student": _ref("user", f"pupil-{mark.pupil_id}"),
        "class": _ref("class", f"class-{lesson.class_id}-{lesson.subject_id}"),
        "scoreStatus": "fully graded",
        "score": float(mark.value),
        "textScore": str(mark.value),
        "scoreDate": _iso(lesson.date),
        "comment": None,
    }


def results(
    s: Session, caller: ApiCaller, q: Query, line_item_sid: str | None = None, class_sid: str | None = None
) -> tuple[list[dict], int]:
    """Current marks as results, oldest change first (paged in SQL)."""
    require(caller, *GRADEBOOK_READ)
    since = _since(q)
    base = (
        select(Mark, Lesson)
        .join(Lesson, and_(Lesson.id == Mark.lesson_id, Lesson.school_id == caller.school_id))
        .where(Mark.school_id == caller.school_id)
    )
    if line_item_sid is not None:
        lesson_id, kind = parse_line_item(line_item_sid)
        if (
            s.exec(select(Lesson.id).where(Lesson.id == lesson_id, Lesson.school_id == caller.school_id)).first()
            is None
        ):
            raise NotFound(line_item_sid)
        base = base.where(Mark.lesson_id == lesson_id, Mark.kind == kind)
    if class_sid is not None:
        class_id, subject_id = _parse_sid(class_sid, "class", 2)
        if not (class_id.isdigit() and subject_id.isdigit()):
            raise NotFound(class_sid)
        base = base.where(Lesson.class_id == int(class_id), Lesson.subject_id == int(subject_id))
    if since is not None:
        base = base.where(Mark.updated_at >= since)
    total = s.exec(select(func.count()).select_from(base.subquery())).one()
    order = (col(Mark.updated_at).desc(), col(Mark.id).desc()) if q.descending else (Mark.updated_at, Mark.id)
    rows = list(s.exec(base.order_by(*order).offset(q.offset).limit(q.limit)))
    return [select_fields(_result(m, lesson), q.fields) for m, lesson in rows], total


def result(s: Session, caller: ApiCaller, sourced_id: str, fields: list[str]) -> dict:
    require(caller, *GRADEBOOK_READ)
    lesson_id, pupil_id, kind = _parse_sid(sourced_id, "res", 3)
    if not (lesson_id.isdigit() and pupil_id.isdigit()) or kind not in KINDS:
        raise NotFound(sourced_id)
    row = s.exec(
        select(Mark, Lesson)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .where(
            Mark.lesson_id == int(lesson_id),
            Mark.pupil_id == int(pupil_id),
            Mark.kind == kind,
            Lesson.school_id == caller.school_id,
        )
    ).first()
    if row is None:
        raise NotFound(sourced_id)
    return select_fields(_result(*row), fields)


# --- results written back ----------------------------------------------------------------------


def api_principal(caller: ApiCaller, lesson: Lesson) -> Principal:
    """Who a learning system writes a mark as: the client itself (its name in the audit, no user
    account), with school-wide journal scope — for the lesson it writes into, it stands in the
    place of the teacher who holds the lesson, so the journal's own checks (the school, a closed
    term, the scale, a pupil of the class) apply unchanged. Only `gradebook:write` gets here."""
    return Principal(
        user_id=None,  # type: ignore[arg-type]
        username=caller.username,
        role="api_client",
        school_id=caller.school_id,
        full_name=caller.name,
        language="en",
        staff_id=lesson.teacher_id,
        permissions=frozenset({"journal.write"}),
    )


def _ref_id(body: dict, key: str) -> str:
    value = body.get(key)
    if isinstance(value, dict):
        value = value.get("sourcedId")
    if not isinstance(value, str) or not value:
        raise Refused("oneroster.error.missing", field=key)
    return value


def _score(body: dict) -> float | None:
    status = body.get("scoreStatus", "fully graded")
    if status not in ("fully graded", "partially graded", "submitted", "not submitted", "exempt"):
        raise Refused("oneroster.error.bad_status", field="scoreStatus")
    raw = body.get("score")
    if status == "not submitted" and raw is None:
        return None  # clears the mark
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise Refused("oneroster.error.bad_score", field="score")
    try:
        value = float(raw)
    except ValueError:
        raise Refused("oneroster.error.bad_score", field="score") from None
    if not 0 <= value <= 100:
        raise Refused("oneroster.error.bad_score", field="score")
    return value


def result_refs(sourced_id: str) -> dict[str, dict[str, str]]:
    """The lineItem and student a result's own sourcedId (`res-<lesson>-<pupil>-<kind>`) names, or
    nothing for another id (a learning system's own ids are accepted, not kept)."""
    bits = sourced_id.removeprefix("res-").split("-") if sourced_id.startswith("res-") else []
    if len(bits) != 3 or not (bits[0].isascii() and bits[0].isdigit() and bits[1].isascii() and bits[1].isdigit()):
        return {}
    return {"lineItem": {"sourcedId": f"li-{bits[0]}-{bits[2]}"}, "student": {"sourcedId": f"pupil-{bits[1]}"}}


def write_result(s: Session, caller: ApiCaller, body: dict, line_item_sid: str | None = None) -> dict:
    """One result from a learning system → a mark in the journal (the grid's own save path).

    The score is a percentage (the lineItem's 0–100), turned into a mark by the policy's criterion
    bands. Raises Refused / OutOfScope / NotFound / JournalError; writes nothing then."""
    if "gradebook:write" not in caller.scopes:
        raise InsufficientScope("gradebook:write")
    from bbbms_app.services import journal  # the journal package imports a lot; only writers need it

    if not isinstance(body, dict):
        raise Refused("oneroster.error.missing", field="result")
    li = line_item_sid or _ref_id(body, "lineItem")
    if line_item_sid and "lineItem" in body and _ref_id(body, "lineItem") != line_item_sid:
        raise Refused("oneroster.error.mismatch", field="lineItem")
    lesson_id, kind = parse_line_item(li)
    student = _ref_id(body, "student")
    pupil = _parse_sid(student, "pupil", 1)[0]
    if not pupil.isdigit():
        raise NotFound(student)
    lesson = s.get(Lesson, lesson_id)
    if lesson is None or lesson.school_id != caller.school_id:
        raise NotFound(li)
    percent = _score(body)
    value = None
    if percent is not None:
        rules = grading.rules_for(s, *_year_grade(s, lesson))
        if not rules.has_marks:
            raise Refused("oneroster.error.no_marks", field="score")
        value = grading.mark_from_percent(rules, percent)
    journal.set_mark(s, api_principal(caller, lesson), lesson_id, int(pupil), kind, value,
                     reason=f"api {caller.name}"[:500])  # fmt: skip
    sid = f"res-{lesson_id}-{pupil}-{kind}"
    return {"sourcedId": sid, "mark": value}


def _year_grade(s: Session, lesson: Lesson) -> tuple[int, int]:
    cls = s.get(SchoolClass, lesson.class_id)
    if cls is None:
        raise OutOfScope("class")
    return cls.academic_year_id, cls.grade
