"""CrudMixin: the state behind every generated entity screen (list, form, detail card, import, export).

Each entity has one explicit State class (admin/states.py) that mixes this in with its spec. The
handlers here declare their permission through `entity_event(action)`: the permission is the
entity's own for that action (pupil.read, class.write, export.personal …), fixed per class when
the class is made, and checked by the same guard as every other handler. The state holds one
page of display-ready rows, the form being edited and one detail card; never ORM objects.
"""

import asyncio
import functools
import inspect
import json
import time
import types
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import PERMISSION_ATTR, Forbidden, current, requires
from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import downloads, exports, imports, listing, marking, sheets, values, writes
from bbbms_app.services.engine.spec import EntitySpec
from bbbms_app.services.engine.writes import OutOfScope, RecordInvalid, RecordNotFound, StaleRecord
from bbbms_app.services.school import current_year

ACTION_ATTR = "__bbbms_entity_action__"
NONE_VALUE = "__none__"  # a select's "nothing chosen" (Radix selects cannot hold "")
MAX_SEARCH = 100
MAX_SELECTED = 5000
MAX_REPORT_ROWS = 200  # error rows shown on screen; the XLSX report has them all
COUNT_TTL = 60.0  # seconds a list's total is reused for page switches (docs/performance.md)


def entity_event(action: str, *, background: bool = False) -> Callable:
    """An event handler guarded by the entity's permission for `action` (read, write, export)."""

    def decorate(fn: Callable) -> Callable:
        guarded: dict[tuple[str, str], Callable] = {}

        def for_entity(state: Any) -> Callable:
            # One guarded copy per entity class, named like it, so a refusal is audited as
            # "PupilAdminState.load" (not the mixin's name) under the entity's own permission.
            owner = state.__class__.__name__
            permission = state.spec.permission(action)
            if (owner, permission) not in guarded:
                named = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
                named.__kwdefaults__ = fn.__kwdefaults__
                named.__annotations__ = fn.__annotations__
                named.__qualname__ = f"{owner}.{fn.__name__}"
                guarded[(owner, permission)] = requires(permission)(named)
            return guarded[(owner, permission)]

        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            async def gen_wrapper(self, *args, **kwargs):
                async for item in for_entity(self)(self, *args, **kwargs):
                    yield item

            wrapper: Callable = gen_wrapper
        else:

            @functools.wraps(fn)
            async def call_wrapper(self, *args, **kwargs):
                return await for_entity(self)(self, *args, **kwargs)

            wrapper = call_wrapper
        setattr(wrapper, ACTION_ATTR, action)
        return rx.event(wrapper, background=True) if background else rx.event(wrapper)

    return decorate


def _error_texts(errors: values.Errors, lang: str) -> dict[str, str]:
    return {name: t(key, lang, **params) for name, (key, params) in errors.items()}


