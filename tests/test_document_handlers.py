"""The register's page through its handlers, as real and forged events call them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models.documents import Document, DocumentAck, DocumentVersion
from bbbms_app.pages.documents import DocumentsState
from tests.consent_support import PDF, private_dir  # noqa: F401  (fixture)
from tests.states import is_refusal, new_refusals, new_tab, sub
from tests.test_private_files import _docx

pytestmark = pytest.mark.usefixtures("private_dir")


def upload(data: bytes, name: str = "буйрук.pdf") -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))]


async def _director_makes_one(title: str = "Педкеңештин чечимин аткаруу жөнүндө", roles: tuple[str, ...] = ()):
    page = sub(new_tab("t_director"), DocumentsState)
    assert not is_refusal(await page.load())
    assert page.can_write and page.rows == []
    assert not is_refusal(await page.open_form())
    await page.set_f_kind("order")
    await page.set_field("title", title)
    await page.set_field("description", "Чейректин жыйынтыктары боюнча")
    await page.set_doc_date("20.11.2026")
    for role in roles:
        await page.toggle_role(role, True)
    assert not is_refusal(await page.create())
    assert page.form_error == "" and page.doc["status"] == "draft" and page.doc["number"] == ""
    assert not is_refusal(await page.upload_version(upload(PDF)))
    assert [v["number"] for v in page.versions] == ["1"] and page.versions[0]["name"] == "буйрук.pdf"
    assert page.doc["can_approve"] == "1"
    assert not is_refusal(await page.approve())
    assert (page.doc["status"], page.doc["number"]) == ("approved", "№ 1")
    return page


async def test_the_director_registers_approves_and_a_teacher_acknowledges(school):
    page = await _director_makes_one(roles=("teacher",))
    assert [r["title"] for r in page.rows] == ["Педкеңештин чечимин аткаруу жөнүндө"]
    assert [a["name"] for a in page.not_acked] == ["t_classteacher", "t_teacher"]
    assert not is_refusal(await page.upload_version(upload(_docx(), "буйрук-2.docx")))
    assert [v["number"] for v in page.versions] == ["2", "1"]

    teacher = sub(new_tab("t_teacher"), DocumentsState)
    assert not is_refusal(await teacher.load())
    assert not teacher.rows[0]["id"].startswith("order-")
    assert not is_refusal(await teacher.open_doc(teacher.rows[0]["id"]))
    assert teacher.doc["can_ack"] == "1" and len(teacher.versions) == 2
    assert not is_refusal(await teacher.acknowledge())
    assert (teacher.doc["can_ack"], teacher.doc["acked"]) == ("", "1")
    with db.session() as s:
        assert s.exec(select(DocumentAck)).one().version_number == 2

    assert not is_refusal(await page.open_doc(page.doc["id"]))
    assert [a["name"] for a in page.acked] == ["t_teacher"]
    assert [a["name"] for a in page.not_acked] == ["t_classteacher"]

    # The clerk is not among its readers; search narrows the list.
    clerk = sub(new_tab("t_clerk"), DocumentsState)
    assert not is_refusal(await clerk.load())
    assert clerk.rows == []
    await teacher.set_search("ПЕДКЕҢЕШ")
    assert len(teacher.rows) == 1
    await teacher.set_search("жок нерсе")
    assert teacher.rows == []


async def test_a_refused_form_value_is_shown_in_place(school):
    page = sub(new_tab("t_teacher"), DocumentsState)
    assert not is_refusal(await page.load())
    assert not is_refusal(await page.open_form())
    await page.set_field("retention", "500")
    await page.set_field("title", "Ачык сабактын планы")
    await page.create()
    assert page.form_error != ""
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


async def test_forged_events_are_refused_and_write_nothing(school):
    page = await _director_makes_one(roles=("clerk",))
    doc_id = page.doc["id"]
    draft_page = sub(new_tab("t_deputy"), DocumentsState)
    assert not is_refusal(await draft_page.load())
    assert not is_refusal(await draft_page.open_form())
    await draft_page.set_field("title", "Долбоор")
    assert not is_refusal(await draft_page.create())
    draft_id = draft_page.doc["id"]

    teacher = sub(new_tab("t_teacher"), DocumentsState)
    assert not is_refusal(await teacher.load())
    # Not addressed to him; a draft; a forged id: one answer, audited.
    assert is_refusal(await teacher.open_doc(doc_id))
    assert is_refusal(await teacher.open_doc(draft_id))
    assert is_refusal(await teacher.open_doc("999999"))
    # Not the director: no approval, no cancelling; not its author: no new version.
    teacher.doc = {"id": draft_id}
    assert is_refusal(await teacher.approve())
    assert is_refusal(await teacher.cancel())
    assert is_refusal(await teacher.upload_version(upload(PDF)))
    assert is_refusal(await teacher.acknowledge())
    # Families hold no right to the page.
    parent = sub(new_tab("t_parent"), DocumentsState)
    assert is_refusal(await parent.load())
    parent.doc = {"id": doc_id}
    assert is_refusal(await parent.acknowledge())
    with db.session() as s:
        assert s.get(Document, int(draft_id)).status == "draft"
        assert len(s.exec(select(DocumentVersion)).all()) == 1
        assert s.exec(select(DocumentAck)).all() == []
    new_refusals()
    # The director cancels with a reason only.
    assert not is_refusal(await page.open_doc(doc_id))
    await page.cancel()
    assert page.card_error != "" and page.doc["status"] == "approved"
    await page.set_cancel_reason("Жаңы буйрук менен алмаштырылды")
    assert not is_refusal(await page.cancel())
    assert page.doc["status"] == "cancelled" and page.doc["cancel_reason"] == "Жаңы буйрук менен алмаштырылды"
