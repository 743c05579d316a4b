"""The register of internal documents (`/documents`): the list with search, a document's card
(versions, acknowledging it, who has), the new-document form, approval and cancellation.

Every rule is in services/documents.py (who reads, who writes, numbering); downloads go through
`/private/document/{version_id}` (api/private_files.py). Phone first: the list is cards, the card
opens above the list, the buttons are big enough to tap.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.components.announcement import in_language
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.models.documents import DOCUMENT_KINDS
from bbbms_app.services import documents
from bbbms_app.services import private_files as private_files_service
from bbbms_app.services.errors import Refused

UPLOAD_ID = "document_file"
KIND_FILTER = ("", *DOCUMENT_KINDS)
FORM_TEXT = {
    "title": documents.TITLE_MAX,
    "description": documents.DESCRIPTION_MAX,
    "doc_date": 10,
    "retention": 3,
    "cancel_reason": documents.REASON_MAX,
}


class DocumentsState(rx.State):
    """One page of the register as display rows, the open card, and the new-document form."""

    search: str = ""
    kind: str = ""
    rows: list[dict[str, str]] = []
    can_write: bool = False
    # The open card.
    doc: dict[str, str] = {}
    versions: list[dict[str, str]] = []
    acked: list[dict[str, str]] = []
    not_acked: list[dict[str, str]] = []
    cancel_reason: str = ""
    card_error: str = ""
    # The new-document form.
    form_open: bool = False
    f_kind: str = "order"
    title: str = ""
    description: str = ""
    doc_date: str = ""
    retention: str = ""
    roles: list[str] = []
    named: list[dict[str, str]] = []
    staff_options: list[dict[str, str]] = []
    form_error: str = ""
    form_key: int = 0

    def _fetch(self) -> None:
        principal = current()
        with db.session() as s:
            self.rows = documents.listing(s, principal, search=self.search, kind=self.kind)
        self.can_write = principal.can("document.write")

    def _open(self, document_id: int) -> None:
        principal = current()
        with db.session() as s:
            card = documents.card(s, principal, document_id)
        self.doc, self.versions = card["doc"], card["versions"]
        self.acked, self.not_acked = card["acked"], card["not_acked"]
        self.cancel_reason = self.card_error = ""

    def _open_id(self) -> int:
        return inputs.record_id(self.doc.get("id", ""), "document_id")

    @rx.event
    @requires("document.read")
    def load(self):
        self._fetch()
        self.doc, self.versions, self.acked, self.not_acked = {}, [], [], []
        self.form_open = False
        raw = str(self.router.url.query_parameters.get("doc", ""))[:12]
        if raw.isdigit():
            self._open(int(raw))

    @rx.event
    @requires("document.read")
    def set_search(self, value: str):
        self.search = inputs.search_text(value, 100, "search")
        self._fetch()

    @rx.event
    @requires("document.read")
    def set_kind(self, value: str):
        self.kind = inputs.choice(value if value != "all" else "", KIND_FILTER, "kind")
        self._fetch()

    @rx.event
    @requires("document.read")
    def open_doc(self, document_id: str):
        self._open(inputs.record_id(document_id, "document_id"))

    @rx.event
    @requires("document.read")
    def close_doc(self):
        self.doc, self.versions, self.acked, self.not_acked = {}, [], [], []

    @rx.event
    @requires("document.read")
    def acknowledge(self):
        principal = current()
        doc_id = self._open_id()
        with db.session(write=True) as s:
            documents.acknowledge(s, principal, doc_id)
        self._open(doc_id)
        return rx.toast.success(t("docs.acked", principal.language))

    # ------------------------------------------------------------ the director's steps

    @rx.event
    @requires("document.approve")
    def approve(self):
        principal = current()
        doc_id = self._open_id()
        with db.session(write=True) as s:
            documents.approve(s, principal, doc_id)
        self._open(doc_id)
        self._fetch()
        return rx.toast.success(t("docs.approved_toast", principal.language, number=self.doc.get("number", "")))

    @rx.event
    @requires("document.approve")
    def set_cancel_reason(self, value: str):
        self.cancel_reason = inputs.text(value, documents.REASON_MAX, "cancel_reason")

    @rx.event
    @requires("document.approve")
    def cancel(self):
        principal = current()
        doc_id = self._open_id()
        try:
            with db.session(write=True) as s:
                documents.cancel(s, principal, doc_id, self.cancel_reason)
        except Refused as exc:  # shown in place, under the reason
            self.card_error = exc.message(principal.language)
            return None
        self._open(doc_id)
        self._fetch()
        return rx.toast.success(t("docs.cancelled_toast", principal.language))

    # ------------------------------------------------------------ files

    @rx.event
    @requires("document.write")
    async def upload_version(self, files: list[rx.UploadFile]):
        """The chosen file as the open document's next version (checked by size and content)."""
        principal = current()
        doc_id = self._open_id()
        if not isinstance(files, list) or len(files) != 1:
            self.card_error = t("docs.error.file", principal.language)
            return None
        data = await files[0].read(documents.MAX_BYTES + 1)
        name = str(getattr(files[0], "name", "") or getattr(files[0], "filename", "") or "")
        try:
            with db.session(write=True) as s:
                version = documents.add_version(s, principal, doc_id, data, name)
        except private_files_service.FileRejected as exc:
            self.card_error = t(exc.key, principal.language, **exc.params)
            return rx.toast.error(self.card_error)
        self._open(doc_id)
        return rx.toast.success(t("docs.version_added", principal.language, n=str(version.number)))

    # ------------------------------------------------------------ the new-document form

    @rx.event
    @requires("document.write")
    def open_form(self):
        principal = current()
        with db.session() as s:
            self.staff_options = documents.staff_options(s, principal)
        self.form_open = True
        self.f_kind, self.title, self.description, self.retention = "order", "", "", ""
        self.roles, self.named, self.form_error = [], [], ""
        self.doc_date = date.today().isoformat()
        self.form_key += 1

    @rx.event
    @requires("document.write")
    def close_form(self):
        self.form_open = False

    @rx.event
    @requires("document.write")
    def set_field(self, field: str, value: str):
        """A text field of the form as typed (sent when it loses focus)."""
        field = inputs.choice(field, ("title", "description", "doc_date", "retention"), "field")
        setattr(self, field, inputs.text(value, FORM_TEXT[field], field, multiline=field == "description"))

    @rx.event
    @requires("document.write")
    def set_doc_date(self, value: str):
        self.doc_date = inputs.text(value, 10, "doc_date")

    @rx.event
    @requires("document.write")
    def set_f_kind(self, value: str):
        self.f_kind = inputs.choice(value, DOCUMENT_KINDS, "kind")

    @rx.event
    @requires("document.write")
    def toggle_role(self, role: str, checked: bool):
        role = inputs.choice(role, documents.READER_ROLES, "role")
        on = inputs.flag(checked, "checked")
        self.roles = [r for r in documents.READER_ROLES if (r in self.roles and r != role) or (r == role and on)]

    @rx.event
    @requires("document.write")
    def add_named(self, user_id: str):
        picked = inputs.offered(user_id, self.staff_options)
        if picked is not None and all(n["id"] != picked for n in self.named):
            self.named = [*self.named, next(o for o in self.staff_options if o["id"] == picked)]

    @rx.event
    @requires("document.write")
    def remove_named(self, user_id: str):
        self.named = [n for n in self.named if n["id"] != str(user_id)[:12]]

    @rx.event
    @requires("document.write")
    def create(self):
        """Register the form's draft and open its card (where its file is added)."""
        principal = current()
        try:
            draft = documents.Draft(
                kind=inputs.choice(self.f_kind, DOCUMENT_KINDS, "kind"),
                title=inputs.text(self.title, documents.TITLE_MAX, "title"),
                description=inputs.text(self.description, documents.DESCRIPTION_MAX, "description", multiline=True),
                doc_date=inputs.school_date(self.doc_date, "doc_date") or date.today(),
                reader_roles=tuple(inputs.choice(r, documents.READER_ROLES, "role") for r in self.roles),
                reader_ids=tuple(inputs.record_id(n["id"], "reader") for n in self.named),
                retention_years=inputs.bounded_int(self.retention, 1, 100, "retention_years")
                if self.retention
                else None,
            )
            with db.session(write=True) as s:
                doc = documents.create(s, principal, draft)
        except Refused as exc:  # shown under the form (a BadInput is a Refused too)
            self.form_error = exc.message(principal.language)
            return None
        self.form_open = False
        self._fetch()
        self._open(doc.id)  # type: ignore[arg-type]
        return rx.toast.success(t("docs.created", principal.language))


