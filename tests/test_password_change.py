"""A password chosen by someone else (an administrator's reset, the admin form, an import's
credential slip) must be replaced by the user's own before he can do anything else."""

from __future__ import annotations

from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import PupilAdminState, UserAdminState
from bbbms_app.auth.state import AuthState
from bbbms_app.models import User
from bbbms_app.pages.profile import ProfileState
from bbbms_app.services import accounts
from tests.states import handle, is_refusal, new_tab, sub

GIVEN = "Ала-Тоо көлү 2025"
OWN = "менин өз сырсөзүм 7"


def _user(username: str) -> User:
    with db.session() as s:
        return s.exec(select(User).where(User.username == username)).one()


def _redirects_to_profile(result: object) -> bool:
    return "/profile" in repr(result)


async def test_a_reset_password_must_be_replaced_before_anything_else(school):
    # The director gives the teacher a new password on the account's card.
    users = sub(new_tab("t_director"), UserAdminState)
    await users.load()
    await users.open_record(str(_user("t_teacher").id))
    assert not is_refusal(await handle(users, "reset_password", {"password": GIVEN}))
    assert _user("t_teacher").must_change_password

    # Signed in with it, the teacher is sent to his profile by every page and every handler...
    tab = new_tab("t_teacher", GIVEN)
    auth = sub(tab, AuthState)
    pupils = sub(tab, PupilAdminState)
    assert _redirects_to_profile(await pupils.load())
    assert pupils.rows == []  # nothing was read for him
    assert _redirects_to_profile(await auth.check_session())
    assert auth.must_change_password
    # ...where the given password cannot be kept,
    profile = sub(tab, ProfileState)
    await handle(profile, "change_password", {"current": GIVEN, "new": GIVEN})
    assert profile.error and _user("t_teacher").must_change_password
    # and his own one frees the account (every session ends: he signs in again with it).
    await handle(profile, "change_password", {"current": GIVEN, "new": OWN})
    assert profile.error == "" and not _user("t_teacher").must_change_password
    again = sub(new_tab("t_teacher", OWN), PupilAdminState)
    result = await again.load()
    assert not _redirects_to_profile(result) and not is_refusal(result)
    assert again.rows


async def test_accounts_made_by_others_start_with_a_password_to_replace(school):
    with db.session(write=True) as s:
        cli_made = accounts.create_user(s, "operator_made", "teacher", GIVEN, school_id=school.school_id)
        assert not cli_made.must_change_password  # the operator at the console chose it for himself
    # The admin form and the import make accounts through the engine: their users set their own.
    users = sub(new_tab("t_director"), UserAdminState)
    await users.load()
    await users.new_record()
    await handle(
        users,
        "save",
        {
            "username": "new_deputy",
            "full_name": "Жаңы Орунбасар",
            "role": "deputy",
            "language": "ky",
            "password": GIVEN,
        },
    )
    assert _user("new_deputy").must_change_password
    with db.session() as s:
        principal = accounts.resolve(s, accounts.authenticate(s, "new_deputy", GIVEN).token or "")
    assert principal is not None and principal.must_change_password
    assert not principal.can("pupil.read") and principal.can("signed_in")
