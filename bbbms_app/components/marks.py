"""A mark as a badge coloured by its value, so that a «2» stands out from a «5» at a glance.

Used by the families' screens (the diary, the term and year marks). Colour is never the only
cue: the number is written on the badge; the colours follow the paper habit (red for a failing
mark) and keep WCAG contrast with Radix's solid badges.
"""

from __future__ import annotations

import reflex as rx

# 5 green, 4 teal, 3 amber, 2 and 1 red; «н/а», «осв» and points-scale values stay neutral.
MARK_COLOURS = (("5", "grass"), ("4", "teal"), ("3", "amber"), ("2", "red"), ("1", "red"))


def mark_colour(value: rx.Var) -> rx.Var:
    """The Radix colour scheme of a mark's text."""
    return rx.match(value, *MARK_COLOURS, "gray")


def mark_badge(value: rx.Var, testid: str = "mark", size: str = "2") -> rx.Component:
    """One mark; `data-mark` carries its value for tests and for print styles."""
    return rx.badge(
        value,
        size=size,  # type: ignore[arg-type]
        variant=rx.match(value, *((v, "solid") for v, _c in MARK_COLOURS), "soft"),
        color_scheme=mark_colour(value),
        min_width="1.9em",
        justify_content="center",
        data_testid=testid,
        custom_attrs={"data-mark": value},
    )


def marks_row(marks: rx.Var, testid: str = "mark", size: str = "2") -> rx.Component:
    """Space-separated marks («5 4 2») as a wrapping row of badges."""
    return rx.cond(
        marks != "",
        rx.flex(
            rx.foreach(marks.to(str).split(" "), lambda m: mark_badge(m, testid, size)),
            gap="4px",
            wrap="wrap",
        ),
    )
