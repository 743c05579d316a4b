"""The consent register (/consents): filters, a person's consent card, recording with a scan, withdrawal, exports.

One State holds one page of register rows and, while a person is open, his card, his consents and
the staged scan. The open person's id lives in backend-only vars, and every handler re-checks the
permission and scope through services.consent, so a forged event cannot reach another person.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.consent_card import category_badges, consent_card, field_names, status_badge
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.components.table import pager
from bbbms_app.i18n import t, translations
from bbbms_app.models.consent import CONSENT_CATEGORIES, SUBJECT_TYPES
from bbbms_app.models.people import RELATIONS
from bbbms_app.services import consent as consent_service
from bbbms_app.services import private_files, subject_access
from bbbms_app.services.engine import hooks, marking
from bbbms_app.services.errors import OutOfScope

MAX_SEARCH = 100
MAX_TEXT = 1000
UPLOAD_ID = "consent-scan"
ALL = "all"


def _date(value: Any) -> date | None:
    """A yyyy-mm-dd date from a form, or None (empty or malformed)."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _text(form: dict, key: str, limit: int = MAX_TEXT) -> str:
    value = form.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


class ConsentRegisterState(rx.State):
    """The register page and the open person's panel."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    subject_type: str = "pupil"
    class_id: str = ALL
    status: str = ALL
    class_options: list[dict[str, str]] = []

    person_open: bool = False
    person: dict[str, str] = {}
    person_consents: list[dict[str, str]] = []
    representatives: list[dict[str, str]] = []
    personal: dict[str, str] = {}
    staged_label: str = ""
    form_error: str = ""
    withdraw_id: str = ""
    withdraw_error: str = ""
    personal_error: str = ""
    export_error: str = ""

    page_size: ClassVar[int] = 25
    # The open person and the staged scan never go to the browser.
    _subject_type: str = ""
    _subject_id: int = 0
    _staged: dict[str, Any] = {}

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    # ------------------------------------------------------------ the register

    def _fetch(self) -> None:
        principal = current()
        cid = int(self.class_id) if self.class_id.isdigit() else None
        with db.session() as s:
            page = consent_service.register(
                s,
                principal,
                subject_type=self.subject_type,
                class_id=cid,
                status=self.status if self.status != ALL else "",
                search=self.search,
                offset=(self.page - 1) * self.page_size,
                limit=self.page_size,
            )
        self.rows, self.total = page.rows, page.total

    @rx.event
    @requires("consent.read")
    def load(self):
        with db.session() as s:
            self.class_options = consent_service.class_options(s, current())
        self.page = 1
        self._fetch()

    @rx.event
    @requires("consent.read")
    def set_subject_type(self, value: str | list[str]):
        self.subject_type = value if isinstance(value, str) and value in SUBJECT_TYPES else "pupil"
        if self.subject_type == "staff":
            self.class_id = ALL
        self.page = 1
        self._fetch()

    @rx.event
    @requires("consent.read")
    def set_class(self, value: str):
        value = str(value)
        self.class_id = value if value in {o["id"] for o in self.class_options} else ALL
        self.page = 1
        self._fetch()

    @rx.event
    @requires("consent.read")
    def set_status(self, value: str):
        self.status = value if value in consent_service.STATUSES else ALL
        self.page = 1
        self._fetch()

    @rx.event
    @requires("consent.read")
    def set_search(self, value: str):
        self.search = str(value)[:MAX_SEARCH]
        self.page = 1
        self._fetch()

    @rx.event
    @requires("consent.read")
    def next_page(self):
        self.page = min(self.pages, self.page + 1)
        self._fetch()

    @rx.event
    @requires("consent.read")
    def prev_page(self):
        self.page = max(1, self.page - 1)
        self._fetch()

    # ------------------------------------------------------------ one person

    def _load_person(self) -> None:
        principal = current()
        with db.session() as s:
            try:
                self.person = consent_service.card(s, principal, self._subject_type, self._subject_id)
                self.person_consents = consent_service.consent_rows(s, principal, self._subject_type, self._subject_id)
                self.representatives = (
                    consent_service.representatives(s, self._subject_id) if self._subject_type == "pupil" else []
                )
                can_edit = principal.can("consent.write") and principal.can(f"{self._subject_type}.write")
                self.personal = (
                    consent_service.personal_values(s, principal, self._subject_type, self._subject_id)
                    if can_edit
                    else {}
                )
            except consent_service.OutOfScope:
                self._forget_person()
                raise

    def _forget_person(self) -> None:
        self._discard_staged()
        self.person_open = False
        self.person, self.person_consents, self.representatives, self.personal = {}, [], [], {}
        self._subject_type, self._subject_id = "", 0
        self.form_error = self.withdraw_error = self.personal_error = ""
        self.withdraw_id = ""

    def _discard_staged(self) -> None:
        if self._staged.get("name"):
            private_files.remove("staging", self._staged["name"])
        self._staged = {}
        self.staged_label = ""

    def _require_open(self) -> None:
        if not self._subject_type or not self._subject_id:
            raise OutOfScope("no person open")

    @rx.event
    @requires("consent.read")
    def open_person(self, subject_id: str):
        """Open a person of the current subject type; the service refuses one outside the scope."""
        self._forget_person()
        sid = consent_service.parse_id(subject_id if isinstance(subject_id, str) else "")
        if sid is None:
            raise OutOfScope(f"bad id {str(subject_id)[:20]}")
        self._subject_type, self._subject_id = self.subject_type, sid
        self._load_person()
        self.person_open = True

    @rx.event
    @requires("consent.read")
    def close_person(self, _open: bool = False):
        self._forget_person()

    # ------------------------------------------------------------ recording

    @rx.event
    @requires("consent.write")
    async def attach_scan(self, files: list[rx.UploadFile]):
        """Keep the chosen scan in private staging (checked by size and content) until `record`."""
        self._require_open()
        principal = current()
        if not isinstance(files, list) or len(files) != 1:
            self.form_error = t("consent.error.scan", principal.language)
            return None
        data = await files[0].read(private_files.MAX_SCAN_BYTES + 1)
        with db.session() as s:
            row = consent_service.require_subject(s, principal, self._subject_type, self._subject_id, date.today())
        try:
            stored = consent_service.stage_scan(row.school_id, data)
        except private_files.FileRejected as exc:
            self.form_error = t(exc.key, principal.language, **exc.params)
            return rx.toast.error(self.form_error)
        self._discard_staged()
        self._staged = {"name": stored.name, "sha256": stored.sha256, "size": stored.size, "type": stored.content_type}
        kb, kind = str(max(1, round(stored.size / 1024))), stored.content_type.rsplit("/", 1)[-1].upper()
        self.staged_label = t("consent.scan.attached", principal.language, kb=kb, type=kind)
        self.form_error = ""
        return None

    @rx.event
    @requires("consent.write")
    def record(self, form_data: dict):
        """Record the consent of the open person with the staged scan."""
        self._require_open()
        principal = current()
        lang = principal.language
        if not isinstance(form_data, dict):
            form_data = {}
        if not self._staged.get("name"):
            self.form_error = t("consent.error.scan", lang)
            return None
        given_on = _date(form_data.get("given_on"))
        if given_on is None:
            self.form_error = t("consent.error.given_on", lang)
            return None
        raw_until = form_data.get("valid_until", "")
        valid_until = _date(raw_until)
        if raw_until and valid_until is None:
            self.form_error = t("consent.error.valid_until", lang)
            return None
        categories = [c for c in CONSENT_CATEGORIES if form_data.get(f"cat_{c}") in ("on", "true", True)]
        rep = _text(form_data, "representative_id", 12)
        scan = private_files.StoredFile(
            name=str(self._staged["name"]),
            sha256=str(self._staged["sha256"]),
            size=int(self._staged["size"]),
            content_type=str(self._staged["type"]),
        )
        try:
            with db.session(write=True) as s:
                consent_service.record(
                    s,
                    principal,
                    subject_type=self._subject_type,
                    subject_id=self._subject_id,
                    categories=categories,
                    given_on=given_on,
                    valid_until=valid_until,
                    scan=scan,
                    representative_id=rep if rep not in ("", "self") else None,
                    basis=_text(form_data, "basis", 200),
                    purpose=_text(form_data, "purpose", 500),
                    third_parties=_text(form_data, "third_parties", 500),
                )
        except consent_service.ConsentError as exc:
            self.form_error = t(exc.key, lang, **exc.params)
            return None
        self._staged = {}
        self.staged_label = ""
        self.form_error = ""
        self._load_person()
        self._fetch()
        return [rx.toast.success(t("consent.record.saved", lang)), rx.clear_selected_files(UPLOAD_ID)]

    # ------------------------------------------------------------ withdrawal

    @rx.event
    @requires("consent.write")
    def start_withdraw(self, consent_id: str):
        self._require_open()
        ids = {r["id"] for r in self.person_consents if r["status"] != "withdrawn"}
        self.withdraw_id = consent_id if isinstance(consent_id, str) and consent_id in ids else ""
        self.withdraw_error = ""

    @rx.event
    @requires("consent.write")
    def cancel_withdraw(self, _open: bool = False):
        self.withdraw_id = ""
        self.withdraw_error = ""

    @rx.event
    @requires("consent.write")
    def withdraw(self, form_data: dict):
        """Withdraw the chosen consent; erase the data it alone covered when asked to."""
        self._require_open()
        principal = current()
        lang = principal.language
        if not isinstance(form_data, dict) or not self.withdraw_id:
            return None
        on = _date(form_data.get("withdrawn_on"))
        if on is None:
            self.withdraw_error = t("consent.error.withdrawn_on", lang)
            return None
        try:
            with db.session(write=True) as s:
                result = consent_service.withdraw(
                    s,
                    principal,
                    self.withdraw_id,
                    subject=(self._subject_type, self._subject_id),
                    on=on,
                    reason=_text(form_data, "reason", 300),
                    erase=form_data.get("erase") in ("on", "true", True),
                )
        except consent_service.ConsentError as exc:
            self.withdraw_error = t(exc.key, lang, **exc.params)
            return None
        self.withdraw_id = ""
        self.withdraw_error = ""
        self._load_person()
        self._fetch()
        toasts = [rx.toast.success(t("consent.withdraw.done", lang))]
        if result.erased:
            names = ", ".join(t(f"consent.field.{f}", lang) for f in result.erased)
            toasts.append(rx.toast.info(t("consent.withdraw.erased", lang, fields=names)))
        return toasts

    # ------------------------------------------------------------ personal fields

    @rx.event
    @requires("consent.write")
    def save_personal(self, form_data: dict):
        """Save address, phone, health notes of the open person through the consent rule."""
        self._require_open()
        principal = current()
        lang = principal.language
        if not isinstance(form_data, dict):
            return None
        allowed = set(self.personal)
        values = {k: _text(form_data, k) for k in form_data if k in allowed}
        try:
            with db.session(write=True) as s:
                consent_service.save_personal(s, principal, self._subject_type, self._subject_id, values)
        except hooks.FieldError as exc:
            self.personal_error = t(exc.key, lang, **exc.params)
            return rx.toast.error(self.personal_error)
        except consent_service.ConsentError as exc:
            self.personal_error = t(exc.key, lang, **exc.params)
            return None
        self.personal_error = ""
        self._load_person()
        self._fetch()
        return rx.toast.success(t("consent.personal.saved", lang))

    # ------------------------------------------------------------ exports

    def _deliver(self, data: bytes, filename: str, ext: str):
        principal = current()
        stored = private_files.store_export(principal.school_id, principal.user_id, data, ext)
        self.export_error = ""
        return [
            rx.download(url=private_files.export_url(stored.name), filename=filename),
            rx.toast.info(t("export.ready", principal.language)),
        ]

    @rx.event
    @requires("export.personal")
    def export_register(self, form_data: dict):
        """The filtered register as marked XLSX; the purpose is required and audited."""
        principal = current()
        purpose = _text(form_data, "purpose", 300) if isinstance(form_data, dict) else ""
        cid = int(self.class_id) if self.class_id.isdigit() else None
        try:
            with db.session(write=True) as s:
                data, filename = consent_service.export_register(
                    s,
                    principal,
                    purpose=purpose,
                    subject_type=self.subject_type,
                    class_id=cid,
                    status=self.status if self.status != ALL else "",
                    search=self.search,
                    lang=principal.language,
                )
        except marking.ExportInvalid as exc:
            self.export_error = t(exc.key, principal.language, **exc.params)
            return rx.toast.error(self.export_error)
        return self._deliver(data, filename, "xlsx")

    @rx.event
    @requires("export.personal")
    def export_person(self, form_data: dict):
        """Everything held on the open person (subject access request), JSON or XLSX, audited."""
        self._require_open()
        principal = current()
        if not isinstance(form_data, dict):
            return None
        fmt = form_data.get("format")
        if fmt not in subject_access.FORMATS:
            fmt = "xlsx"
        try:
            with db.session(write=True) as s:
                data, filename = subject_access.export(
                    s,
                    principal,
                    self._subject_type,
                    self._subject_id,
                    fmt=str(fmt),
                    purpose=_text(form_data, "purpose", 300),
                    lang=principal.language,
                )
        except marking.ExportInvalid as exc:
            self.export_error = t(exc.key, principal.language, **exc.params)
            return rx.toast.error(self.export_error)
        return self._deliver(data, filename, str(fmt))


# ================================================================ UI

S = ConsentRegisterState


def _select(value: rx.Var, on_change, options: rx.Var | list, all_key: str, testid: str) -> rx.Component:
    items = (
        [rx.select.item(tr(label), value=v) for v, label in options]
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))]
    )
    return rx.select.root(
        rx.select.trigger(data_testid=testid),
        rx.select.content(rx.select.item(tr(all_key), value=ALL), *items),
        value=value,
        on_change=on_change,
        size="3",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.segmented_control.root(
            *[rx.segmented_control.item(tr(f"consent.type.{st}"), value=st) for st in SUBJECT_TYPES],
            value=S.subject_type,
            on_change=S.set_subject_type,
            size=rx.breakpoints(initial="1", sm="2"),
            width=["100%", "auto"],
            data_testid="consent-type",
        ),
        rx.flex(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder=tr("list.search"),
                value=S.search,
                on_change=S.set_search.debounce(300),  # type: ignore[attr-defined]
                size="3",
                width=["100%", "280px"],
                data_testid="search",
            ),
            rx.cond(
                S.subject_type != "staff",
                _select(S.class_id, S.set_class, S.class_options, "list.all_classes", "consent-class"),
            ),
            _select(
                S.status,
                S.set_status,
                [(st, f"consent.status.{st}") for st in consent_service.STATUSES],
                "consent.filter.all_statuses",
                "consent-status-filter",
            ),
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _register_table() -> rx.Component:
    def row(r: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(
                rx.link(
                    r["name"],
                    on_click=S.open_person(r["id"]),
                    cursor="pointer",
                    weight="medium",
                    data_testid="consent-person",
                )
            ),
            rx.table.cell(r["class_name"], display=["none", "table-cell"]),
            rx.table.cell(status_badge(r["status"])),
            rx.table.cell(category_badges(r["categories"]), display=["none", "none", "table-cell"]),
            rx.table.cell(r["given_on"], display=["none", "table-cell"]),
            rx.table.cell(
                rx.cond(
                    r["stored_without_consent"] != "",
                    rx.tooltip(
                        rx.icon("triangle-alert", size=18, color=rx.color("orange", 10)),
                        content=field_names(r["stored_without_consent"]),
                    ),
                ),
                display=["none", "table-cell"],
            ),
        )

    def head(key: str, hide: list | None = None) -> rx.Component:
        return rx.table.column_header_cell(tr(key) if key else "", display=hide)

    return rx.cond(
        S.rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        head("col.name"),
                        head("col.class", ["none", "table-cell"]),
                        head("consent.col.status"),
                        head("consent.col.categories", ["none", "none", "table-cell"]),
                        head("consent.col.given_on", ["none", "table-cell"]),
                        head("", ["none", "table-cell"]),
                    )
                ),
                rx.table.body(rx.foreach(S.rows, row)),
                variant="surface",
                size="2",
                width="100%",
                data_testid="consent-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.callout(tr("list.empty"), icon="info", color_scheme="gray", data_testid="empty-state"),
    )


def _purpose_input() -> rx.Component:
    return rx.input(
        name="purpose",
        placeholder=tr("export.purpose_hint"),
        required=True,
        min_length=marking.PURPOSE_MIN,
        max_length=marking.PURPOSE_MAX,
        width="100%",
        data_testid="export-purpose",
    )


def _register_export() -> rx.Component:
    return rx.cond(
        AuthState.perms.contains("export.personal"),
        rx.card(
            rx.form(
                rx.flex(
                    rx.box(_purpose_input(), flex="1", min_width="220px"),
                    rx.button(rx.icon("file-spreadsheet", size=16), tr("export.xlsx"), type="submit"),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                    align="center",
                ),
                on_submit=S.export_register,
                data_testid="register-export",
            ),
            width="100%",
        ),
    )


def _relation(code: rx.Var) -> rx.Var:
    table = {r: translations(f"consent.relation.{r}") for r in RELATIONS}
    return rx.Var.create(table).to(dict)[code].to(dict)[AuthState.lang].to(str)


def _consent_item(c: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(c["status"]),
                rx.text(c["given_on"], weight="medium"),
                rx.cond(c["valid_until"] != "", rx.text("— " + c["valid_until"].to(str), color_scheme="gray")),
                rx.spacer(),
                rx.link(
                    rx.hstack(rx.icon("file-text", size=16), rx.text(tr("consent.open_scan"), size="2"), spacing="1"),
                    href=c["scan_url"],
                    is_external=True,
                    data_testid="consent-scan-link",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            category_badges(c["categories"]),
            rx.text(
                tr("consent.col.signed_by"),
                ": ",
                c["signed_by"],
                rx.cond(c["relation"] != "", " (" + _relation(c["relation"]) + ")", ""),
                rx.cond(c["basis"] != "", " (" + c["basis"].to(str) + ")", ""),
                size="2",
            ),
            rx.cond(c["purpose"] != "", rx.text(c["purpose"], size="1", color_scheme="gray")),
            rx.cond(
                c["third_parties"] != "",
                rx.text(tr("consent.col.third_parties"), ": ", c["third_parties"], size="1", color_scheme="gray"),
            ),
            rx.cond(
                c["status"] == "withdrawn",
                rx.text(
                    tr("consent.col.withdrawn_on"), ": ", c["withdrawn_on"], " — ", c["withdrawal_reason"], size="2"
                ),
            ),
            rx.cond(
                AuthState.perms.contains("consent.write") & (c["status"] != "withdrawn"),
                rx.button(
                    tr("consent.withdraw.button"),
                    on_click=S.start_withdraw(c["id"]),
                    color_scheme="red",
                    variant="soft",
                    size="1",
                    data_testid="consent-withdraw",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="consent-item",
    )


def _record_form() -> rx.Component:
    today = date.today().isoformat()
    return rx.cond(
        AuthState.perms.contains("consent.write"),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("consent.record.title"), size="3"),
                    rx.upload(
                        rx.vstack(
                            rx.icon("upload", size=20),
                            rx.text(tr("consent.scan.drop"), size="2", align="center"),
                            align="center",
                            spacing="1",
                        ),
                        id=UPLOAD_ID,
                        multiple=False,
                        max_files=1,
                        max_size=private_files.MAX_SCAN_BYTES,  # the browser refuses bigger files before sending
                        accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]},
                        on_drop=S.attach_scan(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
                        border=f"1px dashed {rx.color('accent', 8)}",
                        border_radius="8px",
                        padding="12px",
                        width="100%",
                        cursor="pointer",
                    ),
                    rx.cond(
                        S.staged_label != "",
                        rx.badge(
                            rx.icon("paperclip", size=14),
                            S.staged_label,
                            color_scheme="green",
                            data_testid="scan-staged",
                        ),
                        rx.text(tr("consent.scan.missing"), size="1", color_scheme="gray"),
                    ),
                    rx.text(tr("consent.col.categories"), size="2", weight="medium"),
                    rx.grid(
                        *[
                            rx.checkbox(
                                tr(f"consent.category.{c}"),
                                name=f"cat_{c}",
                                default_checked=c in ("identity", "education"),
                                data_testid=f"cat-{c}",
                            )
                            for c in CONSENT_CATEGORIES
                        ],
                        columns=rx.breakpoints(initial="1", xs="2", md="3"),
                        spacing="2",
                        width="100%",
                    ),
                    rx.flex(
                        rx.vstack(
                            rx.text(tr("consent.col.given_on"), size="2"),
                            rx.input(type="date", name="given_on", default_value=today, max=today, required=True),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.text(tr("consent.col.valid_until"), size="2"),
                            rx.input(type="date", name="valid_until"),
                            spacing="1",
                        ),
                        spacing="3",
                        wrap="wrap",
                    ),
                    rx.cond(
                        S.representatives.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.text(tr("consent.representative"), size="2"),
                            rx.select.root(
                                rx.select.trigger(width="100%", data_testid="consent-representative"),
                                rx.select.content(
                                    rx.foreach(
                                        S.representatives,
                                        lambda g: rx.select.item(g["name"], value=g["id"]),
                                    ),
                                    rx.select.item(tr("consent.representative_self"), value="self"),
                                ),
                                name="representative_id",
                                default_value=S.representatives[0]["id"],
                            ),
                            rx.input(name="basis", placeholder=tr("consent.basis_hint"), width="100%"),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.text(tr("consent.col.purpose"), size="2"),
                    rx.text_area(name="purpose", default_value=tr("consent.purpose_default"), rows="2", width="100%"),
                    rx.text(tr("consent.col.third_parties"), size="2"),
                    rx.text_area(
                        name="third_parties",
                        placeholder=tr("consent.third_parties_hint"),
                        rows="2",
                        width="100%",
                        data_testid="consent-third-parties",
                    ),
                    rx.cond(
                        S.form_error != "",
                        rx.callout(
                            S.form_error,
                            color_scheme="red",
                            icon="triangle-alert",
                            width="100%",
                            data_testid="consent-error",
                        ),
                    ),
                    rx.button(tr("consent.record.submit"), type="submit", data_testid="consent-record"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.record,
                reset_on_submit=False,  # a refused form keeps what was typed
                # A recorded consent remounts the form with its defaults.
                key=S.person_consents.to_string(),  # type: ignore[attr-defined]
            ),
            width="100%",
        ),
    )


def _withdraw_dialog() -> rx.Component:
    today = date.today().isoformat()
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("consent.withdraw.title")),
            rx.form(
                rx.vstack(
                    rx.text(tr("consent.col.withdrawn_on"), size="2"),
                    rx.input(type="date", name="withdrawn_on", default_value=today, max=today, required=True),
                    rx.text(tr("consent.col.reason"), size="2"),
                    rx.text_area(name="reason", required=True, rows="2", width="100%", data_testid="withdraw-reason"),
                    rx.checkbox(tr("consent.withdraw.erase"), name="erase", default_checked=True),
                    rx.cond(
                        S.withdraw_error != "",
                        rx.callout(S.withdraw_error, color_scheme="red", icon="triangle-alert", width="100%"),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(tr("consent.close"), type="button", variant="soft", color_scheme="gray"),
                        ),
                        rx.button(
                            tr("consent.withdraw.button"),
                            type="submit",
                            color_scheme="red",
                            data_testid="withdraw-submit",
                        ),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.withdraw,
            ),
            max_width="480px",
        ),
        open=S.withdraw_id != "",
        on_open_change=S.cancel_withdraw,
    )


def _personal_form() -> rx.Component:
    def field(key: str, area: bool = False) -> rx.Component:
        widget = rx.text_area if area else rx.input
        return rx.cond(
            S.personal.contains(key),  # type: ignore[attr-defined]
            rx.vstack(
                rx.text(tr(f"consent.field.{key}"), size="2"),
                widget(name=key, default_value=S.personal[key], width="100%", data_testid=f"personal-{key}"),
                spacing="1",
                width="100%",
            ),
        )

    return rx.cond(
        S.personal.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("consent.personal.title"), size="3"),
                    rx.text(tr("consent.personal.hint"), size="1", color_scheme="gray"),
                    field("address"),
                    field("phone"),
                    field("health_notes", area=True),
                    rx.cond(
                        S.personal_error != "",
                        rx.callout(
                            S.personal_error,
                            color_scheme="red",
                            icon="triangle-alert",
                            width="100%",
                            data_testid="personal-error",
                        ),
                    ),
                    rx.button(tr("consent.personal.save"), type="submit", data_testid="personal-save"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.save_personal,
                # Remounted (fresh default values) whenever the stored values or the consents change.
                key=S.person.to_string() + S.personal.to_string(),  # type: ignore[attr-defined]
            ),
            width="100%",
        ),
    )


def _person_export() -> rx.Component:
    return rx.cond(
        AuthState.perms.contains("export.personal"),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(tr("sar.heading"), size="3"),
                    rx.text(tr("sar.hint"), size="1", color_scheme="gray"),
                    _purpose_input(),
                    rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item(value="xlsx"),
                            rx.text(tr("sar.xlsx"), size="2"),
                            rx.radio_group.item(value="json"),
                            rx.text(tr("sar.json"), size="2"),
                            align="center",
                        ),
                        name="format",
                        default_value="xlsx",
                    ),
                    rx.button(rx.icon("download", size=16), tr("sar.export"), type="submit", data_testid="sar-export"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.export_person,
            ),
            width="100%",
        ),
    )


def _person_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(S.person["name"], margin="0", data_testid="person-name"),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(rx.icon("x"), variant="ghost", aria_label="close", data_testid="person-close")
                ),
                align="center",
                width="100%",
            ),
            rx.vstack(
                consent_card(S.person),
                rx.heading(tr("consent.history"), size="3"),
                rx.cond(
                    S.person_consents.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(rx.foreach(S.person_consents, _consent_item), spacing="2", width="100%"),
                    rx.text(tr("consent.history_empty"), size="2", color_scheme="gray"),
                ),
                _record_form(),
                _personal_form(),
                _person_export(),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            max_width="760px",
            width="calc(100vw - 16px)",
            max_height="92vh",
            overflow_y="auto",
            padding=["12px", "20px"],
            data_testid="person-dialog",
        ),
        open=S.person_open,
        on_open_change=S.close_person,
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(tr("consent.register_title"), size="2", color_scheme="gray"),
        _filters(),
        _register_table(),
        pager(S.page, S.pages, S.total, S.prev_page, S.next_page),
        _register_export(),
        _person_dialog(),
        _withdraw_dialog(),
        width="100%",
        spacing="3",
    )


consents_page = page_shell("nav.consents", _body)
