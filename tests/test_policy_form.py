"""The grading policy's form holds the school's local act: half-year subjects, minimum marks by
weekly hours, the criterion table, ties and «a 2 blocks a 5» — saved through the admin engine's
save path, a malformed table refused at its field (grading.py would read it as «none»)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, GradingPolicy
from bbbms_app.services import grading
from bbbms_app.services.engine import writes
from bbbms_app.services.engine.registry import ENTITIES
from tests import reports_factory
from tests.factories import principal_of

SPEC_NAME = "grading_policy"


@pytest.fixture
def policy(school):
    reports_factory.build(school)
    with db.session() as s:
        return s.exec(select(GradingPolicy).where(GradingPolicy.academic_year_id == school.year_id)).one()


def save(policy_row, values):
    with db.session(write=True) as s:
        row = s.get(GradingPolicy, policy_row.id)
        writes.update_values(s, ENTITIES.get(SPEC_NAME), principal_of("t_deputy"), row.id, values, row.version)


def test_the_form_shows_the_local_act_in_every_language():
    spec = ENTITIES.get(SPEC_NAME)
    shown = [f for _section, fields in spec.profile.form for f in fields]
    for field in (
        "half_year_max_hours",
        "min_marks_by_hours",
        "criterion_json",
        "year_ties",
        "two_blocks_five",
        "pass_fail_codes",
    ):
        assert field in shown
        for lang in ("ky", "ru", "en"):
            label = t(f"field.gradingpolicy.{field}", lang)
            assert label and not label.startswith("field.")
    assert t("admin.year_ties.favour", "ky") == "Окуучунун пайдасына"


def test_the_local_act_is_saved_read_by_the_rules_and_audited(school, policy):
    save(
        policy,
        {
            "half_year_max_hours": 1.5,
            "min_marks_by_hours": '{"1": 3, "2": 5, "4": 6}',
            "criterion_json": "[[0, 2], [50, 3], [70, 4], [90, 5]]",
            "year_ties": "last",
            "two_blocks_five": True,
        },
    )
    with db.session() as s:
        row = s.get(GradingPolicy, policy.id)
        audited = {
            e.field
            for e in s.exec(select(AuditEvent).where(AuditEvent.entity_id == policy.id, AuditEvent.action == "update"))
        }
    assert row.half_year_max_hours == 1.5 and row.year_ties == "last" and row.two_blocks_five is True
    assert grading.strict_criterion_bands(row.criterion_json) == ((0, 2), (50, 3), (70, 4), (90, 5))
    assert [m for _h, m in grading.strict_min_marks_by_hours(row.min_marks_by_hours)] == [3, 5, 6]
    assert {"half_year_max_hours", "criterion_json", "year_ties", "two_blocks_five"} <= audited


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("criterion_json", "[[10, 2], [50, 3]]", "admin.error.criterion_json"),  # does not start at 0 %
        ("criterion_json", "[[0, 4], [50, 3]]", "admin.error.criterion_json"),  # falling marks
        ("criterion_json", "[[0, 2], [50, 3]", "admin.error.criterion_json"),  # not JSON
        ("criterion_json", "[[0, 2], [150, 3]]", "admin.error.criterion_json"),  # past 100 %
        ("min_marks_by_hours", '{"1": 3, "two": 5}', "admin.error.min_marks_by_hours"),  # one bad entry
        ("min_marks_by_hours", '{"1": 80}', "admin.error.min_marks_by_hours"),
        ("min_marks_by_hours", "[3, 5]", "admin.error.min_marks_by_hours"),
    ],
)
def test_a_malformed_table_is_refused_at_its_field_and_nothing_is_written(school, policy, field, value, key):
    with pytest.raises(writes.RecordInvalid) as refused:
        save(policy, {field: value, "half_year_max_hours": 1.5})
    assert refused.value.errors[field][0] == key
    assert t(key, "ky") != key and t(key, "ru") != key
    with db.session() as s:
        row = s.get(GradingPolicy, policy.id)
    assert row.half_year_max_hours == policy.half_year_max_hours  # the other field was not written either
    assert getattr(row, field) == getattr(policy, field)
