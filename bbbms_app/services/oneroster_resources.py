"""OneRoster 1.2 resources (issue 19 §3): the courses' published materials (issue 18) as
`/ims/oneroster/resources/v1p2/…`, scope `resources:read`.

- A **resource** is one material (`resource-<material id>`) of a module whose publish date has come
  (a draft or a module published for a later day is not listed), of a course not deleted, of the
  caller's school only. `title` the material's title; `roles` `student`, `parent`, `teacher` (who
  reads it on the school's screens); `importance` `primary` for the school's own content (a text or a
  file), `secondary` for a pointer elsewhere (a link or a video); `vendorResourceId` `bbbms-material-<id>`
  (ours: the material is this system's content), `vendorId` `bbbms`, `applicationId` null.
- OneRoster 1.2 has no address field: `metadata.url` carries it. A link's or video's own http(s)
  address; a file's is `/ims/oneroster/resources/v1p2/resources/resource-<id>/file`, which answers
  the bytes only with a bearer token of `resources:read` (private files never leave without one).
  `metadata` also names the kind, the course, the module, its publish date, and for a file its
  type, size and SHA-256; a text material's text is in `metadata.text`.
- `/users/{id}/resources`: those of the classes the user is enrolled in today (OneRoster's
  enrollments: a pupil's class × subjects, a teacher's classes taught).
- A course here is a teacher's course of a subject for some classes: its materials are the
  resources of OneRoster's course of that subject (`course-<subject id>`) and of each of its classes
  × that subject (`class-<class id>-<subject id>`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from bbbms_app.models import CourseClass, CourseMaterial, CourseModule, SchoolClass, Subject
from bbbms_app.models.learning import Course
from bbbms_app.services import oneroster
from bbbms_app.services.api_clients import ApiCaller
from bbbms_app.services.api_v1 import require
from bbbms_app.services.errors import NotFound

SCOPE = "resources:read"
BASE = "/ims/oneroster/resources/v1p2"
ROLES = ["student", "parent", "teacher"]
PRIMARY_KINDS = ("text", "file")


def file_url(material_id: int) -> str:
    return f"{BASE}/resources/resource-{material_id}/file"


def _stamp(material: CourseMaterial, publish_on: date) -> str:
    """The later of the material's creation and its module's publishing (midnight UTC of that day)."""
    created = material.created_at if material.created_at.tzinfo else material.created_at.replace(tzinfo=UTC)
    published = datetime.combine(publish_on, time.min, tzinfo=UTC)
    return oneroster._iso(max(created, published))  # type: ignore[return-value]


class Published:
    """The published materials of one school, with the course and classes each belongs to."""

    def __init__(self, s: Session, caller: ApiCaller, today: date | None = None) -> None:
        from bbbms_app.services.courses import school_today

        require(caller, SCOPE)
        self.caller = caller
        today = today or school_today()
        rows = s.exec(
            select(CourseMaterial, CourseModule, Course)
            .join(CourseModule, col(CourseModule.id) == CourseMaterial.module_id)
            .join(Course, col(Course.id) == CourseModule.course_id)
            .join(Subject, col(Subject.id) == Course.subject_id)
            .where(
                Course.school_id == caller.school_id,
                col(Course.deleted_at).is_(None),
                col(Subject.deleted_at).is_(None),
                col(CourseModule.publish_on).is_not(None),
                col(CourseModule.publish_on) <= today,
            )
            .order_by(Course.id, CourseModule.position, CourseModule.id, CourseMaterial.position, CourseMaterial.id)
        ).all()
        course_ids = sorted({c.id for _m, _mod, c in rows})
        classes: dict[int, list[int]] = {}
        if course_ids:
            for course_id, class_id in s.exec(
                select(CourseClass.course_id, CourseClass.class_id)
                .join(SchoolClass, col(SchoolClass.id) == CourseClass.class_id)
                .where(
                    col(CourseClass.course_id).in_(course_ids),
                    SchoolClass.school_id == caller.school_id,
                    col(SchoolClass.deleted_at).is_(None),
                )
                .order_by(CourseClass.class_id)
            ):
                classes.setdefault(course_id, []).append(class_id)
        self.rows = [(m, mod, c, classes.get(c.id, [])) for m, mod, c in rows]  # type: ignore[arg-type]

    def resources(self) -> list[dict]:
        return [self._resource(m, mod, c) for m, mod, c, _classes in self.rows]

    def _resource(self, m: CourseMaterial, mod: CourseModule, c: Course) -> dict:
        meta: dict[str, object] = {
            "kind": m.kind,
            "url": file_url(m.id) if m.kind == "file" else (m.url or None),  # type: ignore[arg-type]
            "course": c.title,
            "module": mod.title,
            "publishedOn": mod.publish_on.isoformat(),  # type: ignore[union-attr]
        }
        if m.kind == "file":
            meta.update(fileType=m.file_type, fileSize=m.file_size, sha256=m.file_sha256)
        elif m.body:
            meta["text"] = m.body
        return {
            "sourcedId": f"resource-{m.id}",
            "status": "active",
            "dateLastModified": _stamp(m, mod.publish_on),  # type: ignore[arg-type]
            "metadata": meta,
            "userIds": [],
            "title": m.title,
            "roles": list(ROLES),
            "importance": "primary" if m.kind in PRIMARY_KINDS else "secondary",
            "vendorResourceId": f"bbbms-material-{m.id}",
            "vendorId": "bbbms",
            "applicationId": None,
        }

    def links(self) -> list[tuple[str, str, str, str]]:
        """(kind `course`/`class`, its sourcedId, the resource's sourcedId, the material's title)."""
        out = []
        for m, _mod, c, classes in self.rows:
            out.append(("course", f"course-{c.subject_id}", f"resource-{m.id}", m.title))
            out += [("class", f"class-{k}-{c.subject_id}", f"resource-{m.id}", m.title) for k in classes]
        return out


def resources(s: Session, caller: ApiCaller, q: oneroster.Query) -> tuple[list[dict], int]:
    return oneroster.apply(Published(s, caller).resources(), q)


def resource(s: Session, caller: ApiCaller, sourced_id: str, fields: list[str]) -> dict:
    for row in Published(s, caller).resources():
        if row["sourcedId"] == sourced_id:
            return oneroster.select_fields(row, fields)
    raise NotFound(sourced_id)


def _known(s: Session, caller: ApiCaller, kind: str, sourced_id: str) -> None:
    """A course or class of this school's roster (404 otherwise, as the rostering routes answer)."""
    roster = oneroster.Roster(s, caller)
    if not any(r["sourcedId"] == sourced_id for r in roster.get("courses" if kind == "course" else "classes")):
        raise NotFound(sourced_id)


