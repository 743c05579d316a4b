"""The State class of every entity's generated screen: CrudMixin with the entity's spec.

Entities whose screen does more than the generated one (a pupil's guardians, an account's password
reset) have an explicit class here, with their own handlers and the extra view (`_extra_view`)
drawn on their detail card. Every other entity's class is made from the registry by `state_of()`,
named after the entity (`class` → ClassAdminState), so state names stay stable across workers and
a new entity needs no line here.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.admin.pupil_movement import CARD_KINDS, pupil_movement_tools
from bbbms_app.admin.state import MAX_SEARCH, CrudMixin
from bbbms_app.admin.state_base import entity_event
from bbbms_app.admin.views import NO_PRINT
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.i18n import t
from bbbms_app.models import User
from bbbms_app.models.people import RELATIONS
from bbbms_app.services import accounts as account_service
from bbbms_app.services import movement as card_movement
from bbbms_app.services import passwords, places
from bbbms_app.services.engine import listing, writes
from bbbms_app.services.engine.profiles import guardian as guardians
from bbbms_app.services.engine.registry import ENTITIES
from bbbms_app.services.engine.spec import EntitySpec
from bbbms_app.services.errors import OutOfScope, Refused


class PupilAdminState(CrudMixin, rx.State):
    """Pupils, and on the pupil's card the guardians linked to him with their relation."""

    spec: ClassVar[EntitySpec] = ENTITIES.get("pupil")

    guardian_options: list[dict[str, str]] = []
    can_link: bool = False
    # The card's movement form (admin/pupil_movement.py): arrival / class change / departure.
    can_move: bool = False
    mv_enrolled: bool = False
    mv_kind: str = ""
    mv_date: str = ""
    mv_orders: list[dict[str, str]] = []
    mv_classes: list[dict[str, str]] = []
    mv_categories: list[dict[str, str]] = []
    mv_places: list[dict[str, str]] = []
    mv_error: str = ""
    mv_key: int = 0

    def _pupil_id(self) -> int:
        if not self.detail_id.isdigit():
            raise OutOfScope("no pupil open")
        pupil_id = int(self.detail_id)
        with db.session() as s:
            if not listing.in_scope(s, "pupil", current(), pupil_id):
                raise OutOfScope(f"pupil {pupil_id}")
        return pupil_id

    def _refresh_guardians(self, pupil_id: int) -> None:
        with db.session() as s:
            self.related = {**self.related, "guardians": guardians.pupil_guardians(s, pupil_id, current().language)}

    @rx.event
    @requires("pupil.read")
    def open_record(self, row_id: str):
        """The pupil's card; also whether this user may link guardians to him."""
        self._open(self._record_id(row_id))
        self.can_link = current().can("guardian.write")
        self.guardian_options = []
        self._movement_card()

    def _movement_card(self) -> None:
        principal = current()
        self.can_move = principal.can("movement.write") and self.detail_id.isdigit()
        self.mv_kind, self.mv_error = "", ""
        if self.can_move:
            with db.session() as s:
                self.mv_enrolled = card_movement.enrolled_class(s, int(self.detail_id), date.today()) is not None

    @rx.event
    @requires("movement.write")
    def start_movement(self, kind: str):
        """The movement form with this pupil and `kind` filled in."""
        kind = inputs.choice(kind, CARD_KINDS, "kind")
        self._pupil_id()
        principal = current()
        lang = principal.language
        with db.session() as s:
            self.mv_orders = listing.picker_options(s, principal, "order", lang)
            self.mv_classes = listing.picker_options(s, principal, "schoolclass", lang)
        prefix = "place.category" if kind == "arrival" else "place.to"
        self.mv_categories = [{"id": c, "label": t(f"{prefix}.{c}", lang)} for c in places.CATEGORIES]
        self.mv_places = []
        self.mv_date = date.today().isoformat()
        self.mv_kind, self.mv_error = kind, ""
        self.mv_key += 1

    @rx.event
    @requires("movement.write")
    def set_mv_category(self, value: str):
        category = inputs.choice(value, places.CATEGORIES, "category")
        lang = current().language
        self.mv_places = [
            {"id": code, "label": places.name(code, lang)}
            for code in places.CODES
            if places.fits(category, code) and category != "same_rayon"
        ]

    @rx.event
    @requires("movement.write")
    def cancel_movement(self):
        self.mv_kind, self.mv_error = "", ""

    @rx.event
    @requires("movement.write")
    def save_movement(self, form_data: dict):
        form = inputs.form(
            form_data,
            {"date": 10, "order_id": 12, "to_class_id": 12, "category": 12, "place": 40, "school": 300, "reason": 300},
        )
        kind = inputs.choice(self.mv_kind, CARD_KINDS, "kind")
        pupil_id = self._pupil_id()
        side = "from" if kind == "arrival" else "to"
        values = {
            "pupil_id": pupil_id,
            "kind": kind,
            "date": inputs.school_date(form.get("date", ""), "date"),
            "order_id": inputs.optional_id(form.get("order_id") or None, "order_id"),
            "to_class_id": inputs.optional_id(form.get("to_class_id") or None, "to_class_id")
            if kind != "departure"
            else None,
            "reason": form.get("reason", ""),
        }
        if kind != "transfer_in_school":
            values |= {
                f"{side}_category": form.get("category", ""),
                f"{side}_place": form.get("place", ""),
                f"{side}_school": form.get("school", ""),
            }
        principal = current()
        try:
            with db.session(write=True) as s:
                card_movement.record(s, principal, values)
        except Refused as exc:  # shown in the form, beside nothing else written
            self.mv_error = exc.message(principal.language)
            return None
        self._open(pupil_id)
        self._movement_card()
        return rx.toast.success(t("movement.card.done", principal.language))

    @rx.event
    @requires("guardian.write")
    def find_guardians(self, text: str):
        """Guardians of the school matching `text`, to link to the open pupil."""
        text = inputs.search_text(text, MAX_SEARCH)
        self._pupil_id()
        principal = current()
        with db.session() as s:
            self.guardian_options = listing.picker_options(s, principal, "guardian", principal.language, search=text)

    @rx.event
    @requires("guardian.write")
    def link_guardian(self, form_data: dict):
        form = inputs.form(form_data, {"guardian_id": 12, "relation": 20})
        guardian_id = inputs.record_id(form["guardian_id"], "guardian_id")
        relation = inputs.choice(form["relation"], RELATIONS, "relation")
        pupil_id = self._pupil_id()
        principal = current()
        try:
            with db.session(write=True) as s:
                guardians.link_guardian(s, principal, pupil_id, guardian_id, relation)
        except (writes.RecordNotFound, writes.RecordInvalid):
            return rx.toast.error(t("admin.error.reference", principal.language))
        self._refresh_guardians(pupil_id)
        self.guardian_options = []
        return rx.toast.success(t("admin.linked", principal.language))

    @rx.event
    @requires("guardian.write")
    def unlink_guardian(self, link_id: str):
        link = inputs.record_id(link_id, "link_id")
        pupil_id = self._pupil_id()
        principal = current()
        try:
            with db.session(write=True) as s:
                guardians.unlink_guardian(s, principal, pupil_id, link)
        except writes.RecordNotFound:
            return None
        self._refresh_guardians(pupil_id)
        return rx.toast.success(t("admin.unlinked", principal.language))

    @classmethod
    def _extra_view(cls) -> rx.Component:
        return rx.fragment(pupil_movement_tools(cls), pupil_guardian_tools(cls))


