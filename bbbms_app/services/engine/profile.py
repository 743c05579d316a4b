"""Profile: one class per entity, the spec plus the rules generic code cannot guess (the idea of a
ModelAdmin or a doctype controller), and the registry the profiles put themselves in.

A profile subclass states its spec as class attributes (model, route, columns, form …; everything
else comes from the model, see spec.entity) and overrides only the hooks its entity needs:

- `label` (a row's name in pickers, references and card titles), `search_parts` / `sort_parts`
  (its folded search and Kyrgyz sort keys, recomputed at every write);
- `scope` (which rows a role reaches), `computed` (list columns that are not columns),
  `filter_options` / `apply_filter` (a filter that is not a plain column);
- `validate` (cross-field rules), `check_save` (rules that need the database; an area's rule is
  called from here), `insert` (a row made another way: accounts), `after_create`,
  `delete_refusal`, `after_delete`, `restore_refusal`;
- `related` (the detail card's tables), `reference_names` / `reference_key` (how an import cell
  names a row), the import hooks (`refuse_header`, `import_key`, `match_import`, `after_import`,
  `export_values`).

Defining the subclass registers it: `ENTITIES` holds every entity's spec, in menu order. The
profiles live in services/engine/profiles/, one module per entity, all loaded by `load()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Any, ClassVar

from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel, select

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.spec import SYSTEM_FIELDS, EntitySpec, FieldSpec, RelatedSpec, entity
from bbbms_app.services.names import canonical
from bbbms_app.services.school import full_name, localized_name

Errors = dict[str, tuple[str, dict[str, Any]]]


@dataclass
class Registry:
    """The entities of the app by name, in menu order (`Profile.menu_order`)."""

    specs: dict[str, EntitySpec] = field(default_factory=dict)

    def add(self, spec: EntitySpec) -> EntitySpec:
        if spec.name in self.specs:
            raise ValueError(f"entity {spec.name!r} registered twice")
        if any(s.table == spec.table for s in self.specs.values()):
            raise ValueError(f"table {spec.table!r} has a profile already")
        self.specs[spec.name] = spec
        self.specs = dict(sorted(self.specs.items(), key=lambda kv: (kv[1].profile.menu_order, kv[0])))
        return spec

    def remove(self, name: str) -> None:
        """Forget an entity (a test's throw-away one)."""
        self.specs.pop(name, None)

    def get(self, name: str) -> EntitySpec:
        load()
        return self.specs[name]

    def by_table(self, table: str) -> EntitySpec:
        load()
        for spec in self.specs.values():
            if spec.table == table:
                return spec
        raise KeyError(f"no profile for table {table!r}")

    def __iter__(self) -> Iterator[EntitySpec]:
        load()
        return iter(list(self.specs.values()))


ENTITIES = Registry()
_loaded = False


def load() -> None:
    """Import every profile module once (services/engine/profiles/), which registers them."""
    global _loaded
    if not _loaded:
        _loaded = True
        import_module("bbbms_app.services.engine.profiles")


def profile_of(table: str) -> Profile:
    """The profile of a table (a foreign key's target)."""
    return ENTITIES.by_table(table).profile


def current_enrollment(today: date):
    """The clause of an Enrollment that holds on `today` (both ends count)."""
    from bbbms_app.models import Enrollment

    return and_(Enrollment.starts_on <= today, or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today))  # type: ignore[union-attr]


def person_name_column() -> FieldSpec:
    """The full name column of a person list, in Kyrgyz alphabetical order."""
    return FieldSpec("name", "col.name", "text", virtual=True, sort_by=("sort_key",))


PERSON = ("last_name", "first_name", "patronymic")


