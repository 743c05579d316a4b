"""Holiday: a school break or a public holiday, optionally for a band of grades only."""

from bbbms_app.i18n import format_date
from bbbms_app.models import Holiday
from bbbms_app.models.timetable import HOLIDAY_KINDS
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.profiles.academic_year import before
from bbbms_app.services.engine.profiles.bell_schedule import grades
from bbbms_app.services.engine.spec import FieldSpec
from bbbms_app.services.school import localized_name


class HolidayProfile(Profile):
    model = Holiday
    name = "holiday"
    route = "/admin/holidays"
    title_key = "admin.holidays"
    item_key = "admin.holiday"
    icon = "calendar-off"
    read = "timetable.read"
    write = "timetable.write"
    columns = ("name_ky", "name_ru", "kind", "dates", "grades")
    form = (
        ("admin.section.main", ("academic_year_id", "kind", "name_ky", "name_ru", "name_en", "starts_on", "ends_on")),
        ("admin.section.holiday_grades", ("grade_from", "grade_to")),
    )
    choices = {"kind": ("tt.holiday_kind", HOLIDAY_KINDS)}
    overrides = {"grade_from": {"minimum": 1, "maximum": 12}, "grade_to": {"minimum": 1, "maximum": 12}}
    virtual = (
        FieldSpec("dates", "field.holiday.dates", "text", virtual=True, sort_by=("starts_on", "ends_on")),
        FieldSpec("grades", "field.holiday.grades", "text", virtual=True, sort_by=("grade_from", "grade_to")),
    )
    natural_key = ("academic_year_id", "name_ky", "starts_on")
    filters = ("academic_year_id",)
    order = ("starts_on",)
    hide_on_phone = ("name_ru", "kind", "grades")
    menu_order = 270

    def label(self, row, lang):
        return f"{localized_name(row, lang)} ({format_date(row.starts_on, lang)}–{format_date(row.ends_on, lang)})"

    def computed(self, session, rows, lang, today):
        return {
            r.id: {
                "grades": grades(r.grade_from, r.grade_to),
                "dates": format_date(r.starts_on, lang)
                + (f"–{format_date(r.ends_on, lang)}" if r.ends_on != r.starts_on else ""),
            }
            for r in rows
        }

    def validate(self, values):
        errors = before(values, "starts_on", "ends_on", strict=False)
        if (values.get("grade_from") is None) != (values.get("grade_to") is None):
            missing = "grade_to" if values.get("grade_to") is None else "grade_from"
            errors[missing] = ("tt.error.holiday_grades", {})
        else:
            errors.update(before(values, "grade_from", "grade_to", strict=False))
        return errors

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import school_calendar

        school_calendar.check_holiday(session, principal, record_id, values)