class UserAdminState(CrudMixin, rx.State):
    """Accounts: no password hash ever reaches the state; an administrator sets initial passwords."""

    spec: ClassVar[EntitySpec] = ENTITIES.get("user")

    password_error: str = ""

    # Account creation hashes the new password with argon2id (the form's: once; an import's: once
    # per account): on this screen the save and the import are background events, so the hash runs
    # in a worker thread while the tab's state is *not* locked (as the sign-in, auth/state.py).
    # The guard (entity_event: `user.write`) checks the role first; the scope and the role rules
    # are checked by the writes in the thread (accounts.create_user, action_refusal).
    @entity_event("write", background=True)
    async def save(self, form_data: dict):
        """Create or update an account from the form (a background event, see above)."""
        job = self._save_job(form_data)
        outcome = await asyncio.to_thread(job.run)
        async with self:
            return self._save_shown(job, outcome)

    @entity_event("write", background=True)
    async def commit_import(self):
        """Import the checked file of accounts (a background event, see above)."""
        async with self:
            work = self._import_work()
        if work is None:
            return None
        result = await asyncio.to_thread(work)
        async with self:
            return self._import_shown(result)

    @rx.event(background=True)
    @requires("user.write")
    async def reset_password(self, form_data: dict):
        """Give the open account a new initial password (every session of it closed), or file it
        for the director's approval when the account is out of the user's reach (services.accounts).

        A background event, as the sign-in: the argon2id hash runs in a worker thread while the
        tab's state is *not* locked (the tab's other events go on), and only the outcome is written
        under the lock. The guard checked `user.write`; the account's scope is checked in the
        thread (`writes.get_record` for this principal, then `accounts.reset_password`'s rules)."""
        principal = current()
        detail_id = self.detail_id
        if not detail_id.isdigit():
            return None
        password = inputs.form(form_data, {"password": 256})["password"]
        try:
            outcome = await asyncio.to_thread(_reset_password, self.spec, principal, int(detail_id), password)
        except passwords.PasswordRejected as exc:
            async with self:
                self.password_error = t(exc.key, principal.language, **exc.params)
            return None
        except account_service.AccountError as exc:
            raise OutOfScope(exc.key) from exc
        if outcome is None:
            return rx.toast.error(t("error.not_found", principal.language))
        async with self:
            self.password_error = ""
        done = "admin.password_reset_done" if outcome == "done" else "accounts.request_filed"
        return rx.toast.success(t(done, principal.language))

    @rx.event
    @requires("rights.write")
    def end_sessions(self):
        """The director ends every session of the open account (audited)."""
        principal = current()
        if not self.detail_id.isdigit():
            return None
        with db.session(write=True) as s:
            user = self._account(s, principal)
            if user is None:
                return rx.toast.error(t("error.not_found", principal.language))
            try:
                n = account_service.end_sessions(s, principal, user)
            except account_service.AccountError as exc:
                raise OutOfScope(exc.key) from exc
        return rx.toast.success(t("accounts.sessions_ended", principal.language, n=n))

    def _account(self, s, principal) -> User | None:
        try:
            user = writes.get_record(s, self.spec, principal, int(self.detail_id), live=True)
        except writes.RecordNotFound:
            return None
        assert isinstance(user, User)
        return user

    @classmethod
    def _extra_view(cls) -> rx.Component:
        return user_password_tools(cls)


