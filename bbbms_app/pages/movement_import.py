"""/movement-import: many lines of the movement book from one XLSX or CSV (issue 15, item 7's
screen; the CLI's `import movements` until now). The clerk downloads the template (through the
authorized download route), uploads her file, reads every problem with its row and column in her
language, and writes it — all or nothing — through services/movement_import.py, whose lines go
through the book's own rules (services/movement.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import reflex as rx

from bbbms_app import db
from bbbms_app.auth.guard import current, requires
from bbbms_app.components import spreadsheet_upload
from bbbms_app.components.i18n import tr
from bbbms_app.components.layout import page_shell
from bbbms_app.i18n import t
from bbbms_app.services import movement_import
from bbbms_app.services.engine import downloads, imports

PERMISSION = "movement.write"
UPLOAD_ID = "movement-import"
MAX_SHOWN = 200  # problems listed on screen


class MovementImportState(rx.State):
    """The staged file (kept privately on the server), its check and the write."""

    errors: list[dict[str, str]] = []
    error_count: int = 0
    message: str = ""
    ready: bool = False
    done: bool = False
    file_name: str = ""
    _path: str = ""

    def _reset(self) -> None:
        if self._path:
            Path(self._path).unlink(missing_ok=True)
        self._path = ""
        self.errors, self.error_count, self.message = [], 0, ""
        self.ready = self.done = False
        self.file_name = ""

    def _show(self, result: imports.ImportResult, lang: str) -> None:
        self.errors = [e.as_dict() for e in result.errors[:MAX_SHOWN]]
        self.error_count = len(result.errors)
        self.message = imports.summary(result, lang)

    @rx.event
    @requires(PERMISSION)
    def load(self):
        self._reset()

    @rx.event
    @requires(PERMISSION)
    def template(self):
        """The empty file with the columns' headers in the user's language."""
        principal = current()
        lang = principal.language
        name = f"{t('movement.import.title', lang)}.xlsx"
        token, path = downloads.new_file("xlsx")
        path.write_bytes(movement_import.template(lang))
        downloads.publish(token, user_id=principal.user_id, permission=PERMISSION, filename=name)
        return rx.download(url=downloads.url(token), filename=name)

    @rx.event
    @requires(PERMISSION)
    async def upload(self, files: list[rx.UploadFile]):
        """Receive the file and check it whole (a dry run: nothing is written)."""
        principal = current()
        lang = principal.language
        self._reset()
        received = await spreadsheet_upload.receive(files)
        if received is None:
            self.message = t("admin.import.no_file", lang)
            return
        data, path, self.file_name = received
        self._path = str(path)
        file_name = self.file_name

        def check() -> imports.ImportResult:
            with db.session(write=True) as s:
                return movement_import.run(s, principal, data, file_name, lang=lang, dry_run=True)

        result = await asyncio.to_thread(check)
        self._show(result, lang)
        self.ready = result.ok

    @rx.event
    @requires(PERMISSION)
    async def commit(self):
        """Write the checked file: every line in one transaction, or none."""
        principal = current()
        lang = principal.language
        if not self.ready or not self._path or not Path(self._path).exists():
            self.message = t("admin.import.no_file", lang)
            return None
        data = Path(self._path).read_bytes()
        file_name = self.file_name

        def work() -> imports.ImportResult:
            with db.session(write=True) as s:
                return movement_import.run(s, principal, data, file_name, lang=lang)

        result = await asyncio.to_thread(work)
        self._show(result, lang)
        self.ready = False
        self.done = result.written
        if result.written:
            Path(self._path).unlink(missing_ok=True)
            self._path = ""
            return rx.toast.success(self.message)
        return None


def _errors() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(tr(k))
                        for k in (
                            "admin.import.col_row",
                            "admin.import.col_column",
                            "admin.import.col_value",
                            "admin.import.col_problem",
                        )
                    ]
                )
            ),
            rx.table.body(
                rx.foreach(
                    MovementImportState.errors,
                    lambda e: rx.table.row(
                        *[rx.table.cell(e[k]) for k in ("row", "column", "value", "message")],
                        data_testid="mi-error",
                    ),
                )
            ),
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _body() -> rx.Component:
    S = MovementImportState
    return rx.vstack(
        rx.text(tr("movement.import.steps"), size="2"),
        rx.button(
            rx.icon("file-down", size=16),
            tr("admin.import.template"),
            variant="soft",
            on_click=S.template,
            data_testid="mi-template",
        ),
        spreadsheet_upload.drop_zone(UPLOAD_ID, "mi-upload"),
        rx.button(
            rx.icon("search-check", size=16),
            tr("admin.import.check"),
            size="3",
            on_click=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[call-arg]
            data_testid="mi-check",
        ),
        rx.cond(
            S.message != "",
            rx.callout(
                S.message,
                icon=rx.cond(S.error_count > 0, "triangle-alert", "circle-check"),
                color_scheme=rx.cond(S.error_count > 0, "red", "green"),
                width="100%",
                data_testid="mi-message",
            ),
        ),
        rx.cond(S.error_count > 0, _errors()),
        rx.cond(
            S.ready,
            rx.button(
                rx.icon("check", size=16),
                tr("movement.import.write"),
                size="3",
                color_scheme="green",
                on_click=S.commit,
                data_testid="mi-commit",
            ),
        ),
        spacing="3",
        width="100%",
        align="stretch",
    )


movement_import_page = page_shell("movement.import.title", _body)
