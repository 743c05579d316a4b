"""Term: a quarter or a half-year of an academic year."""

from bbbms_app.i18n import t
from bbbms_app.models import Term
from bbbms_app.models.school import TERM_KINDS
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.profiles.academic_year import before


class TermProfile(Profile):
    model = Term
    name = "term"
    route = "/admin/terms"
    title_key = "admin.terms"
    item_key = "admin.term"
    icon = "calendar-days"
    read = "school.read"
    write = "school.write"
    columns = ("academic_year_id", "kind", "number", "starts_on", "ends_on")
    form = (("admin.section.main", ("academic_year_id", "kind", "number", "starts_on", "ends_on")),)
    choices = {"kind": ("admin.term_kind", TERM_KINDS)}
    overrides = {"number": {"minimum": 1, "maximum": 4}}
    import_columns = ("academic_year_id", "kind", "number", "starts_on", "ends_on")
    natural_key = ("academic_year_id", "kind", "number")
    filters = ("academic_year_id",)
    order = ("starts_on",)
    hide_on_phone = ("academic_year_id",)
    menu_order = 220

    def label(self, row, lang):
        return t(f"term.{row.kind}", lang, number=row.number)

    def validate(self, values):
        errors = before(values, "starts_on", "ends_on", strict=False)
        top = {"quarter": 4, "half_year": 2}.get(str(values.get("kind")), 4)
        number = values.get("number")
        if isinstance(number, int) and not 1 <= number <= top:
            errors["number"] = ("admin.error.range", {"min": 1, "max": top})
        return errors

    def reference_names(self, row):
        return [f"{row.kind}{row.number}"]
