"""BellSchedule: when each lesson of a shift and grade band rings (services/school_calendar.py
keeps a band's lessons in order and apart)."""

from bbbms_app.models import BellSchedule
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.profiles.academic_year import before
from bbbms_app.services.engine.spec import FieldSpec


class BellScheduleProfile(Profile):
    model = BellSchedule
    name = "bell_schedule"
    route = "/admin/bells"
    title_key = "admin.bells"
    item_key = "admin.bell"
    icon = "bell"
    read = "timetable.read"
    write = "timetable.write"
    columns = ("band", "number", "lesson_time")
    form = (("admin.section.main", ("shift", "grade_from", "grade_to", "number", "starts_at", "ends_at")),)
    virtual = (
        FieldSpec("band", "field.bellschedule.band", "text", virtual=True, sort_by=("shift", "grade_from")),
        FieldSpec("lesson_time", "field.bellschedule.lesson_time", "text", virtual=True, sort_by=("starts_at",)),
    )
    overrides = {
        "shift": {"minimum": 1, "maximum": 3},
        "grade_from": {"minimum": 1, "maximum": 12},
        "grade_to": {"minimum": 1, "maximum": 12},
        "number": {"minimum": 0, "maximum": 12},
    }
    natural_key = ("shift", "grade_from", "number")
    order = ("shift", "grade_from", "number")
    menu_order = 260

    def label(self, row, lang):
        return f"{row.shift}: {row.number} ({row.starts_at:%H:%M}–{row.ends_at:%H:%M})"

    def computed(self, session, rows, lang, today):
        return {
            r.id: {
                "band": f"{r.shift} ({grades(r.grade_from, r.grade_to)})",
                "lesson_time": f"{r.starts_at:%H:%M}–{r.ends_at:%H:%M}",
            }
            for r in rows
        }

    def validate(self, values):
        return {
            **before(values, "starts_at", "ends_at", strict=True),
            **before(values, "grade_from", "grade_to", strict=False),
        }

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import school_calendar

        school_calendar.check_bell(session, principal, record_id, values)


def grades(grade_from: int | None, grade_to: int | None) -> str:
    """A band of grades as the school says it: «1», «2–11»; empty for every grade."""
    if grade_from is None:
        return ""
    return str(grade_from) if grade_from == grade_to else f"{grade_from}–{grade_to}"
