"""How an announcement is shown, on /announcements and on the home page: its audience in the tab's
language and its body as plain text (line breaks kept; never HTML, never markdown)."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.i18n import translations


def in_language(prefix: str, codes: Sequence[str], code: rx.Var) -> rx.Var:
    """The translation of `prefix.<code>` in the tab's language, chosen in the browser."""
    table = {c: translations(f"{prefix}.{c}") for c in codes}
    return rx.Var.create(table).to(dict)[code].to(dict)[AuthState.lang].to(str)


def audience_text(
    row: rx.Var, audiences: Sequence[str], reaches: Sequence[str], roles: Sequence[str], **props
) -> rx.Component:
    """«Классу · 5-А · Родители», «Параллели · 9-е классы · Родители» in the tab's language."""
    detail = rx.match(
        row["audience"],
        ("grade", tr("comm.grade_n").replace("{grade}", row["detail"])),  # type: ignore[attr-defined]
        ("role", in_language("role", roles, row["detail"])),
        row["detail"],
    )
    return rx.text(
        in_language("comm.audience", audiences, row["audience"]),
        rx.cond(row["detail"] != "", " · ", ""),
        detail,
        rx.cond(row["audience"] != "role", " · ", ""),
        rx.cond(row["audience"] != "role", in_language("comm.reach", reaches, row["reach"]), ""),
        **props,
    )


def body_text(value: rx.Var, **props) -> rx.Component:
    """A body as plain text with its line breaks."""
    return rx.text(value, white_space="pre-wrap", overflow_wrap="anywhere", **props)