def _reset_password(spec: EntitySpec, principal, user_id: int, password: str) -> str | None:
    """The reset's database and argon2 work (a worker thread): its outcome, None for no such account."""
    with db.session(write=True) as s:
        try:
            user = writes.get_record(s, spec, principal, user_id, live=True)
        except writes.RecordNotFound:
            return None
        return account_service.reset_password(s, principal, user, password)


def pupil_guardian_tools(state: type[PupilAdminState]) -> rx.Component:
    """On a pupil's card: unlink a guardian, or find one and link him with the relation."""
    unlink_rows = rx.foreach(
        state.related["guardians"],
        lambda g: rx.hstack(
            rx.text(g["name"], size="2"),
            rx.button(
                rx.icon("unlink", size=14),
                tr("admin.unlink"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=state.unlink_guardian(g["link_id"]),
                data_testid="unlink-guardian",
            ),
            align="center",
            spacing="2",
        ),
    )
    link_form = rx.form(
        rx.vstack(
            rx.input(
                placeholder=tr("admin.find_guardian"),
                on_change=state.find_guardians.debounce(300),  # type: ignore[attr-defined]
                width="100%",
                data_testid="find-guardian",
            ),
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="—", min_width="220px", data_testid="link-guardian-id"),
                    rx.select.content(
                        rx.foreach(state.guardian_options, lambda o: rx.select.item(o["label"], value=o["id"]))
                    ),
                    name="guardian_id",
                ),
                rx.select.root(
                    rx.select.trigger(min_width="140px", data_testid="link-relation"),
                    rx.select.content(*[rx.select.item(tr(f"admin.relation.{r}"), value=r) for r in RELATIONS]),
                    name="relation",
                    default_value="mother",
                ),
                rx.button(
                    rx.icon("link", size=14), tr("admin.link_guardian"), type="submit", data_testid="link-guardian"
                ),
                wrap="wrap",
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.link_guardian,
        reset_on_submit=True,
        width="100%",
    )
    return rx.cond(
        state.can_link & ~state.detail_deleted,
        rx.card(
            rx.vstack(
                rx.heading(tr("admin.link_guardian"), size="3"),
                unlink_rows,
                link_form,
                spacing="3",
                width="100%",
            ),
            width="100%",
            class_name=NO_PRINT,
        ),
    )


def user_password_tools(state: type[UserAdminState]) -> rx.Component:
    return rx.cond(
        state.can_write & ~state.detail_deleted,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("admin.reset_password"), size="3"),
                    rx.text(tr("admin.new_password"), size="2"),
                    rx.input(
                        name="password",
                        type="password",
                        auto_complete="new-password",
                        width="100%",
                        max_width="320px",
                        data_testid="reset-password",
                    ),
                    rx.cond(state.password_error != "", rx.text(state.password_error, color_scheme="red", size="2")),
                    rx.button(tr("admin.reset_password"), type="submit", data_testid="reset-password-submit"),
                    spacing="2",
                ),
                on_submit=state.reset_password,
                reset_on_submit=True,
            ),
            rx.cond(
                AuthState.perms.contains("rights.write"),
                rx.button(
                    tr("accounts.end_sessions"),
                    on_click=state.end_sessions,
                    color_scheme="red",
                    variant="soft",
                    margin_top="12px",
                    data_testid="end-sessions",
                ),
            ),
            width="100%",
            class_name=NO_PRINT,
        ),
    )


def class_name(spec: EntitySpec) -> str:
    """The State class name of an entity's screen: `teaching_assignment` → TeachingAssignmentAdminState."""
    return "".join(part.capitalize() for part in spec.name.split("_")) + "AdminState"


_STATES: dict[str, type[CrudMixin]] = {
    PupilAdminState.spec.name: PupilAdminState,
    UserAdminState.spec.name: UserAdminState,
}


def state_of(spec: EntitySpec) -> type[CrudMixin]:
    """The State class of `spec`'s screen (made, once, from the spec when no explicit one exists)."""
    if spec.name not in _STATES:
        name = class_name(spec)
        _STATES[spec.name] = globals()[name] = type(
            name,
            (CrudMixin, rx.State),
            {"__module__": __name__, "__annotations__": {"spec": ClassVar[EntitySpec]}, "spec": spec},
        )
    return _STATES[spec.name]


for _spec in ENTITIES:
    state_of(_spec)