# ---------------------------------------------------------------- view

S = DocumentsState


def _kind_label(code: rx.Var) -> rx.Var:
    return in_language("docs.kind", DOCUMENT_KINDS, code)


def _status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("draft", rx.badge(tr("docs.status.draft"), color_scheme="gray")),
        ("cancelled", rx.badge(tr("docs.status.cancelled"), color_scheme="red")),
        rx.badge(tr("docs.status.approved"), color_scheme="grass"),
    )


def _row(row: rx.Var) -> rx.Component:
    head = rx.flex(
        rx.badge(_kind_label(row["kind"]), color_scheme="blue"),
        rx.text(row["number"], weight="bold", size="2"),
        rx.text(row["date"], size="2", color_scheme="gray"),
        _status_badge(row["status"]),
        rx.cond(row["source"] == "movement", rx.badge(tr("docs.from_movement"), color_scheme="amber")),
        gap="6px",
        align="center",
        wrap="wrap",
    )
    body = rx.vstack(
        head,
        rx.text(row["title"], weight="medium", size="3"),
        rx.cond(row["author"] != "", rx.text(row["author"], size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
        align="start",
    )
    return rx.cond(
        row["source"] == "movement",
        rx.link(rx.card(body, width="100%"), href=row["href"], underline="none", width="100%", data_testid="doc-row"),
        rx.card(
            body,
            width="100%",
            cursor="pointer",
            on_click=S.open_doc(row["id"]),
            data_testid="doc-row",
        ),
    )


def _version(v: rx.Var) -> rx.Component:
    return rx.flex(
        rx.badge("v" + v["number"], color_scheme="gray"),
        rx.el.a(
            rx.flex(rx.icon("download", size=16), rx.text(v["name"], size="2"), gap="4px", align="center"),
            href=v["href"],
            download="",
            data_testid="doc-version-link",
            style={"minHeight": "32px", "display": "inline-flex", "alignItems": "center"},
        ),
        rx.text(v["type"], " · ", v["size"], " · ", v["at"], " · ", v["by"], size="1", color_scheme="gray"),
        gap="8px",
        align="center",
        wrap="wrap",
        data_testid="doc-version",
    )


def _ack_lists() -> rx.Component:
    return rx.vstack(
        rx.text(tr("docs.acked_list"), " (", S.acked.length().to(str), ")", weight="bold", size="2"),  # type: ignore[attr-defined]
        rx.foreach(
            S.acked,
            lambda a: rx.text("✓ ", a["name"], " · ", a["at"], " · v", a["version"], size="2", data_testid="doc-acked"),
        ),
        rx.text(tr("docs.not_acked_list"), " (", S.not_acked.length().to(str), ")", weight="bold", size="2"),  # type: ignore[attr-defined]
        rx.foreach(
            S.not_acked, lambda a: rx.text("— ", a["name"], size="2", color_scheme="gray", data_testid="doc-not-acked")
        ),
        spacing="1",
        width="100%",
        data_testid="doc-acks",
    )


def _upload() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("upload", size=20),
            rx.text(tr("docs.upload"), size="2", align="center"),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        max_size=documents.MAX_BYTES,
        on_drop=S.upload_version(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
        border=f"1px dashed {rx.color('accent', 8)}",
        border_radius="8px",
        padding="12px",
        width="100%",
        cursor="pointer",
        data_testid="doc-upload",
    )


def _card() -> rx.Component:
    d = S.doc
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.badge(_kind_label(d["kind"]), color_scheme="blue", size="2"),
                rx.text(d["number"], weight="bold", data_testid="doc-number"),
                rx.text(d["date"], color_scheme="gray"),
                _status_badge(d["status"]),
                rx.spacer(),
                rx.icon_button(rx.icon("x"), on_click=S.close_doc, variant="ghost", size="3", data_testid="doc-close"),
                gap="8px",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.heading(d["title"], size="4", data_testid="doc-title"),
            rx.cond(d["description"] != "", rx.text(d["description"], size="2", white_space="pre-wrap")),
            rx.text(
                tr("docs.author"),
                ": ",
                d["author"],
                rx.cond(d["approved_by"] != "", rx.fragment(" · ", tr("docs.approved_by"), ": ", d["approved_by"])),
                size="1",
                color_scheme="gray",
            ),
            rx.text(
                tr("docs.retention_line").replace("{n}", d["retention"]).replace("{year}", d["keep_until"]),  # type: ignore[attr-defined]
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                d["status"] == "cancelled",
                rx.callout(
                    tr("docs.cancelled_reason") + ": " + d["cancel_reason"],
                    color_scheme="red",
                    icon="ban",
                    width="100%",
                ),
            ),
            rx.cond(
                d["can_ack"] == "1",
                rx.button(
                    rx.icon("check-check"),
                    tr("docs.ack"),
                    on_click=S.acknowledge,
                    size="3",
                    width="100%",
                    data_testid="doc-ack",
                ),
            ),
            rx.cond(
                d["acked"] == "1",
                rx.badge(
                    rx.icon("check", size=14),
                    tr("docs.acked_you"),
                    color_scheme="grass",
                    size="2",
                    data_testid="doc-acked-you",
                ),
            ),
            rx.heading(tr("docs.versions"), size="3"),
            rx.cond(
                S.versions.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.versions, _version), spacing="2", width="100%"),
                rx.text(tr("docs.no_file"), size="2", color_scheme="gray"),
            ),
            rx.cond(d["can_upload"] == "1", _upload()),
            rx.cond(
                S.card_error != "",
                rx.callout(
                    S.card_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="doc-error"
                ),
            ),
            rx.cond(
                d["can_approve"] == "1",
                rx.button(
                    tr("docs.approve"), on_click=S.approve, size="3", color_scheme="grass", data_testid="doc-approve"
                ),
            ),
            rx.cond(
                d["can_cancel"] == "1",
                rx.flex(
                    rx.input(
                        placeholder=tr("docs.cancel_reason"),
                        on_blur=S.set_cancel_reason,
                        max_length=documents.REASON_MAX,
                        flex="1",
                        min_width="180px",
                        data_testid="doc-cancel-reason",
                    ),
                    rx.button(
                        tr("docs.cancel"),
                        on_click=S.cancel,
                        color_scheme="red",
                        variant="soft",
                        data_testid="doc-cancel",
                    ),
                    gap="8px",
                    wrap="wrap",
                    width="100%",
                ),
            ),
            rx.cond((d["manages"] == "1") & (d["status"] != "draft"), _ack_lists()),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="doc-card",
    )


