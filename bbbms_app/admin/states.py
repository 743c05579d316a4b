"""One explicit State class per entity: CrudMixin with the entity's spec, plus what only it does.

Explicit classes keep state names stable across workers and let an entity add its own handlers
(a pupil's guardians, an account's password reset) next to the generated ones.
"""

from typing import ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.admin import registry
from bbbms_app.admin.spec import EntitySpec
from bbbms_app.admin.state import MAX_SEARCH, CrudMixin
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import Forbidden, current, requires
from bbbms_app.i18n import t
from bbbms_app.models import User
from bbbms_app.models.people import RELATIONS
from bbbms_app.services import accounts as account_service
from bbbms_app.services import crud, entities, passwords


class SchoolAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.SCHOOLS


class YearAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.YEARS


class TermAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.TERMS


class PolicyAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.POLICIES


class ClassAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.CLASSES


class SubjectAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.SUBJECTS


class AssignmentAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.ASSIGNMENTS


class BellAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.BELLS


class HolidayAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.HOLIDAYS


class StaffAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.STAFF


class GuardianAdminState(CrudMixin, rx.State):
    spec: ClassVar[EntitySpec] = registry.GUARDIANS


class PupilAdminState(CrudMixin, rx.State):
    """Pupils, and on the pupil's card the guardians linked to him with their relation."""

    spec: ClassVar[EntitySpec] = registry.PUPILS

    guardian_options: list[dict[str, str]] = []
    can_link: bool = False

    def _pupil_id(self) -> int:
        if not self.detail_id.isdigit():
            raise Forbidden("no pupil open")
        pupil_id = int(self.detail_id)
        with db.session() as s:
            if not entities.in_scope(s, "pupil", current(), pupil_id):
                raise Forbidden(f"pupil {pupil_id}")
        return pupil_id

    def _refresh_guardians(self, pupil_id: int) -> None:
        with db.session() as s:
            self.related = {**self.related, "guardians": entities.pupil_guardians(s, pupil_id, current().language)}

    @rx.event
    @requires("pupil.read")
    def open_record(self, row_id: str):
        """The pupil's card; also whether this user may link guardians to him."""
        self._open(self._record_id(row_id))
        self.can_link = current().can("guardian.write")
        self.guardian_options = []

    @rx.event
    @requires("guardian.write")
    def find_guardians(self, text: str):
        """Guardians of the school matching `text`, to link to the open pupil."""
        text = inputs.search_text(text, MAX_SEARCH)
        self._pupil_id()
        principal = current()
        with db.session() as s:
            self.guardian_options = entities.picker_options(s, principal, "guardian", principal.language, search=text)

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
                crud.link_guardian(s, principal, pupil_id, guardian_id, relation)
        except (crud.RecordNotFound, crud.RecordInvalid):
            return rx.toast.error(t("admin.error.reference", principal.language))
        except crud.OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
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
                crud.unlink_guardian(s, principal, pupil_id, link)
        except crud.RecordNotFound:
            return None
        except crud.OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
        self._refresh_guardians(pupil_id)
        return rx.toast.success(t("admin.unlinked", principal.language))


class OrderAdminState(CrudMixin, rx.State):
    """The director's orders: the legal ground of each line of the movement book."""

    spec: ClassVar[EntitySpec] = registry.ORDERS


class MovementAdminState(CrudMixin, rx.State):
    """The movement book; creating a record moves the pupil's enrollment (services.movement)."""

    spec: ClassVar[EntitySpec] = registry.MOVEMENTS


class UserAdminState(CrudMixin, rx.State):
    """Accounts: no password hash ever reaches the state; an administrator sets initial passwords."""

    spec: ClassVar[EntitySpec] = registry.USERS

    password_error: str = ""

    @rx.event
    @requires("user.write")
    def reset_password(self, form_data: dict):
        """Give the open account a new initial password (every session of it closed), or file it
        for the director's approval when the account is out of the user's reach (services.accounts)."""
        principal = current()
        if not self.detail_id.isdigit():
            return None
        password = inputs.form(form_data, {"password": 256})["password"]
        with db.session(write=True) as s:
            user = self._account(s, principal)
            if user is None:
                return rx.toast.error(t("error.not_found", principal.language))
            try:
                outcome = account_service.reset_password(s, principal, user, password)
            except passwords.PasswordRejected as exc:
                self.password_error = t(exc.key, principal.language, **exc.params)
                return None
            except account_service.AccountError as exc:
                raise Forbidden(exc.key) from exc
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
                raise Forbidden(exc.key) from exc
        return rx.toast.success(t("accounts.sessions_ended", principal.language, n=n))

    def _account(self, s, principal) -> User | None:
        try:
            user = crud.get_record(s, self.spec, principal, int(self.detail_id), live=True)
        except crud.RecordNotFound:
            return None
        except crud.OutOfScope as exc:
            raise Forbidden(str(exc)) from exc
        assert isinstance(user, User)
        return user


STATES: dict[str, type[CrudMixin]] = {
    "school": SchoolAdminState,
    "academic_year": YearAdminState,
    "term": TermAdminState,
    "grading_policy": PolicyAdminState,
    "class": ClassAdminState,
    "subject": SubjectAdminState,
    "teaching_assignment": AssignmentAdminState,
    "bell_schedule": BellAdminState,
    "holiday": HolidayAdminState,
    "staff": StaffAdminState,
    "guardian": GuardianAdminState,
    "pupil": PupilAdminState,
    "user": UserAdminState,
    "order": OrderAdminState,
    "movement": MovementAdminState,
}