class Profile:
    """An entity: its spec (class attributes) and its rules (methods). See the module docstring."""

    # ---- the spec: what differs from the model (spec.entity fills in the rest)
    model: ClassVar[type[SQLModel]]
    name: ClassVar[str] = ""  # CLI and import name: "pupil" (default: the table's name)
    route: ClassVar[str]
    title_key: ClassVar[str]  # plural: page title and navigation
    item_key: ClassVar[str]  # singular: "a pupil" in messages
    icon: ClassVar[str] = "table"
    read: ClassVar[str] = "school.read"
    write: ClassVar[str] = "school.write"
    columns: ClassVar[tuple[str, ...]] = ()  # default: the form's fields
    form: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()  # default: one section of every column
    choices: ClassVar[Mapping[str, tuple[str, tuple[str, ...]]]] = {}
    overrides: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    virtual: ClassVar[tuple[FieldSpec, ...]] = ()
    hide_on_phone: ClassVar[tuple[str, ...]] = ()
    personal: ClassVar[bool] = False
    create_only: ClassVar[tuple[str, ...]] = ()
    fixed_after_create: ClassVar[tuple[str, ...]] = ()
    import_columns: ClassVar[tuple[str, ...]] = ()
    natural_key: ClassVar[tuple[str, ...]] = ()
    filters: ClassVar[tuple[str, ...]] = ()
    default_filters: ClassVar[Mapping[str, str]] = {}  # a filter's value when the list opens
    order: ClassVar[tuple[str, ...]] = ("id",)
    related_tables: ClassVar[tuple[RelatedSpec, ...]] = ()
    soft_delete: ClassVar[str] = "deleted_at"
    school_scoped: ClassVar[bool | None] = None  # None: whether the model has school_id
    stamps_school: ClassVar[bool] = False

    # ---- where its screen is reached: a sidebar link of its own, or a card on the /admin hub
    menu: ClassVar[str] = "reference"
    menu_order: ClassVar[int] = 100

    # ---- keys and pickers
    search_parts: ClassVar[tuple[str, ...]] = ()  # columns folded into search_key at every write
    sort_parts: ClassVar[tuple[str, ...]] = ()  # columns whose Kyrgyz order is sort_key
    picker_order: ClassVar[tuple[str, ...] | None] = None  # None: the list's order
    picker_newest_first: ClassVar[bool] = False
    picker_searched: ClassVar[bool] = False  # too many rows for a select: offered by search
    delete_refusal_key: ClassVar[str] = ""  # set when a record is never deleted (the reason's key)
    import_credentials: ClassVar[bool] = False  # an import hands out one-time passwords (accounts)
    # People's names, refused when they mix alphabets and compared as canonical spellings
    # (services/names.py). None: last_name, first_name, patronymic and full_name, those the model has.
    name_fields: ClassVar[tuple[str, ...] | None] = None

    spec: ClassVar[EntitySpec]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" not in cls.__dict__:
            return  # an abstract helper class, not an entity
        if not cls.name:
            cls.name = str(cls.model.__tablename__)
        if not cls.form:
            own = tuple(n for n in cls.model.model_fields if n not in SYSTEM_FIELDS)
            cls.form = (("admin.section.main", own),)
        cls.spec = entity(
            cls.model,
            name=cls.name,
            route=cls.route,
            title_key=cls.title_key,
            item_key=cls.item_key,
            icon=cls.icon,
            read=cls.read,
            write=cls.write,
            columns=cls.columns or tuple(n for _title, section in cls.form for n in section),
            form=cls.form,
            choices=cls.choices,
            overrides=cls.overrides,
            virtual=cls.virtual,
            hide_on_phone=cls.hide_on_phone,
            personal=cls.personal,
            school_scoped=cls.school_scoped,
            stamps_school=cls.stamps_school,
            create_only=cls.create_only,
            fixed_after_create=cls.fixed_after_create,
            import_columns=cls.import_columns,
            natural_key=cls.natural_key,
            filters=cls.filters,
            order=cls.order,
            related=cls.related_tables,
            soft_delete=cls.soft_delete,
            profile=cls(),
        )
        ENTITIES.add(cls.spec)

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    def name_columns(self) -> tuple[str, ...]:
        """The columns holding people's names (see `name_fields`)."""
        if self.name_fields is not None:
            return self.name_fields
        return tuple(n for n in (*PERSON, "full_name") if n in self.model.model_fields)

    # ------------------------------------------------------------------ names and keys

    def label(self, row: Any, lang: str) -> str:
        """How a row is named in a picker, a reference cell and its card's title."""
        fields = self.model.model_fields
        if "name_ky" in fields:
            return localized_name(row, lang)
        if "last_name" in fields:
            return full_name(row)
        if "name" in fields:
            return str(row.name)
        return str(row.id)

    def keys(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The search_key / sort_key of a row with these values (those the model has)."""
        fields = self.model.model_fields
        out: dict[str, str] = {}
        if self.search_parts and "search_key" in fields:
            limit = self.model.__table__.c["search_key"].type.length  # type: ignore[attr-defined]
            out["search_key"] = search_key(*(str(values.get(p) or "") for p in self.search_parts))[: limit or None]
        if self.sort_parts and "sort_key" in fields:
            out["sort_key"] = sort_key(*(str(values.get(p) or "") for p in self.sort_parts))
        return out

    # ------------------------------------------------------------------------ scope

    def scope(self, session: Session, principal: Principal, query: Any, today: date) -> Any:
        """Narrow `query` to the rows the principal reaches. The default: his school's rows."""
        if principal.school_id is not None and "school_id" in self.model.model_fields:
            query = query.where(self.model.school_id == principal.school_id)  # type: ignore[attr-defined]
        return query

    # ------------------------------------------------------------------- list columns

    def computed(self, session: Session, rows: list[Any], lang: str, today: date) -> dict[int, dict[str, str]]:
        """Values of the virtual list columns for one page of rows: {row id: {column: text}}."""
        if "last_name" in self.model.model_fields:
            return {r.id: {"name": full_name(r)} for r in rows}
        return {}

    def picker_query(self, session: Session, principal: Principal | None, query: Any) -> Any:
        """Narrow the rows a form's picker offers (a class: the current year's)."""
        return query

    def filter_options(
        self, session: Session, principal: Principal | None, name: str, lang: str
    ) -> list[dict[str, str]] | None:
        """The values a filter that is not a plain column offers (None: the generic ones)."""
        return None

    def apply_filter(self, name: str, value: str, query: Any, today: date) -> Any | None:
        """Narrow by a filter that is not a plain column (None: the column equals the value)."""
        return None

    # -------------------------------------------------------------------------- saves

    def validate(self, values: Mapping[str, Any]) -> Errors:
        """Checks that involve more than one field and no database (dates in order …)."""
        return {}

    def check_save(
        self, session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
    ) -> None:
        """Rules that need the database, before a create (record_id None) or an edit of `values`;
        a refusal raises hooks.FieldError naming the field."""

    def insert(self, session: Session, principal: Principal | None, data: dict[str, Any], values: dict[str, Any]):
        """Make the row another way than a plain INSERT (an account); None: the plain INSERT."""
        return None

    def after_create(
        self, session: Session, principal: Principal | None, created: list[tuple[Any, dict[str, Any]]], today: date
    ) -> None:
        """What new rows set in motion in the same transaction: (row, the form's values) each."""

    def delete_refusal(
        self, session: Session, principal: Principal | None, row: Any, today: date
    ) -> tuple[str, dict[str, Any]] | None:
        """Why a row may not be deleted now, or None."""
        if self.delete_refusal_key:
            return self.delete_refusal_key, {}
        return None

    def hold_changes(
        self, session: Session, principal: Principal | None, row: Any, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """The checked changes to write now; a profile may hold some back for an approval (accounts)."""
        return changes

    def after_delete(self, session: Session, row: Any) -> None:
        """What a deletion sets in motion (an account's sessions end)."""

    def restore_refusal(self, session: Session, principal: Principal | None, row: Any) -> tuple[str, str] | None:
        """(field, message key) when a deleted row may not come back for this user, or None."""
        return None

    def pupil_of(self, row: Any) -> int | None:
        """The pupil a write to this row is about (the audit trail files it under him)."""
        return None

    # ---------------------------------------------------------------------- the card

    def related(self, session: Session, row: Any, lang: str, today: date) -> dict[str, list[dict[str, str]]]:
        """The related-record tables of the detail card, by RelatedSpec name."""
        return {}

    # ----------------------------------------------------------------- import, export

    def reference_names(self, row: Any) -> list[str]:
        """The names an import cell may use for this row (by `reference_key`)."""
        names = [self.label(row, lang) for lang in ("ky", "ru", "en")]
        for column in ("code", "number", "okpo", "pin", "username"):
            if column in self.model.model_fields:
                names.append(str(getattr(row, column) or ""))
        if "last_name" in self.model.model_fields:
            names.append(f"{row.last_name} {row.first_name}")
        return names

    def reference_key(self, text: str) -> str:
        """How a reference cell is folded for lookup: case, spaces, dashes and quotes do not matter."""
        return reference_fold(text)

    def reference_query(self, session: Session, query: Any, school_id: int | None) -> Any:
        """Narrow the rows an import cell may name (a class: this year's)."""
        return query

    def refuse_header(self, text: str) -> str | None:
        """A message key refusing a whole file by one of its headers (a password column), or None."""
        return None

    def import_key(self, values: Mapping[str, Any]) -> tuple[tuple, str] | None:
        """(key, column to report) naming the same record twice in one file, when the natural
        key is not enough (a guardian without a PIN); None: the natural key."""
        return None

    def match_import(self, session: Session, principal: Principal | None, rows: list, school_id: int, today, report):
        """Find what the natural key cannot (set row.existing) and refuse what the rows may not do,
        with `report(row, column, message key)`; rows are imports.ImportRow."""

    def create_imported(
        self, session: Session, principal: Principal | None, creates: list, result: Any, report: Any, dry_run: bool
    ) -> list[tuple[int, Any]] | None:
        """Make the file's new rows another way than one INSERT (accounts, each with a one-time
        password); returns (record id, row) of those made, or None for the plain INSERT."""
        return None

    def after_import(self, session: Session, principal: Principal | None, written: list[tuple[int, Any]]) -> None:
        """After the rows are written: (record id, imports.ImportRow) each."""

    def export_values(
        self, session: Session, records: list[Any], names: Iterable[str], lang: str, today: date
    ) -> dict[int, list[dict[str, Any]]]:
        """Values of virtual import columns for an export that imports back: one dict per file row
        of the record (a pupil's class; a guardian's children, a row each)."""
        return {}


def reference_fold(text: str) -> str:
    """A reference cell folded for lookup: case, spaces, dashes, quotes and look-alike letters do not
    matter («5-А» = «5а» = «5A» with a Latin A; names.canonical)."""
    return "".join(ch for ch in canonical(str(text)) if ch.isalnum())


def rows_by_id(session: Session, model: type[SQLModel], ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {r.id: r for r in session.exec(select(model).where(model.id.in_(wanted))).all()}  # type: ignore[attr-defined]
