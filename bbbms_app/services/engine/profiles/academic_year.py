"""AcademicYear: the school year with its dates; one is the current one."""

from bbbms_app.models import AcademicYear
from bbbms_app.services.engine.profile import Profile


class AcademicYearProfile(Profile):
    model = AcademicYear
    name = "academic_year"
    route = "/admin/years"
    title_key = "admin.years"
    item_key = "admin.year"
    icon = "calendar-range"
    read = "school.read"
    write = "school.write"
    columns = ("name", "starts_on", "ends_on", "is_current")
    form = (("admin.section.main", ("name", "starts_on", "ends_on", "is_current")),)
    import_columns = ("name", "starts_on", "ends_on", "is_current")
    natural_key = ("name",)
    order = ("starts_on",)
    menu_order = 210

    def validate(self, values):
        return before(values, "starts_on", "ends_on", strict=True)

    def reference_names(self, row):
        return [row.name]


def before(values, a: str, b: str, *, strict: bool) -> dict:
    """`b` must come after `a` (or be equal unless `strict`); the error stands beside `b`."""
    x, y = values.get(a), values.get(b)
    if x is not None and y is not None and (x >= y if strict else x > y):
        return {b: ("admin.error.order", {})}
    return {}
