"""The record part of a generated screen's state: the detail card, the form (create and edit, with
its pickers and field errors), delete with a reason and restore."""

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

import reflex as rx

from bbbms_app import db
from bbbms_app.admin.state_base import (
    MAX_SEARCH,
    NONE_VALUE,
    EntityState,
    _error_texts,
    entity_event,
)
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current
from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import listing, values, writes
from bbbms_app.services.engine.writes import RecordInvalid, RecordNotFound, StaleRecord


class RecordPart(EntityState, mixin=True):
    """Open, create, edit, delete and restore one record."""

    form: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    form_message: str = ""
    # Warnings beside fields (a PIN that disagrees with the birth date): the same save again confirms them.
    form_warnings: dict[str, str] = {}
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
    _editing_version: int = 0
    _warned: str = ""  # the warnings shown for the values as they are now: saving them again confirms

    # -------------------------------------------------------------- detail

    def _open(self, record_id: int) -> None:
        principal = current()
        with db.session() as s:
            try:
                row = writes.get_record(s, self.spec, principal, record_id)
            except RecordNotFound:
                self.mode = "list"
                return
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
        self.form_warnings = {}
        self._warned = ""
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
    async def save(self, form_data: dict):
        """Create or update from the submitted form; problems are shown beside their fields. The
        write runs in a worker thread (the accounts' screen makes it a background event: its
        argon2id hash then holds neither the server nor the tab's lock, admin/states.py)."""
        job = self._save_job(form_data)
        return self._save_shown(job, await asyncio.to_thread(job.run))

    def _save_job(self, form_data: dict) -> "_SaveJob":
        """What the save writes, read from the form and the tab (reads only: a background save
        calls it outside the tab's lock)."""
        creating = not self.editing_id
        raw = inputs.form(form_data, self._form_limits(creating))
        raw = {k: ("" if v == NONE_VALUE else v) for k, v in raw.items()}
        return _SaveJob(self.spec, current(), raw, self.editing_id, self._editing_version, self._warned)

    def _save_shown(self, job: "_SaveJob", outcome: "tuple[int | None, dict] | Exception"):
        """Put the save's outcome into the tab (under its lock): field errors, warnings to confirm,
        or the saved record's card."""
        lang = job.principal.language
        raw = job.raw
        if isinstance(outcome, RecordInvalid):
            self.form = {k: str(raw.get(k, self.form.get(k, ""))) for k in self.form}
            self.form_errors = _error_texts(outcome.errors, lang)
            self.form_warnings = {}
            self.form_message = self.form_errors.pop("", "") or t("admin.form_invalid", lang)
            return None
        if isinstance(outcome, StaleRecord):
            self.form_message = t("admin.stale", lang)
            return rx.toast.error(t("admin.stale", lang))
        if isinstance(outcome, RecordNotFound):
            return rx.toast.error(t("error.not_found", lang))
        assert not isinstance(outcome, Exception)
        record_id, warned = outcome
        if record_id is None:  # warnings not confirmed yet: nothing was written
            self.form = {k: str(raw.get(k, self.form.get(k, ""))) for k in self.form}
            self.form_errors = {}
            self.form_warnings = _error_texts(warned, lang)
            self._warned = _fingerprint(raw, warned)
            self.form_message = t("admin.warnings_confirm", lang)
            return None
        self.form_errors = {}
        self.form_warnings = {}
        self._warned = ""
        self.form_message = ""
        self.editing_id = ""
        self._forget_count()
        self._open(record_id)
        return rx.toast.success(t("admin.created" if job.creating else "admin.saved", lang))

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
        if self.mode == "detail" and self.detail_id == str(record_id):
            self._open(record_id)
        self._forget_count()
        self._fetch()
        return rx.toast.success(t("admin.restored", principal.language))


@dataclass(frozen=True)
class _SaveJob:
    """One form save: the values and what the tab knew when it was sent."""

    spec: Any
    principal: Principal
    raw: dict
    editing_id: str
    version: int
    confirmed: str

    @property
    def creating(self) -> bool:
        return not self.editing_id

    def run(self) -> "tuple[int | None, dict] | Exception":
        """The write (a worker thread): its outcome, or the refusal the form shows in place."""
        try:
            return _write_form(self.spec, self.principal, self.raw, self.editing_id, self.version, self.confirmed)
        except (RecordInvalid, StaleRecord, RecordNotFound) as exc:
            return exc


class _Unconfirmed(Exception):
    """The values carry warnings the user has not confirmed yet: the write is rolled back."""

    def __init__(self, warnings: values.Errors) -> None:
        super().__init__("unconfirmed warnings")
        self.warnings = warnings


def _fingerprint(raw: dict, warnings: values.Errors) -> str:
    """The warnings and the values they were shown for: the same again confirms them."""
    return repr((sorted(raw.items()), sorted(warnings.items())))


def _write_form(spec, principal, raw: dict, editing_id: str, version, confirmed: str) -> tuple[int | None, dict]:
    """The form's create or update in its own transaction (run in a worker thread): (the record's
    id, its warnings), or (None, the warnings) when they differ from those `confirmed` (nothing
    written). Confirmed warnings are audited with the write."""
    try:
        with db.session(write=True) as s:
            if not editing_id:
                row, changed = writes.create(s, spec, principal, raw), None
            else:
                before = s.get(spec.model, int(editing_id))
                old = {k: getattr(before, k) for k in ("pin", "sex", "birth_date") if hasattr(before, k)}
                row = writes.update(s, spec, principal, int(editing_id), raw, version)
                changed = {k for k, v in old.items() if getattr(row, k) != v}
            warned = writes.record_warnings(spec, row.model_dump(), changed)
            if warned and _fingerprint(raw, warned) != confirmed:
                raise _Unconfirmed(warned)
            if warned:
                audit.record(
                    s, principal, "confirm", spec.table, row.id, field=",".join(sorted(warned)),
                    new="; ".join(key for key, _params in warned.values()), pupil_id=spec.profile.pupil_of(row),
                    school_id=getattr(row, "school_id", None),
                )  # fmt: skip
            return row.id, warned
    except _Unconfirmed as exc:
        return None, exc.warnings
