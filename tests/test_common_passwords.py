"""Issue 10 (should-fix): the common-password list is a real one, shipped with the project."""

from __future__ import annotations

import pytest

from bbbms_app.services import passwords


def test_the_shipped_list_holds_at_least_ten_thousand_passwords():
    assert passwords.COMMON_LIST.is_file()
    assert len(passwords.common_passwords()) >= 10_000


@pytest.mark.parametrize(
    "weak", ["basketball", "charlie123", "Basketball2026", "michelle1!", "1qaz2wsx3edc", "пароль123456"]
)
def test_common_passwords_and_their_digit_suffixed_forms_are_refused(weak):
    with pytest.raises(passwords.PasswordRejected) as refused:
        passwords.check_rules(weak)
    assert refused.value.key == "error.password_common"


@pytest.mark.parametrize("good", ["Ала-Тоо көлү 2025", "жашыл терек бак 7", "kettle-orbit-walnut"])
def test_a_passphrase_of_ones_own_passes(good):
    passwords.check_rules(good)
