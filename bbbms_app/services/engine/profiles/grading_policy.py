"""GradingPolicy: the scale, rounding thresholds, minimum marks and weights of a band of grades."""

import json

from bbbms_app.i18n import t
from bbbms_app.models import GradingPolicy
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.models.school import SCALES
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.profiles.academic_year import before


class GradingPolicyProfile(Profile):
    model = GradingPolicy
    name = "grading_policy"
    route = "/admin/policies"
    title_key = "admin.policies"
    item_key = "admin.policy"
    icon = "scale"
    read = "school.read"
    write = "school.write"
    columns = ("academic_year_id", "grade_from", "grade_to", "scale", "min_marks")
    form = (
        ("admin.section.main", ("academic_year_id", "grade_from", "grade_to", "scale", "min_value", "max_value")),
        ("admin.section.rounding", ("threshold_5", "threshold_4", "threshold_3", "min_marks", "weights_json")),
    )
    choices = {"scale": ("admin.scale", SCALES)}
    overrides = {
        "grade_from": {"minimum": 1, "maximum": 12},
        "grade_to": {"minimum": 1, "maximum": 12},
        "min_value": {"minimum": 0, "maximum": 100},
        "max_value": {"minimum": 1, "maximum": 100},
        "min_marks": {"minimum": 0, "maximum": 50},
    }
    natural_key = ("academic_year_id", "grade_from", "grade_to")
    filters = ("academic_year_id",)
    order = ("grade_from",)
    hide_on_phone = ("academic_year_id", "min_marks")
    menu_order = 250

    def label(self, row, lang):
        grades = str(row.grade_from) if row.grade_from == row.grade_to else f"{row.grade_from}–{row.grade_to}"
        return f"{grades}: {t(f'admin.scale.{row.scale}', lang)}"

    def validate(self, values):
        errors = before(values, "grade_from", "grade_to", strict=False)
        errors.update(before(values, "min_value", "max_value", strict=False))
        raw = values.get("weights_json")
        if raw is not None:
            try:
                weights = json.loads(str(raw))
                ok = isinstance(weights, dict) and all(
                    k in MARK_KINDS and isinstance(v, int | float) and 0 <= v <= 10 for k, v in weights.items()
                )
            except ValueError:
                ok = False
            if not ok:
                errors["weights_json"] = ("admin.error.weights", {"kinds": ", ".join(MARK_KINDS)})
        return errors
