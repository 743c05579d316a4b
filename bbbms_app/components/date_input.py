"""The date field: shows and takes dd.mm.yyyy in every language (never the browser's mm/dd/yyyy).

A text field with the numeric keypad on a phone; assets/date_input.js puts the dots in as the
digits are typed ("05092025" → "05.09.2025"). The value it is given may be ISO (yyyy-mm-dd, as
state and forms keep dates) or already dd.mm.yyyy; what it sends is the text as typed, which the
server reads with `auth.inputs.school_date` (handlers) or `services.engine.values.parse_date` (admin
forms). Used everywhere a date is entered: the admin forms (birth date, movement date …), the
audit filters, the timetable's «changes from» and a teacher's extra lesson.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bbbms_app.components.i18n import tr

SCRIPT = "/date_input.js"


def display(value: rx.Var | str) -> rx.Var:
    """yyyy-mm-dd as dd.mm.yyyy (in the browser); any other text as it is."""
    text = rx.Var.create(value).to(str)
    return rx.cond(text.contains("-"), text.split("-").reverse().join("."), text)  # type: ignore[attr-defined]


def date_input(
    value: rx.Var | str,
    on_change: Any = None,
    *,
    name: str | None = None,
    testid: str = "date-input",
    **props: Any,
) -> rx.Component:
    """A dd.mm.yyyy field showing `value`; `on_change` gets the typed text after a short pause in
    typing, and at once when the field is left. Re-drawn when `value` changes on the server
    (the filter is cleared, another term chosen)."""
    events: dict[str, Any] = {}
    if on_change is not None:
        events["on_change"] = on_change.debounce(500)  # type: ignore[union-attr]
        # Leaving the field sends its text at once: a tap on «Save» blurs it first, so the date
        # reaches the state before the save does (within the pause the save came first and kept
        # the date from before).
        events["on_blur"] = on_change
    field = rx.input(
        type="text",
        input_mode="numeric",
        default_value=display(value),
        key=rx.Var.create(value).to(str),
        placeholder=tr("date.placeholder"),
        max_length=10,
        auto_complete="off",
        spell_check=False,
        name=name,
        data_testid=testid,
        custom_attrs={"data-date-input": "1", "pattern": r"\d{2}\.\d{2}\.\d{4}"},
        **events,
        **props,
    )
    return rx.fragment(rx.script(src=SCRIPT), field)
