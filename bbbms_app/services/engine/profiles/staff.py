"""Staff: the school's employees; a teacher's load on the card; phones wait for a consent."""

from bbbms_app.models import Staff, TeachingAssignment
from bbbms_app.models.people import POSITIONS
from bbbms_app.services.engine.profile import PERSON, Profile, person_name_column
from bbbms_app.services.engine.spec import RelatedSpec

PHONE = {"pattern": r"\+?[0-9 ()\-]{5,30}", "pattern_key": "admin.error.phone"}
EMAIL = {"pattern": r"[^@\s]+@[^@\s]+\.[^@\s]+", "pattern_key": "admin.error.email"}
PIN = {"pattern": r"\d{14}", "pattern_key": "admin.error.pin"}


class StaffProfile(Profile):
    model = Staff
    name = "staff"
    route = "/staff"
    title_key = "nav.staff"
    item_key = "admin.staff_member"
    icon = "users"
    read = "staff.read"
    write = "staff.write"
    columns = ("name", "position", "phone", "email")
    form = (
        ("admin.section.person", (*PERSON, "position")),
        ("admin.section.contacts", ("phone", "email", "address")),
    )
    choices = {"position": ("position", POSITIONS)}
    overrides = {"phone": PHONE, "email": EMAIL}
    virtual = (person_name_column(),)
    # Phones and addresses wait for a recorded consent (services.consent), so no import fills them.
    import_columns = (*PERSON, "position", "email")
    natural_key = PERSON
    filters = ("position",)
    order = ("sort_key",)
    related_tables = (
        RelatedSpec(
            "assignments",
            "admin.related.assignments",
            (("class_name", "col.class"), ("subject", "col.subject"), ("hours", "admin.col.hours")),
        ),
    )
    hide_on_phone = ("phone", "email")
    personal = True
    menu = "sidebar"
    menu_order = 40
    search_parts = (*PERSON, "phone")
    sort_parts = PERSON

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import consent

        consent.check_save("staff", session, principal, record_id, values)

    def related(self, session, row, lang, today):
        from bbbms_app.services.engine.profiles.teaching_assignment import assignments

        return {"assignments": assignments(session, TeachingAssignment.teacher_id == row.id, lang)}
