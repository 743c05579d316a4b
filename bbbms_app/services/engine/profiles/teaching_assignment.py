"""TeachingAssignment: who teaches a subject in a class (and subgroup), how many hours a week."""

from sqlmodel import select

from bbbms_app.models import SchoolClass, Staff, Subject, TeachingAssignment
from bbbms_app.services.access import visible_class_ids
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.school import class_name, full_name, localized_name


class TeachingAssignmentProfile(Profile):
    model = TeachingAssignment
    name = "teaching_assignment"
    route = "/admin/assignments"
    title_key = "admin.assignments"
    item_key = "admin.assignment"
    icon = "presentation"
    read = "class.read"
    write = "subject.write"
    columns = ("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week")
    form = (("admin.section.main", ("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week")),)
    overrides = {"subgroup": {"minimum": 0, "maximum": 3}, "hours_per_week": {"minimum": 0, "maximum": 20}}
    import_columns = ("class_id", "subject_id", "teacher_id", "subgroup", "hours_per_week")
    natural_key = ("class_id", "subject_id", "subgroup")
    filters = ("class_id",)
    order = ("class_id", "subject_id")
    hide_on_phone = ("subgroup", "hours_per_week")
    menu_order = 240

    def label(self, row, lang):
        from sqlmodel import Session

        session = Session.object_session(row)
        if session is None:
            return str(row.id)
        cls, subject = session.get(SchoolClass, row.class_id), session.get(Subject, row.subject_id)
        group = f" ({row.subgroup})" if row.subgroup else ""
        where = class_name(cls.grade, cls.letter) if cls else ""
        return f"{where}{group}: {localized_name(subject, lang) if subject else ''}"

    def scope(self, session, principal, query, today):
        query = super().scope(session, principal, query, today)
        classes = visible_class_ids(session, principal, today)
        return query if classes is None else query.where(TeachingAssignment.class_id.in_(classes or [-1]))  # type: ignore[union-attr]


def assignments(session, condition, lang: str) -> list[dict[str, str]]:
    """Live teaching assignments matching `condition` (a teacher's, a subject's), by class."""
    items = session.exec(
        select(TeachingAssignment, SchoolClass, Subject, Staff)
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(condition, TeachingAssignment.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(SchoolClass.grade, SchoolClass.letter)
    ).all()
    return [
        {
            "id": str(ta.id),
            "class_name": class_name(c.grade, c.letter) + (f" ({ta.subgroup})" if ta.subgroup else ""),
            "subject": localized_name(s, lang),
            "teacher": full_name(st),
            "hours": f"{ta.hours_per_week:g}",
        }
        for ta, c, s, st in items
    ]
