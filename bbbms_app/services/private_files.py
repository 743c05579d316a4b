"""Personal documents on disk outside the public upload folder: store, check type by content, open, remove.

Reflex serves its upload folder at `/_upload` to anyone (DESIGN §6.5), so scans of signed consents,
photos and exports of personal data live under `<data_dir>/private/<kind>/` with server-made names
and are handed out only by the authorized routes in `bbbms_app.api.private_files`. A stored name is
`<school_id>/<32 hex>.<ext>`: nothing of the uploader's file name reaches the disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bbbms_app import settings
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

# One folder per kind of private file. The areas' attachments (course materials and hand-ins, test
# images, messages, the documents register, portfolio evidence, project files) each have their own.
KINDS = (
    "consents", "photos", "exports", "staging",
    "courses", "quiz", "messages", "documents", "portfolio", "projects",
    "reports",  # whole-school report workbooks made in the background (services/reports/export_jobs.py)
)  # fmt: skip
MAX_SCAN_BYTES = 10 * 1024 * 1024

# Accepted document types, recognised by their first bytes (a browser's content type is only a claim).
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# zip: the school year's archive, a background report export (services/reports/export_jobs.py)
_NAME = re.compile(r"^(\d{1,9})/([0-9a-f]{32})\.(pdf|jpg|png|xlsx|csv|json|docx|pptx|odt|ods|odp|zip)$")

# Office documents are ZIP files; which one is told by what the archive holds, not by a name.
_ZIP = b"PK\x03\x04"
_OOXML = (  # (folder inside the archive, content type, extension)
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
)
_ODF = {  # the `mimetype` member of an OpenDocument file -> extension
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
MAX_ZIP_MEMBERS = 5000  # a document with more parts than this is not a school's document


class FileRejected(Refused):
    """An upload that may not be stored; `key` names the translated message."""


@dataclass(frozen=True)
class StoredFile:
    """A file written to private storage: its server-made name, digest, size and content type."""

    name: str
    sha256: str
    size: int
    content_type: str


def root(kind: str) -> Path:
    """The private folder of `kind` (created on first use, readable by the server's user only)."""
    if kind not in KINDS:
        raise ValueError(f"unknown private file kind {kind!r}")
    path = settings.get().data_dir / "private" / kind
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def sniff(data: bytes, *, office: bool = False) -> tuple[str, str]:
    """(content type, extension) of a PDF, JPEG or PNG by its first bytes — and with `office` of a
    Word, Excel, PowerPoint or OpenDocument file by what its archive holds; FileRejected otherwise."""
    for magic, content_type, ext in MAGIC:
        if data.startswith(magic):
            return content_type, ext
    if office and data.startswith(_ZIP):
        found = _office_type(data)
        if found is not None:
            return found
    raise FileRejected("files.type")


def _office_type(data: bytes) -> tuple[str, str] | None:
    """The office format of a ZIP archive, or None (a plain or broken archive is no document)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if len(names) > MAX_ZIP_MEMBERS:
                return None
            if "mimetype" in names:
                ext = _ODF.get(archive.read("mimetype")[:100].decode("ascii", "replace").strip())
                return (next(k for k, v in _ODF.items() if v == ext), ext) if ext else None
            if "[Content_Types].xml" in names:
                for folder, content_type, ext in _OOXML:
                    if any(n.startswith(folder) for n in names):
                        return content_type, ext
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def store(
    kind: str, school_id: int, data: bytes, *, max_bytes: int = MAX_SCAN_BYTES, office: bool = False
) -> StoredFile:
    """Check a file (size, type by content: PDF, JPEG, PNG, and with `office` Word, Excel,
    PowerPoint and OpenDocument files) and write it under a new random name."""
    if not data:
        raise FileRejected("files.empty")
    if len(data) > max_bytes:
        raise FileRejected("files.too_big", mb=max_bytes // (1024 * 1024))
    content_type, ext = sniff(data, office=office)
    return _write(kind, school_id, data, ext, content_type)


def store_export(school_id: int | None, owner_user_id: int, data: bytes, ext: str) -> StoredFile:
    """Keep an export file for its one download by `owner_user_id` (see `open_export`)."""
    content_type = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
    }[ext]
    purge_exports()
    # The owner's id is part of the folder, so the download route can tell whose export it is.
    return _write("exports", owner_user_id, data, ext, content_type)


def _write(kind: str, folder_id: int, data: bytes, ext: str, content_type: str) -> StoredFile:
    folder = root(kind) / str(int(folder_id))
    folder.mkdir(exist_ok=True, mode=0o700)
    token = secrets.token_hex(16)
    name = f"{int(folder_id)}/{token}.{ext}"
    tmp = folder / f".{token}.part"
    # Written then renamed: a reader never sees half a file.
    with open(tmp, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / f"{token}.{ext}")
    return StoredFile(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type=content_type)


def path_of(kind: str, name: str) -> Path:
    """The file behind a stored name; ValueError for anything that is not a name this module made."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("not a private file name")
    return root(kind) / name


def read_verified(kind: str, name: str, sha256: str) -> bytes | None:
    """The file's bytes when it exists and still has the recorded digest; None otherwise."""
    path = path_of(kind, name)
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data


def move(src_kind: str, name: str, dst_kind: str) -> str:
    """Move a stored file to another kind's folder under the same name (staging -> consents)."""
    src = path_of(src_kind, name)
    dst = root(dst_kind) / name
    dst.parent.mkdir(exist_ok=True, mode=0o700)
    os.replace(src, dst)
    return name


def remove(kind: str, name: str) -> None:
    """Delete a stored file if it is there."""
    try:
        path_of(kind, name).unlink(missing_ok=True)
    except ValueError:
        return


EXPORT_TTL_S = 15 * 60
STAGING_TTL_S = 24 * 3600


def export_url(name: str) -> str:
    """Where the authorized route (api/private_files.py) hands out an export stored with store_export."""
    return f"/private/export/{name}"


def export_owner(name: str) -> int | None:
    """The user id an export file was made for, from its name."""
    m = _NAME.match(name or "")
    return int(m.group(1)) if m else None


def open_export(principal: Principal, name: str) -> Path | None:
    """The stored export `name` for its one download: NotFound for a name that is not an export,
    OutOfScope when it is another user's or he no longer holds export.personal; None when it was
    already downloaded or has expired."""
    from bbbms_app.services.engine.marking import PERMISSION  # the engine imports this module

    owner = export_owner(name)
    if owner is None:
        raise NotFound(f"export {name[:60]}")
    if owner != principal.user_id or not principal.can(PERMISSION):
        raise OutOfScope(f"{PERMISSION}: export of user {owner}")
    path = path_of("exports", name)
    return path if path.is_file() else None


def purge_exports(now: float | None = None) -> int:
    """Delete exports and staged scans nobody fetched in time; returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    for kind, ttl in (("exports", EXPORT_TTL_S), ("staging", STAGING_TTL_S)):
        for path in root(kind).glob("*/*"):
            if path.is_file() and now - path.stat().st_mtime > ttl:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
