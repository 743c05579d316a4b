"""Read-only directories: pupils, classes, staff and user accounts, one page of rows in state."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import Column, data_table, pager
from bbbms_app.i18n import translations
from bbbms_app.models.people import POSITIONS
from bbbms_app.services import directory

MAX_SEARCH = 100


class PagedList(rx.State, mixin=True):
    """Search and paging shared by the directory pages; each subclass defines `_fetch()` for one page."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""

    page_size: ClassVar[int] = 25

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def _offset(self) -> int:
        return (self.page - 1) * self.page_size

    def _set_search(self, value: str) -> None:
        self.search = str(value)[:MAX_SEARCH]
        self.page = 1
        self._fetch()

    def _turn(self, delta: int) -> None:
        self.page = max(1, min(self.pages, self.page + delta))
        self._fetch()


class PupilListState(PagedList, rx.State):
    """The pupils the signed-in user may see."""

    class_id: str = ""
    class_options: list[dict[str, str]] = []

    def _fetch(self) -> None:
        principal = current()
        lang = principal.language
        with db.session() as s:
            cid = int(self.class_id) if self.class_id.isdigit() else None
            page = directory.pupils(
                s, principal, search=self.search, class_id=cid, offset=self._offset(), limit=self.page_size, lang=lang
            )
        self.rows, self.total = page.rows, page.total

    @rx.event
    @requires("pupil.read")
    def load(self):
        with db.session() as s:
            self.class_options = directory.class_options(s, current())
        self._fetch()

    @rx.event
    @requires("pupil.read")
    def set_search(self, value: str):
        self._set_search(value)

    @rx.event
    @requires("pupil.read")
    def set_class(self, value: str):
        value = str(value)
        self.class_id = value if value in {o["id"] for o in self.class_options} else ""
        self.page = 1
        self._fetch()

    @rx.event
    @requires("pupil.read")
    def next_page(self):
        self._turn(1)

    @rx.event
    @requires("pupil.read")
    def prev_page(self):
        self._turn(-1)


class StaffListState(PagedList, rx.State):
    """The school's staff."""

    def _fetch(self) -> None:
        with db.session() as s:
            page = directory.staff(s, current(), search=self.search, offset=self._offset(), limit=self.page_size)
        self.rows, self.total = page.rows, page.total

    @rx.event
    @requires("staff.read")
    def load(self):
        self._fetch()

    @rx.event
    @requires("staff.read")
    def set_search(self, value: str):
        self._set_search(value)

    @rx.event
    @requires("staff.read")
    def next_page(self):
        self._turn(1)

    @rx.event
    @requires("staff.read")
    def prev_page(self):
        self._turn(-1)


class UserListState(PagedList, rx.State):
    """User accounts of the school."""

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            page = directory.users(
                s, principal, search=self.search, offset=self._offset(), limit=self.page_size, lang=principal.language
            )
        self.rows, self.total = page.rows, page.total

    @rx.event
    @requires("user.read")
    def load(self):
        self._fetch()

    @rx.event
    @requires("user.read")
    def set_search(self, value: str):
        self._set_search(value)

    @rx.event
    @requires("user.read")
    def next_page(self):
        self._turn(1)

    @rx.event
    @requires("user.read")
    def prev_page(self):
        self._turn(-1)


class ClassListState(rx.State):
    """Classes of the current year."""

    rows: list[dict[str, str]] = []

    @rx.event
    @requires("class.read")
    def load(self):
        with db.session() as s:
            self.rows = directory.classes(s, current()).rows


def _search_box(state: type[PagedList]) -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        placeholder=tr("list.search"),
        value=state.search,
        on_change=state.set_search.debounce(300),  # type: ignore[attr-defined]
        size="3",
        width="100%",
        max_width="420px",
        data_testid="search",
    )


def _translated(prefix: str, values: tuple[str, ...]) -> Callable[[rx.Var, str], rx.Component]:
    table = {v: translations(f"{prefix}.{v}") for v in values}

    def render(row: rx.Var, key: str) -> rx.Component:
        return rx.text(rx.Var.create(table).to(dict)[row[key]].to(dict)[AuthState.lang].to(str))

    return render


