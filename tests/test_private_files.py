"""Private files: what a stored file may be is told by its content, office documents by what their
archive holds (real files written by the libraries that make them, not hand-made bytes)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bbbms_app.services import private_files
from bbbms_app.services.private_files import FileRejected


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Кыргыз тили"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    """The same bytes at every call: a member named by a string would carry the time of the call
    (two calls across a 2-second tick differed at byte 10, the header's time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def _docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _odt() -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})


def test_office_documents_are_told_by_their_archive():
    assert private_files.sniff(_xlsx(), office=True)[1] == "xlsx"
    assert private_files.sniff(_docx(), office=True)[1] == "docx"
    assert private_files.sniff(_odt(), office=True) == ("application/vnd.oasis.opendocument.text", "odt")
    assert private_files.sniff(b"%PDF-1.7 ...", office=True)[1] == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        _zip({"readme.txt": b"just a zip"}),  # an archive that is no document
        b"PK\x03\x04 broken",  # not a readable archive
        _zip({"mimetype": b"application/x-something-else"}),
        b"MZ\x90\x00 a program",
    ],
)
def test_anything_else_is_refused(data):
    with pytest.raises(FileRejected):
        private_files.sniff(data, office=True)


def test_office_files_only_where_the_caller_allows_them():
    with pytest.raises(FileRejected):
        private_files.store("consents", 1, _docx())  # a consent is a scan: PDF, JPEG or PNG
    stored = private_files.store("documents", 1, _docx(), office=True)
    assert stored.name.endswith(".docx") and stored.size == len(_docx())
    assert private_files.path_of("documents", stored.name).read_bytes() == _docx()
