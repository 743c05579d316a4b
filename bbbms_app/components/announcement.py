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
        # An announcement's audiences add «people» (named users) to an event's.
        in_language("comm.audience", tuple(dict.fromkeys((*audiences, "people"))), row["audience"]),
        rx.cond(row["detail"] != "", " · ", ""),
        detail,
        rx.cond((row["audience"] != "role") & (row["audience"] != "people"), " · ", ""),
        rx.cond(
            (row["audience"] != "role") & (row["audience"] != "people"),
            in_language("comm.reach", reaches, row["reach"]),
            "",
        ),
        **props,
    )


def attachment_links(files: rx.Var) -> rx.Component:
    """An announcement's files («id<TAB>name» per line) as download links to the private route."""
    return rx.cond(
        files != "",
        rx.flex(
            rx.foreach(
                files.to(str).split("\n"),  # type: ignore[attr-defined]
                lambda f: rx.el.a(
                    rx.flex(
                        rx.icon("paperclip", size=14), rx.text(f.split("\t")[1], size="2"), gap="4px", align="center"
                    ),
                    href="/private/announcement-file/" + f.split("\t")[0],
                    download="",
                    on_click=rx.stop_propagation,
                    data_testid="ann-file",
                    style={"minHeight": "32px", "display": "inline-flex", "alignItems": "center"},
                ),
            ),
            gap="12px",
            wrap="wrap",
        ),
    )


def body_text(value: rx.Var, **props) -> rx.Component:
    """A body as plain text with its line breaks."""
    return rx.text(value, white_space="pre-wrap", overflow_wrap="anywhere", **props)


def feed_card(row: rx.Var, is_open: rx.Var, on_open, codes: tuple[Sequence[str], ...]) -> rx.Component:
    """One announcement of a recipient's feed: its title (tap to open), and when open its text,
    audience and author. `on_open` records the read receipt (the home page, the diary); `codes`
    are the audiences, reaches and roles to translate."""
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.icon(rx.cond(is_open, "chevron-down", "chevron-right"), size=18),
                rx.text(row["title"], weight=rx.cond(row["read"] == "", "bold", "medium"), size="3", flex="1"),
                rx.cond(row["pinned"] == "1", rx.badge(tr("comm.pinned"), color_scheme="amber")),
                rx.cond(row["read"] == "", rx.badge(tr("comm.unread"), color_scheme="red", data_testid="ann-unread")),
                gap="8px",
                align="center",
                width="100%",
            ),
            rx.cond(
                is_open,
                rx.vstack(
                    body_text(row["body"], size="2", data_testid="ann-body-text"),
                    attachment_links(row["files"]),
                    audience_text(row, *codes, size="1", color_scheme="gray"),
                    rx.text(
                        tr("comm.from").replace("{name}", row["author"]),  # type: ignore[attr-defined]
                        " · ",
                        row["publish_on"],
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_click=on_open,
        cursor="pointer",
        width="100%",
        data_testid="home-announcement",
    )
