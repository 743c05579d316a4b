"""Consent services on a real database: lifecycle, the save rule, private scan storage, the register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex_components_core.core.upload import get_upload_dir
from sqlmodel import select

from bbbms_app import db, settings
from bbbms_app.models import AuditEvent, Consent, Guardian, Pupil
from bbbms_app.services import consent as consent_service
from bbbms_app.services import private_files
from bbbms_app.services.engine import hooks
from bbbms_app.services.engine.registry import ENTITIES
from tests.consent_support import PDF, TODAY, give, private_dir  # noqa: F401  (fixture)
from tests.factories import principal_of

pytestmark = pytest.mark.usefixtures("private_dir")


def pupil_row(pid: int) -> Pupil:
    with db.session() as s:
        row = s.get(Pupil, pid)
        assert row is not None
        return row


def test_lifecycle_record_status_withdraw_with_erasure(school):
    pid = school.pupils_5a[0]
    with db.session() as s:
        assert consent_service.card(s, principal_of("t_clerk"), "pupil", pid)["status"] == "missing"
    cid = give(school)
    with db.session() as s:
        c = s.get(Consent, cid)
        assert c is not None
        assert c.categories == "address,contacts,identity"
        assert c.signed_by_name == "Үсөнова Чолпон" and c.representative_id == school.guardian_1
        assert c.representative_basis == "mother"
        card = consent_service.card(s, principal_of("t_clerk"), "pupil", pid)
        assert card["status"] == "active"
        assert card["categories"] == "identity,contacts,address"
        assert consent_service.active_categories(s, "pupil", pid, TODAY) == {"identity", "address", "contacts"}
    with db.session(write=True) as s:
        changed = consent_service.save_personal(
            s, principal_of("t_clerk"), "pupil", pid, {"address": "Бишкек, Чүй пр. 1", "phone": "+996 555 123 456"}
        )
    assert changed == ["address", "phone"]
    assert pupil_row(pid).address == "Бишкек, Чүй пр. 1"
    with db.session(write=True) as s:
        result = consent_service.withdraw(
            s, principal_of("t_clerk"), cid, on=TODAY, reason="ата-энесинин арызы", erase=True
        )
    assert sorted(result.erased) == ["address", "phone"] and result.kept == []
    row = pupil_row(pid)
    assert row.address == "" and row.phone == ""
    with db.session() as s:
        assert consent_service.card(s, principal_of("t_clerk"), "pupil", pid)["status"] == "withdrawn"
        events = s.exec(select(AuditEvent).where(AuditEvent.pupil_id == pid).order_by(AuditEvent.id)).all()
    actions = [(e.action, e.entity, e.field) for e in events]
    assert ("create", "consent", "") in actions
    assert ("withdraw", "consent", "withdrawn_on") in actions
    assert ("erase", "pupil", "address") in actions and ("erase", "pupil", "phone") in actions
    # The audit trail never holds the erased values themselves.
    assert not any("Чүй" in e.old_value + e.new_value or "555" in e.old_value + e.new_value for e in events)


def test_withdrawal_without_erasure_keeps_the_values_and_flags_them(school):
    pid = school.pupils_5a[0]
    cid = give(school)
    with db.session(write=True) as s:
        consent_service.save_personal(s, principal_of("t_clerk"), "pupil", pid, {"address": "Ош ш., Ленин 5"})
    with db.session(write=True) as s:
        result = consent_service.withdraw(
            s, principal_of("t_clerk"), cid, on=TODAY, reason="сот ишине чейин", erase=False
        )
    assert result.erased == [] and result.kept == ["address"]
    with db.session() as s:
        card = consent_service.card(s, principal_of("t_clerk"), "pupil", pid)
    assert card["stored_without_consent"] == "address"
    # Processing stops: the kept address cannot be changed, but editing other fields with it unchanged passes.
    with pytest.raises(hooks.FieldError), db.session() as s:
        ENTITIES.by_table("pupil").profile.check_save(s, principal_of("t_clerk"), pid, {"address": "Ош ш., Ленин 7"})
    with db.session() as s:
        ENTITIES.by_table("pupil").profile.check_save(
            s, principal_of("t_clerk"), pid, {"address": "Ош ш., Ленин 5", "last_name": "Үсөнов"}
        )
    # Clearing is always allowed.
    with db.session(write=True) as s:
        assert consent_service.save_personal(s, principal_of("t_clerk"), "pupil", pid, {"address": ""}) == ["address"]


def test_save_rule_refused_without_allowed_with_refused_after_withdrawal(school):
    pid = school.pupils_5a[1]
    clerk = principal_of("t_clerk")
    with pytest.raises(hooks.FieldError) as refused, db.session() as s:
        ENTITIES.by_table("pupil").profile.check_save(s, clerk, pid, {"health_notes": "астма"})
    assert refused.value.field == "health_notes" and refused.value.key == "consent.required"
    from bbbms_app.i18n import t

    ky = t(refused.value.key, "ky", **refused.value.params)
    assert "Ден соолук боюнча белгилер" in ky and "Ден соолугу" in ky
    # A new record cannot carry gated data: the consent must exist first.
    with pytest.raises(hooks.FieldError), db.session() as s:
        ENTITIES.by_table("pupil").profile.check_save(s, clerk, None, {"last_name": "Жаңы", "address": "Бишкек"})
    with db.session() as s:
        ENTITIES.by_table("pupil").profile.check_save(s, clerk, None, {"last_name": "Жаңы", "address": ""})
    # A consent that covers contacts does not cover health.
    cid = give(school, subject_id=pid, categories=("contacts",), representative_id=school.guardian_1)
    with pytest.raises(hooks.FieldError) as still, db.session(write=True) as s:
        consent_service.save_personal(s, clerk, "pupil", pid, {"phone": "0555 000 111", "health_notes": "астма"})
    assert still.value.field == "health_notes"
    assert pupil_row(pid).phone == ""  # nothing half written
    with db.session(write=True) as s:
        consent_service.save_personal(s, clerk, "pupil", pid, {"phone": "0555 000 111"})
    assert pupil_row(pid).phone == "0555 000 111"
    with db.session(write=True) as s:
        consent_service.withdraw(s, clerk, cid, on=TODAY, reason="арыз", erase=False)
    with pytest.raises(hooks.FieldError), db.session(write=True) as s:
        consent_service.save_personal(s, clerk, "pupil", pid, {"phone": "0555 999 999"})
    assert pupil_row(pid).phone == "0555 000 111"


def test_the_profiles_of_the_three_tables_call_the_rule(school, monkeypatch):
    calls = []
    monkeypatch.setattr(consent_service, "check_save", lambda table, *args: calls.append(table))
    with db.session() as s:
        for table in ("pupil", "guardian", "staff"):
            ENTITIES.by_table(table).profile.check_save(s, None, None, {"address": "Бишкек"})
    assert calls == ["pupil", "guardian", "staff"]


def test_save_rule_covers_guardians_and_staff_and_expired_consents(school):
    clerk = principal_of("t_clerk")
    director = principal_of("t_director")
    with pytest.raises(hooks.FieldError) as g, db.session() as s:
        ENTITIES.by_table("guardian").profile.check_save(s, clerk, school.guardian_2, {"phone": "+996 700 000 000"})
    assert g.value.field == "phone"
    give(school, "guardian", school.guardian_2, categories=("contacts",))
    with db.session() as s:
        ENTITIES.by_table("guardian").profile.check_save(s, clerk, school.guardian_2, {"phone": "+996 700 000 000"})
    with pytest.raises(hooks.FieldError), db.session() as s:
        ENTITIES.by_table("staff").profile.check_save(s, director, school.teacher_a, {"address": "Бишкек"})
    give(
        school,
        "staff",
        school.teacher_a,
        categories=("address",),
        by="t_director",
        given_on=TODAY - timedelta(days=400),
        valid_until=TODAY - timedelta(days=1),
    )
    with pytest.raises(hooks.FieldError), db.session() as s:
        ENTITIES.by_table("staff").profile.check_save(s, director, school.teacher_a, {"address": "Бишкек"})
    with db.session() as s:
        assert consent_service.card(s, director, "staff", school.teacher_a)["status"] == "expired"


def test_record_validates_signer_dates_categories_and_scan(school):
    clerk = principal_of("t_clerk")
    pid = school.pupils_5a[2]  # born 2014: a minor, no guardian linked
    cases = [
        ({"representative_id": None}, "consent.error.minor"),
        ({"representative_id": school.guardian_2}, "consent.error.representative"),  # another family's parent
        ({"categories": ["identity", "wealth"]}, "consent.error.categories"),
        ({"categories": []}, "consent.error.categories"),
        ({"given_on": TODAY + timedelta(days=7)}, "consent.error.given_on"),  # future even if the run crosses midnight
        ({"valid_until": TODAY - timedelta(days=30)}, "consent.error.valid_until"),
    ]
    for change, key in cases:
        args = {
            "subject_type": "pupil",
            "subject_id": pid,
            "categories": ["identity"],
            "given_on": TODAY - timedelta(days=1),
            "valid_until": None,
            "representative_id": school.guardian_1,
        }
        args.update(change)
        with pytest.raises(consent_service.ConsentError) as exc, db.session(write=True) as s:
            args["scan"] = consent_service.stage_scan(school.school_id, PDF)
            consent_service.record(s, clerk, **args)
        assert exc.value.key == key, change
    with db.session() as s:
        assert s.exec(select(Consent)).all() == []
    # A staff member signs for himself; a guardian cannot sign for him.
    with pytest.raises(consent_service.ConsentError), db.session(write=True) as s:
        consent_service.record(
            s,
            principal_of("t_director"),
            subject_type="staff",
            subject_id=school.teacher_b,
            categories=["contacts"],
            given_on=TODAY,
            valid_until=None,
            scan=consent_service.stage_scan(school.school_id, PDF),
            representative_id=school.guardian_1,
        )


def test_scan_is_stored_privately_with_its_digest_and_type_checked(school):
    import hashlib

    cid = give(school)
    with db.session() as s:
        c = s.get(Consent, cid)
        assert c is not None
    data_dir = settings.get().data_dir
    path = private_files.path_of("consents", c.scan_name)
    assert path.read_bytes() == PDF
    assert c.scan_sha256 == hashlib.sha256(PDF).hexdigest() and c.scan_size == len(PDF)
    assert c.scan_content_type == "application/pdf"
    assert path.is_relative_to(data_dir / "private" / "consents")
    upload_dir = get_upload_dir().resolve()
    assert not path.resolve().is_relative_to(upload_dir)
    assert not any(upload_dir.rglob("*.pdf")) if upload_dir.exists() else True
    # Nothing is left in staging once the consent is recorded.
    assert list((data_dir / "private" / "staging").rglob("*.pdf")) == []
    with pytest.raises(private_files.FileRejected) as html:
        consent_service.stage_scan(school.school_id, b"<html><script>alert(1)</script></html>")
    assert html.value.key == "files.type"
    with pytest.raises(private_files.FileRejected) as big:
        consent_service.stage_scan(school.school_id, b"%PDF-" + b"0" * private_files.MAX_SCAN_BYTES)
    assert big.value.key == "files.too_big"
    with pytest.raises(ValueError):
        private_files.path_of("consents", "../../etc/passwd")
    # A scan altered on disk is no longer served as the consent's evidence.
    assert private_files.read_verified("consents", c.scan_name, c.scan_sha256) == PDF
    path.write_bytes(PDF + b"tampered")
    assert private_files.read_verified("consents", c.scan_name, c.scan_sha256) is None


def test_scope_class_teacher_reaches_his_class_and_its_guardians_only(school):
    ct = principal_of("t_classteacher")
    with db.session() as s:
        assert consent_service.can_read_subject(s, ct, "pupil", school.pupils_5a[0], TODAY)
        assert consent_service.can_read_subject(s, ct, "guardian", school.guardian_1, TODAY)
        assert not consent_service.can_read_subject(s, ct, "pupil", school.pupils_6b[0], TODAY)
        assert not consent_service.can_read_subject(s, ct, "guardian", school.guardian_2, TODAY)
        assert not consent_service.can_read_subject(s, ct, "staff", school.teacher_b, TODAY)
        with pytest.raises(consent_service.OutOfScope):
            consent_service.card(s, ct, "pupil", school.pupils_6b[0])
        page = consent_service.register(s, ct, subject_type="pupil")
        assert {int(r["id"]) for r in page.rows} == set(school.pupils_5a)
        assert consent_service.register(s, ct, subject_type="staff").total == 0
        guardians = consent_service.register(s, ct, subject_type="guardian")
        assert [int(r["id"]) for r in guardians.rows] == [school.guardian_1]
        # A class teacher may read consents, not record them.
    with pytest.raises(consent_service.OutOfScope), db.session(write=True) as s:
        consent_service.record(
            s,
            ct,
            subject_type="pupil",
            subject_id=school.pupils_5a[0],
            categories=["identity"],
            given_on=TODAY,
            valid_until=None,
            scan=consent_service.stage_scan(school.school_id, PDF),
            representative_id=school.guardian_1,
        )


def test_register_filters_by_status_class_and_search(school):
    clerk = principal_of("t_clerk")
    give(school)  # pupil 5a[0] active
    withdrawn = give(school, subject_id=school.pupils_6b[0], representative_id=school.guardian_2)
    with db.session(write=True) as s:
        consent_service.withdraw(s, clerk, withdrawn, on=TODAY, reason="арыз", erase=True)
    give(
        school,
        subject_id=school.pupils_5a[1],
        representative_id=school.guardian_1,
        given_on=TODAY - timedelta(days=100),
        valid_until=TODAY - timedelta(days=2),
    )
    with db.session(write=True) as s:
        # Old data held without any consent shows up in the register.
        g = s.get(Guardian, school.guardian_2)
        assert g is not None
        g.phone = "+996 555 000 000"
        s.add(g)
    with db.session() as s:

        def ids(**kw) -> set[int]:
            return {int(r["id"]) for r in consent_service.register(s, clerk, **kw).rows}

        assert ids(status="active") == {school.pupils_5a[0]}
        assert ids(status="withdrawn") == {school.pupils_6b[0]}
        assert ids(status="expired") == {school.pupils_5a[1]}
        assert ids(status="missing") == {school.pupils_5a[2], school.pupils_6b[1]}
        assert ids(class_id=school.class_6b) == set(school.pupils_6b)
        assert ids(class_id=school.class_6b, status="missing") == {school.pupils_6b[1]}
        assert ids(search="ҮСӨН") == {school.pupils_5a[0]}
        rows = {r["id"]: r for r in consent_service.register(s, clerk).rows}
        assert rows[str(school.pupils_5a[0])]["class_name"] == "5-А"
        assert rows[str(school.pupils_5a[0])]["categories"] == "identity,contacts,address"
        guardians = {r["id"]: r for r in consent_service.register(s, clerk, subject_type="guardian").rows}
        assert guardians[str(school.guardian_2)]["stored_without_consent"] == "phone"
        assert guardians[str(school.guardian_1)]["class_name"] == "5-А"


def test_parent_reaches_his_own_familys_scans_only(school):
    own = give(school)
    other = give(school, subject_id=school.pupils_6b[0], representative_id=school.guardian_2)
    parent = principal_of("t_parent")
    with db.session() as s:
        assert consent_service.scan_for(s, parent, own).id == own
        with pytest.raises(consent_service.OutOfScope):
            consent_service.scan_for(s, parent, other)
        with pytest.raises(consent_service.OutOfScope):
            consent_service.scan_for(s, principal_of("t_teacher"), own)
        with pytest.raises(consent_service.OutOfScope):
            consent_service.scan_for(s, principal_of("t_classteacher"), other)
        assert consent_service.scan_for(s, principal_of("t_classteacher"), own).id == own
