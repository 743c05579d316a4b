"""GradingPolicy: the scale, rounding thresholds, minimum marks and weights of a band of grades, and
the school's local act (half-year subjects, minimum marks by hours, criterion table, ties)."""

import json

from bbbms_app.i18n import t
from bbbms_app.models import GradingPolicy
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.models.school import SCALES
from bbbms_app.services import grading
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.profiles.academic_year import before

YEAR_TIES = ("favour", "last")


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
        # What services/grading.py's Rules read besides the thresholds: a deputy sets them here, not
        # only through the save path underneath (docs/grading.md).
        (
            "admin.section.local_act",
            (
                "half_year_max_hours",
                "min_marks_by_hours",
                "criterion_json",
                "year_ties",
                "two_blocks_five",
                "pass_fail_codes",
            ),
        ),
    )
    choices = {"scale": ("admin.scale", SCALES), "year_ties": ("admin.year_ties", YEAR_TIES)}
    overrides = {
        "grade_from": {"minimum": 1, "maximum": 12},
        "grade_to": {"minimum": 1, "maximum": 12},
        "min_value": {"minimum": 0, "maximum": 100},
        "max_value": {"minimum": 1, "maximum": 100},
        "min_marks": {"minimum": 0, "maximum": 50},
        "half_year_max_hours": {"minimum": 0, "maximum": 10},
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
        # grading.py reads a malformed table as «none» (the plain rule): refused here instead, so
        # a typo is named at the field rather than silently ignored.
        raw = values.get("min_marks_by_hours")
        if raw not in (None, "") and grading.strict_min_marks_by_hours(str(raw)) is None:
            errors["min_marks_by_hours"] = ("admin.error.min_marks_by_hours", {})
        raw = values.get("criterion_json")
        if raw not in (None, "") and grading.strict_criterion_bands(str(raw)) is None:
            errors["criterion_json"] = ("admin.error.criterion_json", {})
        return errors
