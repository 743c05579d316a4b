"""The consent page's handlers called directly, as real and as forged browser events."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, Consent, Pupil
from bbbms_app.pages.consents import ConsentRegisterState
from bbbms_app.services import private_files
from tests.consent_support import PDF, give, private_dir  # noqa: F401  (fixture)
from tests.states import is_refusal, new_tab, sub

pytestmark = pytest.mark.usefixtures("private_dir")
TODAY = date.today()
PURPOSE = "Райондук билим берүү бөлүмүнүн сурамы"


def upload(data: bytes, name: str = "scan.pdf") -> list[rx.UploadFile]:
    return [rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))]


def form(**extra) -> dict:
    base = {
        "given_on": (TODAY - timedelta(days=1)).isoformat(),
        "valid_until": "",
        "cat_identity": "on",
        "cat_address": "on",
        "purpose": "Окуу процесси",
    }
    base.update(extra)
    return base


def consents() -> list[Consent]:
    with db.session() as s:
        return list(s.exec(select(Consent)).all())


def denials() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all())


def staged_files() -> list[Path]:
    return [p for p in private_files.root("staging").rglob("*") if p.is_file()]


async def test_unauthenticated_client_is_refused_by_every_consent_handler(school):
    state = sub(new_tab(), ConsentRegisterState)
    calls = [
        ("load", ()),
        ("set_subject_type", ("guardian",)),
        ("open_person", (str(school.pupils_5a[0]),)),
        ("attach_scan", (upload(PDF),)),
        ("record", (form(),)),
        ("withdraw", ({"withdrawn_on": TODAY.isoformat(), "reason": "x"},)),
        ("save_personal", ({"address": "Бишкек"},)),
        ("export_register", ({"purpose": PURPOSE},)),
        ("export_person", ({"purpose": PURPOSE, "format": "json"},)),
    ]
    for name, args in calls:
        assert is_refusal(await getattr(state, name)(*args)), name
    assert state.rows == [] and state.person == {}
    assert consents() == [] and staged_files() == []
    assert len(denials()) == len(calls)


@pytest.mark.parametrize("username", ["t_parent", "t_pupil", "t_teacher", "t_admin"])
async def test_roles_without_consent_read_get_nothing(school, username):
    state = sub(new_tab(username), ConsentRegisterState)
    assert is_refusal(await state.load())
    assert is_refusal(await state.open_person(str(school.pupils_5a[0])))
    assert state.rows == [] and state.person == {} and not state.person_open
    assert {d.username for d in denials()} == {username}


async def test_class_teacher_reads_his_class_but_not_another_nor_writes(school):
    root = new_tab("t_classteacher")
    state = sub(root, ConsentRegisterState)
    assert not is_refusal(await state.load())
    assert {int(r["id"]) for r in state.rows} == set(school.pupils_5a)
    assert {o["id"] for o in state.class_options} == {str(school.class_5a)}
    await state.set_class(str(school.class_6b))  # not his class: ignored
    assert state.class_id == "all"
    assert is_refusal(await state.open_person(str(school.pupils_6b[0])))
    assert state.person == {} and not state.person_open
    assert any("pupil" in d.reason for d in denials())
    assert not is_refusal(await state.open_person(str(school.pupils_5a[0])))
    assert state.person["status"] == "missing" and state.person_open
    assert state.personal == {}  # no right to edit the fields
    assert is_refusal(await state.attach_scan(upload(PDF)))
    assert is_refusal(await state.record(form(representative_id=str(school.guardian_1))))
    assert is_refusal(await state.export_person({"purpose": PURPOSE, "format": "json"}))
    assert consents() == [] and staged_files() == []


async def test_clerk_records_a_consent_with_its_scan_then_withdraws_it(school):
    pid = school.pupils_5a[0]
    state = sub(new_tab("t_clerk"), ConsentRegisterState)
    await state.load()
    await state.open_person(str(pid))
    assert state.person["status"] == "missing"
    assert [r["id"] for r in state.representatives] == [str(school.guardian_1)]
    # The save rule answers before any consent exists, naming the field and the category.
    await state.save_personal({"address": "Бишкек, Чүй пр. 1"})
    assert "Дарек" in state.personal_error and "Дареги" in state.personal_error
    # Recording needs the scan first.
    await state.record(form(representative_id=str(school.guardian_1)))
    assert state.form_error == "Кол коюлган макулдуктун сканын тиркеңиз" and consents() == []
    await state.attach_scan(upload(b"<html>not a scan</html>", "scan.pdf"))
    assert "PDF, JPEG же PNG" in state.form_error and staged_files() == []
    await state.attach_scan(upload(PDF))
    assert state.staged_label.startswith("Тиркелди") and len(staged_files()) == 1
    result = await state.record(form(representative_id=str(school.guardian_1)))
    assert not is_refusal(result) and state.form_error == ""
    [c] = consents()
    assert c.subject_id == pid and c.categories == "address,identity" and c.representative_id == school.guardian_1
    assert private_files.path_of("consents", c.scan_name).read_bytes() == PDF and staged_files() == []
    assert state.person["status"] == "active" and state.person["categories"] == "identity,address"
    assert state.person_consents[0]["scan_url"] == f"/private/consent-scan/{c.id}"
    assert next(r for r in state.rows if r["id"] == str(pid))["status"] == "active"
    await state.save_personal({"address": "Бишкек, Чүй пр. 1"})
    assert state.personal_error == "" and state.personal["address"] == "Бишкек, Чүй пр. 1"
    await state.save_personal({"phone": "0555 000 000"})  # contacts are not covered
    assert "Телефон" in state.personal_error
    await state.start_withdraw(str(c.id))
    assert state.withdraw_id == str(c.id)
    await state.withdraw({"withdrawn_on": TODAY.isoformat(), "reason": "Ата-энесинин арызы", "erase": "on"})
    assert state.withdraw_id == "" and state.person["status"] == "withdrawn"
    with db.session() as s:
        pupil = s.get(Pupil, pid)
        assert pupil is not None and pupil.address == ""
        c2 = s.get(Consent, c.id)
        assert c2 is not None and c2.withdrawn_on == TODAY and c2.withdrawal_reason == "Ата-энесинин арызы"


async def test_forged_ids_cannot_reach_another_persons_consent(school):
    other = give(school, subject_id=school.pupils_6b[0], representative_id=school.guardian_2)
    state = sub(new_tab("t_clerk"), ConsentRegisterState)
    await state.load()
    await state.open_person(str(school.pupils_5a[0]))
    await state.start_withdraw(str(other))  # not one of the open person's consents
    assert state.withdraw_id == ""
    state.withdraw_id = str(other)  # a tampered var is re-checked against the open person
    assert is_refusal(await state.withdraw({"withdrawn_on": TODAY.isoformat(), "reason": "forged", "erase": "on"}))
    with db.session() as s:
        c = s.get(Consent, other)
        assert c is not None and c.withdrawn_on is None
    opened = dict(state.person)
    for bad in ("0", "-1", "abc", "1" * 40, "", 12):
        assert is_refusal(await state.open_person(bad)), bad
    assert state.person == opened  # a refused event leaves the tab as it was
    fresh = sub(new_tab("t_clerk"), ConsentRegisterState)
    assert is_refusal(await fresh.record(form()))  # no person open in this tab
    assert is_refusal(await fresh.attach_scan(upload(PDF)))
    assert len(consents()) == 1 and staged_files() == []
    await state.set_subject_type("<script>")
    assert state.subject_type == "pupil"
    await state.set_status("deleted")
    assert state.status == "all"


async def test_exports_need_a_purpose_and_come_as_a_one_time_private_download(school):
    give(school)
    state = sub(new_tab("t_clerk"), ConsentRegisterState)
    await state.load()
    result = await state.export_register({"purpose": "x"})
    assert "максатын" in state.export_error and "__toast" in repr(result)
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all() == []
    result = await state.export_register({"purpose": PURPOSE})
    text = repr(result)
    assert "/private/export/" in text and "consent-register-pupil-" in text
    [path] = list(private_files.root("exports").rglob("*.xlsx"))
    assert path.parent.name.isdigit()
    await state.open_person(str(school.pupils_5a[0]))
    result = await state.export_person({"purpose": PURPOSE, "format": "json"})
    assert "/private/export/" in repr(result) and "personal-data-pupil-" in repr(result)
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [(e.entity, e.reason) for e in events] == [("consent", PURPOSE), ("pupil", PURPOSE)]
    deputy = sub(new_tab("t_deputy"), ConsentRegisterState)
    await deputy.load()
    assert is_refusal(await deputy.export_register({"purpose": PURPOSE}))


async def test_a_consent_records_the_third_parties_the_data_goes_to(school):
    pid = school.pupils_5a[0]
    parties = "Билим берүү министрлигинин БМС; Ленин районунун билим берүү бөлүмү"
    state = sub(new_tab("t_clerk"), ConsentRegisterState)
    await state.load()
    await state.open_person(str(pid))
    await state.attach_scan(upload(PDF))
    result = await state.record(form(representative_id=str(school.guardian_1), third_parties=f"  {parties}  "))
    assert not is_refusal(result) and state.form_error == ""
    [c] = consents()
    assert c.third_parties == parties
    assert state.person_consents[0]["third_parties"] == parties
    with db.session() as s:
        created = s.exec(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity == "consent")).one()
    assert f"third parties: {parties}" in created.new_value
