"""The pupil's e-portfolio (`/portfolio`, issue 18 #4).

A pupil adds his achievements (with a file or a link as evidence) and submits them; his family
reads them and switches the public link on and off; his class teacher (or a deputy, the director)
verifies or rejects what was submitted; leaders see the school's list of verified achievements this
year, with XLSX. The printed portfolio is an authorized A4 page (api/portfolio.py). Every scope is
checked by services.portfolio, whatever the browser sends.
"""

from __future__ import annotations

from datetime import date

import reflex as rx

from bbbms_app import db
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.auth.state import AuthState
from bbbms_app.components.announcement import in_language
from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.i18n.messages import LANGUAGES
from bbbms_app.models.portfolio import ACHIEVEMENT_KINDS, LEVELS, STATUSES
from bbbms_app.services import portfolio, private_files
from bbbms_app.services.errors import NotFound, Refused
from bbbms_app.services.portfolio import Entry

UPLOAD_ID = "portfolio-evidence"
LANGUAGE_LABELS = {"ky": "КЫР", "ru": "РУС", "en": "ENG"}  # as the header's language switch
TEXT_FIELDS = {
    "title": portfolio.TITLE_MAX,
    "description": portfolio.DESCRIPTION_MAX,
    "place": portfolio.PLACE_MAX,
    "link": portfolio.LINK_MAX,
    "achieved_on": 10,
}