class CrudMixin(rx.State, mixin=True):
    """List, search, sort, filter, select, open, create, edit, delete, restore, import and export."""

    rows: list[dict[str, str]] = []
    total: int = 0
    total_more: bool = False  # the total is a floor: "10000+" (listing.COUNT_CAP)
    page: int = 1
    search: str = ""
    sort: str = ""
    descending: bool = False
    filters: dict[str, str] = {}
    filter_options: dict[str, list[dict[str, str]]] = {}
    show_deleted: bool = False
    selected: list[str] = []
    can_write: bool = False
    can_export: bool = False
    mode: str = "list"  # list | form | detail | import
    form: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    form_message: str = ""
    form_key: int = 0
    editing_id: str = ""
    fk_options: dict[str, list[dict[str, str]]] = {}
    detail_id: str = ""
    detail_title: str = ""
    detail: list[dict[str, str]] = []
    detail_deleted: bool = False
    related: dict[str, list[dict[str, str]]] = {}
    delete_id: str = ""
    delete_name: str = ""
    delete_reason: str = ""
    delete_error: str = ""
    import_errors: list[dict[str, str]] = []
    import_error_count: int = 0
    import_message: str = ""
    import_ready: bool = False
    import_done: bool = False
    import_file_name: str = ""
    credentials_count: int = 0  # accounts the import made, whose one-time passwords wait in a file
    export_busy: bool = False
    export_message: str = ""
    export_error: str = ""
    export_url: str = ""
    export_purpose: str = ""
    print_note: str = ""  # printed above the list: which list, filter, search, sort
    print_stamp: str = ""  # printed too: when and by whom

    _editing_version: int = 0
    _import_path: str = ""
    _report_path: str = ""
    _credentials_path: str = ""
    # Keyset cursors of the page shown (sort values + id of its first and last rows) and the
    # total counted for the list as it is filtered now (see _fetch).
    _first: list = []
    _last: list = []
    _count_for: str = ""
    _count: int = 0
    _count_at: float = 0.0

    spec: ClassVar[EntitySpec]
    page_size: ClassVar[int] = 25

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is None:
            return
        # Each entity's copy of a mixin handler declares that entity's permission (the walk in
        # tests/test_handlers.py reads it); entity_event checks the same one at every call.
        for handler in cls.event_handlers.values():
            action = getattr(handler.fn, ACTION_ATTR, None)
            if action is not None:
                setattr(handler.fn, PERMISSION_ATTR, spec.permission(action))

    # ---------------------------------------------------------------- list

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    def _lang(self) -> str:
        return current().language

    def _fetch(self, step: int = 0) -> None:
        """Read the page `self.page`. `step` +1 / -1: it is the page after / before the one shown,
        sought from that page's last / first row (keyset) instead of skipping rows. The total is
        counted once for the list as filtered and kept until the filter, search or deleted toggle
        changes, this tab writes, or COUNT_TTL seconds pass (others' writes show by then)."""
        principal = current()
        count_for = json.dumps(
            [self.search, self.filters, self.show_deleted, principal.user_id], sort_keys=True, ensure_ascii=False
        )
        known = self._count if count_for == self._count_for and time.monotonic() - self._count_at < COUNT_TTL else None
        cursors: dict[str, Any] = {}
        if step > 0 and self._last:
            cursors["after"] = self._last
        elif step < 0 and self._first and self.page > 1:
            cursors["before"] = self._first

        def read(s: Any, offset: int, **kwargs: Any) -> listing.Page:
            return listing.list_page(
                s,
                self.spec,
                principal,
                search=self.search,
                filters=self.filters,
                deleted=self.show_deleted,
                sort=self.sort,
                descending=self.descending,
                offset=offset,
                limit=self.page_size,
                lang=principal.language,
                **kwargs,
            )

        with db.session() as s:
            offset = (self.page - 1) * self.page_size
            result = read(s, offset, total=known, more=self.total_more and known is not None, **cursors)
            if cursors and len(result.rows) < self.page_size and (step < 0 or not result.rows):
                # The list changed under the cursor (rows added or deleted since): read by position.
                result = read(s, 0 if step < 0 else offset)
                if step < 0:
                    self.page = 1
        self.rows, self.total, self.total_more = result.rows, result.total, result.more
        self._first = list(result.first or [])
        self._last = list(result.last or [])
        if known is None:
            self._count_for, self._count, self._count_at = count_for, result.total, time.monotonic()
        if self.page > self.pages:
            self.page = self.pages
        self._describe(principal)  # the browser's own Print (Ctrl+P) shows it too

    def _describe(self, principal: Principal) -> None:
        """The lines a printed list starts with under its heading: how it was narrowed and sorted
        (a sheet of paper has no toolbar to show it), its total, when and by whom it was printed."""
        lang = principal.language
        parts = []  # the page's own heading (the list's name) is printed above it
        for name in self.spec.filters:
            value = self.filters.get(name, "")
            if value:
                label = next((o["label"] for o in self.filter_options.get(name, []) if o["id"] == value), value)
                parts.append(f"{t(self.spec.fields[name].label_key, lang)}: {label}")
        if self.search:
            parts.append(t("print.search", lang, text=self.search))
        if self.show_deleted:
            parts.append(t("print.deleted", lang))
        if self.sort:
            arrow = t("print.descending" if self.descending else "print.ascending", lang)
            parts.append(t("print.sorted", lang, column=t(self.spec.fields[self.sort].label_key, lang), order=arrow))
        else:
            alphabetical = self.spec.order[:1] == ("sort_key",)
            parts.append(t("print.sorted_default" if alphabetical else "print.sorted_usual", lang))
        parts.append(t("list.total", lang, total=f"{self.total}+" if self.total_more else self.total))
        note = " · ".join(parts)
        who = principal.full_name or principal.username
        when = datetime.now().astimezone().strftime("%d.%m.%Y %H:%M")
        stamp = t("print.stamp", lang, when=when, who=who, role=t(f"role.{principal.role}", lang))
        # Assigned only when changed: a page switch then sends no heading at all.
        if note != self.print_note:
            self.print_note = note
        if stamp != self.print_stamp:
            self.print_stamp = stamp

    @entity_event("read")
    def print_list(self):
        """Print the list as filtered now, headed by its filter, date and who printed it."""
        self._describe(current())
        yield
        # After the heading above has been rendered.
        yield rx.call_script("window.setTimeout(() => window.print(), 150)")

    def _forget_count(self) -> None:
        """After a write from this tab: the next read counts again."""
        self._count_for = ""

    def _load_filters(self, principal: Principal) -> None:
        options: dict[str, list[dict[str, str]]] = {}
        with db.session() as s:
            for name in self.spec.filters:
                options[name] = listing.filter_options(s, principal, self.spec, name, principal.language)
            if "academic_year_id" in self.spec.filters and principal.school_id is not None:
                year = current_year(s, principal.school_id)
                if year is not None and "academic_year_id" not in self.filters:
                    self.filters = {**self.filters, "academic_year_id": str(year.id)}
        self.filter_options = options

    @entity_event("read")
    def load(self):
        """on_load: the first page of the list and what the signed-in role may do here."""
        principal = current()
        self.can_write = principal.can(self.spec.permission("write"))
        self.can_export = principal.can(self.spec.permission("export"))
        if not self.can_write:
            self.show_deleted = False
        self.mode = "list"
        self.selected = []
        self._load_filters(principal)
        self._forget_count()
        self._fetch()

    @entity_event("read")
    def set_search(self, value: str):
        self.search = inputs.search_text(value, MAX_SEARCH)
        self.page = 1
        self._fetch()

    @entity_event("read")
    def set_filter(self, name: str, value: str):
        """Narrow the list; a value the filter does not offer this user (another teacher's class)
        is refused and audited."""
        name = inputs.choice(name, self.spec.filters, "filter")
        value = inputs.text(value, 40, name)
        value = "" if value == NONE_VALUE else value
        allowed = {o["id"] for o in self.filter_options.get(name, [])}
        if value and value not in allowed:
            raise Forbidden(f"{self.spec.fields[name].fk_table or name} {value}")
        self.filters = {**self.filters, name: value}
        self.page = 1
        self._fetch()

    @entity_event("read")
    def sort_by(self, column: str):
        column = inputs.choice(column, [c for c in self.spec.columns if self.spec.fields[c].sort_by], "column")
        self.descending = (not self.descending) if self.sort == column else False
        self.sort = column
        self._fetch()

    @entity_event("read")
    def next_page(self):
        if self.page >= self.pages:
            return
        self.page += 1
        self._fetch(step=1)

    @entity_event("read")
    def prev_page(self):
        if self.page <= 1:
            return
        self.page -= 1
        self._fetch(step=-1)

    @entity_event("write")
    def toggle_deleted(self):
        """Switch between the live records and the deleted ones (which can be restored)."""
        self.show_deleted = not self.show_deleted
        self.page = 1
        self.selected = []
        self._fetch()

    @entity_event("read")
    def toggle_row(self, row_id: str):
        row_id = str(inputs.record_id(row_id))
        if row_id in self.selected:
            self.selected = [i for i in self.selected if i != row_id]
        elif len(self.selected) < MAX_SELECTED:
            self.selected = [*self.selected, row_id]

    @entity_event("read")
    def select_page(self):
        ids = [r["id"] for r in self.rows if r["id"] not in self.selected]
        self.selected = [*self.selected, *ids][:MAX_SELECTED]

    @entity_event("read")
    def clear_selection(self):
        self.selected = []

    # -------------------------------------------------------------- detail

    def _record_id(self, value: Any) -> int:
        return inputs.record_id(value)

    def _open(self, record_id: int) -> None:
        principal = current()
        with db.session() as s:
            try:
                row = writes.get_record(s, self.spec, principal, record_id)
            except RecordNotFound:
                self.mode = "list"
                return
            except OutOfScope as exc:
                raise Forbidden(str(exc)) from exc
            self.detail = values.detail_rows(s, self.spec, row, principal.language)
            self.related = self.spec.profile.related(s, row, principal.language, date.today())
            self.detail_title = self.spec.profile.label(row, principal.language)
            self.detail_deleted = listing.is_deleted(self.spec, row)
        self.detail_id = str(record_id)
        self.mode = "detail"

    @entity_event("read")
    def open_record(self, row_id: str):
        """The detail card of one record with its related records (scope checked on the server)."""
        self._open(self._record_id(row_id))

    @entity_event("read")
    def back(self):
        self.mode = "list"
        self.form_errors = {}
        self.form_message = ""
        self._fetch()

    # ---------------------------------------------------------------- form

    def _load_pickers(self, principal: Principal, shown: dict[str, str]) -> None:
        options: dict[str, list[dict[str, str]]] = {}
        with db.session() as s:
            for name in self.spec.form_fields(creating=True):
                f = self.spec.fields[name]
                if f.widget == "fk":
                    chosen = shown.get(name, "")
                    options[name] = listing.picker_options(
                        s,
                        principal,
                        f.fk_table,  # type: ignore[arg-type]
                        principal.language,
                        include=int(chosen) if chosen.isdigit() else None,
                    )
        self.fk_options = options

    @entity_event("write")
    def new_record(self):
        principal = current()
        with db.session():
            self.form = values.form_values(self.spec, None)
        self._load_pickers(principal, self.form)
        self.editing_id = ""
        self._editing_version = 0
        self.form_errors = {}
        self.form_message = ""
        self.form_key += 1
        self.mode = "form"

    @entity_event("write")
    def edit_record(self, row_id: str):
        principal = current()
        record_id = self._record_id(row_id)
        with db.session() as s:
            try:
                row = writes.get_record(s, self.spec, principal, record_id, live=True)
            except RecordNotFound:
                return rx.toast.error(t("error.not_found", principal.language))
            except OutOfScope as exc:
                raise Forbidden(str(exc)) from exc
            self.form = values.form_values(self.spec, row)
            self._editing_version = row.version
            self.detail_title = self.spec.profile.label(row, principal.language)
        self._load_pickers(principal, self.form)
        self.editing_id = str(record_id)
        self.form_errors = {}
        self.form_message = ""
        self.form_key += 1
        self.mode = "form"
        return None

    @entity_event("write")
    def search_options(self, name: str, text: str):
        """Refill one foreign-key picker with the rows matching `text` (pupils, guardians)."""
        pickers = [n for n in self.spec.form_fields(creating=True) if self.spec.fields[n].widget == "fk"]
        name = inputs.choice(name, pickers, "field")
        text = inputs.search_text(text, MAX_SEARCH)
        principal = current()
        chosen = self.form.get(name, "")
        with db.session() as s:
            options = listing.picker_options(
                s,
                principal,
                self.spec.fields[name].fk_table,  # type: ignore[arg-type]
                principal.language,
                search=text,
                include=int(chosen) if chosen.isdigit() else None,
            )
        self.fk_options = {**self.fk_options, name: options}

    def _form_limits(self, creating: bool) -> dict[str, int]:
        """The fields the form on screen sends, each with its length limit (anything else is refused)."""
        limits = {}
        for name in self.spec.form_fields(creating):
            f = self.spec.fields[name]
            limits[name] = 256 if f.widget == "password" else (f.max_length or 40) + 20
        return limits

    @entity_event("write")
    def save(self, form_data: dict):
        """Create or update from the submitted form; problems are shown beside their fields."""
        principal = current()
        lang = principal.language
        creating = not self.editing_id
        raw = inputs.form(form_data, self._form_limits(creating))
        raw = {k: ("" if v == NONE_VALUE else v) for k, v in raw.items()}
        try:
            with db.session(write=True) as s:
                if creating:
                    row = writes.create(s, self.spec, principal, raw)
                else:
                    row = writes.update(s, self.spec, principal, int(self.editing_id), raw, self._editing_version)
                record_id = row.id
        except RecordInvalid as exc:
            self.form = {k: str(raw.get(k, self.form.get(k, ""))) for k in self.form}
            self.form_errors = _error_texts(exc.errors, lang)
            self.form_message = self.form_errors.pop("", "") or t("admin.form_invalid", lang)
            return None
        except StaleRecord:
            self.form_message = t("admin.stale", lang)
            return rx.toast.error(t("admin.stale", lang))
        except RecordNotFound:
            return rx.toast.error(t("error.not_found", lang))
        except OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
        self.form_errors = {}
        self.form_message = ""
        self.editing_id = ""
        self._forget_count()
        self._open(record_id)
        return rx.toast.success(t("admin.created" if creating else "admin.saved", lang))

    # -------------------------------------------------------- delete, restore

    @entity_event("write")
    def ask_delete(self, row_id: str):
        principal = current()
        record_id = self._record_id(row_id)
        with db.session() as s:
            try:
                row = writes.get_record(s, self.spec, principal, record_id, live=True)
            except RecordNotFound:
                return None
            except OutOfScope as exc:
                raise Forbidden(str(exc)) from exc
            self.delete_name = self.spec.profile.label(row, principal.language)
        self.delete_id = str(record_id)
        self.delete_reason = ""
        self.delete_error = ""
        return None

    @entity_event("write")
    def set_delete_reason(self, value: str):
        self.delete_reason = inputs.text(value, 300, "reason", multiline=True)

    @entity_event("write")
    def cancel_delete(self):
        self.delete_id = ""
        self.delete_error = ""

    @entity_event("write")
    def confirm_delete(self):
        """Soft-delete the record asked about, with the reason typed (required, audited)."""
        if not self.delete_id:
            return None
        principal = current()
        lang = principal.language
        try:
            with db.session(write=True) as s:
                writes.soft_delete(s, self.spec, principal, int(self.delete_id), self.delete_reason)
        except RecordInvalid as exc:
            self.delete_error = " ".join(_error_texts(exc.errors, lang).values())
            return None
        except (RecordNotFound, StaleRecord):
            self.delete_error = t("admin.stale", lang)
            return None
        except OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
        deleted = self.delete_id
        self.delete_id = ""
        self.selected = [i for i in self.selected if i != deleted]
        if self.mode == "detail" and self.detail_id == deleted:
            self._open(int(deleted))
        self._forget_count()
        self._fetch()
        return rx.toast.success(t("admin.deleted", lang))

    @entity_event("write")
    def restore_record(self, row_id: str):
        principal = current()
        record_id = self._record_id(row_id)
        try:
            with db.session(write=True) as s:
                writes.restore(s, self.spec, principal, record_id)
        except RecordInvalid as exc:
            return rx.toast.error(" ".join(_error_texts(exc.errors, principal.language).values()))
        except (RecordNotFound, StaleRecord):
            return rx.toast.error(t("admin.stale", principal.language))
        except OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
        if self.mode == "detail" and self.detail_id == str(record_id):
            self._open(record_id)
        self._forget_count()
        self._fetch()
        return rx.toast.success(t("admin.restored", principal.language))

    # --------------------------------------------------------------- import

    def _reset_import(self) -> None:
        self.import_errors = []
        self.import_error_count = 0
        self.import_message = ""
        self.import_ready = False
        self.import_done = False
        self.import_file_name = ""
        self.credentials_count = 0
        for path in (self._import_path, self._report_path, self._credentials_path):
            if path:
                Path(path).unlink(missing_ok=True)
        self._import_path = ""
        self._report_path = ""
        self._credentials_path = ""

    @entity_event("write")
    def open_import(self):
        if not self.spec.importable:
            return
        self._reset_import()
        self.mode = "import"

    @entity_event("write")
    def download_template(self):
        lang = self._lang()
        data = imports.template(self.spec, lang)
        return rx.download(data=data, filename=f"{t(self.spec.title_key, lang)}.xlsx")

    def _show_result(self, result: imports.ImportResult, lang: str) -> None:
        self.import_errors = [e.as_dict() for e in result.errors[:MAX_REPORT_ROWS]]
        self.import_error_count = len(result.errors)
        self.import_message = imports.summary(result, lang)
        if result.errors:
            _token, path = downloads.new_file("xlsx")
            path.write_bytes(imports.error_report(result, lang))
            self._report_path = str(path)

    @entity_event("write")
    async def upload_import(self, files: list[rx.UploadFile]):
        """Receive the file, keep it privately, and check it whole (a dry run: nothing written)."""
        principal = current()
        lang = principal.language
        self._reset_import()
        if not files:
            self.import_message = t("admin.import.no_file", lang)
            return
        upload = files[0]
        # One byte over the limit is enough for the import to say the file is too large.
        data = await upload.read(sheets.MAX_FILE_BYTES + 1)
        _token, path = downloads.new_file("upload")
        path.write_bytes(data)
        self._import_path = str(path)
        self.import_file_name = str(upload.name or "")[:120]
        spec, file_name = self.spec, self.import_file_name

        def check() -> imports.ImportResult:
            with db.session(write=True) as s:
                return imports.run(s, spec, principal, data, file_name, lang=lang, dry_run=True)

        result = await asyncio.to_thread(check)  # a big file's check holds this tab, not the server
        self._show_result(result, lang)
        self.import_ready = result.ok

    @entity_event("write")
    async def commit_import(self):
        """Import the checked file: every row in one transaction, or nothing. The work runs in a
        thread, so a long import (accounts: an argon2id hash each, ~0.1 s) holds only this tab,
        not the server's other users."""
        principal = current()
        lang = principal.language
        if not self._import_path or not Path(self._import_path).exists():
            self.import_message = t("admin.import.no_file", lang)
            return None
        data = Path(self._import_path).read_bytes()
        spec, file_name = self.spec, self.import_file_name

        def work() -> imports.ImportResult:
            with db.session(write=True) as s:
                return imports.run(s, spec, principal, data, file_name, lang=lang)

        result = await asyncio.to_thread(work)
        self._show_result(result, lang)
        self.import_ready = False
        self.import_done = result.written
        if result.written and result.credentials:
            # The one-time passwords exist only in this private file, for this importer, until he
            # downloads it, leaves the import or an hour passes (downloads.sweep).
            _token, path = downloads.new_file("xlsx")
            path.write_bytes(imports.credentials_sheet(result, lang))
            path.chmod(0o600)
            self._credentials_path = str(path)
            self.credentials_count = len(result.credentials)
        if result.written:
            Path(self._import_path).unlink(missing_ok=True)
            self._import_path = ""
            self._forget_count()
            self._fetch()
            return rx.toast.success(self.import_message)
        return None

    @entity_event("write")
    def download_credentials(self):
        """The sheet of the accounts the import made with their one-time passwords: handed over
        once (the file is removed as it is sent) and audited."""
        path = Path(self._credentials_path) if self._credentials_path else None
        if path is None or not path.exists():
            return None
        principal = current()
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        self._credentials_path = ""
        with db.session(write=True) as s:
            audit.record(
                s,
                principal,
                "export",
                self.spec.table,
                None,
                new=f"credentials sheet: {self.credentials_count} new accounts",
                school_id=principal.school_id,
            )
        self.credentials_count = 0
        lang = principal.language
        return rx.download(data=data, filename=f"{t('import.users.sheet', lang)}.xlsx")

    @entity_event("write")
    def download_report(self):
        if not self._report_path or not Path(self._report_path).exists():
            return None
        lang = self._lang()
        return rx.download(
            data=Path(self._report_path).read_bytes(), filename=f"{t('admin.import.report_sheet', lang)}.xlsx"
        )

    # --------------------------------------------------------------- export

    @entity_event("export")
    def set_export_purpose(self, value: str):
        """Why personal data is being exported (typed next to the export buttons; audited with it)."""
        self.export_purpose = inputs.text(value, marking.PURPOSE_MAX, "purpose")
        self.export_error = ""

    @entity_event("export", background=True)
    async def export_file(self, fmt: str):
        """Write the filtered list (or the selected rows) to a private file, then download it
        through the authorized route; progress is shown while it is written. A personal-data
        entity needs a purpose first: without one nothing is written."""
        fmt = inputs.choice(fmt, exports.FORMATS, "format")
        principal = current()
        lang = principal.language
        refused = ""
        async with self:
            if self.export_busy:
                return
            purpose = self.export_purpose
            if exports.is_personal(self.spec):
                try:
                    marking.clean_purpose(purpose)
                except marking.ExportInvalid as exc:
                    refused = t(exc.key, lang, **exc.params)
                    self.export_url = ""
                    self.export_message = ""
                    self.export_error = refused
            if not refused:
                self.export_busy = True
                self.export_url = ""
                self.export_error = ""
                self.export_message = t("admin.exporting", lang, done=0, total="…")
            search, filters, deleted = self.search, dict(self.filters), self.show_deleted
            ids = [int(i) for i in self.selected if i.isdigit()]
        if refused:
            yield rx.toast.error(refused)  # outside the lock: a yield there would hold the state
            return
        token, path = downloads.new_file(fmt)
        counter = {"done": 0}

        def work() -> int:
            # A write unit: the export's audit event is written in the same transaction.
            with db.session(write=True) as s:
                return exports.export(
                    s,
                    self.spec,
                    principal,
                    path,
                    fmt=fmt,
                    search=search,
                    filters=filters,
                    ids=ids,
                    deleted=deleted,
                    lang=lang,
                    progress=lambda n: counter.__setitem__("done", n),
                    purpose=purpose,
                )

        task = asyncio.ensure_future(asyncio.to_thread(work))
        while not task.done():
            await asyncio.sleep(0.3)
            async with self:
                self.export_message = t("admin.exporting", lang, done=counter["done"], total="…")
        try:
            count = task.result()
        except marking.ExportInvalid as exc:
            path.unlink(missing_ok=True)
            async with self:
                self.export_busy = False
                self.export_message = ""
                self.export_error = t(exc.key, lang, **exc.params)
            return
        except Exception:
            path.unlink(missing_ok=True)
            async with self:
                self.export_busy = False
                self.export_message = t("error.generic", lang)
            return
        name = exports.file_name(self.spec, fmt, lang)
        downloads.publish(token, user_id=principal.user_id, permission=self.spec.permission("export"), filename=name)
        url = downloads.url(token)
        async with self:
            self.export_busy = False
            self.export_url = url
            self.export_message = t("admin.export_ready", lang, count=count)
        yield rx.download(url=url, filename=name)
