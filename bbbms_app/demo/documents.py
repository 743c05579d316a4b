"""Demo documents of the register: an order, the pedagogical council's minutes, the local act
«Баалоо жөнүндө жобо» (two versions each where a school would have revised it), a draft plan,
and some staff's acknowledgements — so /documents shows something real. The files are small
real Word documents (docx) holding the document's text."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bbbms_app.models import User
from bbbms_app.models.documents import Document
from bbbms_app.services import accounts, documents
from bbbms_app.services.documents import Draft

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx(*paragraphs: str) -> bytes:
    """A minimal Word document with these paragraphs (the first one bold)."""
    body = "".join(
        f'<w:p><w:r>{"<w:rPr><w:b/></w:rPr>" if i == 0 else ""}<w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
        for i, p in enumerate(paragraphs)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def add_documents(engine: Engine, school_id: int, today: date) -> int:
    """The demo documents of the first school; none when it has some already. Returns how many."""
    with Session(engine) as s:
        if s.exec(select(Document.id).where(Document.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        if "director" not in users or "deputy" not in users:
            return 0

        def who(username: str):
            return accounts.principal_for(users[username], session=s)

        year = today.year if today.month >= 9 else today.year - 1
        written = 0

        def make(username: str, draft: Draft, files: list[tuple[str, bytes]], approve: bool) -> int:
            nonlocal written
            doc = documents.create(s, who(username), draft)
            for name, data in files:
                documents.add_version(s, who(username), doc.id, data, name)  # type: ignore[arg-type]
            if approve:
                documents.approve(s, who("director"), doc.id)  # type: ignore[arg-type]
            written += 1
            return doc.id  # type: ignore[return-value]

        order = make(
            "director",
            Draft(
                kind="order",
                title="Окуу жылын уюштуруу жана мугалимдердин жүктөмү жөнүндө",
                description="Окуу жылынын башталышы, сабактардын жүгү, класс жетекчилерин дайындоо.",
                doc_date=date(year, 9, 1),
            ),
            [
                (
                    "Буйрук-1.docx",
                    docx("Буйрук № 1", "Окуу жылын уюштуруу жөнүндө.", "1. Сабактар 1-сентябрда башталсын."),
                ),
                (
                    "Буйрук-1 (оңдолгон).docx",
                    docx(
                        "Буйрук № 1",
                        "Окуу жылын уюштуруу жөнүндө.",
                        "1. Сабактар 1-сентябрда башталсын.",
                        "2. Класс жетекчилери тиркемеде көрсөтүлгөндөй дайындалсын.",
                    ),
                ),
            ],
            approve=True,
        )
        minutes = make(
            "deputy",
            Draft(
                kind="minutes",
                title="Педкеңештин протоколу: 1-чейректин жыйынтыктары",
                description="Үлгүрүү жана сапат, калтырылган сабактар, 2-чейрекке милдеттер.",
                doc_date=date(year, 11, 6),
                reader_roles=("teacher", "deputy"),
            ),
            [
                (
                    "Протокол-2.docx",
                    docx("Педагогикалык кеңештин № 2 протоколу", "Күн тартиби: 1-чейректин жыйынтыктары."),
                )
            ],
            approve=True,
        )
        local_act = make(
            "deputy",
            Draft(
                kind="local_act",
                title="Баалоо жөнүндө жобо",
                description="Окуучулардын билимин баалоо, чейректик жана жылдык бааларды коюу тартиби.",
                doc_date=date(year, 8, 28),
            ),
            [
                ("Баалоо жөнүндө жобо.docx", docx("Баалоо жөнүндө жобо", "1. Жалпы жоболор.")),
                (
                    "Баалоо жөнүндө жобо (2-ред.).docx",
                    docx("Баалоо жөнүндө жобо", "1. Жалпы жоболор.", "2. Чейректик баа орточо баа боюнча коюлат."),
                ),
            ],
            approve=True,
        )
        make(
            "deputy",
            Draft(kind="plan", title="2-чейректин ички көзөмөл планы", doc_date=today),
            [("Көзөмөл планы.docx", docx("2-чейректин ички көзөмөл планы"))],
            approve=False,
        )
        for username, doc_id in (
            ("teacher", order),
            ("classteacher", order),
            ("teacher", minutes),
            ("classteacher", local_act),
            ("clerk", local_act),
        ):
            if username in users:
                documents.acknowledge(s, who(username), doc_id)
        s.commit()
    return written
