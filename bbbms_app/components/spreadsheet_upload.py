"""The spreadsheet upload of an import screen, one for every import: the drop zone that takes one
XLSX or CSV file, and the server side that receives it into the private downloads folder.

Used by the admin engine's generated import (admin/views.py, admin/state_import.py) and the movement
book's import (pages/movement_import.py); an import screen adds its own template button, check and
write around them."""

from __future__ import annotations

from pathlib import Path

import reflex as rx

from bbbms_app.components.i18n import tr
from bbbms_app.services.engine import downloads, sheets

ACCEPT = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "text/csv": [".csv"],
}


def drop_zone(upload_id: str, testid: str) -> rx.Component:
    """One file, XLSX or CSV; the chosen file's name shown in it. No size limit here: the browser
    would drop a too large file without a word, the server says «too large» in the reader's language."""
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=28, color=rx.color("accent", 10)),
            rx.text(tr("admin.import.choose"), size="2"),
            rx.foreach(rx.selected_files(upload_id), lambda name: rx.text(name, weight="medium", size="2")),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        accept=ACCEPT,
        max_files=1,
        multiple=False,
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="20px",
        width="100%",
        data_testid=testid,
    )


async def receive(files: list[rx.UploadFile]) -> tuple[bytes, Path, str] | None:
    """The first uploaded file: its bytes, where it is kept privately (for the write after the
    check) and its name (cut to 120 characters); None when no file came."""
    if not files:
        return None
    upload = files[0]
    # One byte over the limit is enough for the import to say the file is too large.
    data = await upload.read(sheets.MAX_FILE_BYTES + 1)
    _token, path = downloads.new_file("upload")
    path.write_bytes(data)
    return data, path, str(upload.name or "")[:120]
