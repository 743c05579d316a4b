"""The export part of a generated screen's state: the purpose of a personal-data export and the
background export to a private file, downloaded through the authorized route."""

import asyncio

import reflex as rx

from bbbms_app import db
from bbbms_app.admin.state_base import (
    EntityState,
    entity_event,
)
from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current
from bbbms_app.i18n import t
from bbbms_app.services.engine import downloads, exports, marking


class ExportPart(EntityState, mixin=True):
    """Export the list as shown (or the selected rows) with progress."""

    export_busy: bool = False
    export_message: str = ""
    export_error: str = ""
    export_url: str = ""
    export_purpose: str = ""

    # --------------------------------------------------------------- export

    @entity_event("export")
    def set_export_purpose(self, value: str):
        """Why personal data is being exported (typed next to the export buttons; audited with it)."""
        self.export_purpose = inputs.text(value, marking.PURPOSE_MAX, "purpose")
        self.export_error = ""

    @entity_event("export", background=True)
    async def export_file(self, fmt: str):
        """Write the filtered list (or the selected rows) to a private file, then download it
        through the authorized route; progress is shown while it is written. A personal-data
        entity needs a purpose first: without one nothing is written."""
        fmt = inputs.choice(fmt, exports.FORMATS, "format")
        principal = current()
        lang = principal.language
        refused = ""
        async with self:
            if self.export_busy:
                return
            purpose = self.export_purpose
            if exports.is_personal(self.spec):
                try:
                    marking.clean_purpose(purpose)
                except marking.ExportInvalid as exc:
                    refused = t(exc.key, lang, **exc.params)
                    self.export_url = ""
                    self.export_message = ""
                    self.export_error = refused
            if not refused:
                self.export_busy = True
                self.export_url = ""
                self.export_error = ""
                self.export_message = t("admin.exporting", lang, done=0, total="…")
            search, filters, deleted = self.search, dict(self.filters), self.show_deleted
            ids = [int(i) for i in self.selected if i.isdigit()]
        if refused:
            yield rx.toast.error(refused)  # outside the lock: a yield there would hold the state
            return
        token, path = downloads.new_file(fmt)
        counter = {"done": 0}

        def work() -> int:
            # A write unit: the export's audit event is written in the same transaction.
            with db.session(write=True) as s:
                return exports.export(
                    s,
                    self.spec,
                    principal,
                    path,
                    fmt=fmt,
                    search=search,
                    filters=filters,
                    ids=ids,
                    deleted=deleted,
                    lang=lang,
                    progress=lambda n: counter.__setitem__("done", n),
                    purpose=purpose,
                )

        task = asyncio.ensure_future(asyncio.to_thread(work))
        while not task.done():
            await asyncio.sleep(0.3)
            async with self:
                self.export_message = t("admin.exporting", lang, done=counter["done"], total="…")
        try:
            count = task.result()
        except marking.ExportInvalid as exc:
            path.unlink(missing_ok=True)
            async with self:
                self.export_busy = False
                self.export_message = ""
                self.export_error = t(exc.key, lang, **exc.params)
            return
        except Exception:
            path.unlink(missing_ok=True)
            async with self:
                self.export_busy = False
                self.export_message = t("error.generic", lang)
            return
        name = exports.file_name(self.spec, fmt, lang)
        downloads.publish(token, user_id=principal.user_id, permission=self.spec.permission("export"), filename=name)
        url = downloads.url(token)
        async with self:
            self.export_busy = False
            self.export_url = url
            self.export_message = t("admin.export_ready", lang, count=count)
        yield rx.download(url=url, filename=name)
