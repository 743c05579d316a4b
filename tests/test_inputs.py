"""Parsing client input: bounded ints, ids, text, choices, dates, forms, and the guard's shape check."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pytest

from bbbms_app.auth import inputs
from bbbms_app.auth.inputs import BadInput


@pytest.mark.parametrize("value,expected", [(7, 7), ("7", 7), (" 12 ", 12), ("-3", -3), (-3, -3)])
def test_bounded_int_accepts_numbers_and_decimal_strings(value, expected):
    assert inputs.bounded_int(value, -10, 100) == expected


@pytest.mark.parametrize("value", [True, 1.5, "1.5", "1e3", "0x10", "", "-", "١٢", "9" * 13, None, [1], 101, "-11"])
def test_bounded_int_refuses_everything_else(value):
    with pytest.raises(BadInput) as err:
        inputs.bounded_int(value, -10, 100, "count")
    assert err.value.field == "count"


def test_ids():
    assert inputs.record_id("42") == 42
    assert inputs.optional_id("") is None and inputs.optional_id(None) is None
    assert inputs.optional_id("5") == 5
    for bad in ("0", 0, "-1", str(2**31), "abc"):
        with pytest.raises(BadInput):
            inputs.record_id(bad)


def test_text_is_nfc_trimmed_bounded_and_free_of_control_characters():
    assert inputs.text("  Үсөнов ", 20) == "Үсөнов"
    assert inputs.text("У\u0308", 5) == "Ӱ"  # NFD in, NFC out
    assert inputs.text("line 1\nline 2", 20, multiline=True) == "line 1\nline 2"
    for bad in ("x" * 21, "a\nb", "a\x00b", "\x1b[31m", 5, None, ["a"]):
        with pytest.raises(BadInput):
            inputs.text(bad, 20)
    assert inputs.search_text("x" * 500, 100) == "x" * 100
    with pytest.raises(BadInput):
        inputs.search_text(100)


def test_choice_flag_and_dates():
    assert inputs.choice("ru", ("ky", "ru")) == "ru"
    for bad in ("de", None, ["ru"], 1):
        with pytest.raises(BadInput):
            inputs.choice(bad, ("ky", "ru"))
    assert inputs.flag(False) is False
    for bad in ("true", 1, None):
        with pytest.raises(BadInput):
            inputs.flag(bad)
    assert inputs.iso_date("2025-09-01") == date(2025, 9, 1)
    assert inputs.iso_date("") is None
    for bad in ("01.09.2025", "2025-02-30", "1800-01-01", "2025-9-1", 20250901):
        with pytest.raises(BadInput):
            inputs.iso_date(bad)
    with pytest.raises(BadInput):
        inputs.iso_date("", optional=False)


def test_form_takes_only_the_fields_of_the_form():
    assert inputs.form({"reason": " moved ", "order": "12"}, {"reason": 100, "order": 10, "note": 50}) == {
        "reason": "moved",
        "order": "12",
        "note": "",
    }
    for bad in ({"reason": "x", "role": "director"}, {"reason": 5}, {"reason": "x" * 101}, ["reason"], "reason=x"):
        with pytest.raises(BadInput):
            inputs.form(bad, {"reason": 100})


@pytest.mark.parametrize(
    "value,hint,ok",
    [
        ("a", str, True),
        (1, str, False),
        (1, int, True),
        (True, int, False),
        (1, float, True),
        ("1", float, False),
        (True, bool, True),
        (1, bool, False),
        ("x", str | list[str], True),
        (["x"], str | list[str], True),
        ([1], str | list[str], False),
        ({"a": "b"}, dict, True),
        ({"a": {"b": [1, 2]}}, dict[str, Any], True),
        ({1: "b"}, dict, False),
        ({"a": 1}, dict[str, str], False),
        (None, int | None, True),
        (None, int, False),
        ("ky", Literal["ky", "ru"], True),
        ("de", Literal["ky", "ru"], False),
        ("x" * (inputs.MAX_ARG_CHARS + 1), str, False),
        (["x"] * (inputs.MAX_ARG_ITEMS + 1), list, False),
        ([[[[[["deep"]]]]]], list, False),
        (2**60, int, False),
        (object(), dict, False),
    ],
)
def test_conforms(value, hint, ok):
    assert inputs.conforms(value, hint) is ok


def test_supported_annotations():
    for hint in (
        str,
        int,
        float,
        bool,
        dict,
        list,
        str | list[str],
        dict[str, Any],
        list[int],
        Literal["a"],
        int | None,
        Any,
    ):
        assert inputs.supported(hint), hint
    for hint in (object, date, set[str], dict[int, str], tuple[str, str]):
        assert not inputs.supported(hint), hint
