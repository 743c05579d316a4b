"""Subject: a subject of the curriculum, its teaching assignments on the card."""

from bbbms_app.models import Subject, TeachingAssignment
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.spec import RelatedSpec


class SubjectProfile(Profile):
    model = Subject
    name = "subject"
    route = "/admin/subjects"
    title_key = "admin.subjects"
    item_key = "admin.subject"
    icon = "book-open"
    read = "class.read"
    write = "subject.write"
    columns = ("code", "name_ky", "name_ru", "name_en", "position")
    form = (("admin.section.main", ("code", "name_ky", "name_ru", "name_en", "position")),)
    import_columns = ("code", "name_ky", "name_ru", "name_en", "position")
    natural_key = ("code",)
    order = ("position", "name_ky")  # the curriculum's order (services.curriculum)
    picker_order = ("position", "name_ky")
    related_tables = (
        RelatedSpec(
            "assignments",
            "admin.related.assignments",
            (("class_name", "col.class"), ("teacher", "col.teacher"), ("hours", "admin.col.hours")),
        ),
    )
    hide_on_phone = ("name_ru", "name_en")
    menu_order = 230

    def related(self, session, row, lang, today):
        from bbbms_app.services.engine.profiles.teaching_assignment import assignments

        return {"assignments": assignments(session, TeachingAssignment.subject_id == row.id, lang)}

    def reference_names(self, row):
        return [row.code, row.name_ky, row.name_ru, row.name_en]