def _labelled(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _form() -> rx.Component:
    kind = rx.select.root(
        rx.select.trigger(width="100%", data_testid="doc-f-kind"),
        rx.select.content(*[rx.select.item(tr(f"docs.kind.{k}"), value=k) for k in DOCUMENT_KINDS]),
        value=S.f_kind,
        on_change=S.set_f_kind,
    )
    named = rx.select.root(
        rx.select.trigger(placeholder=tr("docs.add_person"), width="100%", data_testid="doc-f-person"),
        rx.select.content(rx.foreach(S.staff_options, lambda o: rx.select.item(o["name"], value=o["id"]))),
        value="",
        on_change=S.add_named,
    )
    return rx.card(
        rx.vstack(
            rx.heading(tr("docs.new"), size="4"),
            rx.grid(
                _labelled("docs.field.kind", kind),
                _labelled("docs.field.date", date_input(S.doc_date, S.set_doc_date, testid="doc-f-date", width="100%")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _labelled(
                "docs.field.title",
                rx.input(
                    default_value=S.title,
                    on_blur=lambda v: S.set_field("title", v),
                    key=S.form_key.to(str) + "-title",
                    max_length=documents.TITLE_MAX,
                    width="100%",
                    data_testid="doc-f-title",
                ),
            ),
            _labelled(
                "docs.field.description",
                rx.text_area(
                    default_value=S.description,
                    on_blur=lambda v: S.set_field("description", v),
                    key=S.form_key.to(str) + "-description",
                    rows="3",
                    max_length=documents.DESCRIPTION_MAX,
                    width="100%",
                    data_testid="doc-f-description",
                ),
            ),
            _labelled(
                "docs.field.readers",
                rx.vstack(
                    rx.text(tr("docs.readers_help"), size="1", color_scheme="gray"),
                    rx.flex(
                        *[
                            rx.checkbox(
                                tr(f"role.{r}"),
                                checked=S.roles.contains(r),
                                on_change=lambda c, r=r: S.toggle_role(r, c),
                                data_testid=f"doc-f-role-{r}",
                            )
                            for r in documents.READER_ROLES
                        ],
                        gap="12px",
                        wrap="wrap",
                    ),
                    named,
                    rx.flex(
                        rx.foreach(
                            S.named,
                            lambda n: rx.badge(
                                n["name"],
                                rx.icon("x", size=12, on_click=S.remove_named(n["id"]), cursor="pointer"),
                                size="2",
                                data_testid="doc-f-named",
                            ),
                        ),
                        gap="6px",
                        wrap="wrap",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            _labelled(
                "docs.field.retention",
                rx.input(
                    default_value=S.retention,
                    on_blur=lambda v: S.set_field("retention", v),
                    key=S.form_key.to(str) + "-retention",
                    input_mode="numeric",
                    max_length=3,
                    placeholder=tr("docs.retention_default"),
                    width="100%",
                    data_testid="doc-f-retention",
                ),
            ),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="doc-f-error"
                ),
            ),
            rx.flex(
                rx.button(tr("docs.create"), on_click=S.create, size="3", data_testid="doc-f-save"),
                rx.button(
                    tr("docs.close"),
                    on_click=S.close_form,
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    data_testid="doc-f-close",
                ),
                gap="8px",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="doc-form",
    )


def _filters() -> rx.Component:
    kind = rx.select.root(
        rx.select.trigger(width="100%", data_testid="doc-kind-filter"),
        rx.select.content(
            rx.select.item(tr("docs.kind_all"), value="all"),
            *[rx.select.item(tr(f"docs.kind.{k}"), value=k) for k in DOCUMENT_KINDS],
        ),
        value=rx.cond(S.kind == "", "all", S.kind),
        on_change=S.set_kind,
    )
    return rx.grid(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=tr("docs.search"),
            default_value=S.search,
            on_change=S.set_search.debounce(400),  # type: ignore[attr-defined]
            max_length=100,
            width="100%",
            size="3",
            data_testid="doc-search",
        ),
        kind,
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(S.doc.contains("id"), _card()),  # type: ignore[attr-defined]
        rx.cond(
            S.form_open,
            _form(),
            rx.cond(
                S.can_write,
                rx.button(rx.icon("file-plus"), tr("docs.new"), on_click=S.open_form, size="3", data_testid="doc-new"),
            ),
        ),
        _filters(),
        rx.cond(
            S.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(S.rows, _row), spacing="2", width="100%", data_testid="doc-list"),
            rx.text(tr("docs.none"), color_scheme="gray", data_testid="doc-none"),
        ),
        spacing="4",
        width="100%",
    )


documents_page = page_shell("nav.documents", _body)
