"""School: the schools of the database; a school's staff reach only their own."""

from bbbms_app.models import School
from bbbms_app.services.engine.profile import Profile


class SchoolProfile(Profile):
    model = School
    name = "school"
    route = "/admin/schools"
    title_key = "admin.schools"
    item_key = "admin.school"
    icon = "building-2"
    read = "school.read"
    write = "school.write"
    columns = ("okpo", "name_ky", "name_ru", "address")
    form = (("admin.section.main", ("okpo", "name_ky", "name_ru", "name_en", "languages", "address")),)
    natural_key = ("okpo",)
    order = ("okpo",)
    hide_on_phone = ("name_ru", "address")
    menu_order = 200

    def scope(self, session, principal, query, today):
        return query.where(School.id == principal.school_id) if principal.school_id is not None else query

    def reference_names(self, row):
        return [row.okpo, row.name_ky, row.name_ru]
