"""Every EntitySpec matches its model: fields, labels in three languages, choices, keys, permissions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import CheckConstraint
from sqlmodel import SQLModel

import bbbms_app.models
from bbbms_app.i18n.messages import MESSAGES
from bbbms_app.services.access import PERMISSIONS
from bbbms_app.services.engine.registry import ENTITIES
from bbbms_app.services.engine.spec import SYSTEM_FIELDS, WIDGETS, model_field

SPECS = list(ENTITIES)
MODELS = {spec.table: spec.model for spec in SPECS}


def _used_fields(spec):
    return (
        set(spec.columns)
        | set(spec.import_columns)
        | set(spec.natural_key)
        | set(spec.filters)
        | {n for _title, section in spec.form for n in section}
    )


def _check_values(model, column: str) -> set[str] | None:
    """The values a CHECK constraint of the table allows for `column`, if it lists them."""
    for c in model.__table__.constraints:
        if isinstance(c, CheckConstraint):
            m = re.match(rf"^{column} IN \((.*)\)$", str(c.sqltext))
            if m:
                return {v.strip().strip("'") for v in m.group(1).split(",")}
    return None


def test_registry_has_each_entity_once_with_unique_routes_and_a_menu_place():
    names = [s.name for s in SPECS]
    assert len(names) == len(set(names))
    assert len({s.route for s in SPECS}) == len(SPECS)
    assert len({s.table for s in SPECS}) == len(SPECS)
    assert all(s.profile.menu in ("sidebar", "reference") for s in SPECS)
    tables = {t.name for t in SQLModel.metadata.sorted_tables}
    assert {s.table for s in SPECS} <= tables and bbbms_app.models


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_spec_matches_its_model(spec):
    model_fields = set(spec.model.model_fields)
    for name in _used_fields(spec):
        f = spec.fields[name]
        assert f.virtual or name in model_fields, f"{spec.name}.{name} is not a column"
        assert f.widget in WIDGETS
        assert name not in SYSTEM_FIELDS, f"{spec.name}.{name} is the engine's own column"
        if not f.virtual:
            derived = model_field(spec.model, name)
            # Defaults come from the model: only the overrides the registry states may differ.
            assert f.nullable == derived.nullable
            assert f.fk_table == derived.fk_table
            if derived.widget == "text" and f.widget == "text":
                assert f.max_length == derived.max_length
            if f.widget == "fk":
                # A foreign key's target has a profile: its label names the row in pickers and cells.
                assert f.fk_table in MODELS
        if f.widget == "choice":
            allowed = _check_values(spec.model, name) if not f.virtual else None
            if allowed is not None:
                assert set(f.choices) == allowed, f"{spec.name}.{name} choices differ from the CHECK constraint"
    # Every column the database requires is asked on the create form (or filled by the engine).
    required = {
        n
        for n, info in spec.model.model_fields.items()
        if info.is_required() and not spec.model.__table__.c[n].nullable and n not in SYSTEM_FIELDS
    }
    assert required <= set(spec.form_fields(creating=True)), f"{spec.name}: {required - set(spec.form_fields(True))}"
    for name in spec.natural_key:
        assert name in spec.fields
    for name in spec.order:
        assert name in model_fields
    for name in spec.columns:
        assert all(c in model_fields for c in spec.fields[name].sort_by)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_label_of_a_spec_is_in_the_catalog_in_three_languages(spec):
    keys = {spec.title_key, spec.item_key, *(t for t, _ in spec.form)}
    for name in _used_fields(spec):
        f = spec.fields[name]
        keys.add(f.label_key)
        keys.add(f.pattern_key)
        keys.update(f.choice_key(v) for v in f.choices)
    for r in spec.related:
        keys.add(r.title_key)
        keys.update(h for _k, h in r.columns)
    missing = sorted(k for k in keys if k not in MESSAGES)
    assert missing == []
    for key in keys:
        assert all(text.strip() for text in MESSAGES[key]), key


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_permissions_are_known_and_personal_data_exports_need_their_own(spec):
    for action in ("read", "write", "export"):
        assert spec.permission(action) in PERMISSIONS
    assert (spec.permission("export") == "export.personal") == spec.personal
    if spec.table in ("pupil", "guardian", "staff", "user"):
        assert spec.personal


def test_labels_default_to_field_keys_of_the_table():
    f = model_field(MODELS["pupil"], "birth_date")
    assert f.label_key == "field.pupil.birth_date" and f.widget == "date" and f.required
    assert model_field(MODELS["schoolclass"], "class_teacher_id").widget == "fk"
    assert model_field(MODELS["schoolclass"], "class_teacher_id").fk_table == "staff"
    assert not model_field(MODELS["pupil"], "patronymic").required  # has a default
    assert model_field(MODELS["pupil"], "last_name").max_length == 80


def test_every_entity_has_a_state_class_named_after_it():
    from bbbms_app.admin import states

    for spec in SPECS:
        state = states.state_of(spec)
        assert state.spec is spec and state.__name__ == states.class_name(spec)
        assert getattr(states, state.__name__) is state  # stable name, importable
    assert states.state_of(ENTITIES.get("teaching_assignment")).__name__ == "TeachingAssignmentAdminState"


def test_the_check_constraint_reader_sees_the_constraints():
    assert _check_values(MODELS["pupil"], "sex") == {"m", "f"}
    assert _check_values(MODELS["user"], "role") is not None
