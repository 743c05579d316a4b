"""On a pupil's card: «arrival / class change / departure» (issue 15, item 1). Each opens the
movement form with the pupil and the kind already filled in; the save goes through
services.movement.record, the book's one path (its checks, the enrollments, the audit). The
handlers live on PupilAdminState (admin/states.py); this is their view."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bbbms_app.components.date_input import date_input
from bbbms_app.components.i18n import tr

CARD_KINDS = ("arrival", "transfer_in_school", "departure")


def _labelled(label_key: str, control: rx.Component) -> rx.Component:
    return rx.flex(
        rx.text(tr(label_key), size="1", color_scheme="gray"), control, direction="column", spacing="1", width="100%"
    )


def _select(name: str, options: Any, testid: str, on_change: Any = None) -> rx.Component:
    props = {"on_change": on_change} if on_change is not None else {}
    return rx.select.root(
        rx.select.trigger(placeholder="—", width="100%", data_testid=testid),
        rx.select.content(rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["id"]))),
        name=name,
        **props,
    )


def pupil_movement_tools(state: Any) -> rx.Component:
    buttons = rx.flex(
        rx.cond(
            ~state.mv_enrolled,
            rx.button(
                rx.icon("log-in", size=16),
                tr("movement.kind.arrival"),
                on_click=state.start_movement("arrival"),
                data_testid="card-arrival",
            ),
        ),
        rx.cond(
            state.mv_enrolled,
            rx.button(
                rx.icon("arrow-left-right", size=16),
                tr("movement.kind.transfer_in_school"),
                variant="soft",
                on_click=state.start_movement("transfer_in_school"),
                data_testid="card-transfer",
            ),
        ),
        rx.cond(
            state.mv_enrolled,
            rx.button(
                rx.icon("log-out", size=16),
                tr("movement.kind.departure"),
                variant="soft",
                color_scheme="red",
                on_click=state.start_movement("departure"),
                data_testid="card-departure",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    form = rx.form(
        rx.vstack(
            rx.heading(
                rx.match(
                    state.mv_kind,
                    *[(k, tr(f"movement.kind.{k}")) for k in CARD_KINDS],
                    "",
                ),
                size="3",
                data_testid="card-mv-title",
            ),
            _labelled(
                "field.movementrecord.date",
                date_input(state.mv_date, name="date", testid="card-mv-date", width="100%"),
            ),
            _labelled("field.movementrecord.order_id", _select("order_id", state.mv_orders, "card-mv-order")),
            rx.cond(
                state.mv_kind != "departure",
                _labelled(
                    "field.movementrecord.to_class_id", _select("to_class_id", state.mv_classes, "card-mv-class")
                ),
            ),
            rx.cond(
                state.mv_kind != "transfer_in_school",
                rx.vstack(
                    _labelled(
                        "movement.section.where",
                        _select("category", state.mv_categories, "card-mv-category", state.set_mv_category),
                    ),
                    rx.cond(
                        state.mv_places.length() > 0,  # type: ignore[attr-defined]
                        _select("place", state.mv_places, "card-mv-place"),
                    ),
                    _labelled(
                        "movement.card.school",
                        rx.input(name="school", width="100%", data_testid="card-mv-school"),
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            _labelled(
                "field.movementrecord.reason", rx.input(name="reason", width="100%", data_testid="card-mv-reason")
            ),
            rx.cond(
                state.mv_error != "",
                rx.callout(state.mv_error, icon="triangle-alert", color_scheme="red", data_testid="card-mv-error"),
            ),
            rx.flex(
                rx.button(tr("admin.save"), type="submit", data_testid="card-mv-save"),
                rx.button(tr("admin.cancel"), variant="soft", type="button", on_click=state.cancel_movement),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.save_movement,
        width="100%",
        key=state.mv_key,
    )
    return rx.cond(
        state.can_move & ~state.detail_deleted,
        rx.card(
            rx.vstack(
                rx.heading(tr("movement.nav"), size="3"),
                rx.cond(state.mv_kind == "", buttons, form),
                spacing="2",
                width="100%",
            ),
            width="100%",
            data_testid="card-movement",
        ),
    )
