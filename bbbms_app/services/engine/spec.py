"""EntitySpec and FieldSpec: what the engine knows about an entity, with defaults from the model.

A spec is plain data (no Reflex, no database): the list columns, the form sections, the fields an
import reads, the natural key that makes a re-import update instead of duplicate, the permissions
of each action. `entity()` derives every FieldSpec from the SQLModel table (widget from the type,
required when the column has no default and is not nullable, foreign keys, lengths) so a profile
(services/engine/profile.py) only states what differs from the model. The spec carries its
profile: the entity's own rules (scope, labels, checks, hooks) that generic code calls.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from pydantic_core import PydanticUndefined
from sqlmodel import SQLModel

WIDGETS = ("text", "int", "float", "date", "time", "datetime", "bool", "choice", "fk", "password")
ACTIONS = ("read", "write", "export")
# Columns the engine maintains itself; never on a form, never taken from input.
SYSTEM_FIELDS = frozenset(
    {"id", "school_id", "search_key", "sort_key", "deleted_at", "deleted_reason", "version", "password_hash"}
)


@dataclass(frozen=True)
class FieldSpec:
    """One field of an entity as the screens, the import and the export see it."""

    name: str
    label_key: str
    widget: str
    required: bool = False
    nullable: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_prefix: str = ""  # choice labels are catalog keys "<prefix>.<value>"
    fk_table: str | None = None  # the table a foreign key points to
    pattern: str | None = None  # a regular expression the text must match in full
    pattern_key: str = "admin.error.format"  # the message when it does not
    virtual: bool = False  # not a column: a pupil's class, an initial password
    sort_by: tuple[str, ...] = ()  # model columns a list sorts by; empty: not sortable
    hide_on_phone: bool = False
    lowercase: bool = False  # typed in any case, kept in lower case (usernames)

    def choice_key(self, value: str) -> str:
        return f"{self.choice_prefix}.{value}"


@dataclass(frozen=True)
class RelatedSpec:
    """A table of related records on the detail card (a pupil's guardians, class history …)."""

    name: str
    title_key: str
    columns: tuple[tuple[str, str], ...]  # (row key, header message key)


@dataclass(frozen=True)
class EntitySpec:
    """Everything the engine generates one entity's screens, import and export from."""

    name: str  # import/export and CLI name: "pupil"
    model: type[SQLModel]
    route: str
    title_key: str  # plural: page title and navigation
    item_key: str  # singular: "a pupil" in messages
    icon: str
    permissions: Mapping[str, str]  # action -> permission
    fields: Mapping[str, FieldSpec]
    columns: tuple[str, ...]
    form: tuple[tuple[str, tuple[str, ...]], ...]  # (section title key, field names)
    create_only: tuple[str, ...] = ()  # asked only when creating (initial password, class)
    fixed_after_create: tuple[str, ...] = ()  # shown but not editable once saved
    import_columns: tuple[str, ...] = ()  # empty: no import for this entity
    natural_key: tuple[str, ...] = ()  # what makes two rows the same record on re-import
    filters: tuple[str, ...] = ()
    order: tuple[str, ...] = ("id",)  # default order (model columns)
    related: tuple[RelatedSpec, ...] = ()
    soft_delete: str = "deleted_at"  # or "is_active" for accounts, which are disabled instead
    personal: bool = False  # holds personal data: bulk export needs export.personal
    school_scoped: bool = False  # every row belongs to one school; lists and keys stay inside it
    stamps_school: bool = False  # a new row gets the creator's school (accounts: without being scoped by it)
    profile: Any = None  # the entity's Profile instance (rules and hooks; services/engine/profile.py)

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    @property
    def searchable(self) -> bool:
        return "search_key" in self.model.model_fields

    @property
    def importable(self) -> bool:
        return bool(self.import_columns)

    def permission(self, action: str) -> str:
        return self.permissions[action]

    def form_fields(self, creating: bool) -> tuple[str, ...]:
        names = [n for _title, section in self.form for n in section]
        return tuple(n for n in names if creating or n not in self.create_only)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside `X | None`, and whether None was allowed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else str), True
    return annotation, False


def _widget(py_type: Any) -> str:
    if py_type is bool:
        return "bool"
    if py_type is int:
        return "int"
    if py_type is float:
        return "float"
    if py_type is datetime:
        return "datetime"
    if py_type is date:
        return "date"
    if py_type is time:
        return "time"
    return "text"


def model_field(model: type[SQLModel], name: str, **overrides: Any) -> FieldSpec:
    """The FieldSpec of one model column, derived from its annotation and its column."""
    table = str(model.__tablename__)
    info = model.model_fields[name]
    column = model.__table__.c[name]  # type: ignore[attr-defined]
    py_type, optional = _unwrap(info.annotation)
    has_default = info.default is not PydanticUndefined or info.default_factory is not None
    fks = list(column.foreign_keys)
    widget = "fk" if fks else _widget(py_type)
    spec: dict[str, Any] = {
        "name": name,
        "label_key": f"field.{table}.{name}",
        "widget": widget,
        "required": not has_default and not column.nullable,
        "nullable": bool(column.nullable) or optional,
        "max_length": getattr(column.type, "length", None) if widget == "text" else None,
        "fk_table": fks[0].column.table.name if fks else None,
        "sort_by": (name,),
    }
    spec.update(overrides)
    return FieldSpec(**spec)


def entity(
    model: type[SQLModel],
    *,
    name: str,
    route: str,
    title_key: str,
    item_key: str,
    icon: str,
    read: str,
    write: str,
    columns: tuple[str, ...],
    form: tuple[tuple[str, tuple[str, ...]], ...],
    choices: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    virtual: tuple[FieldSpec, ...] = (),
    hide_on_phone: tuple[str, ...] = (),
    personal: bool = False,
    school_scoped: bool | None = None,
    **rest: Any,
) -> EntitySpec:
    """Build an EntitySpec whose fields come from `model`; only the differences are stated.

    `choices` maps a column to (label key prefix, allowed values); `overrides` changes any
    FieldSpec attribute of a column; `virtual` adds fields that are not columns.
    """
    fields: dict[str, FieldSpec] = {}
    choices = choices or {}
    overrides = overrides or {}
    for column_name in model.model_fields:
        extra = dict(overrides.get(column_name, {}))
        if column_name in choices:
            prefix, values = choices[column_name]
            extra.update(widget="choice", choices=values, choice_prefix=prefix, max_length=None)
        if column_name in hide_on_phone:
            extra["hide_on_phone"] = True
        fields[column_name] = model_field(model, column_name, **extra)
    for v in virtual:
        fields[v.name] = replace(v, hide_on_phone=True) if v.name in hide_on_phone else v
    return EntitySpec(
        name=name,
        model=model,
        route=route,
        title_key=title_key,
        item_key=item_key,
        icon=icon,
        permissions={"read": read, "write": write, "export": "export.personal" if personal else read},
        fields=fields,
        columns=columns,
        form=form,
        personal=personal,
        school_scoped="school_id" in model.model_fields if school_scoped is None else school_scoped,
        **rest,
    )