_sex = _translated("sex", ("m", "f"))
_position = _translated("position", POSITIONS)
_role = _translated(
    "role", ("administrator", "director", "deputy", "teacher", "class_teacher", "clerk", "parent", "pupil")
)
_yes_no = {"yes": translations("yes"), "no": translations("no")}


def _pupils_body() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _search_box(PupilListState),
            rx.select.root(
                rx.select.trigger(placeholder=tr("list.all_classes")),
                rx.select.content(
                    rx.foreach(PupilListState.class_options, lambda o: rx.select.item(o["name"], value=o["id"]))
                ),
                value=PupilListState.class_id,
                on_change=PupilListState.set_class,
                size="3",
            ),
            width="100%",
            wrap="wrap",
        ),
        data_table(
            PupilListState.rows,
            [
                Column("name", "col.name"),
                Column("class_name", "col.class"),
                Column("birth_date", "col.birth_date", hide_on_phone=True),
                Column("sex", "col.sex", render=lambda r: _sex(r, "sex"), hide_on_phone=True),  # type: ignore[operator]
                Column("pin", "col.pin", hide_on_phone=True),
                Column("alpha_book_no", "col.alpha_book_no", hide_on_phone=True),
            ],
            testid="pupils-table",
        ),
        pager(
            PupilListState.page,
            PupilListState.pages,
            PupilListState.total,
            PupilListState.prev_page,
            PupilListState.next_page,
        ),
        width="100%",
        spacing="3",
    )


def _staff_body() -> rx.Component:
    return rx.vstack(
        _search_box(StaffListState),
        data_table(
            StaffListState.rows,
            [
                Column("name", "col.name"),
                Column("position", "col.position", render=lambda r: _position(r, "position")),  # type: ignore[operator]
                Column("phone", "col.phone", hide_on_phone=True),
            ],
            testid="staff-table",
        ),
        pager(
            StaffListState.page,
            StaffListState.pages,
            StaffListState.total,
            StaffListState.prev_page,
            StaffListState.next_page,
        ),
        width="100%",
        spacing="3",
    )


def _users_body() -> rx.Component:
    yes_no = rx.Var.create(_yes_no).to(dict)
    return rx.vstack(
        _search_box(UserListState),
        data_table(
            UserListState.rows,
            [
                Column("username", "col.username"),
                Column("name", "col.name", hide_on_phone=True),
                Column("role", "col.role", render=lambda r: _role(r, "role")),  # type: ignore[operator]
                Column(
                    "active",
                    "col.active",
                    render=lambda r: rx.text(yes_no[r["active"]].to(dict)[AuthState.lang].to(str)),
                ),
                Column("last_login", "col.last_login", hide_on_phone=True),
            ],
            testid="users-table",
        ),
        pager(
            UserListState.page,
            UserListState.pages,
            UserListState.total,
            UserListState.prev_page,
            UserListState.next_page,
        ),
        width="100%",
        spacing="3",
    )


def _classes_body() -> rx.Component:
    return data_table(
        ClassListState.rows,
        [
            Column("class_name", "col.class"),
            Column("class_teacher", "col.class_teacher"),
            Column("pupils", "col.pupils"),
            Column("language", "col.language", render=lambda r: rx.text(_lang_name(r["language"])), hide_on_phone=True),
            Column("shift", "col.shift", hide_on_phone=True),
        ],
        testid="classes-table",
    )


def _lang_name(code: rx.Var) -> rx.Var:
    table = {c: translations(f"lang.{c}") for c in ("ky", "ru", "en")}
    return rx.Var.create(table).to(dict)[code].to(dict)[AuthState.lang].to(str)


pupils_page = page_shell("nav.pupils", _pupils_body)
staff_page = page_shell("nav.staff", _staff_body)
users_page = page_shell("nav.users", _users_body)
classes_page = page_shell("nav.classes", _classes_body)