class PortfolioState(rx.State):
    """One pupil's portfolio as display rows, the add form, the verification queue, the school list."""

    pupil_options: list[dict[str, str]] = []
    pupil_id: str = ""
    rows: list[dict[str, str]] = []
    marks: list[dict[str, str]] = []
    pending: list[dict[str, str]] = []
    school_rows: list[dict[str, str]] = []
    can_add: bool = False
    can_share: bool = False
    can_verify: bool = False
    is_leader: bool = False
    link_is_on: bool = False
    new_link: str = ""
    print_lang: str = "ky"
    # The add form (text as typed).
    kind: str = "olympiad"
    level: str = "school"
    place: str = ""
    achieved_on: str = ""
    title: str = ""
    description: str = ""
    link: str = ""
    form_error: str = ""
    form_key: int = 0
    staged_label: str = ""
    comments: dict[str, str] = {}
    _staged: dict[str, str] = {}

    def _fetch(self) -> None:
        principal = current()
        today = date.today()
        self.can_add = principal.role == "pupil" and principal.can("portfolio.write")
        self.can_share = principal.role in ("pupil", "parent") and principal.can("portfolio.share")
        self.can_verify = principal.can("portfolio.verify")
        self.is_leader = principal.role in portfolio.LEADERS and self.can_verify
        with db.session() as s:
            self.pupil_options = portfolio.pupil_options(s, principal, today)
            ids = [o["id"] for o in self.pupil_options]
            if self.pupil_id not in ids:
                self.pupil_id = ids[0] if len(ids) == 1 or (principal.role in ("pupil", "parent") and ids) else ""
            self.pending = portfolio.pending(s, principal, today) if self.can_verify else []
            self.school_rows = portfolio.school_list(s, principal, today, principal.language) if self.is_leader else []
            if self.pupil_id:
                pid = int(self.pupil_id)
                self.rows = portfolio.entries(s, principal, pid, today)
                self.marks = portfolio.year_marks(s, pid, principal.language)
                self.link_is_on = portfolio.link_is_on(s, pid) if self.can_share else False
                self.print_lang = portfolio.pupil_language(s, pid, today)
            else:
                self.rows, self.marks, self.link_is_on = [], [], False

    def _clear(self) -> None:
        self.kind, self.level = "olympiad", "school"
        self.place = self.achieved_on = self.title = self.description = self.link = ""
        self.form_error = self.staged_label = ""
        self._discard_staged()
        self.form_key += 1

    def _discard_staged(self) -> None:
        if self._staged.get("name"):
            private_files.remove("staging", self._staged["name"])
        self._staged = {}

    @rx.event
    @requires("portfolio.read")
    def load(self):
        self.new_link = ""
        raw = str(self.router.url.query_parameters.get("pupil", ""))[:12]
        if raw.isdigit():
            self.pupil_id = raw
        self._fetch()
        self._clear()

    @rx.event
    @requires("portfolio.read")
    def pick_pupil(self, pupil_id: str):
        """Open another pupil's portfolio (one the screen offered)."""
        picked = inputs.offered(pupil_id, self.pupil_options)
        if picked is None:
            raise NotFound(f"pupil {pupil_id}")
        self.pupil_id, self.new_link = picked, ""
        self._fetch()

    @rx.event
    @requires("portfolio.read")
    def set_print_lang(self, lang: str):
        self.print_lang = inputs.choice(lang, LANGUAGES, "lang")

    # --- the pupil's form ---------------------------------------------------------------------

    @rx.event
    @requires("portfolio.write")
    def set_field(self, field: str, value: str):
        """A field of the add form as typed (sent when it loses focus) or picked."""
        field = inputs.choice(field, (*TEXT_FIELDS, "kind", "level"), "field")
        if field == "kind":
            self.kind = inputs.choice(value, ACHIEVEMENT_KINDS, "kind")
        elif field == "level":
            self.level = inputs.choice(value, LEVELS, "level")
        else:
            setattr(self, field, inputs.text(value, TEXT_FIELDS[field], field, multiline=field == "description"))

    @rx.event
    @requires("portfolio.write")
    def set_achieved_on(self, value: str):
        self.achieved_on = inputs.text(value, 10, "achieved_on")

    @rx.event
    @requires("portfolio.write")
    async def attach(self, files: list[rx.UploadFile]):
        """Keep the chosen evidence file in private staging (checked by size and content) until saved."""
        principal = current()
        if not isinstance(files, list) or len(files) != 1 or principal.school_id is None:
            raise Refused("files.empty", field="evidence")
        data = await files[0].read(portfolio.EVIDENCE_MAX + 1)
        stored = private_files.store(
            "staging", principal.school_id, data, max_bytes=portfolio.EVIDENCE_MAX, office=True
        )
        self._discard_staged()
        self._staged = {"name": stored.name, "sha256": stored.sha256}
        self.staged_label = f"{stored.content_type.rsplit('/', 1)[-1][:12].upper()} · {max(1, stored.size // 1024)} KB"

    @rx.event
    @requires("portfolio.write")
    def save(self):
        """The pupil's new entry, a draft; a refused value is shown under the form."""
        principal = current()
        evidence = None
        if self._staged.get("name"):
            evidence = private_files.read_verified("staging", self._staged["name"], self._staged["sha256"])
        entry = Entry(
            kind=inputs.choice(self.kind, ACHIEVEMENT_KINDS, "kind"),
            level=inputs.choice(self.level, LEVELS, "level"),
            title=inputs.text(self.title, portfolio.TITLE_MAX, "title"),
            achieved_on=inputs.school_date(self.achieved_on, "achieved_on"),
            place=inputs.text(self.place, portfolio.PLACE_MAX, "place"),
            description=inputs.text(self.description, portfolio.DESCRIPTION_MAX, "description", multiline=True),
            link=inputs.text(self.link, portfolio.LINK_MAX, "link"),
        )
        try:
            with db.session(write=True) as s:
                portfolio.add(s, principal, entry, date.today(), evidence=evidence)
        except Refused as exc:
            self.form_error = exc.message(principal.language)
            return None
        self._clear()
        self._fetch()
        return rx.toast.success(t("portfolio.saved", principal.language))

    @rx.event
    @requires("portfolio.write")
    def submit(self, achievement_id: str):
        principal = current()
        with db.session(write=True) as s:
            portfolio.submit(s, principal, inputs.record_id(achievement_id, "achievement_id"))
        self._fetch()
        return rx.toast.success(t("portfolio.submitted", principal.language))

    @rx.event
    @requires("portfolio.write")
    def remove(self, achievement_id: str):
        with db.session(write=True) as s:
            portfolio.remove_draft(s, current(), inputs.record_id(achievement_id, "achievement_id"))
        self._fetch()

    # --- verification ---------------------------------------------------------------------------

    @rx.event
    @requires("portfolio.verify")
    def set_comment(self, achievement_id: str, value: str):
        aid = str(inputs.record_id(achievement_id, "achievement_id"))
        self.comments = {**self.comments, aid: inputs.text(value, portfolio.COMMENT_MAX, "comment")}

    @rx.event
    @requires("portfolio.verify")
    def review(self, achievement_id: str, verdict: str):
        principal = current()
        aid = inputs.record_id(achievement_id, "achievement_id")
        verdict = inputs.choice(verdict, ("verified", "rejected"), "verdict")
        with db.session(write=True) as s:
            portfolio.review(s, principal, aid, verdict, self.comments.get(str(aid), ""), date.today())
        self.comments = {k: v for k, v in self.comments.items() if k != str(aid)}
        self._fetch()
        return rx.toast.success(t("portfolio.reviewed", principal.language))

    @rx.event
    @requires("portfolio.verify")
    def school_xlsx(self):
        principal = current()
        with db.session(write=True) as s:
            data, filename = portfolio.school_list_xlsx(s, principal, date.today(), principal.language)
        stored = private_files.store_export(principal.school_id, principal.user_id, data, "xlsx")
        return rx.download(url=private_files.export_url(stored.name), filename=filename)

    # --- the public link ------------------------------------------------------------------------

    @rx.event
    @requires("portfolio.share")
    def share_on(self):
        principal = current()
        pid = inputs.record_id(self.pupil_id, "pupil_id")
        with db.session(write=True) as s:
            token = portfolio.link_on(s, principal, pid)
        self.new_link = f"{self.router.url.origin}{portfolio.public_url(token)}"
        self._fetch()

    @rx.event
    @requires("portfolio.share")
    def share_off(self):
        pid = inputs.record_id(self.pupil_id, "pupil_id")
        with db.session(write=True) as s:
            portfolio.link_off(s, current(), pid)
        self.new_link = ""
        self._fetch()


