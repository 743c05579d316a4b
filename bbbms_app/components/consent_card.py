"""The consent card: a person's consent status, the categories it covers and data stored without consent.

Stateless: it renders a dict var filled by `services.consent.card(session, principal, subject_type,
subject_id)` (which also checks the principal's scope). A page that shows a person — the admin
engine's detail view, say — embeds it like this:

    class PupilDetailState(rx.State):
        consent: dict[str, str] = {}

        @rx.event
        @requires("consent.read")
        def load_consent(self, pupil_id: str):
            with db.session() as s:
                self.consent = consent_service.card(s, current(), "pupil", pupil_id)

    consent_card(PupilDetailState.consent)

Keys of the dict: status (active | withdrawn | expired | missing), categories and
stored_without_consent (comma-separated codes), given_on, valid_until, signed_by, withdrawn_on, name.
"""

from __future__ import annotations

import reflex as rx

from bbbms_app.auth.state import AuthState
from bbbms_app.components.i18n import tr
from bbbms_app.i18n import translations
from bbbms_app.models.consent import CONSENT_CATEGORIES, GATED_FIELDS

STATUS_COLORS = {"active": "green", "withdrawn": "red", "expired": "orange", "missing": "gray"}
_FIELDS = sorted({f for fields in GATED_FIELDS.values() for f in fields})


def _label(prefix: str, codes) -> rx.Var:
    table = {code: translations(f"{prefix}.{code}") for code in codes}
    return rx.Var.create(table).to(dict)


def _translated(table: rx.Var, code: rx.Var) -> rx.Var:
    return table[code].to(dict)[AuthState.lang].to(str)


def status_badge(status: rx.Var) -> rx.Component:
    """A coloured badge for a consent status code."""
    table = _label("consent.status", STATUS_COLORS)
    return rx.badge(
        _translated(table, status),
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        size="2",
        data_testid="consent-status",
    )


def category_badges(codes: rx.Var) -> rx.Component:
    """Badges of the categories in a comma-separated list of codes."""
    table = _label("consent.category", CONSENT_CATEGORIES)
    # Truthiness, not != "": a key missing from an empty dict is undefined in the browser.
    return rx.cond(
        codes,
        rx.flex(
            rx.foreach(
                codes.to(str).split(","),
                lambda code: rx.badge(_translated(table, code), variant="outline", color_scheme="teal"),
            ),
            wrap="wrap",
            spacing="1",
        ),
        rx.text("—", color_scheme="gray"),
    )


def field_names(codes: rx.Var) -> rx.Var:
    """The translated names of a comma-separated list of gated field codes, joined with commas."""
    table = _label("consent.field", _FIELDS)
    return rx.cond(codes, codes.to(str).split(",").map(lambda code: _translated(table, code)).join(", "), "")  # type: ignore[attr-defined]


def _fact(label_key: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value,
        rx.hstack(
            rx.text(tr(label_key), size="2", color_scheme="gray", min_width="120px"),
            rx.text(value, size="2", weight="medium"),
            spacing="2",
            wrap="wrap",
        ),
    )


def consent_card(card: rx.Var) -> rx.Component:
    """The card for one person; `card` is the dict var described in the module docstring."""
    return rx.card(
        rx.vstack(
            rx.flex(
                # Icon and title wrap as one unit; on a phone the badge goes under them.
                rx.hstack(
                    rx.icon("shield-check", size=20, color=rx.color("accent", 10), flex_shrink="0"),
                    rx.text(tr("consent.card.title"), weight="bold", size="3"),
                    align="center",
                    spacing="2",
                ),
                rx.spacer(),
                status_badge(card["status"]),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="2",
            ),
            rx.hstack(
                rx.text(tr("consent.card.covers"), size="2", color_scheme="gray", min_width="120px"),
                category_badges(card["categories"]),
                spacing="2",
                align="start",
                wrap="wrap",
            ),
            _fact("consent.col.given_on", card["given_on"]),
            _fact("consent.col.valid_until", card["valid_until"]),
            _fact("consent.col.signed_by", card["signed_by"]),
            _fact("consent.col.withdrawn_on", card["withdrawn_on"]),
            rx.cond(
                card["stored_without_consent"],
                rx.callout(
                    tr("consent.card.stored_warning").replace("{fields}", field_names(card["stored_without_consent"])),  # type: ignore[attr-defined]
                    icon="triangle-alert",
                    color_scheme="orange",
                    size="1",
                    width="100%",
                    data_testid="consent-stored-warning",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="consent-card",
    )
