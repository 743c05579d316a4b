"""The date field's server half: dd.mm.yyyy from the field (or ISO) read by `inputs.school_date`,
and the audit filter typed the school's way; a half-typed date is waited for, a wrong one refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bbbms_app.auth import inputs
from bbbms_app.pages.audit import AuditState
from tests.states import is_refusal, new_tab, sub


@pytest.mark.parametrize(
    "text,expected",
    [("05.09.2025", date(2025, 9, 5)), ("2025-09-05", date(2025, 9, 5)), ("29.02.2024", date(2024, 2, 29)), ("", None)],
)
def test_school_date_reads_the_schools_way_and_iso(text, expected):
    assert inputs.school_date(text, "birth_date") == expected


@pytest.mark.parametrize("text", ["29.02.2025", "5.9.2025", "09/05/2025", "05.09.1899", "2025.09.05", "aa.bb.cccc", 5])
def test_school_date_refuses_anything_else_naming_the_field(text):
    with pytest.raises(inputs.BadInput) as err:
        inputs.school_date(text, "birth_date")
    assert err.value.field == "birth_date"


async def test_the_audit_filter_takes_dd_mm_yyyy_and_waits_for_a_whole_date(school):
    screen = sub(new_tab("t_director"), AuditState)
    await screen.load()
    everything = screen.total
    assert everything > 0
    today = datetime.now(UTC).date()
    await screen.set_date_from((today + timedelta(days=1)).strftime("%d.%m.%Y"))
    assert screen.date_from == (today + timedelta(days=1)).isoformat() and screen.total == 0
    assert not is_refusal(await screen.set_date_from("0"))  # still typing: nothing happens
    assert screen.date_from == (today + timedelta(days=1)).isoformat()
    await screen.set_date_from(today.strftime("%d.%m.%Y"))
    await screen.set_date_to(today.strftime("%d.%m.%Y"))
    assert screen.total == everything  # every event of the test is today's
    assert is_refusal(await screen.set_date_to("32.01.2025"))
    assert screen.date_to == today.isoformat()
    await screen.clear()
    assert (screen.date_from, screen.date_to, screen.total) == ("", "", everything + 1)  # + the refusal itself
