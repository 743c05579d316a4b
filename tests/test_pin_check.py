"""The PIN's cross-check against the sex and birth date entered beside it (services.pin_check)."""

from __future__ import annotations

from datetime import date

from bbbms_app.i18n import t
from bbbms_app.services.pin_check import birth_date_in, pin_warnings


def _keys(pin: str, sex: str | None, born: date | None) -> list[tuple[str, str]]:
    return [(w.field, w.key) for w in pin_warnings(pin, sex, born)]


def test_a_pin_that_agrees_gives_no_warning() -> None:
    # 2 = male, born 07.03.2013, then the register's five digits.
    assert birth_date_in("20703201312345") == date(2013, 3, 7)
    assert _keys("20703201312345", "m", date(2013, 3, 7)) == []
    assert _keys("10703201312345", "f", date(2013, 3, 7)) == []
    assert _keys("", "m", None) == [] and _keys("123", "m", None) == []  # no PIN yet, or the format's own check


def test_the_sex_digit_and_the_birth_date_are_cross_checked() -> None:
    assert _keys("20703201312345", "f", date(2013, 3, 7)) == [("sex", "pin.warning.sex")]
    assert _keys("20703201312345", "m", date(2013, 7, 3)) == [("birth_date", "pin.warning.birth_date")]
    [warning] = pin_warnings("20703201312345", "m", date(2013, 7, 3))
    assert t(warning.key, "ky", **warning.params).startswith("ПИНдеги туулган күн (07.03.2013)")
    assert _keys("30703201312345", "m", date(2013, 3, 7)) == [("pin", "pin.warning.sex_digit")]
    assert _keys("23113201312345", "m", date(2013, 3, 7)) == [("pin", "pin.warning.no_date")]  # 31.13.2013
    assert _keys("23002201312345", "m", None) == [("pin", "pin.warning.no_date")]  # 30.02.2013
