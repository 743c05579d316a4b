"""The register of internal documents (issue 17 #5): numbering, versions, read rights, acknowledgements,
search, the movement book's orders, and the download route — the service and the route."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db, settings
from bbbms_app.api.private_files import private_files_api
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import AuditEvent, Order
from bbbms_app.models.documents import Document, DocumentAck, DocumentVersion
from bbbms_app.services import accounts, documents
from bbbms_app.services.documents import Draft
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.private_files import FileRejected
from tests.consent_support import PDF, private_dir  # noqa: F401  (fixture)
from tests.factories import PASSWORD, principal_of
from tests.test_private_files import _docx, _odt, _xlsx

pytestmark = pytest.mark.usefixtures("private_dir")
DAY = date(2026, 11, 20)


def make(
    username: str = "t_director",
    title: str = "Окуу жылынын башталышы жөнүндө",
    kind: str = "order",
    on: date = DAY,
    file: bytes | None = PDF,
    approve: bool = False,
    **fields,
) -> int:
    with db.session(write=True) as s:
        doc = documents.create(s, principal_of(username, s), Draft(kind=kind, title=title, doc_date=on, **fields))
        if file is not None:
            documents.add_version(s, principal_of(username, s), doc.id, file, "буйрук.pdf")
        if approve:
            documents.approve(s, principal_of("t_director", s), doc.id)
        return doc.id  # type: ignore[return-value]


def approve(doc_id: int, username: str = "t_director") -> Document:
    with db.session(write=True) as s:
        return documents.approve(s, principal_of(username, s), doc_id)


def listed(username: str, **kw) -> list[str]:
    with db.session() as s:
        return [r["title"] for r in documents.listing(s, principal_of(username, s), **kw)]


def user_id(username: str) -> int:
    with db.session() as s:
        return principal_of(username, s).user_id


def test_numbers_are_given_at_approval_per_kind_and_year(school):
    a = make(title="Биринчи буйрук")
    b = make(title="Экинчи буйрук")
    plan = make(title="Жылдык план", kind="plan")
    old = make(title="Былтыркы буйрук", on=date(2025, 12, 30))
    draft = make(title="Долбоор бойдон")
    with db.session() as s:
        assert s.get(Document, draft).number is None
    assert approve(b).number == 1  # the order of approval, not of registration
    assert approve(a).number == 2
    assert approve(plan).number == 1  # each kind its own numbers
    assert approve(old).number == 1  # and each year
    with db.session() as s:
        docs = {d.id: d for d in s.exec(select(Document)).all()}
        assert documents.number_label(docs[a]) == "№ 2"
        assert (docs[a].status, docs[a].approved_by) == ("approved", "t_director")
        assert docs[draft].number is None and docs[draft].status == "draft"
        assert docs[plan].retention_years == 5 and docs[a].retention_years == 75
    with pytest.raises(Refused) as exc:
        approve(a)  # twice
    assert exc.value.key == "docs.error.not_draft"
    nofile = make(title="Файлсыз", file=None)
    with pytest.raises(Refused) as exc:
        approve(nofile)
    assert exc.value.key == "docs.error.no_file"
    # Only the director approves.
    with pytest.raises(OutOfScope):
        approve(draft, "t_deputy")
    with db.session() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.entity == "document", AuditEvent.action == "update")).all()
    assert sorted(r.new_value for r in rows) == ["approved № 1", "approved № 1", "approved № 1", "approved № 2"]


def test_versions_are_kept_and_files_are_told_by_content(school):
    doc = make(username="t_deputy", title="Баалоо жөнүндө жобо", kind="local_act", file=PDF)
    with db.session(write=True) as s:
        v2 = documents.add_version(s, principal_of("t_deputy", s), doc, _docx(), "жобо.docx")
        v3 = documents.add_version(s, principal_of("t_director", s), doc, _odt(), "../../etc/passwd")
        documents.add_version(s, principal_of("t_deputy", s), doc, _xlsx(), "")
    assert (v2.number, v3.number) == (2, 3)
    assert v3.original_name == ".. .. etc passwd"  # shown only, never a path
    with db.session() as s:
        versions = s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc)).all()
        card = documents.card(s, principal_of("t_deputy", s), doc)
    assert sorted(v.file_name.rsplit(".", 1)[-1] for v in versions) == ["docx", "odt", "pdf", "xlsx"]
    assert [v["number"] for v in card["versions"]] == ["4", "3", "2", "1"]
    # Not a document by content; too big; another teacher's document; a cancelled one.
    with db.session(write=True) as s, pytest.raises(FileRejected):
        documents.add_version(s, principal_of("t_deputy", s), doc, b"MZ\x90\x00 not a document", "x.pdf")
    with db.session(write=True) as s, pytest.raises(FileRejected):
        documents.add_version(s, principal_of("t_deputy", s), doc, PDF + b"0" * documents.MAX_BYTES, "x.pdf")
    approve(doc)
    with db.session(write=True) as s, pytest.raises(OutOfScope):
        documents.add_version(s, principal_of("t_teacher", s), doc, PDF, "x.pdf")  # he reads it, it is not his
    with db.session(write=True) as s:
        documents.cancel(s, principal_of("t_director", s), doc, "Жаңы жобо кабыл алынды")
    with db.session(write=True) as s, pytest.raises(Refused) as exc:
        documents.add_version(s, principal_of("t_deputy", s), doc, PDF, "x.pdf")
    assert exc.value.key == "docs.error.cancelled"
    with db.session() as s:
        assert len(s.exec(select(DocumentVersion).where(DocumentVersion.document_id == doc)).all()) == 4
        logged = s.exec(select(AuditEvent).where(AuditEvent.entity == "document_version")).all()
    assert len(logged) == 4 and all(e.field == f"document:{doc}" for e in logged)


def test_who_reads_drafts_roles_named_people_and_everybody(school):
    draft = make(username="t_classteacher", kind="plan", title="5-А классынын тарбия планы")
    everyone = make(title="Ички тартип эрежелери", approve=True)
    clerks = make(title="Иш кагаздары жөнүндө", approve=True, reader_roles=("clerk",))
    teachers = make(title="Методикалык бирикме", approve=True, reader_roles=("teacher",))
    named = make(title="Жеке тапшырма", approve=True, reader_ids=(user_id("t_teacher"),))
    # A draft: its author, the director and the deputy only.
    assert "5-А классынын тарбия планы" in listed("t_classteacher")
    assert "5-А классынын тарбия планы" in listed("t_deputy")
    assert "5-А классынын тарбия планы" not in listed("t_teacher")
    assert "5-А классынын тарбия планы" not in listed("t_clerk")
    assert set(listed("t_clerk")) == {"Ички тартип эрежелери", "Иш кагаздары жөнүндө"}
    # «teacher» covers the class teacher; a named person reads it whatever his role.
    assert set(listed("t_classteacher")) == {
        "5-А классынын тарбия планы", "Ички тартип эрежелери", "Методикалык бирикме"
    }  # fmt: skip
    assert set(listed("t_teacher")) == {"Ички тартип эрежелери", "Методикалык бирикме", "Жеке тапшырма"}
    assert len(listed("t_director")) == 5
    # The card says the same as the list, and so does every other door.
    with db.session() as s:
        for username, doc, ok in [
            ("t_teacher", draft, False),
            ("t_clerk", teachers, False),
            ("t_clerk", named, False),
            ("t_teacher", named, True),
            ("t_admin", everyone, True),
            ("t_clerk", clerks, True),
        ]:
            if ok:
                assert documents.card(s, principal_of(username, s), doc)["doc"]["id"] == str(doc)
            else:
                with pytest.raises(NotFound):
                    documents.card(s, principal_of(username, s), doc)
    # Families hold no right to the register at all.
    for username in ("t_parent", "t_pupil"):
        with db.session() as s, pytest.raises(OutOfScope):
            documents.listing(s, principal_of(username, s))
    # A named reader of another school is refused, nothing written.
    with db.session(write=True) as s:
        from tests.factories import build_school

        build_school(s, okpo="20000002", prefix="u_")
    with db.session(write=True) as s, pytest.raises(Refused) as exc:
        documents.create(
            s,
            principal_of("t_director", s),
            Draft(kind="order", title="Бөтөн", doc_date=DAY, reader_ids=(principal_of("u_teacher", s).user_id,)),
        )
    assert exc.value.key == "docs.error.readers"
    assert "Ички тартип эрежелери" not in listed("u_director")


def test_acknowledgements_who_has_and_who_has_not(school):
    doc = make(title="Өрт коопсуздугу боюнча буйрук", reader_roles=("teacher",))
    with db.session(write=True) as s, pytest.raises(NotFound):  # a draft: he does not even see it yet
        documents.acknowledge(s, principal_of("t_teacher", s), doc)
    approve(doc)
    with db.session(write=True) as s:
        assert documents.acknowledge(s, principal_of("t_teacher", s), doc) is True
        assert documents.acknowledge(s, principal_of("t_teacher", s), doc) is False  # once
    with db.session(write=True) as s, pytest.raises(NotFound):  # not addressed to the clerk
        documents.acknowledge(s, principal_of("t_clerk", s), doc)
    with db.session(write=True) as s, pytest.raises(Refused):  # the director reads it, it is not addressed to him
        documents.acknowledge(s, principal_of("t_director", s), doc)
    with db.session() as s:
        card = documents.card(s, principal_of("t_director", s), doc)
        teacher_card = documents.card(s, principal_of("t_teacher", s), doc)
        class_teacher_card = documents.card(s, principal_of("t_classteacher", s), doc)
        ack = s.exec(select(DocumentAck)).one()
    assert [a["name"] for a in card["acked"]] == ["t_teacher"] and card["acked"][0]["version"] == "1"
    assert [a["name"] for a in card["not_acked"]] == ["t_classteacher"]
    assert (teacher_card["doc"]["acked"], teacher_card["doc"]["can_ack"]) == ("1", "")
    assert (class_teacher_card["doc"]["acked"], class_teacher_card["doc"]["can_ack"]) == ("", "1")
    assert teacher_card["acked"] == [] and teacher_card["not_acked"] == []  # the lists are the author's
    assert ack.version_number == 1
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "document_ack")).one().entity_id == doc


def test_search_titles_and_descriptions_in_any_case(school):
    make(title="ПЕДКЕҢЕШТИН №2 ПРОТОКОЛУ", kind="minutes", description="Чейректин жыйынтыктары", approve=True)
    make(title="Өрт коопсуздугу", description="Эвакуация планы", approve=True)
    make(title="Отчёт за первую четверть", kind="report", approve=True)
    assert listed("t_teacher", search="педкеңеш") == ["ПЕДКЕҢЕШТИН №2 ПРОТОКОЛУ"]
    assert listed("t_teacher", search="ЖЫЙЫНТЫК") == ["ПЕДКЕҢЕШТИН №2 ПРОТОКОЛУ"]
    assert listed("t_teacher", search="эвакуация") == ["Өрт коопсуздугу"]
    assert listed("t_teacher", search="ОТЧЁТ за") == ["Отчёт за первую четверть"]
    assert listed("t_teacher", search="100%_") == []  # LIKE's wildcards are text
    assert listed("t_teacher", kind="minutes") == ["ПЕДКЕҢЕШТИН №2 ПРОТОКОЛУ"]
    with db.session() as s, pytest.raises(Refused):
        documents.listing(s, principal_of("t_teacher", s), kind="memo")


def test_the_movement_books_orders_are_in_the_register_as_orders(school):
    with db.session(write=True) as s:
        s.add(
            Order(
                school_id=school.school_id,
                number="45-у",
                date=date(2026, 11, 25),
                kind="enrollment",
                summary="Окуучуну кабыл алуу жөнүндө",
                search_key=search_key("45-у", "Окуучуну кабыл алуу жөнүндө"),
            )
        )
    make(title="Окуу жылынын башталышы жөнүндө", approve=True)
    with db.session() as s:
        rows = documents.listing(s, principal_of("t_clerk", s))
        only_orders = documents.listing(s, principal_of("t_clerk", s), kind="order", search="кабыл")
        plans = documents.listing(s, principal_of("t_clerk", s), kind="plan")
    assert [(r["title"], r["kind"], r["number"], r["source"]) for r in rows] == [
        ("Окуучуну кабыл алуу жөнүндө", "order", "№ 45-у", "movement"),  # the newest first
        ("Окуу жылынын башталышы жөнүндө", "order", "№ 1", "register"),
    ]
    assert [r["number"] for r in only_orders] == ["№ 45-у"] and plans == []
    # One truth: the order is not copied — an edit or a deletion in the book shows here.
    with db.session(write=True) as s:
        order = s.exec(select(Order)).one()
        order.summary = "Окуучуларды кабыл алуу жөнүндө"
        s.add(order)
    assert "Окуучуларды кабыл алуу жөнүндө" in listed("t_director")
    with db.session() as s:
        assert s.exec(select(Document).where(Document.title.contains("кабыл"))).all() == []  # type: ignore[attr-defined]
    # Those who do not read the movement book (a teacher) see the register's own orders only.
    assert listed("t_teacher") == ["Окуу жылынын башталышы жөнүндө"]


# ------------------------------------------------------------------ the download route


def token_of(username: str) -> str:
    with db.session() as s:
        result = accounts.authenticate(s, username, PASSWORD)
    assert result.token
    return result.token


def get(url: str, username: str | None = None):
    client = TestClient(private_files_api)
    if username:
        client.cookies.set(settings.SESSION_COOKIE, token_of(username))
    return client.get(url)


def test_every_version_downloads_to_its_readers_and_404_to_anyone_else(school):
    doc = make(title="Ата-энелер комитети жөнүндө жобо", kind="local_act", reader_roles=("clerk",))
    with db.session(write=True) as s:
        v2 = documents.add_version(s, principal_of("t_director", s), doc, _docx(), "жобо-2.docx")
        v1 = s.exec(
            select(DocumentVersion).where(DocumentVersion.document_id == doc, DocumentVersion.number == 1)
        ).one()
    old, new = f"{documents.ROUTE}/{v1.id}", f"{documents.ROUTE}/{v2.id}"
    # A draft: the director (its author) and the deputy; the clerk not yet.
    assert get(old, "t_director").content == PDF
    assert get(old, "t_deputy").status_code == 200
    assert get(old, "t_clerk").status_code == 404
    approve(doc)
    for username in ("t_clerk", "t_director", "t_deputy"):
        r_old, r_new = get(old, username), get(new, username)
        assert (r_old.status_code, r_new.status_code) == (200, 200), username
        assert r_old.content == PDF and r_new.content == _docx()
        assert r_old.headers["cache-control"] == "no-store, private"
        assert r_old.headers["content-disposition"].startswith("attachment")
    for username in (None, "t_teacher", "t_classteacher", "t_parent", "t_pupil"):
        assert get(old, username).status_code == 404, username
        assert get(new, username).status_code == 404, username
    assert get(f"{documents.ROUTE}/999999", "t_director").status_code == 404
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "document_version")).all()
    downloads = [e for e in events if e.action == "download"]
    denied = [e for e in events if e.action == "denied"]
    assert len(downloads) == 2 + 6 and len(denied) == 1 + 10 + 1
    assert {e.username for e in downloads} == {"t_director", "t_deputy", "t_clerk"}
    # A file altered on disk is never served.
    from bbbms_app.services import private_files

    private_files.path_of("documents", v1.file_name).write_bytes(PDF + b"%altered")
    assert get(old, "t_clerk").status_code == 410


def test_two_approvals_at_once_get_two_numbers(school):
    """The second approval waits for (PostgreSQL: clashes with) the first, and takes the next number."""
    import threading

    first, second = make(title="Биринчи"), make(title="Экинчи")
    approved = threading.Event()
    numbers: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def a() -> None:
        try:
            with db.session(write=True) as s:
                numbers["a"] = documents.approve(s, principal_of("t_director", s), first).number
                approved.set()
                threading.Event().wait(0.5)  # still open while the other one approves
        except BaseException as exc:
            errors.append(exc)
            approved.set()

    def b() -> None:
        approved.wait(10)
        try:
            with db.session(write=True) as s:
                numbers["b"] = documents.approve(s, principal_of("t_director", s), second).number
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert (numbers["a"], numbers["b"]) == (1, 2)
    with db.session() as s:
        assert sorted(d.number for d in s.exec(select(Document)).all()) == [1, 2]
