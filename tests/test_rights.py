"""The director's role × permission matrix: effective at the next event, locked where it must be, audited."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AuditEvent, RolePermission
from bbbms_app.models.accounts import ROLES
from bbbms_app.pages.home import HomeState
from bbbms_app.pages.rights import RightsState
from bbbms_app.services import accounts, audit, rights
from bbbms_app.services.access import DEFAULT_MATRIX, PERMISSIONS, permissions_for
from bbbms_app.services.engine import hooks
from bbbms_app.services.engine.registry import ENTITIES
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub


def _set(actor, role, permission, granted, reason=""):
    with db.session(write=True) as s:
        return rights.set_permission(s, actor, role, permission, granted, reason=reason)


def _rights_events() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.entity == "rights").order_by(AuditEvent.id)).all())


def test_no_rows_means_the_default_matrix(school):
    with db.session() as s:
        matrix = rights.effective_matrix(s, school.school_id)
        for role in ROLES:
            assert matrix[role] == permissions_for(role) == rights.effective_permissions(s, role, school.school_id)
    assert principal_of("t_teacher").permissions == DEFAULT_MATRIX["teacher"]


def test_default_matrix_respects_the_locks():
    # The defaults themselves never break a lock, so "absent row" and "locked" always agree.
    for role in ROLES:
        for permission in rights.MATRIX_PERMISSIONS:
            lock = rights.locked(role, permission)
            if lock is not None:
                assert (permission in DEFAULT_MATRIX[role]) == lock, (role, permission)


async def test_a_revoked_permission_holds_at_the_very_next_event_of_an_open_tab(school):
    admin_tab = new_tab("t_admin")
    matrix = sub(admin_tab, RightsState)
    assert not is_refusal(await matrix.load())
    other_tab = new_tab("t_admin")  # another browser (or another worker) of the same user
    director = principal_of("t_director")
    assert _set(director, "administrator", "rights.read", False, reason="accounts only") is True
    assert is_refusal(await matrix.load())
    assert is_refusal(await sub(other_tab, RightsState).load())
    assert not is_refusal(await sub(admin_tab, HomeState).load())  # the rest of the role is untouched
    event = _rights_events()[-1]
    assert (event.username, event.role, event.action) == ("t_director", "director", "update")
    assert (event.field, event.old_value, event.new_value) == ("administrator:rights.read", "yes", "no")
    assert event.reason == "accounts only" and event.school_id == school.school_id
    # Given back: the row goes (back to "the default"), and the tab works again.
    assert _set(director, "administrator", "rights.read", True) is True
    with db.session() as s:
        assert s.exec(select(RolePermission)).all() == []
    assert not is_refusal(await matrix.load())


def test_a_grant_reaches_the_role_and_repeating_it_changes_nothing(school):
    director = principal_of("t_director")
    assert "export.personal" not in principal_of("t_deputy").permissions
    assert _set(director, "deputy", "export.personal", True) is True
    assert "export.personal" in principal_of("t_deputy").permissions
    assert _set(director, "deputy", "export.personal", True) is False
    assert len(_rights_events()) == 1


@pytest.mark.parametrize(
    "role,permission,granted",
    [
        ("director", "rights.write", False),  # the director always keeps the matrix …
        ("director", "audit.read", False),  # … and the audit
        ("administrator", "rights.write", True),  # nobody else ever edits rights
        ("deputy", "rights.write", True),
        ("parent", "pupil.write", True),  # families never get staff rights
        ("pupil", "export.personal", True),
        ("parent", "journal.read", True),
        ("teacher", "own.read", True),  # own.read means nothing for staff
    ],
)
def test_locked_cells_cannot_change(school, role, permission, granted):
    with pytest.raises(rights.RightsError) as err:
        _set(principal_of("t_director"), role, permission, granted)
    assert err.value.key == "rights.error.locked"
    with db.session() as s:
        assert s.exec(select(RolePermission)).all() == []


def test_locks_hold_even_against_rows_written_behind_the_apps_back(school):
    with db.session() as s:
        s.add(RolePermission(school_id=school.school_id, role="parent", permission="pupil.write", granted=True))
        s.add(RolePermission(school_id=school.school_id, role="administrator", permission="rights.write", granted=True))
        s.add(RolePermission(school_id=None, role="director", permission="rights.write", granted=False))
    assert "pupil.write" not in principal_of("t_parent").permissions
    assert "rights.write" not in principal_of("t_admin").permissions
    assert "rights.write" in principal_of("t_director").permissions


def test_the_administrator_cannot_change_rights_nor_raise_his_own(school):
    admin = principal_of("t_admin")
    for role, permission in [
        ("administrator", "journal.write"),
        ("administrator", "rights.write"),
        ("teacher", "user.write"),
    ]:
        with pytest.raises(rights.RightsError) as err:
            _set(admin, role, permission, True)
        assert err.value.key == "rights.error.not_allowed"
    # Nor through accounts: no director or administrator account, no new role for himself.
    with db.session() as s, pytest.raises(accounts.AccountError) as err:
        accounts.create_user(s, "boss2", "director", "long-password-77", school_id=school.school_id, actor=admin)
    assert err.value.key == "rights.error.privileged_role"
    with db.session() as s, pytest.raises(hooks.FieldError) as field_err:
        ENTITIES.by_table("user").profile.check_save(s, admin, admin.user_id, {"role": "director"})
    assert field_err.value.key == "rights.error.own_account"
    with db.session() as s, pytest.raises(hooks.FieldError):
        ENTITIES.by_table("user").profile.check_save(s, admin, None, {"role": "administrator"})
    with db.session() as s:
        ENTITIES.by_table("user").profile.check_save(
            s, admin, None, {"role": "teacher"}
        )  # ordinary accounts are his work
        accounts.create_user(s, "admin2", "administrator", "long-password-77", actor=principal_of("t_director"))


def test_nobody_raises_his_own_role_above_its_default(school):
    # Only the director holds rights.write; if a district ever unlocked it for deputies, a deputy
    # still could not widen the deputies' own rights.
    deputy = replace(principal_of("t_deputy"), permissions=frozenset(DEFAULT_MATRIX["deputy"] | {"rights.write"}))
    with pytest.raises(rights.RightsError) as err:
        _set(deputy, "deputy", "pupil.write", True)
    assert err.value.key == "rights.error.own_role"
    # The director may give back to his own role what the default gives it.
    director = principal_of("t_director")
    assert _set(director, "director", "timetable.write", False)
    assert _set(principal_of("t_director"), "director", "timetable.write", True)


def test_unknown_roles_and_permissions_are_refused(school):
    director = principal_of("t_director")
    for role, permission in [("superuser", "pupil.read"), ("teacher", "everything"), ("teacher", "public")]:
        with pytest.raises(rights.RightsError) as err:
            _set(director, role, permission, True)
        assert err.value.key == "rights.error.unknown"


def test_district_rows_apply_and_a_schools_own_row_wins(school):
    with db.session() as s:
        s.add(RolePermission(school_id=None, role="teacher", permission="report.read", granted=True))
        s.add(RolePermission(school_id=None, role="clerk", permission="export.personal", granted=False))
    assert "report.read" in principal_of("t_teacher").permissions
    assert "export.personal" not in principal_of("t_clerk").permissions
    director = principal_of("t_director")
    assert _set(director, "clerk", "export.personal", True)  # this school decides otherwise
    assert "export.personal" in principal_of("t_clerk").permissions
    # Going back to the district's value removes the school's row rather than duplicating it.
    assert _set(director, "clerk", "export.personal", False)
    with db.session() as s:
        rows = s.exec(select(RolePermission.school_id, RolePermission.role)).all()
    assert sorted(rows, key=str) == sorted([(None, "teacher"), (None, "clerk")], key=str)


def test_reset_role_goes_back_to_the_default_and_audits_each_cell(school):
    director = principal_of("t_director")
    _set(director, "teacher", "pupil.read", False)
    _set(director, "teacher", "report.read", True)
    with db.session(write=True) as s:
        assert rights.reset_role(s, director, "teacher", reason="new year") == 2
    assert principal_of("t_teacher").permissions == DEFAULT_MATRIX["teacher"]
    last = _rights_events()[-2:]
    assert {(e.field, e.new_value, e.reason) for e in last} == {
        ("teacher:pupil.read", "yes", "new year"),
        ("teacher:report.read", "no", "new year"),
    }


def test_the_change_rolls_back_when_its_audit_event_cannot_be_written(school, monkeypatch):
    def broken_record(session, principal, action, *args, **kwargs):
        event = AuditEvent(action=None)  # NOT NULL: the insert fails at commit  # type: ignore[arg-type]
        session.add(event)
        return event

    director = principal_of("t_director")
    with monkeypatch.context() as patched:
        patched.setattr(audit, "record", broken_record)
        with pytest.raises(IntegrityError):
            _set(director, "teacher", "pupil.read", False)
    with db.session() as s:
        assert s.exec(select(RolePermission)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.entity == "rights")).all() == []
    assert "pupil.read" in principal_of("t_teacher").permissions


def test_every_permission_has_a_translated_description():
    from bbbms_app.i18n import MESSAGES

    missing = [p for p in PERMISSIONS if p not in ("public", "signed_in") and f"rights.perm.{p}" not in MESSAGES]
    assert missing == []


async def test_the_director_edits_the_grid_through_its_handlers(school):
    tab = new_tab("t_director")
    state = sub(tab, RightsState)
    await state.load()
    assert state.can_edit
    rows = {r["perm"]: r for r in state.rows}
    assert rows["pupil.read"]["teacher"] == "1" and rows["rights.write"]["director_lock"] == "1"
    await state.set_reason("decision of the council")
    result = await state.toggle("teacher", "report.read", True)
    assert not is_refusal(result)
    rows = {r["perm"]: r for r in state.rows}
    assert rows["report.read"]["teacher"] == "1" and rows["report.read"]["teacher_changed"] == "1"
    assert _rights_events()[-1].reason == "decision of the council"
    # A locked cell answers with the translated reason and changes nothing.
    result = await state.toggle("parent", "pupil.write", True)
    assert "rights.error.locked" not in repr(result) and "бекитилген" in repr(result)
    assert {r["perm"]: r for r in state.rows}["pupil.write"]["parent"] == "0"
    await state.reset_role("teacher")
    assert {r["perm"]: r for r in state.rows}["report.read"]["teacher"] == "0"


async def test_others_may_look_or_are_refused(school):
    admin = sub(new_tab("t_admin"), RightsState)
    assert not is_refusal(await admin.load())
    assert admin.rows and not admin.can_edit
    assert is_refusal(await admin.toggle("administrator", "journal.write", True))
    assert is_refusal(await admin.set_reason("x"))
    for username in ("t_teacher", "t_parent", "t_pupil", "t_clerk"):
        state = sub(new_tab(username), RightsState)
        assert is_refusal(await state.load())
        assert state.rows == []
    with db.session() as s:
        assert s.exec(select(RolePermission)).all() == []


async def test_forged_grid_arguments_are_refused_as_invalid(school):
    state = sub(new_tab("t_director"), RightsState)
    await state.load()
    for args in [
        ("teacher", "report.read", "yes"),  # a string where the switch sends a bool
        ("superuser", "report.read", True),
        ("teacher", "report.read' OR 1=1", True),
        ("teacher", ["report.read"], True),
    ]:
        assert is_refusal(await state.toggle(*args)), args
    with db.session() as s:
        assert s.exec(select(RolePermission)).all() == []
        invalid = s.exec(select(AuditEvent).where(AuditEvent.action == "invalid")).all()
    assert len(invalid) == 4 and {e.username for e in invalid} == {"t_director"}
