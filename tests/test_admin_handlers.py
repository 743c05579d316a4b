"""The generated screens' handlers called directly, as a browser (or a forged event) would call them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select
from starlette.testclient import TestClient

from bbbms_app import db, settings
from bbbms_app.admin.states import (
    ClassAdminState,
    GuardianAdminState,
    PupilAdminState,
    SubjectAdminState,
    UserAdminState,
)
from bbbms_app.api.private_files import private_files_api
from bbbms_app.auth.inputs import BadInput
from bbbms_app.models import AuditEvent, Pupil, PupilGuardian, User
from bbbms_app.services.engine import downloads
from tests.states import handle, is_refusal, new_tab, shows_error, sub
from tests.test_admin_crud import admission_order
from tests.test_admin_import import GOOD, KY_HEADERS, xlsx


@pytest.fixture(autouse=True)
def private_dir(db_url, tmp_path, monkeypatch):
    """Staged uploads and reports go to this test's own folder, not the project's data/."""
    from bbbms_app import settings

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()


async def rejected(call) -> bool:
    """Refused by the guard, or by the input parser (which the guard turns into an audited refusal)."""
    try:
        return is_refusal(await call)
    except BadInput:
        return True


def _denials(username: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.exec(select(AuditEvent).where(AuditEvent.action == "denied", AuditEvent.username == username)).all()
        )


async def test_a_clerk_cannot_list_or_edit_user_accounts(school):
    users = sub(new_tab("t_clerk"), UserAdminState)
    admin_id = str(_user_id("t_admin"))
    for name, args in [
        ("load", ()),
        ("edit_record", (admin_id,)),
        ("save", ({"username": "t_admin", "role": "director", "full_name": "x"},)),
        ("ask_delete", (admin_id,)),
        ("reset_password", ({"password": "Ала-Тоо көлү 2025"},)),
    ]:
        assert is_refusal(await handle(users, name, *args)), name
    assert users.rows == [] and users.form == {}
    assert len(_denials("t_clerk")) == 5
    with db.session() as s:
        assert s.exec(select(User.role).where(User.username == "t_admin")).one() == "administrator"


async def test_a_teacher_cannot_open_a_pupil_of_another_class(school):
    pupils = sub(new_tab("t_teacher"), PupilAdminState)
    await pupils.load()
    assert {int(r["id"]) for r in pupils.rows} == set(school.pupils_6b)
    assert not pupils.can_write and not pupils.can_export
    assert is_refusal(await pupils.open_record(str(school.pupils_5a[0])))
    assert pupils.detail == [] and pupils.mode == "list"
    assert any("pupil" in d.reason for d in _denials("t_teacher"))
    assert not is_refusal(await pupils.open_record(str(school.pupils_6b[0])))
    assert pupils.mode == "detail" and pupils.detail_title == "Петрова Анна"
    # Reading is not writing: a teacher's forged save, delete or deleted-list is refused.
    assert is_refusal(await handle(pupils, "save", {"last_name": "X"}))
    assert is_refusal(await pupils.toggle_deleted())
    assert is_refusal(await pupils.link_guardian({"guardian_id": str(school.guardian_1), "relation": "mother"}))


async def test_a_save_over_a_newer_change_is_refused_and_nothing_is_overwritten(school):
    pid = str(school.pupils_6b[0])
    first = sub(new_tab("t_clerk"), PupilAdminState)
    second = sub(new_tab("t_director"), PupilAdminState)
    await first.load()
    await second.load()
    await first.edit_record(pid)
    await second.edit_record(pid)
    assert first.form["first_name"] == "Анна"
    await handle(second, "save", {**second.form, "first_name": "Аня"})
    assert second.form_errors == {} and second.mode == "detail"
    result = await handle(first, "save", {**first.form, "first_name": "Анюта"})
    assert first.form_message.startswith("Бул жазууну сиз ачкандан кийин башка бирөө өзгөрттү")
    assert "__toast" in repr(result)
    with db.session() as s:
        assert s.get(Pupil, int(pid)).first_name == "Аня"


async def test_field_errors_are_translated_beside_their_field_and_forged_fields_ignored(school):
    tab = new_tab("t_clerk")
    pupils = sub(tab, PupilAdminState)
    await pupils.load()
    await pupils.new_record()
    assert pupils.mode == "form" and pupils.fk_options["class_id"]
    await handle(
        pupils,
        "save",
        {
            **pupils.form,
            "last_name": "Жаңы",
            "first_name": "Окуучу",
            "birth_date": "15.13.2015",
            "sex": "f",
            "pin": "123",
        },
    )
    assert pupils.form_errors == {
        "birth_date": "Күнү кк.аа.жжжж түрүндө болушу керек, мисалы 15.03.2014",
        "pin": "ПИН 14 сандан турушу керек",
    }
    assert pupils.form["last_name"] == "Жаңы"  # what was typed stays in the form
    good = {
        **pupils.form,
        "birth_date": "2015-03-15",
        "pin": "11503201500999",
        "class_id": str(school.class_6b),
        "order_id": str(admission_order(school.school_id)),
    }
    # Fields the form never sends (school, version, keys) are refused, not quietly taken.
    for forged in ({"school_id": "77"}, {"version": "99"}, {"search_key": "x"}):
        assert await rejected(handle(pupils, "save", {**good, **forged}))
    with db.session() as s:
        assert s.exec(select(Pupil).where(Pupil.pin == "11503201500999")).first() is None
    await handle(pupils, "save", good)
    assert pupils.form_errors == {} and pupils.mode == "detail"
    with db.session() as s:
        p = s.exec(select(Pupil).where(Pupil.pin == "11503201500999")).one()
        assert (p.school_id, p.version, p.search_key.split()[0]) == (school.school_id, 1, "жаңы")


async def test_delete_asks_for_a_reason_and_only_writers_see_and_restore_deleted_rows(school):
    subjects = sub(new_tab("t_director"), SubjectAdminState)
    await subjects.load()
    assert subjects.can_write
    target = subjects.rows[0]["id"]
    await subjects.ask_delete(target)
    assert subjects.delete_id == target and subjects.delete_name
    await subjects.confirm_delete()
    assert subjects.delete_error == "Себебин жазыңыз (жок дегенде 3 белги)"
    await subjects.set_delete_reason("No longer taught")
    await subjects.confirm_delete()
    assert subjects.delete_id == "" and target not in {r["id"] for r in subjects.rows}
    await subjects.toggle_deleted()
    assert [r["id"] for r in subjects.rows] == [target] and subjects.rows[0]["deleted"] == "1"
    await subjects.restore_record(target)
    await subjects.toggle_deleted()
    assert target in {r["id"] for r in subjects.rows}
    teacher = sub(new_tab("t_teacher"), SubjectAdminState)
    await teacher.load()
    assert not teacher.can_write and is_refusal(await teacher.toggle_deleted())


async def test_class_list_defaults_to_the_current_year_and_is_scoped(school):
    classes = sub(new_tab("t_classteacher"), ClassAdminState)
    await classes.load()
    assert classes.filters == {"academic_year_id": str(school.year_id)}
    assert [r["class_name"] for r in classes.rows] == ["5-А"]
    assert is_refusal(await classes.set_filter("academic_year_id", "999"))  # not a year he is offered
    assert classes.filters["academic_year_id"] == str(school.year_id)
    await classes.set_filter("academic_year_id", "__none__")
    assert classes.filters["academic_year_id"] == "" and [r["class_name"] for r in classes.rows] == ["5-А"]


async def test_guardians_are_linked_from_the_pupil_card(school):
    pupils = sub(new_tab("t_clerk"), PupilAdminState)
    await pupils.load()
    await pupils.open_record(str(school.pupils_5a[2]))
    assert pupils.can_link and pupils.related["guardians"] == []
    await pupils.find_guardians("петров")
    assert [o["label"] for o in pupils.guardian_options] == ["Петров Игорь"]
    await pupils.link_guardian({"guardian_id": pupils.guardian_options[0]["id"], "relation": "grandfather"})
    assert [(g["name"], g["relation"]) for g in pupils.related["guardians"]] == [("Петров Игорь", "Чоң атасы")]
    await pupils.unlink_guardian(pupils.related["guardians"][0]["link_id"])
    assert pupils.related["guardians"] == []
    with db.session() as s:
        assert s.exec(select(PupilGuardian).where(PupilGuardian.pupil_id == school.pupils_5a[2])).all() == []


async def test_import_through_the_handlers_checks_first_then_writes(school):
    admission_order(school.school_id)  # «3-у», which the file's rows name
    pupils = sub(new_tab("t_clerk"), PupilAdminState)
    await pupils.load()
    await pupils.open_import()
    assert pupils.mode == "import"
    template = await pupils.download_template()
    assert "download" in repr(template)
    bad = [[*GOOD[0][:4], "32.01.2015", *GOOD[0][5:]]]
    await pupils.upload_import([rx.UploadFile(file=io.BytesIO(xlsx(KY_HEADERS, bad)), path=Path("bad.xlsx"))])
    assert pupils.import_error_count == 1 and not pupils.import_ready
    assert pupils.import_errors[0]["row"] == "2" and pupils.import_errors[0]["column"] == "Туулган күнү"
    assert "download" in repr(await pupils.download_report())
    await handle(pupils, "commit_import")  # nothing staged that passed the check: nothing happens
    await pupils.upload_import([rx.UploadFile(file=io.BytesIO(xlsx(KY_HEADERS, GOOD)), path=Path("good.xlsx"))])
    assert pupils.import_ready and pupils.import_error_count == 0
    with db.session() as s:
        assert len(s.exec(select(Pupil)).all()) == 5  # the check wrote nothing
    await handle(pupils, "commit_import")
    assert pupils.import_done and pupils.total == 8


async def test_guardian_list_of_a_teacher_is_refused_and_of_a_class_teacher_scoped(school):
    assert is_refusal(await sub(new_tab("t_teacher"), GuardianAdminState).load())
    guardians = sub(new_tab("t_classteacher"), GuardianAdminState)
    await guardians.load()
    assert [r["name"] for r in guardians.rows] == ["Үсөнова Чолпон"]


def _user_id(username: str) -> int:
    with db.session() as s:
        return s.exec(select(User.id).where(User.username == username)).one()


def _token(username: str) -> str:
    from bbbms_app.services import accounts

    with db.session(write=True) as s:
        token = accounts.authenticate(s, username, "test-password-1").token
    assert token
    return token


def test_export_files_are_handed_only_to_their_owner_while_he_may(school):
    from bbbms_app.services import accounts

    token, path = downloads.new_file("xlsx")
    path.write_bytes(b"PK-data")
    clerk = _user_id("t_clerk")
    downloads.publish(token, user_id=clerk, permission="export.personal", filename="Окуучулар.xlsx")
    with db.session(write=True) as s:
        mine = accounts.resolve(s, accounts.authenticate(s, "t_clerk", "test-password-1").token)
        other = accounts.resolve(s, accounts.authenticate(s, "t_director", "test-password-1").token)
    assert mine is not None and other is not None
    assert downloads.open_for(mine, token).path == path
    with pytest.raises(downloads.DownloadRefused):
        downloads.open_for(other, token)
    with pytest.raises(downloads.DownloadRefused):
        downloads.open_for(mine, "../../etc/passwd")

    # Through the route: the owner gets it, the director and a browser without a session the same 404.
    def get(username: str | None):
        cookies = {settings.SESSION_COOKIE: _token(username)} if username else None
        return TestClient(private_files_api, cookies=cookies).get(downloads.url(token))

    assert get("t_clerk").content == b"PK-data"
    assert get("t_director").status_code == 404
    assert get(None).status_code == 404
    with db.session() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.entity == "download")).all()
    assert [(d.username or "", d.action) for d in denied] == [("t_director", "denied"), ("", "denied")]


async def _run_export(state, fmt: str) -> list:
    # Reflex refuses a direct call of a background task; the app runs its function like this.
    return [item async for item in type(state).event_handlers["export_file"].fn(state, fmt)]


def _export_events() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)).all())


async def test_a_pupils_export_needs_a_purpose_and_records_it(school):
    purpose = "Райондун суроосу боюнча класстардын тизмеси"
    pupils = sub(new_tab("t_clerk"), PupilAdminState)
    await pupils.load()
    assert pupils.can_export
    results = await _run_export(pupils, "csv")
    assert shows_error(results) and not pupils.export_busy and pupils.export_url == ""
    assert pupils.export_error == "Экспорттун максатын жазыңыз (жок дегенде 5 белги)"
    assert _export_events() == [] and list(downloads.folder().iterdir()) == []
    await pupils.set_export_purpose("  abc ")  # too short: refused the same way
    assert shows_error(await _run_export(pupils, "xlsx")) and list(downloads.folder().iterdir()) == []
    await pupils.set_export_purpose(f"  {purpose} ")
    assert pupils.export_error == ""
    results = await _run_export(pupils, "csv")
    assert not is_refusal(results) and pupils.export_url and not pupils.export_error
    [event] = _export_events()
    assert (event.entity, event.username, event.reason, event.field) == ("pupil", "t_clerk", purpose, "csv")
    [path] = [p for p in downloads.folder().iterdir() if p.suffix == ".csv"]
    last = path.read_bytes().decode("utf-8-sig").strip().splitlines()[-1]
    assert last.startswith("#BBBMS-EXPORT;") and "t_clerk" in last and purpose in last  # «;» in Kyrgyz
    # A forged purpose that is not text, or far too long, is refused by the input parser.
    for bad in (123, "x" * 301, "a\x00bcdef"):
        assert await rejected(pupils.set_export_purpose(bad)), bad
    assert pupils.export_purpose == purpose


async def test_a_classes_export_needs_no_purpose(school):
    classes = sub(new_tab("t_director"), ClassAdminState)
    await classes.load()
    results = await _run_export(classes, "xlsx")
    assert not is_refusal(results) and classes.export_url and classes.export_error == ""
    [event] = _export_events()
    assert event.entity == "schoolclass" and event.username == "t_director"