S = PortfolioState


def _labelled(key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(key), size="2", weight="medium"), control, spacing="1", width="100%")


def _pick(field: str, codes: tuple[str, ...], prefix: str, testid: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", data_testid=testid),
        rx.select.content(*[rx.select.item(tr(f"{prefix}.{c}"), value=c) for c in codes]),
        value=getattr(S, field),
        on_change=lambda v: S.set_field(field, v),
    )


def _text(field: str, testid: str, max_length: int, **props) -> rx.Component:
    return rx.input(
        default_value=getattr(S, field),
        on_blur=lambda v: S.set_field(field, v),
        key=S.form_key.to(str) + "-" + field,
        max_length=max_length,
        width="100%",
        size="3",
        data_testid=testid,
        **props,
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("portfolio.new"), size="4"),
            rx.grid(
                _labelled("portfolio.field.kind", _pick("kind", ACHIEVEMENT_KINDS, "portfolio.kind", "pf-kind")),
                _labelled("portfolio.field.level", _pick("level", LEVELS, "portfolio.level", "pf-level")),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _labelled("portfolio.field.title", _text("title", "pf-title", portfolio.TITLE_MAX)),
            rx.grid(
                _labelled("portfolio.field.place", _text("place", "pf-place", portfolio.PLACE_MAX)),
                _labelled(
                    "portfolio.field.date",
                    date_input(S.achieved_on, S.set_achieved_on, testid="pf-date", width="100%"),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _labelled(
                "portfolio.field.description",
                rx.text_area(
                    default_value=S.description,
                    on_blur=lambda v: S.set_field("description", v),
                    key=S.form_key.to(str) + "-description",
                    rows="3",
                    max_length=portfolio.DESCRIPTION_MAX,
                    width="100%",
                    data_testid="pf-description",
                ),
            ),
            _labelled("portfolio.field.link", _text("link", "pf-link", portfolio.LINK_MAX, type="url")),
            _labelled(
                "portfolio.field.evidence",
                rx.upload(
                    rx.hstack(
                        rx.icon("paperclip", size=18), rx.text(tr("portfolio.evidence"), size="2"), align="center"
                    ),
                    id=UPLOAD_ID,
                    multiple=False,
                    max_files=1,
                    max_size=portfolio.EVIDENCE_MAX,
                    on_drop=S.attach(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
                    border=f"1px dashed {rx.color('accent', 8)}",
                    border_radius="8px",
                    padding="12px",
                    width="100%",
                    cursor="pointer",
                    data_testid="pf-upload",
                ),
            ),
            rx.cond(S.staged_label != "", rx.badge(S.staged_label, color_scheme="green", data_testid="pf-staged")),
            rx.cond(
                S.form_error != "",
                rx.callout(
                    S.form_error, color_scheme="red", icon="triangle-alert", width="100%", data_testid="pf-error"
                ),
            ),
            rx.button(tr("portfolio.save"), on_click=S.save, size="3", width="100%", data_testid="pf-save"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


STATUS_COLORS = {"draft": "gray", "submitted": "amber", "verified": "grass", "rejected": "red"}


def _status(row: rx.Var) -> rx.Component:
    return rx.match(
        row["status"],
        *[
            (s, rx.badge(tr(f"portfolio.status.{s}"), color_scheme=STATUS_COLORS[s], data_testid="pf-status"))  # type: ignore[arg-type]
            for s in STATUSES
        ],
        rx.fragment(),
    )


def _entry_head(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.text(row["title"], weight="bold", size="3"),
            _status(row),
            gap="8px",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            in_language("portfolio.kind", ACHIEVEMENT_KINDS, row["kind"]),
            " · ",
            in_language("portfolio.level", LEVELS, row["level"]),
            rx.cond(row["place"] != "", " · " + row["place"].to(str), ""),
            " · ",
            row["achieved_on"],
            size="2",
            color_scheme="gray",
        ),
        rx.cond(row["description"] != "", rx.text(row["description"], size="2", white_space="pre-wrap")),
        rx.flex(
            rx.cond(
                row["evidence"] != "",
                rx.link(
                    rx.flex(rx.icon("paperclip", size=14), tr("portfolio.evidence"), gap="4px", align="center"),
                    href=row["evidence"],
                    is_external=True,
                ),
            ),
            rx.cond(
                row["link"] != "",
                rx.link(
                    rx.flex(rx.icon("link", size=14), tr("portfolio.open_link"), gap="4px", align="center"),
                    href=row["link"],
                    is_external=True,
                ),
            ),
            gap="12px",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def _entry(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            _entry_head(row),
            rx.cond(
                row["comment"] != "",
                rx.text(tr("portfolio.field.comment"), ": ", row["comment"], size="2", color_scheme="red"),
            ),
            rx.cond(
                (row["status"] == "verified") & (row["reviewer"] != ""),
                rx.text(
                    tr("portfolio.verified_by").replace("{name}", row["reviewer"].to(str)),  # type: ignore[attr-defined]
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                S.can_add & ((row["status"] == "draft") | (row["status"] == "rejected")),
                rx.flex(
                    rx.button(tr("portfolio.submit"), on_click=S.submit(row["id"]), size="3", data_testid="pf-submit"),
                    rx.cond(
                        row["status"] == "draft",
                        rx.button(
                            tr("portfolio.delete"),
                            on_click=S.remove(row["id"]),
                            size="3",
                            variant="soft",
                            color_scheme="red",
                        ),
                    ),
                    gap="8px",
                    wrap="wrap",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="pf-entry",
    )


def _pending(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["pupil"], weight="medium", size="2"),
            _entry_head(row),
            rx.input(
                placeholder=tr("portfolio.field.comment"),
                on_blur=lambda v: S.set_comment(row["id"], v),
                max_length=portfolio.COMMENT_MAX,
                width="100%",
                data_testid="pf-comment",
            ),
            rx.flex(
                rx.button(
                    tr("portfolio.verify"),
                    on_click=S.review(row["id"], "verified"),
                    color_scheme="grass",
                    data_testid="pf-verify",
                ),
                rx.button(
                    tr("portfolio.reject"),
                    on_click=S.review(row["id"], "rejected"),
                    color_scheme="red",
                    variant="soft",
                    data_testid="pf-reject",
                ),
                gap="8px",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="pf-pending",
    )


def _share() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("portfolio.public"), size="3"),
            rx.text(
                rx.cond(S.link_is_on, tr("portfolio.public_is_on"), tr("portfolio.public_is_off")),
                size="2",
                data_testid="pf-link-state",
            ),
            rx.cond(
                S.new_link != "",
                rx.vstack(
                    rx.text(tr("portfolio.public_new"), size="2"),
                    rx.code(S.new_link, data_testid="pf-new-link", word_break="break-all"),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.flex(
                rx.button(tr("portfolio.public_on"), on_click=S.share_on, size="3", data_testid="pf-link-on"),
                rx.cond(
                    S.link_is_on,
                    rx.button(
                        tr("portfolio.public_off"),
                        on_click=S.share_off,
                        size="3",
                        variant="soft",
                        color_scheme="red",
                        data_testid="pf-link-off",
                    ),
                ),
                gap="8px",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _marks() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("portfolio.marks"), size="4"),
        rx.cond(
            S.marks.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.body(
                    rx.foreach(
                        S.marks,
                        lambda m: rx.table.row(
                            rx.table.cell(m["year"]),
                            rx.table.cell(
                                rx.match(
                                    AuthState.lang, ("ru", m["subject_ru"]), ("en", m["subject_en"]), m["subject_ky"]
                                )
                            ),
                            rx.table.cell(m["value"]),
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            rx.text(tr("portfolio.marks_none"), color_scheme="gray", size="2"),
        ),
        spacing="2",
        width="100%",
    )


def _print() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(data_testid="pf-print-lang"),
            rx.select.content(*[rx.select.item(LANGUAGE_LABELS[lang], value=lang) for lang in LANGUAGES]),
            value=S.print_lang,
            on_change=S.set_print_lang,
        ),
        rx.link(
            rx.button(rx.icon("printer", size=16), tr("portfolio.print"), size="3", variant="outline"),
            href=portfolio.PRINT_ROUTE + "/" + S.pupil_id + "?lang=" + S.print_lang,
            is_external=True,
            data_testid="pf-print",
        ),
        gap="8px",
        align="center",
        wrap="wrap",
    )


def _school_list() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading(tr("portfolio.school_list"), size="4"),
            rx.button(tr("portfolio.xlsx"), on_click=S.school_xlsx, variant="outline", data_testid="pf-xlsx"),
            gap="12px",
            align="center",
        ),
        rx.cond(
            S.school_rows.length() > 0,  # type: ignore[attr-defined]
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(tr(f"portfolio.col.{c}"))
                                for c in ("pupil", "class", "level", "kind", "title", "place", "date")
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.school_rows,
                            lambda r: rx.table.row(
                                *[
                                    rx.table.cell(r[c])
                                    for c in ("pupil", "class", "level", "kind", "title", "place", "date")
                                ]
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
                data_testid="pf-school-list",
            ),
            rx.text(tr("portfolio.school_list_none"), color_scheme="gray", size="2"),
        ),
        spacing="2",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.can_verify,
            rx.vstack(
                rx.heading(tr("portfolio.pending"), size="4"),
                rx.cond(
                    S.pending.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(rx.foreach(S.pending, _pending), spacing="3", width="100%"),
                    rx.text(tr("portfolio.pending_none"), color_scheme="gray", size="2"),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            S.pupil_options.length() > 1,  # type: ignore[attr-defined]
            _labelled(
                "portfolio.pupil",
                rx.select.root(
                    rx.select.trigger(placeholder=tr("portfolio.pick_pupil"), width="100%", data_testid="pf-pupil"),
                    rx.select.content(rx.foreach(S.pupil_options, lambda o: rx.select.item(o["name"], value=o["id"]))),
                    value=S.pupil_id,
                    on_change=S.pick_pupil,
                ),
            ),
        ),
        rx.cond(
            S.pupil_id != "",
            rx.vstack(
                rx.cond(S.can_add, _form()),
                rx.flex(
                    rx.heading(tr("portfolio.entries"), size="4"),
                    _print(),
                    justify="between",
                    align="center",
                    gap="8px",
                    wrap="wrap",
                    width="100%",
                ),
                rx.text(tr("portfolio.only_verified"), size="1", color_scheme="gray"),
                rx.cond(
                    S.rows.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(rx.foreach(S.rows, _entry), spacing="3", width="100%"),
                    rx.text(tr("portfolio.none"), color_scheme="gray", data_testid="pf-none"),
                ),
                _marks(),
                rx.cond(S.can_share, _share()),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                S.pupil_options.length() == 0,  # type: ignore[attr-defined]
                rx.text(tr("portfolio.no_pupils"), color_scheme="gray"),
            ),
        ),
        rx.cond(S.is_leader, _school_list()),
        spacing="4",
        width="100%",
        max_width="900px",
    )


portfolio_page = page_shell("nav.portfolio", _body)
