"""The list part of a generated screen's state: one page of display-ready rows, search, filters,
sort, keyset paging with a cached total, the deleted toggle, selection and the printed heading."""

import json
import time
from datetime import datetime
from typing import Any

import reflex as rx

from bbbms_app import db
from bbbms_app.admin.state_base import (
    COUNT_TTL,
    MAX_SEARCH,
    MAX_SELECTED,
    NONE_VALUE,
    EntityState,
    entity_event,
)
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current
from bbbms_app.i18n import t
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import listing
from bbbms_app.services.errors import OutOfScope
from bbbms_app.services.school import current_year


class ListPart(EntityState, mixin=True):
    """List, search, sort, filter, page, select, print."""

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
    print_note: str = ""  # printed above the list: which list, filter, search, sort
    print_stamp: str = ""  # printed too: when and by whom
    _first: list = []
    _last: list = []
    _count_for: str = ""
    _count: int = 0
    _count_at: float = 0.0

    # ---------------------------------------------------------------- list

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

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
        for name, value in self.spec.profile.default_filters.items():
            if name not in self.filters:
                self.filters = {**self.filters, name: value}
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
            raise OutOfScope(f"{self.spec.fields[name].fk_table or name} {value}")
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
