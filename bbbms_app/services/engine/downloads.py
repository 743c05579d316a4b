"""Files made for one user (exports, import error reports, staged uploads) in a private folder.

Reflex's /_upload is public (DESIGN §6.5), so these files live under `<data_dir>/private/downloads`
with random 128-bit names and are handed out only by the authorized route in api/private_files.py: the
caller's session cookie must resolve to the user the file was made for, who must still hold the
permission it was made under. Files older than an hour are swept away.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from bbbms_app import settings
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import NotFound

ROUTE = "/admin-files"
MAX_AGE_S = 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_EXTENSIONS = frozenset({"xlsx", "csv", "upload"})
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class DownloadRefused(NotFound):
    """The file is not there for this caller (unknown, expired, someone else's, no permission)."""


@dataclass(frozen=True)
class Ticket:
    path: Path
    filename: str
    content_type: str


def folder() -> Path:
    path = settings.get().data_dir / "private" / "downloads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sweep(max_age_s: int = MAX_AGE_S) -> int:
    """Remove files older than `max_age_s`; returns how many."""
    cutoff = time.time() - max_age_s
    removed = 0
    for path in folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def new_file(extension: str) -> tuple[str, Path]:
    """A fresh random token and the private path to write its file to."""
    if extension not in _EXTENSIONS:
        raise ValueError(f"unexpected extension {extension!r}")
    sweep()
    token = secrets.token_hex(16)
    path = folder() / f"{token}.{extension}"
    # Owner-only from the start: the writers (xlsxwriter, open(…, "wb")) keep an existing file's mode.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return token, path


def publish(token: str, *, user_id: int, permission: str, filename: str, scope: dict | None = None) -> None:
    """Make the written file `token` downloadable by `user_id` while he holds `permission`.

    `scope` is kept with it for a route that checks the data scope again at download time (the
    journal's class × subject × subgroup, see services.journal_export)."""
    data = folder() / f"{token}.{filename.rsplit('.', 1)[-1]}"
    if not data.exists():
        raise FileNotFoundError(data)
    meta = {"user_id": user_id, "permission": permission, "filename": filename, "file": data.name}
    if scope is not None:
        meta["scope"] = scope
    (folder() / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def url(token: str) -> str:
    return f"{ROUTE}/{token}"


def meta_of(token: str) -> dict:
    """What was published under `token` (owner, permission, file name, scope); DownloadRefused for a
    malformed, unknown or expired token."""
    if not _TOKEN.match(token or ""):
        raise DownloadRefused("bad token")
    meta_path = folder() / f"{token}.json"
    if not meta_path.exists() or meta_path.stat().st_mtime < time.time() - MAX_AGE_S:
        raise DownloadRefused("unknown or expired")
    return json.loads(meta_path.read_text(encoding="utf-8"))


def ticket_of(meta: dict) -> Ticket:
    """The stored file of a published token; DownloadRefused when it is gone."""
    path = folder() / meta["file"]
    if not path.exists():
        raise DownloadRefused("gone")
    ext = path.suffix.lstrip(".")
    return Ticket(path, meta["filename"], CONTENT_TYPES.get(ext, "application/octet-stream"))


def open_for(principal: Principal, token: str) -> Ticket:
    """The file behind `token`, if the principal is its owner and still holds its permission."""
    meta = meta_of(token)
    if principal.user_id != meta["user_id"] or not principal.can(meta["permission"]):
        raise DownloadRefused("not yours")
    return ticket_of(meta)
