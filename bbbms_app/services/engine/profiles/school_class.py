"""SchoolClass: a class of a school year (5-А), its pupils on the card; a teacher reaches his own."""

import re

from sqlalchemy import func
from sqlmodel import select

from bbbms_app.i18n import format_date
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import Enrollment, Pupil, SchoolClass
from bbbms_app.models.academics import LANGUAGES_OF_INSTRUCTION
from bbbms_app.services.access import visible_class_ids
from bbbms_app.services.engine.profile import Profile, current_enrollment
from bbbms_app.services.engine.spec import FieldSpec, RelatedSpec
from bbbms_app.services.school import class_name, current_year, full_name

CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*[-–—.]?\s*[«\"']?\s*([^\s»\"']+)\s*[»\"']?\s*$")


class SchoolClassProfile(Profile):
    model = SchoolClass
    name = "class"
    route = "/classes"
    title_key = "nav.classes"
    item_key = "admin.class"
    icon = "school"
    read = "class.read"
    write = "class.write"
    columns = ("class_name", "class_teacher_id", "pupils", "language", "shift")
    form = (("admin.section.main", ("academic_year_id", "grade", "letter", "language", "shift", "class_teacher_id")),)
    choices = {"language": ("admin.language", LANGUAGES_OF_INSTRUCTION)}
    overrides = {"grade": {"minimum": 1, "maximum": 12}, "shift": {"minimum": 1, "maximum": 3}}
    virtual = (
        FieldSpec("class_name", "col.class", "text", virtual=True, sort_by=("grade", "letter")),
        FieldSpec("pupils", "col.pupils", "int", virtual=True),
    )
    import_columns = ("academic_year_id", "grade", "letter", "language", "shift", "class_teacher_id")
    natural_key = ("academic_year_id", "grade", "letter")
    filters = ("academic_year_id",)
    order = ("grade", "letter")
    related_tables = (
        RelatedSpec("pupils", "admin.related.pupils", (("name", "col.name"), ("birth_date", "col.birth_date"))),
    )
    hide_on_phone = ("language", "shift")
    menu = "sidebar"
    menu_order = 30

    def label(self, row, lang):
        return class_name(row.grade, row.letter)

    def scope(self, session, principal, query, today):
        query = super().scope(session, principal, query, today)
        classes = visible_class_ids(session, principal, today)
        return query if classes is None else query.where(SchoolClass.id.in_(classes or [-1]))  # type: ignore[union-attr]

    def picker_query(self, session, principal, query):
        """A class picked in a form is one of the current year's."""
        if principal is not None and principal.school_id is not None:
            return self.reference_query(session, query, principal.school_id)
        return query

    def reference_query(self, session, query, school_id):
        if school_id is None:
            return query
        year = current_year(session, school_id)
        return query.where(SchoolClass.academic_year_id == (year.id if year else -1))

    def computed(self, session, rows, lang, today):
        out = {r.id: {"class_name": class_name(r.grade, r.letter)} for r in rows}
        ids = [r.id for r in rows]
        if ids:
            for class_id, n in session.exec(
                select(Enrollment.class_id, func.count())
                .where(Enrollment.class_id.in_(ids), current_enrollment(today))  # type: ignore[union-attr]
                .group_by(Enrollment.class_id)
            ).all():
                out[class_id]["pupils"] = str(n)
        return out

    def delete_refusal(self, session, principal, row, today):
        n = session.exec(
            select(func.count()).select_from(Enrollment).where(Enrollment.class_id == row.id, current_enrollment(today))
        ).one()
        return ("admin.error.class_has_pupils", {"count": n}) if n else None

    def related(self, session, row, lang, today):
        pupils = session.exec(
            select(Pupil)
            .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .where(Enrollment.class_id == row.id, current_enrollment(today), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Pupil.sort_key)
        ).all()
        return {
            "pupils": [
                {"id": str(p.id), "name": full_name(p), "birth_date": format_date(p.birth_date, lang)} for p in pupils
            ]
        }

    def reference_names(self, row):
        return [f"{row.grade}-{row.letter}"]

    def reference_key(self, text):
        """A class as grade-letter: «5 А», «5А», «5-а», «5«А»» are one class, «1-11» and «11-1» two."""
        m = CLASS_NAME.match(str(text))
        if m:
            return f"{int(m.group(1))}-{search_key(m.group(2))}"
        return super().reference_key(text)