def resources_of(s: Session, caller: ApiCaller, kind: str, sourced_id: str, q: oneroster.Query) -> tuple[list, int]:
    """/courses/{id}/resources and /classes/{id}/resources."""
    published = Published(s, caller)
    _known(s, caller, kind, sourced_id)
    wanted = {r for k, target, r, _t in published.links() if k == kind and target == sourced_id}
    return oneroster.apply([r for r in published.resources() if r["sourcedId"] in wanted], q)


def resources_of_user(s: Session, caller: ApiCaller, user_sid: str, q: oneroster.Query) -> tuple[list, int]:
    """/users/{id}/resources: the materials of the classes the user is enrolled in today (a pupil
    in his class × subjects, a teacher in those he teaches); an unknown user is 404."""
    published = Published(s, caller)
    roster = oneroster.Roster(s, caller)
    if not any(u["sourcedId"] == user_sid for u in roster.get("users")):
        raise NotFound(user_sid)
    classes = {e["class"]["sourcedId"] for e in roster.get("enrollments") if e["user"]["sourcedId"] == user_sid}
    wanted = {r for k, target, r, _t in published.links() if k == "class" and target in classes}
    return oneroster.apply([r for r in published.resources() if r["sourcedId"] in wanted], q)


def material_file(s: Session, caller: ApiCaller, sourced_id: str) -> CourseMaterial:
    """The file material behind `resource-<id>`, published and of the caller's school; NotFound otherwise."""
    for m, _mod, _c, _classes in Published(s, caller).rows:
        if f"resource-{m.id}" == sourced_id and m.kind == "file":
            return m
    raise NotFound(sourced_id)
