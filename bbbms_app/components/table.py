"""A data table with translated headers, an empty state and a pager, for one page of rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import reflex as rx

from bbbms_app.components.i18n import tr


@dataclass(frozen=True)
class Column:
    """A column: the row key it shows, its header message, and an optional cell renderer."""

    key: str
    header_key: str
    render: Callable[[rx.Var], rx.Component] | None = None
    hide_on_phone: bool = False


def data_table(rows: rx.Var, columns: Sequence[Column], testid: str = "data-table") -> rx.Component:
    def cell(row: rx.Var, col: Column) -> rx.Component:
        content = col.render(row) if col.render else rx.text(row[col.key])
        return rx.table.cell(content, display=["none", "table-cell"] if col.hide_on_phone else None)

    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(
                                tr(c.header_key), display=["none", "table-cell"] if c.hide_on_phone else None
                            )
                            for c in columns
                        ]
                    )
                ),
                rx.table.body(rx.foreach(rows, lambda row: rx.table.row(*[cell(row, c) for c in columns]))),
                variant="surface",
                size="2",
                width="100%",
                data_testid=testid,
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.callout(tr("list.empty"), icon="info", color_scheme="gray", data_testid="empty-state"),
    )


def pager(
    page: rx.Var, pages: rx.Var, total: rx.Var, on_prev: rx.EventHandler, on_next: rx.EventHandler
) -> rx.Component:
    return rx.flex(
        rx.text(tr("list.total").replace("{total}", total.to_string()), size="2", color_scheme="gray"),  # type: ignore[attr-defined]
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                rx.text(tr("list.previous"), display=["none", "inline"]),
                on_click=on_prev,
                disabled=page <= 1,
                variant="soft",
                size="2",
                aria_label="previous page",
                data_testid="prev-page",
            ),
            rx.text(
                tr("list.page").replace("{page}", page.to_string()).replace("{pages}", pages.to_string()),  # type: ignore[attr-defined]
                size="2",
                white_space="nowrap",
            ),
            rx.button(
                rx.text(tr("list.next"), display=["none", "inline"]),
                rx.icon("chevron-right", size=16),
                on_click=on_next,
                disabled=page >= pages,
                variant="soft",
                size="2",
                aria_label="next page",
                data_testid="next-page",
            ),
            align="center",
            spacing="2",
        ),
        justify="between",
        align="center",
        width="100%",
        margin_top="12px",
        gap="8px",
    )
