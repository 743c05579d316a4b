"""The import part of a generated screen's state: the staged file, its whole-file check (a dry
run), the all-or-nothing write, the report and the accounts' one-time password sheet."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import reflex as rx

from bbbms_app import db
from bbbms_app.admin.state_base import (
    MAX_REPORT_ROWS,
    EntityState,
    entity_event,
)
from bbbms_app.auth.guard import current
from bbbms_app.components import spreadsheet_upload
from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.engine import downloads, imports


class ImportPart(EntityState, mixin=True):
    """Upload, check, import; the report and the credentials sheet."""

    import_errors: list[dict[str, str]] = []
    import_error_count: int = 0
    import_warnings: list[dict[str, str]] = []  # rows that import, with a PIN to check
    import_message: str = ""
    import_ready: bool = False
    import_done: bool = False
    import_file_name: str = ""
    credentials_count: int = 0  # accounts the import made, whose one-time passwords wait in a file
    _import_path: str = ""
    _report_path: str = ""
    _credentials_path: str = ""

    # --------------------------------------------------------------- import

    def _reset_import(self) -> None:
        self.import_errors = []
        self.import_error_count = 0
        self.import_warnings = []
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
        self.import_warnings = [w.as_dict() for w in result.warnings[:MAX_REPORT_ROWS]]
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
        received = await spreadsheet_upload.receive(files)
        if received is None:
            self.import_message = t("admin.import.no_file", lang)
            return
        data, path, self.import_file_name = received
        self._import_path = str(path)
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
        thread, so a long import holds only this tab, not the server's other users (the accounts'
        screen makes it a background event: an argon2id hash each, ~0.1 s, then holds not even the
        tab's lock, admin/states.py)."""
        work = self._import_work()
        if work is None:
            return None
        return self._import_shown(await asyncio.to_thread(work))

    def _import_work(self) -> "Callable[[], imports.ImportResult] | None":
        """The import of the checked file as a function for a worker thread, or None (with the
        message set) when no checked file waits. Reads only, but for that message."""
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

        return work

    def _import_shown(self, result: imports.ImportResult):
        """Put the import's outcome into the tab (under its lock)."""
        lang = current().language
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
